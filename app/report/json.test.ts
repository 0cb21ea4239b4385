import { describe, expect, it } from 'vitest';
import { Snapshot } from '../model/schema.js';
import { renderReport } from './index.js';
import { loadSampleSnapshot } from './fixtures/sample.js';

describe('json report', () => {
  it('prints the validated snapshot with two-space indentation, and it round-trips the schema', () => {
    const snapshot = loadSampleSnapshot();
    const text = renderReport(snapshot, 'json');
    expect(text.split('\n')[1]).toBe('  "schemaVersion": 1,');
    const parsed: unknown = JSON.parse(text);
    expect(Snapshot.parse(parsed)).toEqual(snapshot);
  });

  it('drops fields the public schema does not define', () => {
    const snapshot = loadSampleSnapshot() as Snapshot & { internal?: string };
    snapshot.internal = 'cache';
    expect(JSON.parse(renderReport(snapshot, 'json'))).not.toHaveProperty('internal');
  });

  it('refuses a snapshot that breaks the contract', () => {
    const snapshot = loadSampleSnapshot();
    (snapshot.containers[0] as { score: unknown }).score = 'high';
    expect(() => renderReport(snapshot, 'json')).toThrow();
  });
});
