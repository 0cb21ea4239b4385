import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// Counts the fact comparisons a fingerprint or a change costs (the expensive part of both), through the real function.
const diffCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('../lab/diff.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lab/diff.js')>();
  return { ...real, diffContainers: (...args: Parameters<typeof real.diffContainers>) => (diffCalls.count++, real.diffContainers(...args)) };
});
import { assessed, engine, inspectFixture } from '../lab/fixtures/documents.js';
import type { ContainerIsolation, Snapshot } from '../model/schema.js';
import { parseDuration } from './duration.js';
import { defaultHistoryPath } from './paths.js';
import { applyMutes, HistoryRecorder, ruleMuted } from './recorder.js';
import { HistoryStore } from './store.js';

let dir: string;
let store: HistoryStore;
let clock: number;
const now = () => clock;

function snapshotOf(...containers: ContainerIsolation[]): Snapshot {
  return { schemaVersion: 1, generatedAt: new Date(clock).toISOString(), engine, host: { findings: [], score: 100, grade: 'A' }, containers, gaps: [] };
}
function web(kind: 'hardened' | 'weak', startedAt: string): ContainerIsolation {
  return { ...assessed(inspectFixture(kind)), name: 'web', id: (kind === 'weak' ? 'b' : 'a').repeat(64), startedAt };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isolens-recorder-'));
  clock = Date.parse('2026-12-01T09:00:00Z');
  store = HistoryStore.open(join(dir, 'history.db'), { now });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HistoryRecorder', () => {
  it('says nothing about containers already running when it started, then notices a risky start and a drift once each', () => {
    const recorder = new HistoryRecorder(store, { now });
    const before = { ...web('hardened', '2026-12-01T08:00:00Z'), name: 'old-risky', id: 'c'.repeat(64), findings: web('weak', '').findings };
    expect(recorder.observe(snapshotOf(web('hardened', '2026-12-01T08:00:00Z'), before)).notices).toEqual([]);

    clock += 5000;
    const risky = { ...web('weak', new Date(clock).toISOString()), name: 'risky', id: 'd'.repeat(64) };
    const started = recorder.observe(snapshotOf(web('hardened', '2026-12-01T08:00:00Z'), before, risky)).notices;
    expect(started.map((n) => [n.kind, n.name])).toEqual([['critical-start', 'risky']]);
    expect(started[0]!.ruleIds.length).toBeGreaterThan(0);
    clock += 5000;
    expect(recorder.observe(snapshotOf(web('hardened', '2026-12-01T08:00:00Z'), before, risky)).notices).toEqual([]);

    clock += 5000;
    const drift = recorder.observe(snapshotOf(web('weak', new Date(clock).toISOString()), before, risky)).notices;
    expect(drift).toHaveLength(1); // one notice: the drift, not also "started with a critical finding"
    expect(drift[0]!.kind).toBe('drift');
    expect(drift[0]!.ruleIds).toContain('capabilities/sys-admin');
    expect(drift[0]!.scoreAfter!).toBeLessThan(drift[0]!.scoreBefore!);
    expect(drift[0]!.title).toMatch(/^web got weaker: score \d+ → \d+$/);
    expect(recorder.driftMarks(snapshotOf(web('weak', ''), before)).map((m) => m.container)).toEqual(['web']);
  });

  it('writes an unchanged container at most once a minute', () => {
    const recorder = new HistoryRecorder(store, { now });
    expect(recorder.observe(snapshotOf(web('hardened', ''))).results).toHaveLength(1);
    clock += 5000;
    expect(recorder.observe(snapshotOf(web('hardened', ''))).results).toHaveLength(0);
    clock += 60_000;
    expect(recorder.observe(snapshotOf(web('hardened', ''))).results).toHaveLength(1);
    expect(store.history('web')!.versions[0]!.lastSeenAt).toBe(new Date(clock).toISOString());
  });

  it('fingerprints each document once (not again in the store), and reads the versions of an identity once for its marks', () => {
    const recorder = new HistoryRecorder(store, { now });
    const api = (kind: 'hardened' | 'weak') => ({ ...web(kind, ''), name: 'api', id: (kind === 'weak' ? 'e' : 'f').repeat(64) });
    diffCalls.count = 0;
    recorder.observe(snapshotOf(web('hardened', ''), api('hardened')));
    expect(diffCalls.count).toBe(2); // one fingerprint each; new identities have nothing to compare
    expect(recorder.driftMarks(snapshotOf(web('hardened', ''), api('hardened')))).toEqual([]);
    expect(diffCalls.count).toBe(2); // the recorder wrote both versions: nothing to read back

    clock += 5000;
    diffCalls.count = 0;
    const weak = snapshotOf(web('weak', ''), api('hardened'));
    expect(recorder.observe(weak).results.map((result) => result.written)).toEqual([true]);
    expect(diffCalls.count).toBe(3); // two new objects fingerprinted, one change compared
    expect(recorder.driftMarks(weak).map((mark) => mark.container)).toEqual(['web']);
    expect(recorder.driftMarks(weak).map((mark) => mark.container)).toEqual(['web']);
    expect(diffCalls.count).toBe(3);
  });

  it('reads an identity again when another process wrote its current version', () => {
    const recorder = new HistoryRecorder(store, { now });
    recorder.observe(snapshotOf(web('weak', '')));
    expect(recorder.driftMarks(snapshotOf(web('weak', '')))).toEqual([]);
    const other = HistoryStore.open(store.path, { now });
    other.record([web('hardened', '')]);
    other.record([web('weak', '')]); // the same posture as the recorder's, in a newer version: weaker than the one before
    other.close();
    clock += 60_000; // the touch is due
    expect(recorder.observe(snapshotOf(web('weak', ''))).results.map((result) => result.written)).toEqual([false]);
    expect(recorder.driftMarks(snapshotOf(web('weak', ''))).map((mark) => mark.container)).toEqual(['web']);
  });

  it('remembers only the identities still running, so it does not grow with every container that came and went', () => {
    const recorder = new HistoryRecorder(store, { now });
    for (let i = 0; i < 50; i++) {
      clock += 5000;
      const one = { ...web('hardened', ''), name: `job-${i}`, id: i.toString(16).padStart(64, '0') };
      recorder.observe(snapshotOf(web('hardened', ''), one));
      recorder.driftMarks(snapshotOf(web('hardened', ''), one));
    }
    // Private state, read on purpose: the growth is the bug, and nothing public shows it.
    const state = recorder as unknown as { written: Map<string, unknown>; latest: Map<string, unknown> };
    expect([...state.written.keys()].sort()).toEqual(['job-49', 'web']);
    expect([...state.latest.keys()].sort()).toEqual(['job-49', 'web']);
    expect(store.identities()).toHaveLength(51); // the history itself keeps them all
  });

  it('hostile names stay inert in the notice text (controls made visible), and the raw name is kept as data', () => {
    const recorder = new HistoryRecorder(store, { now });
    recorder.observe(snapshotOf());
    const name = '\u001b[2J<img src=x onerror=alert(1)>\u202e';
    const notices = recorder.observe(snapshotOf({ ...web('weak', new Date(clock).toISOString()), name })).notices;
    expect(notices[0]!.title).not.toContain('\u001b');
    expect(notices[0]!.title).toContain('\\x1b[2J<img src=x onerror=alert(1)>\\u202e');
    expect(notices[0]!.name).toBe(name);
  });
});

