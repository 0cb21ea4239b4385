// /proc/PID/uid_map and gid_map: how ids inside a user namespace map to the reader's (the host's) ids.
import type { ReadResult } from './read.js';
import type { KernelProcess } from './source.js';

export interface IdMapEntry {
  /** First id inside the process's user namespace. */
  insideId: number;
  /** First id in the reader's user namespace it maps to. */
  outsideId: number;
  count: number;
}

/** Parse uid_map/gid_map text: one "inside outside count" line per range, padded with spaces by the kernel. */
export function parseIdMap(text: string): IdMapEntry[] {
  const entries: IdMapEntry[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length !== 3) continue;
    const [insideId, outsideId, count] = parts.map(Number) as [number, number, number];
    if ([insideId, outsideId, count].every(Number.isSafeInteger)) entries.push({ insideId, outsideId, count });
  }
  return entries;
}

/** The whole 32-bit id range mapped onto itself: what the initial (host) user namespace shows. */
const FULL_RANGE = 4294967295;

/** Is this the host's user namespace, as seen from the host ("0 0 4294967295")? */
export function isIdentityMap(map: readonly IdMapEntry[]): boolean {
  return map.length === 1 && map[0]!.insideId === 0 && map[0]!.outsideId === 0 && map[0]!.count === FULL_RANGE;
}

/** The reader-side (host) id of an id inside the namespace; null when the id is not mapped (it shows as the overflow id). */
export function mapToHost(id: number, map: readonly IdMapEntry[]): number | null {
  const entry = map.find((e) => id >= e.insideId && id - e.insideId < e.count);
  return entry ? entry.outsideId + (id - entry.insideId) : null;
}

/** The id inside the namespace of a reader-side (host) id; null when no range covers it. */
export function mapFromHost(id: number, map: readonly IdMapEntry[]): number | null {
  const entry = map.find((e) => id >= e.outsideId && id - e.outsideId < e.count);
  return entry ? entry.insideId + (id - entry.outsideId) : null;
}

export async function readIdMaps(process: KernelProcess): Promise<{ uid: ReadResult<IdMapEntry[]>; gid: ReadResult<IdMapEntry[]> }> {
  const [uid, gid] = await Promise.all([process.readText('uid_map'), process.readText('gid_map')]);
  return {
    uid: uid.ok ? { ok: true, value: parseIdMap(uid.value) } : uid,
    gid: gid.ok ? { ok: true, value: parseIdMap(gid.value) } : gid,
  };
}
