// The engine session against a real engine: a subscriber gets the current state, then per-container deltas and snapshots.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineSession, type SessionEvent } from './session.js';
import { removeTestContainers, startContainer, testClient } from '../../e2e/harness/engine.js';

const PREFIX = 'isolens-int-session-';
const client = testClient();
let session: EngineSession;

/** Resolves with the first event (seen from now on) that matches. */
function next<T extends SessionEvent>(match: (event: SessionEvent) => event is T, timeoutMs = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error('no matching session event'));
    }, timeoutMs);
    let stop = () => undefined as void;
    let done = false;
    stop = session.subscribe((event) => {
      if (done || !match(event)) return;
      done = true;
      clearTimeout(timer);
      queueMicrotask(() => stop());
      resolve(event);
    });
  });
}

describe('EngineSession', () => {
  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    await startContainer(`${PREFIX}first`);
    session = new EngineSession({ refreshIntervalMs: 60_000 });
    await session.start();
  });
  afterAll(async () => {
    session?.close();
    await removeTestContainers(client, PREFIX);
  });

  it('gives a new subscriber the engine state and the current snapshot, every container listed as added', async () => {
    expect(session.engineState().status).toBe('connected');
    const events: SessionEvent[] = [];
    const stop = session.subscribe((event) => events.push(event));
    stop();
    expect(events.map((e) => e.type)).toEqual(['engine', 'snapshot']);
    const snapshot = events[1] as Extract<SessionEvent, { type: 'snapshot' }>;
    const first = snapshot.snapshot.containers.find((c) => c.name === `${PREFIX}first`);
    expect(first?.grade).not.toBeNull();
    expect(snapshot.changes.added).toContain(first!.id);
    expect(snapshot.changes.updated).toEqual([]);
  });

  it('emits container-added, then the snapshot with it, when a container starts; container-removed when it stops', async () => {
    const added = next((e): e is Extract<SessionEvent, { type: 'container-added' }> => e.type === 'container-added' && e.container.name === `${PREFIX}second`);
    const seen: SessionEvent[] = [];
    const stop = session.subscribe((event) => seen.push(event));
    const second = await startContainer(`${PREFIX}second`);
    const event = await added;
    expect(event.container.id).toBe(second.id);
    expect(event.container.findings.length).toBeGreaterThan(0);
    // The snapshot follows its container events and lists the change.
    await next((e): e is Extract<SessionEvent, { type: 'snapshot' }> => e.type === 'snapshot' && e.snapshot.containers.some((c) => c.id === second.id));
    const addedAt = seen.findIndex((e) => e.type === 'container-added' && e.container.id === second.id);
    const snapshotAt = seen.findIndex((e) => e.type === 'snapshot' && e.changes.added.includes(second.id));
    expect(addedAt).toBeGreaterThan(-1);
    expect(snapshotAt).toBeGreaterThan(addedAt);
    // Nothing else changed, so nothing else is reported as updated.
    const snap = seen[snapshotAt] as Extract<SessionEvent, { type: 'snapshot' }>;
    expect(snap.changes.updated).toEqual([]);

    const removed = next((e): e is Extract<SessionEvent, { type: 'container-removed' }> => e.type === 'container-removed' && e.id === second.id);
    await client.getContainer(second.id).remove({ force: true });
    const gone = await removed;
    expect(gone.previous.name).toBe(`${PREFIX}second`);
    expect((await session.snapshot())?.containers.some((c) => c.id === second.id)).toBe(false);
    stop();
  });

  it('a closed session emits nothing more, even when containers start', async () => {
    const other = new EngineSession({ refreshIntervalMs: 60_000 });
    await other.start();
    const events: SessionEvent[] = [];
    other.subscribe((event) => events.push(event));
    other.close();
    const before = events.length;
    await startContainer(`${PREFIX}after-close`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(events.length).toBe(before);
  });
});
