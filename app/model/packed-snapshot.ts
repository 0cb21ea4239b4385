// The snapshot as `isolens serve` sends it to its own UI: each distinct finding, operation and mount, and each distinct
// value of the facts containers mostly share (capabilities, runtime, seccomp, …), written once in a pool and referenced
// by index. At 500 containers the same rule texts, verdicts, mounts and capability sets repeat hundreds of times: the
// whole snapshot was 7.6 MB of JSON, and encoding, sending, parsing and collecting it was most of the first screen.
import type { ContainerIsolation, Snapshot } from './schema.js';

/** The container fields whose elements are pooled: together 79 % of a snapshot's bytes at 500 containers. */
export const POOLED_FIELDS = ['findings', 'operations', 'mounts'] as const;
type PooledField = (typeof POOLED_FIELDS)[number];

/**
 * The container fields pooled whole: facts most containers of a host have in common. At 500 like containers they were
 * 0.76 of the 2.1 MB the list pooling left (capabilities alone 0.37); namespaces and cgroup carry per-container inodes
 * and paths, and are left as they are.
 */
export const POOLED_VALUE_FIELDS = ['capabilities', 'runtime', 'sources', 'seccomp', 'lsm', 'user', 'restartPolicy', 'network', 'healthcheck'] as const;
type PooledValueField = (typeof POOLED_VALUE_FIELDS)[number];

export type PackedContainer = Omit<ContainerIsolation, PooledField | PooledValueField> & { [K in PooledField]?: number[] } & { [K in PooledValueField]?: number };

export interface PackedSnapshot extends Omit<Snapshot, 'containers'> {
  /** Which packing this is; a client that does not know it refuses the document instead of misreading it. */
  packing: typeof PACKING;
  containers: PackedContainer[];
  /** Every distinct pooled element once. */
  pool: unknown[];
}

export const PACKING = 'pool-2';
/** The request header by which a client asks serve for a packed snapshot (other HTTP clients get the plain one). */
export const PACKING_HEADER = 'x-isolens-packing';

/**
 * What an element is bucketed by before it is compared whole: two strings it already holds (no serialising, which cost
 * as much as encoding the whole snapshot), telling apart most elements that differ.
 */
const BUCKET_KEYS: { [K in PooledField]: (element: NonNullable<ContainerIsolation[K]>[number]) => readonly [string, string] } = {
  findings: (finding) => [finding.ruleId, finding.title],
  operations: (operation) => [operation.id, operation.verdict],
  mounts: (mount) => [mount.destination, mount.source],
};
/** Candidates compared per bucket: past that (hundreds of one rule's findings, each with its own evidence) no pooling pays. */
const MAX_BUCKET = 16;

/** Pool the repeated elements: equal ones (deep, as JSON would compare them) become one pool entry. */
export function packSnapshot(snapshot: Snapshot): PackedSnapshot {
  const pool: unknown[] = [];
  const pooler = (field: PooledField) => {
    const keyOf = BUCKET_KEYS[field] as (element: unknown) => readonly [string, string];
    const buckets = new Map<string, Map<string, number[]>>();
    return (element: unknown): number => {
      const [first, second] = keyOf(element);
      let inner = buckets.get(first);
      if (inner === undefined) buckets.set(first, (inner = new Map()));
      let bucket = inner.get(second);
      if (bucket === undefined) inner.set(second, (bucket = []));
      for (const index of bucket) if (jsonEqual(pool[index], element)) return index;
      const index = pool.push(element) - 1;
      if (bucket.length < MAX_BUCKET) bucket.push(index);
      return index;
    };
  };
  const interns = POOLED_FIELDS.map((field) => [field, pooler(field)] as const);
  /** A whole value: compared with the field's first MAX_BUCKET distinct values (on a host most containers share one). */
  const valueInterns = POOLED_VALUE_FIELDS.map((field) => {
    const candidates: number[] = [];
    return [field, (value: unknown): number => {
      for (const index of candidates) if (jsonEqual(pool[index], value)) return index;
      const index = pool.push(value) - 1;
      if (candidates.length < MAX_BUCKET) candidates.push(index);
      return index;
    }] as const;
  });
  const containers = snapshot.containers.map((container) => {
    const packed: Record<string, unknown> = { ...container };
    for (const [field, intern] of interns) {
      const list = container[field] as readonly unknown[] | undefined;
      if (list !== undefined) packed[field] = list.map(intern);
    }
    // null (no capabilities read, no healthcheck) and absent stay as they are: only an object becomes an index.
    for (const [field, intern] of valueInterns) {
      const value = container[field] as unknown;
      if (typeof value === 'object' && value !== null) packed[field] = intern(value);
    }
    return packed as PackedContainer;
  });
  return { ...snapshot, packing: PACKING, containers, pool };
}

/** Equal as JSON values: the same primitives, arrays element by element, objects key by key (in any order, undefined ones absent). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const arrayA = Array.isArray(a);
  if (arrayA !== Array.isArray(b)) return false;
  if (arrayA) {
    const listA = a as unknown[];
    const listB = b as unknown[];
    if (listA.length !== listB.length) return false;
    for (let i = 0; i < listA.length; i++) if (!jsonEqual(listA[i], listB[i])) return false;
    return true;
  }
  const objectA = a as Record<string, unknown>;
  const objectB = b as Record<string, unknown>;
  let keys = 0;
  for (const key in objectA) {
    const value = objectA[key];
    if (value === undefined) continue;
    keys++;
    if (!jsonEqual(value, objectB[key])) return false;
  }
  for (const key in objectB) if (objectB[key] !== undefined) keys--;
  return keys === 0;
}

export function isPackedSnapshot(value: unknown): value is PackedSnapshot {
  return typeof value === 'object' && value !== null && 'packing' in value;
}

/**
 * The snapshot again. Containers share the pool's objects (a finding of a rule found in 500 containers is one object),
 * which the UI only reads. A document that is not a packing this client knows, or points outside its pool, is refused.
 */
export function unpackSnapshot(packed: PackedSnapshot): Snapshot {
  if (packed.packing !== PACKING) throw new Error(`isolens serve sent a snapshot packed as ${JSON.stringify(String(packed.packing).slice(0, 32))}, which this page does not read: reload it`);
  const { pool, packing: _packing, containers, ...rest } = packed;
  if (!Array.isArray(pool) || !Array.isArray(containers)) throw new Error('isolens serve sent a malformed snapshot (no pool or containers)');
  const entry = (index: unknown): unknown => {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= pool.length) throw new Error(`isolens serve sent a malformed snapshot (pool index ${String(index).slice(0, 16)})`);
    return pool[index];
  };
  return {
    ...rest,
    containers: containers.map((container) => {
      const unpacked: Record<string, unknown> = { ...container };
      for (const field of POOLED_FIELDS) {
        const list = container[field];
        if (list === undefined) continue;
        if (!Array.isArray(list)) throw new Error(`isolens serve sent a malformed snapshot (${field} is not a list)`);
        unpacked[field] = list.map(entry);
      }
      for (const field of POOLED_VALUE_FIELDS) {
        const value = container[field];
        if (value === undefined || value === null) continue;
        if (typeof value !== 'number') throw new Error(`isolens serve sent a malformed snapshot (${field} is not a pool index)`);
        unpacked[field] = entry(value);
      }
      return unpacked as unknown as ContainerIsolation;
    }),
  } as Snapshot;
}
