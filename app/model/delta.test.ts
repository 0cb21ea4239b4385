import { describe, expect, it } from 'vitest';
import { applySnapshotDelta, snapshotDelta } from './delta.js';
import { loadSampleSnapshot } from '../report/fixtures/sample.js';
import type { Snapshot } from './schema.js';

/** The sample with its containers in the collector's order (by name), as every snapshot the session makes. */
function sample(): Snapshot {
  const snapshot = loadSampleSnapshot();
  snapshot.containers.sort((a, b) => a.name.localeCompare(b.name));
  return snapshot;
}

describe('snapshot deltas', () => {
  it('turn the base into exactly the new snapshot: one added, one changed, one removed', () => {
    const before = sample();
    const after = structuredClone(before);
    after.generatedAt = '2031-01-01T00:00:00.000Z';
    const [removed, changed] = [after.containers[0]!, after.containers[1]!];
    after.containers = after.containers.filter((c) => c.id !== removed.id);
    changed.score = 1;
    changed.grade = 'F';
    const added = { ...structuredClone(changed), id: 'f'.repeat(64), name: 'isolens-report-added' };
    after.containers.push(added);
    after.containers.sort((a, b) => a.name.localeCompare(b.name));
    after.host.score = 42;

    const delta = snapshotDelta(before, after, { added: [added.id], updated: [changed.id], removed: [removed.id] });
    expect(delta.upserted.map((c) => c.id).sort()).toEqual([added.id, changed.id].sort());
    expect(delta.removed).toEqual([removed.id]);
    expect('containers' in delta.snapshot).toBe(false);
    expect(applySnapshotDelta(before, delta)).toEqual(after);
  });

  it('carry only what changed: an unchanged rebuild is a delta without containers', () => {
    const before = sample();
    const after = { ...structuredClone(before), generatedAt: '2031-01-01T00:00:05.000Z' };
    const delta = snapshotDelta(before, after, { added: [], updated: [], removed: [] });
    expect(delta.upserted).toEqual([]);
    expect(JSON.stringify(delta).length).toBeLessThan(JSON.stringify(after).length / 2);
    expect(applySnapshotDelta(before, delta)).toEqual(after);
  });

  it('refuse a delta made for another base, so the client resyncs instead of drifting', () => {
    const before = sample();
    const after = { ...structuredClone(before), generatedAt: '2031-01-01T00:00:05.000Z' };
    const delta = snapshotDelta(before, after, { added: [], updated: [], removed: [] });
    expect(applySnapshotDelta({ ...before, generatedAt: '2030-12-31T23:59:59.000Z' }, delta)).toBeNull();
  });
});
