// The containers table's filter as the URL holds it (#/containers?q=SYS_ADMIN&severity=critical), and the search index a container is matched against.
import type { ContainerIsolation, Grade, NamespaceKind, Severity } from '../../app/model/schema.js';
import { NAMESPACE_KINDS, SEVERITIES } from '../../app/model/vocabulary.js';
import type { RiskFlagKind } from './derive.js';

import { COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL } from '../../app/model/compose.js';

export const GRADE_FILTERS = ['A', 'B', 'C', 'D', 'E', 'F', 'D-F', 'E-F'] as const;
export type GradeFilter = (typeof GRADE_FILTERS)[number];

export const FLAG_KINDS: readonly (RiskFlagKind | 'any-flag')[] = ['any-flag', 'privileged', 'engine-socket', 'host-mount', 'host-namespaces', 'seccomp-off', 'dangerous-capabilities', 'root', 'no-limits'];

/**
 * Everything a link can narrow the table to. Every count in the UI is a link built from one of these, and the filter
 * row of the table writes the same fields, so a filtered table can be bookmarked, reloaded and shared.
 */
export interface TableFilter {
  /** Free text: every word must be found in the container's search index (name, image, id, rules, capabilities, mounts, project). */
  q?: string;
  grade?: GradeFilter;
  flag?: RiskFlagKind | 'any-flag';
  /** Has at least one finding of exactly this severity. */
  severity?: Severity;
  /** Has a finding of this rule (an exact rule id, or a family prefix such as "capabilities"). */
  rule?: string;
  /** Shares this namespace with the host. */
  namespace?: NamespaceKind;
  /** Started by this compose project; "-" means by none. */
  project?: string;
  name?: string;
  image?: string;
  /** Rows grouped under their compose project: how the rows are laid out, not which (isFiltered ignores it). */
  group?: 'project';
}

export const FILTER_KEYS = ['q', 'grade', 'flag', 'severity', 'rule', 'namespace', 'project', 'name', 'image'] as const satisfies readonly (keyof TableFilter)[];
export type FilterKey = (typeof FILTER_KEYS)[number];

/** Longest value a URL parameter may carry: a filter is typed by a person, not pasted from a container. */
const MAX_VALUE_LENGTH = 200;

/** Parse the query part of a hash route; unknown keys and invalid values are dropped, never thrown on. */
export function parseFilter(query: string): TableFilter {
  const params = new URLSearchParams(query);
  const filter: TableFilter = {};
  const text = (key: FilterKey) => {
    const value = params.get(key);
    return value === null || value === '' || value.length > MAX_VALUE_LENGTH ? undefined : value;
  };
  const q = text('q');
  if (q !== undefined) filter.q = q;
  const grade = text('grade');
  if (grade !== undefined && (GRADE_FILTERS as readonly string[]).includes(grade)) filter.grade = grade as GradeFilter;
  const flag = text('flag');
  if (flag !== undefined && (FLAG_KINDS as readonly string[]).includes(flag)) filter.flag = flag as TableFilter['flag'];
  const severity = text('severity');
  if (severity !== undefined && (SEVERITIES as readonly string[]).includes(severity)) filter.severity = severity as Severity;
  const rule = text('rule');
  if (rule !== undefined && /^[a-z0-9-]+(\/[a-z0-9-]+)?$/.test(rule)) filter.rule = rule;
  const namespace = text('namespace');
  if (namespace !== undefined && (NAMESPACE_KINDS as readonly string[]).includes(namespace)) filter.namespace = namespace as NamespaceKind;
  for (const key of ['project', 'name', 'image'] as const) {
    const value = text(key);
    if (value !== undefined) filter[key] = value;
  }
  if (params.get('group') === 'project') filter.group = 'project';
  return filter;
}

/** The query string of a filter, keys in a fixed order ("" when nothing is filtered). */
export function filterQuery(filter: TableFilter): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filter[key];
    if (value !== undefined && value !== '') params.set(key, value);
  }
  if (filter.group) params.set('group', filter.group);
  return params.toString();
}

