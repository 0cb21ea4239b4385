// The containers table grouped by compose project: the riskiest project first, its rows in the table's own order.

export interface ProjectGroup<T> {
  /** The compose project, or null for the containers no compose project started. */
  project: string | null;
  rows: T[];
  /** The row with the lowest score (the first one when none is scored). */
  worst: T;
}

/**
 * Groups keep the order the rows came in (the table's sort applies inside each group); projects come worst score
 * first, then by name, and the containers of no project come last.
 */
export function groupByProject<T>(rows: readonly T[], projectOf: (row: T) => string | null, scoreOf: (row: T) => number | null): ProjectGroup<T>[] {
  const groups = new Map<string | null, ProjectGroup<T>>();
  for (const row of rows) {
    const project = projectOf(row);
    const group = groups.get(project);
    if (!group) {
      groups.set(project, { project, rows: [row], worst: row });
      continue;
    }
    group.rows.push(row);
    const score = scoreOf(row);
    const worst = scoreOf(group.worst);
    if (score !== null && (worst === null || score < worst)) group.worst = row;
  }
  const rank = (g: ProjectGroup<T>) => scoreOf(g.worst) ?? Number.POSITIVE_INFINITY;
  return [...groups.values()].sort((a, b) => {
    if ((a.project === null) !== (b.project === null)) return a.project === null ? 1 : -1;
    return rank(a) - rank(b) || (a.project ?? '').localeCompare(b.project ?? '');
  });
}
