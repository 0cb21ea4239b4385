import { describe, expect, it } from 'vitest';
import type { EngineState } from '../model/live.js';
import type { SessionEvent, SessionListener } from '../poller/session.js';
import { loadSampleSnapshot } from '../report/fixtures/sample.js';
import { followSession } from './state.js';

function engine(status: EngineState['status']): SessionEvent {
  return { type: 'engine', state: { status, endpoint: 'unix:///run/test.sock', error: status === 'unreachable' ? 'ECONNREFUSED' : null, sinceMs: 0, nextRetryMs: null } };
}

/** A session's subscribe, driven by hand: the keeper sees exactly the events a session emits. */
function fakeSession() {
  const listeners = new Set<SessionListener>();
  return {
    subscribe(listener: SessionListener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit(event: SessionEvent) {
      for (const l of listeners) l(event);
    },
    get listeners() {
      return listeners.size;
    },
  };
}

describe('exporter state from session events', () => {
  it('follows engine state and snapshots, counts unreachable attempts, keeps the last snapshot while away', async () => {
    const session = fakeSession();
    const { keeper, stop } = followSession(session);
    expect(keeper.current()).toEqual({ snapshot: null, engineUp: false, scanDurationSeconds: null, scrapeErrorsTotal: 0 });
    session.emit(engine('unreachable'));
    session.emit(engine('connecting'));
    session.emit(engine('unreachable'));
    expect(keeper.current().scrapeErrorsTotal).toBe(2);
    session.emit(engine('connected'));
    const snapshot = loadSampleSnapshot();
    session.emit({ type: 'snapshot', snapshot, changes: { added: snapshot.containers.map((c) => c.id), updated: [], removed: [] }, durationMs: 12.5 });
    expect(keeper.current()).toMatchObject({ snapshot, engineUp: true, scanDurationSeconds: 0.0125, scrapeErrorsTotal: 2 });
    session.emit(engine('unreachable'));
    expect(keeper.current()).toMatchObject({ snapshot, engineUp: false, scrapeErrorsTotal: 3 });
    expect(await keeper.metrics()).toContain('isolens_engine_up 0');
    stop();
    expect(session.listeners).toBe(0);
  });

  it('renders once per change, however many scrapes', async () => {
    const session = fakeSession();
    const { keeper } = followSession(session);
    session.emit(engine('connected'));
    const first = keeper.metrics();
    expect(keeper.metrics()).toBe(first);
    session.emit(engine('connected')); // no change
    expect(keeper.metrics()).toBe(first);
    const snapshot = loadSampleSnapshot();
    session.emit({ type: 'snapshot', snapshot, changes: { added: [], updated: [], removed: [] } });
    const second = keeper.metrics();
    expect(second).not.toBe(first);
    expect(await second).toContain(`isolens_container_score{id="${snapshot.containers[0]!.id}"`);
    expect(await second).not.toContain('isolens_scan_duration_seconds'); // the event did not say
  });

  it('a rebuild that changed no container re-renders only the host and exporter part', async () => {
    const session = fakeSession();
    const { keeper } = followSession(session);
    const snapshot = loadSampleSnapshot();
    session.emit({ type: 'snapshot', snapshot, changes: { added: snapshot.containers.map((c) => c.id), updated: [], removed: [] }, durationMs: 10 });
    const first = await keeper.metrics();
    const next = { ...loadSampleSnapshot(), generatedAt: '2026-12-01T10:00:00.000Z' };
    next.containers[0]!.score = 1; // the session says nothing changed, so the container part is the one already rendered
    session.emit({ type: 'snapshot', snapshot: next, changes: { added: [], updated: [], removed: [] }, durationMs: 20 });
    const second = await keeper.metrics();
    expect(second).toContain(`isolens_last_scan_timestamp_seconds ${Date.parse(next.generatedAt) / 1000}`);
    expect(second).toContain('isolens_scan_duration_seconds 0.02');
    const containerPart = (text: string) => text.split('\n').filter((l) => l.includes('isolens_container_')).join('\n');
    expect(containerPart(second)).toBe(containerPart(first));
    session.emit({ type: 'snapshot', snapshot: next, changes: { added: [], updated: [next.containers[0]!.id], removed: [] }, durationMs: 20 });
    expect(await keeper.metrics()).toContain(`isolens_container_score{id="${next.containers[0]!.id}",name="${next.containers[0]!.name.replace(/[\u001b\r\n\u202e]/g, '\uFFFD')}"} 1`);
  });
});
