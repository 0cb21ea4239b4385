// The engine-bound half of a scan: list the running containers (or the selected ones) and inspect them. Apart from
// the rest of collect/ so a one-shot scan can start it before the kernel readers and the rules are loaded.
import type { Gap } from '../model/schema.js';
import type { ContainerQueries } from '../engine/engine.js';
import type { InspectDocument } from './config.js';
import { nameMatchesGlob } from '../model/name-glob.js';

/** Does `wanted` (a name, a name glob such as `web-*`, an id or an id prefix) name this container? */
export function matchesContainer(inspect: Pick<InspectDocument, 'Id' | 'Name'>, wanted: string): boolean {
  const name = inspect.Name.replace(/^\//, '');
  return nameMatchesGlob(wanted.replace(/^\//, ''), name) || (wanted.length >= 3 && /^[a-f0-9]+$/.test(wanted) && inspect.Id.startsWith(wanted));
}

export async function mapLimited<T, U>(items: readonly T[], limit: number, f: (item: T) => Promise<U>): Promise<U[]> {
  const results: U[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await f(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Inspect every running container (vanished ones become scan gaps) — the slow, engine-bound half of a scan. */
export async function inspectRunning(
  adapter: ContainerQueries,
  options: { container?: string; concurrency?: number } = {},
): Promise<{ inspects: InspectDocument[]; gaps: Gap[] }> {
  const wanted = options.container;
  // A selector inspects only what it selects: the engine's list has each container's name and id.
  const ids = wanted ? (await adapter.listRunningNamed()).filter((c) => matchesContainer({ Id: c.id, Name: c.name }, wanted)).map((c) => c.id) : await adapter.listRunning();
  const gaps: Gap[] = [];
  const results = await mapLimited(ids, options.concurrency ?? 8, (id) => adapter.inspect(id));
  const inspects: InspectDocument[] = [];
  results.forEach((result, index) => {
    if (result.ok) inspects.push(result.value);
    else if (result.reason === 'vanished') gaps.push({ fact: `containers[${ids[index]!.slice(0, 12)}]`, reason: 'the container exited or was removed during the scan' });
    else gaps.push({ fact: `containers[${ids[index]!.slice(0, 12)}]`, reason: result.message });
  });
  return { inspects: wanted ? inspects.filter((inspect) => matchesContainer(inspect, wanted)) : inspects, gaps };
}

