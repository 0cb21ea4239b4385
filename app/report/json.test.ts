import { describe, expect, it } from 'vitest';
import { Snapshot } from '../model/schema.js';
import { renderReport } from './index.js';
import { loadSampleSnapshot } from './fixtures/sample.js';

describe('json report', () => {
  it('prints the snapshot with two-space indentation, and it round-trips the schema', () => {
    const snapshot = loadSampleSnapshot();
    const text = renderReport(snapshot, 'json');
    expect(text.split('\n')[1]).toBe('  "schemaVersion": 1,');
    const parsed: unknown = JSON.parse(text);
    expect(Snapshot.parse(parsed)).toEqual(snapshot);
  });

  it('prints the snapshot as it is: no second pass through the schema on every run (the scans are checked in tests)', () => {
    const snapshot = loadSampleSnapshot();
    expect(renderReport(snapshot, 'json')).toBe(`${JSON.stringify(snapshot, null, 2)}\n`);
  });
});