describe('mutes', () => {
  const notice = { id: 'x', kind: 'drift' as const, at: '', containerId: 'a', container: 'shop/web', name: 'shop-web-1', ruleIds: ['capabilities/sys-admin', 'mounts/docker-socket'], severity: 'critical' as const, scoreBefore: 90, scoreAfter: 10, title: '', body: '' };
  it('a rule id or a family prefix mutes, but not a mere string prefix', () => {
    expect(ruleMuted('mounts/docker-socket', ['mounts'])).toBe(true);
    expect(ruleMuted('mounts/docker-socket', ['mounts/docker-socket'])).toBe(true);
    expect(ruleMuted('mountsx/y', ['mounts'])).toBe(false);
  });
  it('a notice is muted by its container, or when every rule it is about is muted', () => {
    expect(applyMutes(notice, { mutedRules: [], mutedContainers: ['shop/web'] })).toBeNull();
    expect(applyMutes(notice, { mutedRules: ['mounts'], mutedContainers: [] })!.ruleIds).toEqual(['capabilities/sys-admin']);
    expect(applyMutes(notice, { mutedRules: ['mounts', 'capabilities'], mutedContainers: [] })).toBeNull();
    expect(applyMutes(notice, { mutedRules: [], mutedContainers: ['web'] })).not.toBeNull();
  });
});

describe('durations and the default path', () => {
  it('parses what a shell user types, and refuses the rest', () => {
    expect(parseDuration('90d')).toBe(90 * 86_400_000);
    expect(parseDuration('1d12h')).toBe(36 * 3_600_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    for (const bad of ['', '7', 'd', '-1d', '1.5h', '7 days', '0s']) expect(parseDuration(bad)).toBeNull();
  });
  it('follows XDG on Linux (ignoring a relative value) and the platform folders elsewhere', () => {
    expect(defaultHistoryPath({ XDG_STATE_HOME: '/state' }, 'linux', '/home/u')).toBe('/state/isolens/history.db');
    expect(defaultHistoryPath({ XDG_STATE_HOME: 'rel' }, 'linux', '/home/u')).toBe('/home/u/.local/state/isolens/history.db');
    expect(defaultHistoryPath({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/isolens/history.db');
    expect(defaultHistoryPath({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u')).toMatch(/isolens[\\/]history\.db$/);
  });
});
