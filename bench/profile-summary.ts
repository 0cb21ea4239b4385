// `tsx bench/profile-summary.ts FILE.cpuprofile [--top 25]`: self time by function and by module from a `node --cpu-prof` profile.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' } }, allowPositionals: true });
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = profile.endTime - profile.startTime;

function where(node: Node): string {
  const url = node.callFrame.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/dist\//, 'dist/');
  return url ? `${url}:${node.callFrame.lineNumber + 1}` : '';
}
function moduleOf(node: Node): string {
  const url = node.callFrame.url;
  if (!url) return `(${node.callFrame.functionName || 'native'})`;
  if (url.startsWith('node:')) return url;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `node_modules/${nm[1]}`;
  return url.replace(/.*\/dist\//, 'dist/');
}

const functions = new Map<string, number>();
const modules = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  const key = `${node.callFrame.functionName || '(anonymous)'} ${where(node)}`;
  functions.set(key, (functions.get(key) ?? 0) + us);
  modules.set(moduleOf(node), (modules.get(moduleOf(node)) ?? 0) + us);
}
const top = Number(values.top);
const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((us / totalUs) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
  }
};
console.log(`profile ${(totalUs / 1e6).toFixed(1)} s, ${profile.samples.length} samples`);
print('self time by function', functions);
print('self time by module', modules);
