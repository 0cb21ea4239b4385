import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from './schema.js';
import { jsonEqual, packSnapshot, PACKING, unpackSnapshot, type PackedSnapshot } from './packed-snapshot.js';

/** A real scan (3 containers, operations included), as `isolens scan --json` wrote it. */
const scan = JSON.parse(readFileSync(new URL('../report/fixtures/nonroot-scan.json', import.meta.url), 'utf8')) as Snapshot;

/** The scan's containers repeated under new ids and names, as a host running many copies of a service has them. */
function manyCopies(copies: number): Snapshot {
  const containers = Array.from({ length: copies }, (_, copy) =>
    scan.containers.map((c) => structuredClone({ ...c, id: `${copy.toString(16).padStart(4, '0')}${c.id.slice(4)}`, name: `${c.name}-${copy}` })),
  ).flat();
  return { ...scan, containers };
}

describe('packSnapshot / unpackSnapshot', () => {
  it('gives back the very snapshot it was given, through JSON, as serve sends it', () => {
    const snapshot = manyCopies(4);
    const wire = JSON.parse(JSON.stringify(packSnapshot(snapshot))) as PackedSnapshot;
    expect(unpackSnapshot(wire)).toEqual(JSON.parse(JSON.stringify(snapshot)));
  });

  it('writes each distinct finding, operation and mount once however many containers carry it', () => {
    const one = JSON.stringify(packSnapshot(manyCopies(1)));
    const many = manyCopies(50);
    const packed = packSnapshot(many);
    // Fifty copies add ids, names and the unpooled facts, but not one more pooled element.
    expect(packed.pool.length).toBe(packSnapshot(manyCopies(1)).pool.length);
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(many).length / 2);
    expect(JSON.stringify(packed).length).toBeGreaterThan(one.length);
  });

  it('writes each distinct value of the shared facts (capabilities, runtime, seccomp, …) once, and keeps a differing one apart', () => {
    const snapshot = manyCopies(20);
    const odd = snapshot.containers[7]!;
    expect(odd.capabilities).not.toBeNull();
    odd.capabilities = { ...odd.capabilities!, bounding: [...odd.capabilities!.bounding, 'CAP_SYS_ADMIN'] };
    const packed = packSnapshot(snapshot);
    const distinct = (field: 'capabilities' | 'runtime' | 'seccomp') => new Set(snapshot.containers.map((c) => JSON.stringify(c[field]))).size;
    for (const field of ['capabilities', 'runtime', 'seccomp'] as const) {
      expect(new Set(packed.containers.map((c) => c[field])).size).toBe(distinct(field));
    }
    const back = unpackSnapshot(JSON.parse(JSON.stringify(packed)) as PackedSnapshot);
    expect(back.containers[7]!.capabilities!.bounding).toContain('CAP_SYS_ADMIN');
    expect(back).toEqual(JSON.parse(JSON.stringify(snapshot)));
  });

  it('keeps elements that differ apart, even with the same rule and title', () => {
    const snapshot = manyCopies(2);
    const [a, b] = [snapshot.containers[0]!, snapshot.containers[scan.containers.length]!];
    expect(a.findings.length).toBeGreaterThan(0);
    b.findings[0] = { ...b.findings[0]!, evidence: [{ fact: 'user.uid', value: 4242, source: 'kernel' }] };
    const back = unpackSnapshot(JSON.parse(JSON.stringify(packSnapshot(snapshot))) as PackedSnapshot);
    expect(back.containers[scan.containers.length]!.findings[0]!.evidence).toEqual([{ fact: 'user.uid', value: 4242, source: 'kernel' }]);
    expect(back.containers[0]!.findings[0]).toEqual(a.findings[0]);
  });

  it('refuses a packing it does not know and an index outside the pool, saying so', () => {
    const packed = JSON.parse(JSON.stringify(packSnapshot(scan))) as PackedSnapshot;
    expect(() => unpackSnapshot({ ...packed, packing: 'pool-9' as typeof PACKING })).toThrow(/packed as "pool-9"/);
    const outside = structuredClone(packed);
    outside.containers[0]!.findings = [outside.pool.length];
    expect(() => unpackSnapshot(outside)).toThrow(/malformed snapshot \(pool index/);
    const notList = structuredClone(packed);
    (notList.containers[0] as unknown as Record<string, unknown>).mounts = 'x';
    expect(() => unpackSnapshot(notList)).toThrow(/mounts is not a list/);
    const notIndex = structuredClone(packed);
    (notIndex.containers[0] as unknown as Record<string, unknown>).capabilities = { effective: [] };
    expect(() => unpackSnapshot(notIndex)).toThrow(/capabilities is not a pool index/);
    const valueOutside = structuredClone(packed);
    valueOutside.containers[0]!.runtime = valueOutside.pool.length;
    expect(() => unpackSnapshot(valueOutside)).toThrow(/malformed snapshot \(pool index/);
  });

  it('compares as JSON does: key order does not matter, undefined keys are absent, arrays are ordered', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: [] }, { a: {} })).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual('1', 1)).toBe(false);
  });
});
