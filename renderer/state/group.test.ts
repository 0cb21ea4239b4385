import { describe, expect, it } from 'vitest';
import { groupByProject } from './group.js';

type R = { name: string; project: string | null; score: number | null };
const rows: R[] = [
  { name: 'shop-web-1', project: 'shop', score: 70 },
  { name: 'lone', project: null, score: 5 },
  { name: 'blog-db-1', project: 'blog', score: 20 },
  { name: 'shop-db-1', project: 'shop', score: 40 },
  { name: 'unscored', project: 'zzz', score: null },
  { name: 'blog-web-1', project: 'blog', score: 90 },
];

describe('groupByProject', () => {
  const groups = groupByProject(rows, (r) => r.project, (r) => r.score);

  it('puts the project with the worst container first, unscored projects after scored ones, no project last', () => {
    expect(groups.map((g) => g.project)).toEqual(['blog', 'shop', 'zzz', null]);
  });

  it('keeps the incoming order inside a group and names each group\'s worst row', () => {
    expect(groups[1]!.rows.map((r) => r.name)).toEqual(['shop-web-1', 'shop-db-1']);
    expect(groups[1]!.worst.name).toBe('shop-db-1');
    expect(groups[0]!.worst.name).toBe('blog-db-1');
    expect(groups[2]!.worst.name).toBe('unscored');
    expect(groups.flatMap((g) => g.rows)).toHaveLength(rows.length);
  });

  it('orders projects of equal worst score by name', () => {
    const tie = groupByProject([{ name: 'b', project: 'b', score: 1 }, { name: 'a', project: 'a', score: 1 }], (r) => r.project, (r) => r.score);
    expect(tie.map((g) => g.project)).toEqual(['a', 'b']);
  });
});
