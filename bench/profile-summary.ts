// `tsx bench/profile-summary.ts FILE.cpuprofile [--top 25]`: self time by function and by module from a `node --cpu-prof` profile
// (or a Chromium one: bench:ui --profile uses the same summary).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
export interface CpuProfile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function where(node: Node): string {
  const url = node.callFrame.url.replace(/^file:\/\//, '').replace(/^https?:\/\/[^/]+\//, '').replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/dist\//, 'dist/');
  return url ? `${url}:${node.callFrame.lineNumber + 1}` : '';
}
function moduleOf(node: Node): string {
  const url = node.callFrame.url;
  if (!url) return `(${node.callFrame.functionName || 'native'})`;
  if (url.startsWith('node:')) return url;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `node_modules/${nm[1]}`;
  return url.replace(/^https?:\/\/[^/]+\//, '').replace(/.*\/dist\//, 'dist/');
}

/** Self time in µs by function ("name file:line") and by module, and the profile's length in µs. */
export function selfTimes(profile: CpuProfile): { totalUs: number; functions: Map<string, number>; modules: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const key = `${node.callFrame.functionName || '(anonymous)'} ${where(node)}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
    modules.set(moduleOf(node), (modules.get(moduleOf(node)) ?? 0) + us);
  }
  return { totalUs: profile.endTime - profile.startTime, functions, modules };
}

/** The top entries of a µs map as lines: share of `totalUs`, ms (divided by `per` when given), key. */
export function topLines(map: Map<string, number>, totalUs: number, top: number, per = 1): string[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => `${((us / totalUs) * 100).toFixed(1).padStart(5)} %  ${(us / 1000 / per).toFixed(per === 1 ? 0 : 1).padStart(7)} ms  ${key}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' } }, allowPositionals: true });
  const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as CpuProfile;
  const { totalUs, functions, modules } = selfTimes(profile);
  const top = Number(values.top);
  console.log(`profile ${(totalUs / 1e6).toFixed(1)} s, ${profile.samples.length} samples`);
  console.log('\nself time by function');
  for (const line of topLines(functions, totalUs, top)) console.log(line);
  console.log('\nself time by module');
  for (const line of topLines(modules, totalUs, top)) console.log(line);
}
