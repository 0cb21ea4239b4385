// What changed between two snapshots: what live clients receive instead of the whole snapshot, and how they apply it.
import type { ContainerIsolation, Snapshot } from './schema.js';
import { compareText } from './collation.js';

export interface SnapshotDelta {
  /** The generatedAt of the snapshot this delta applies to; a client holding any other one resyncs (getSnapshot). */
  baseGeneratedAt: string;
  /** The new snapshot without its containers (engine, host findings, gaps, generatedAt …): small, so always whole. */
  snapshot: Omit<Snapshot, 'containers'>;
  /** Containers added or changed since the base, whole. */
  upserted: ContainerIsolation[];
  /** Ids of containers gone since the base. */
  removed: string[];
}

/** The delta from `before` to `after`, given which container ids were added, updated and removed. */
export function snapshotDelta(before: Snapshot, after: Snapshot, changes: { added: readonly string[]; updated: readonly string[]; removed: readonly string[] }): SnapshotDelta {
  const changed = new Set([...changes.added, ...changes.updated]);
  const { containers, ...rest } = after;
  return { baseGeneratedAt: before.generatedAt, snapshot: rest, upserted: containers.filter((c) => changed.has(c.id)), removed: [...changes.removed] };
}

/** The snapshot after the delta, or null when the delta was made for another base (the caller resyncs). */
export function applySnapshotDelta(snapshot: Snapshot, delta: SnapshotDelta): Snapshot | null {
  if (snapshot.generatedAt !== delta.baseGeneratedAt) return null;
  const byId = new Map(snapshot.containers.map((c) => [c.id, c]));
  for (const id of delta.removed) byId.delete(id);
  for (const container of delta.upserted) byId.set(container.id, container);
  // The collector's order (by name), so a client's snapshot equals the server's.
  const containers = [...byId.values()].sort((a, b) => compareText(a.name, b.name));
  return { ...delta.snapshot, containers } as Snapshot;
}
