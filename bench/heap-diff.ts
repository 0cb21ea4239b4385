// `npx tsx bench/heap-diff.ts A.heapsnapshot B.heapsnapshot`: what grew between two V8 heap snapshots (the soak bench's
// --heap-snapshots writes one at the warm-up and one at the end), as object counts and self sizes by type and
// constructor, largest growth first. A leak of per-container state shows as a class or closure whose count grows with
// the cycles; a flat table with RSS still growing says the growth is outside the JS heap.
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

interface Group {
  count: number;
  selfBytes: number;
}

/** Objects grouped by "type name" (e.g. "object Map", "closure sampleStats", "string"). */
export function groups(snapshot: Snapshot): Map<string, Group> {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const out = new Map<string, Group>();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]!]!;
    // Strings and numbers are grouped by type alone: their "name" is their content.
    const name = type === 'string' || type === 'number' || type === 'concatenated string' || type === 'sliced string' ? '' : snapshot.strings[snapshot.nodes[i + nameAt]!]!;
    const key = `${type} ${name.slice(0, 80)}`.trim();
    const group = out.get(key) ?? { count: 0, selfBytes: 0 };
    group.count++;
    group.selfBytes += snapshot.nodes[i + sizeAt]!;
    out.set(key, group);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [from, to, limit = '25'] = process.argv.slice(2);
  if (!from || !to) {
    console.error('usage: tsx bench/heap-diff.ts FROM.heapsnapshot TO.heapsnapshot [ROWS]');
    process.exit(2);
  }
  const read = (path: string) => groups(JSON.parse(readFileSync(path, 'utf8')) as Snapshot);
  const a = read(from);
  const b = read(to);
  const total = (g: Map<string, Group>) => [...g.values()].reduce((sum, x) => ({ count: sum.count + x.count, selfBytes: sum.selfBytes + x.selfBytes }), { count: 0, selfBytes: 0 });
  const [ta, tb] = [total(a), total(b)];
  console.log(`objects ${ta.count} → ${tb.count} (${tb.count - ta.count >= 0 ? '+' : ''}${tb.count - ta.count}), self size ${(ta.selfBytes / 1048576).toFixed(2)} → ${(tb.selfBytes / 1048576).toFixed(2)} MiB`);
  const rows = [...new Set([...a.keys(), ...b.keys()])].map((key) => {
    const x = a.get(key) ?? { count: 0, selfBytes: 0 };
    const y = b.get(key) ?? { count: 0, selfBytes: 0 };
    return { key, count: y.count - x.count, bytes: y.selfBytes - x.selfBytes, from: x.count, to: y.count };
  });
  rows.sort((p, q) => Math.abs(q.bytes) - Math.abs(p.bytes));
  console.log('  Δ bytes    Δ count   count from → to   type and constructor');
  for (const row of rows.slice(0, Number(limit))) {
    console.log(`${String(row.bytes).padStart(9)}  ${String(row.count).padStart(9)}   ${`${row.from} → ${row.to}`.padStart(15)}   ${row.key}`);
  }
}