export function isFiltered(filter: TableFilter): boolean {
  return FILTER_KEYS.some((key) => filter[key] !== undefined && filter[key] !== '');
}

export function composeProject(container: ContainerIsolation): string | null {
  return container.labels[COMPOSE_PROJECT_LABEL] ?? null;
}

export function composeService(container: ContainerIsolation): string | null {
  return container.labels[COMPOSE_SERVICE_LABEL] ?? null;
}

/**
 * The words a container can be found by, lower-cased, one per line: what a reviewer types is a capability
 * ("SYS_ADMIN", "cap_net_raw"), a rule ("host-pid", "mounts/engine-socket"), a path ("/var/run/docker.sock"),
 * an image, a compose project, as well as the name and id.
 */
export function searchIndex(container: ContainerIsolation): string {
  const words: string[] = [container.name, container.image, container.id];
  for (const finding of container.findings) words.push(finding.ruleId, finding.title, finding.cis ? `cis ${finding.cis}` : '', ...finding.attack);
  if (container.capabilities) {
    for (const name of new Set([...container.capabilities.effective, ...container.capabilities.bounding])) words.push(name, name.replace(/^CAP_/, ''));
  }
  for (const mount of container.mounts) {
    if (mount.origin === 'runtime') continue;
    words.push(mount.destination);
    if (mount.source) words.push(mount.source);
  }
  for (const kind of NAMESPACE_KINDS) if (container.namespaces[kind].sharedWithHost === true) words.push(`host-${kind}`, `--${kind}=host`);
  const project = composeProject(container);
  if (project) words.push(project, `project ${project}`);
  const service = composeService(container);
  if (service) words.push(service);
  if (container.privileged) words.push('privileged');
  if (container.user.uid === 0) words.push('root');
  return words.filter((w) => w !== '').join('\n').toLowerCase();
}

/** Every whitespace-separated term must match; a lone grade letter (A–F) matches the grade, not any "a" in the text. */
export function matchesSearch(container: ContainerIsolation, index: string, query: string): boolean {
  const terms = query.trim().toLowerCase().split(/\s+/).filter((t) => t !== '');
  return terms.every((term) => (/^[a-f]$/.test(term) ? container.grade?.toLowerCase() === term : index.includes(term)));
}

export function gradeMatches(grade: Grade | null, filter: GradeFilter): boolean {
  if (filter === 'D-F') return grade === 'D' || grade === 'E' || grade === 'F';
  if (filter === 'E-F') return grade === 'E' || grade === 'F';
  return grade === filter;
}

export function ruleMatches(ruleId: string, filter: string): boolean {
  return ruleId === filter || ruleId.startsWith(`${filter}/`);
}

/** The filters that are not columns of the table (rule, namespace, project, severity), applied before the table's own. */
export function matchesScope(container: ContainerIsolation, filter: TableFilter): boolean {
  if (filter.rule && !container.findings.some((f) => ruleMatches(f.ruleId, filter.rule!))) return false;
  if (filter.namespace && container.namespaces[filter.namespace].sharedWithHost !== true) return false;
  if (filter.project !== undefined) {
    const project = composeProject(container);
    if (filter.project === '-' ? project !== null : project !== filter.project) return false;
  }
  return true;
}

/** What a scope filter reads as in the toolbar's chips. */
export function describeFilter(key: FilterKey, value: string): string {
  switch (key) {
    case 'q':
      return `search “${value}”`;
    case 'grade':
      return value.includes('-') ? `grade ${value.replace('-', ' to ')}` : `grade ${value}`;
    case 'flag':
      return value === 'any-flag' ? 'any risk flag' : `flag ${value.replace(/-/g, ' ')}`;
    case 'severity':
      return `a ${value} finding`;
    case 'rule':
      return `rule ${value}`;
    case 'namespace':
      return `host ${value} namespace`;
    case 'project':
      return value === '-' ? 'not from compose' : `compose project ${value}`;
    case 'name':
      return `name contains “${value}”`;
    case 'image':
      return `image contains “${value}”`;
  }
}
