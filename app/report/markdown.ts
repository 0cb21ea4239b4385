// The Markdown report for pull requests: by default a summary that fits one GitHub comment (worst first, counts, the top findings by rule); with `full`, every container's findings with evidence and fixes.
import { SEVERITIES, type ContainerIsolation, type Finding, type Severity, type Snapshot } from '../model/schema.js';
import { countBySeverity, describeEngine, GRADES, gradeDistribution, isAssessed, keyFacts, severityRank, sortFindings, sortWorstFirst } from './facts.js';
import { displayValue, escapeMarkdown, markdownCode, truncate } from './text.js';
import { describeGroupContainers, describeGroupFacts, groupGaps, permissionHeadline } from './gaps.js';
import { compareText } from '../model/collation.js';

/** GitHub refuses a pull-request comment longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** What the summary aims under: room for a line a CI job adds around it. */
const SUMMARY_BUDGET = 60_000;
const SUMMARY_RULES = 15;
const SUMMARY_CONTAINERS = 25;
/** Container names in the summary: long enough to tell apart, short enough that 25 rows stay small. */
const SUMMARY_NAME_WIDTH = 48;

/** Tables in GFM: one line per row, every cell escaped (pipes above all). */
function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export interface MarkdownOptions {
  /** Every container's findings with evidence and fixes (can exceed a comment's limit); default: the summary. */
  full?: boolean;
}

export function renderMarkdown(snapshot: Snapshot, options: MarkdownOptions = {}): string {
  return options.full ? renderFullMarkdown(snapshot) : renderMarkdownSummary(snapshot);
}

function header(snapshot: Snapshot, containerCount: number): string[] {
  const lines = ['## Isolens isolation report', ''];
  lines.push(`**Engine:** ${describeEngine(snapshot.engine).map(escapeMarkdown).join(' · ')}  `);
  if (isAssessed(snapshot)) {
    const host = snapshot.host.grade === null ? 'not graded' : `**${snapshot.host.grade}** (${snapshot.host.score ?? '–'} / 100)`;
    const counts = countBySeverity(snapshot.host.findings);
    lines.push(`**Host:** ${host} · ${SEVERITIES.filter((s) => s !== 'info').map((s) => `${counts[s]} ${s}`).join(', ')}  `);
  } else {
    lines.push('**Risk:** not assessed (this snapshot has facts only)  ');
  }
  lines.push(`**Scanned:** ${escapeMarkdown(snapshot.generatedAt)} · ${containerCount} running container${containerCount === 1 ? '' : 's'}`, '');
  return lines;
}

interface RuleSummary {
  ruleId: string;
  title: string;
  severity: Severity;
  containers: string[];
  dockerRun: string | null;
}

function byRule(containers: readonly ContainerIsolation[]): RuleSummary[] {
  const rules = new Map<string, RuleSummary>();
  for (const container of containers) {
    for (const finding of container.findings) {
      if (finding.severity === 'info') continue;
      const rule = rules.get(finding.ruleId) ?? { ruleId: finding.ruleId, title: finding.title, severity: finding.severity, containers: [], dockerRun: finding.remediation.dockerRun };
      if (severityRank(finding.severity) < severityRank(rule.severity)) rule.severity = finding.severity;
      if (!rule.containers.includes(container.name)) rule.containers.push(container.name);
      rules.set(finding.ruleId, rule);
    }
  }
  return [...rules.values()].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || b.containers.length - a.containers.length || compareText(a.ruleId, b.ruleId));
}

const shortName = (name: string) => escapeMarkdown(truncate(name, SUMMARY_NAME_WIDTH));

/**
 * The default Markdown: what a reviewer reads in a pull-request comment. Worst first, counts, findings grouped by
 * rule with the containers they touch, the worst containers; no links, no per-finding evidence. It is kept under
 * GitHub's comment limit whatever the number of containers: lists are cut, and the cut is said.
 */
export function renderMarkdownSummary(snapshot: Snapshot, budget = SUMMARY_BUDGET): string {
  const containers = sortWorstFirst(snapshot.containers);
  const assessed = isAssessed(snapshot);
  let rules = SUMMARY_RULES;
  let rows = SUMMARY_CONTAINERS;
  for (;;) {
    const text = summaryText(snapshot, containers, assessed, rules, rows);
    if (text.length <= budget || (rules <= 1 && rows <= 1)) return text;
    rules = Math.max(1, Math.floor(rules / 2));
    rows = Math.max(1, Math.floor(rows / 2));
  }
}

function summaryText(snapshot: Snapshot, containers: ContainerIsolation[], assessed: boolean, ruleLimit: number, rowLimit: number): string {
  const lines = header(snapshot, containers.length);
  if (containers.length === 0) return `${[...lines, 'No running containers.'].join('\n')}\n`;
  if (assessed) {
    const grades = gradeDistribution(containers);
    lines.push(`**Grades:** ${GRADES.map((g) => `${g} ${grades[g]}`).join(' · ')}${grades.none > 0 ? ` · not graded ${grades.none}` : ''}  `);
    const withSeverity = (severity: Severity) => containers.filter((c) => c.findings.some((f) => f.severity === severity)).length;
    lines.push(`**Containers with a finding:** ${(['critical', 'high', 'medium', 'low'] as const).map((s) => `${withSeverity(s) > 0 ? `**${withSeverity(s)}**` : '0'} ${s}`).join(' · ')}`, '');

    const rules = byRule(containers);
    if (rules.length > 0) {
      lines.push(`### Top findings${rules.length > ruleLimit ? ` (${ruleLimit} of ${rules.length} rules)` : ''}`, '');
      lines.push(row(['Severity', 'Finding', 'Containers', 'Fix']), row([':--', ':--', ':--', ':--']));
      for (const rule of rules.slice(0, ruleLimit)) {
        const named = rule.containers.slice(0, 3).map(shortName).join(', ');
        const more = rule.containers.length > 3 ? ` and ${rule.containers.length - 3} more` : '';
        lines.push(
          row([
            `**${rule.severity}**`,
            `${escapeMarkdown(rule.title)} ${markdownCode(rule.ruleId)}`,
            `${rule.containers.length}: ${named}${more}`,
            rule.dockerRun ? markdownCode(rule.dockerRun) : '–',
          ]),
        );
      }
      lines.push('');
    }
  }

  lines.push(`### Worst containers${containers.length > rowLimit ? ` (${rowLimit} of ${containers.length})` : ''}`, '');
  lines.push(row(['Container', 'Grade', 'Score', 'Critical', 'High', 'Medium', 'Low', 'Worst finding']), row([':--', ':-:', '--:', '--:', '--:', '--:', '--:', ':--']));
  for (const container of containers.slice(0, rowLimit)) {
    const worst = sortFindings(container.findings.filter((f) => f.severity !== 'info'))[0];
    lines.push(row([shortName(container.name), ...gradeAndCounts(container, assessed), worst ? escapeMarkdown(worst.title) : '–']));
  }
  if (containers.length > rowLimit) lines.push('', `${containers.length - rowLimit} more container${containers.length - rowLimit === 1 ? '' : 's'} not listed.`);
  const gaps = snapshot.gaps.length + containers.reduce((n, c) => n + c.gaps.length, 0);
  lines.push('', `${gaps > 0 ? `${gaps} fact${gaps === 1 ? '' : 's'} could not be read. ` : ''}Every finding with its evidence and fix: \`isolens scan --format markdown --full\`.`);
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** A container's grade, score and finding counts per severity (critical to low): the cells both tables share. */
function gradeAndCounts(container: ContainerIsolation, assessed: boolean): string[] {
  const counts = countBySeverity(container.findings);
  const count = (n: number) => (assessed ? (n > 0 ? `**${n}**` : '0') : '–');
  return [
    container.grade ?? '–',
    container.score === null ? '–' : String(container.score),
    count(counts.critical),
    count(counts.high),
    count(counts.medium),
    count(counts.low),
  ];
}

/** The full report: the summary table, then every container's findings with evidence and fixes, the host, what was not read. */
export function renderFullMarkdown(snapshot: Snapshot): string {
  const containers = sortWorstFirst(snapshot.containers);
  const assessed = isAssessed(snapshot);
  const lines: string[] = header(snapshot, containers.length);

  if (containers.length > 0) {
    lines.push(row(['Container', 'Grade', 'Score', 'Critical', 'High', 'Medium', 'Low']));
    lines.push(row([':--', ':-:', '--:', '--:', '--:', '--:', '--:']));
    for (const container of containers) {
      lines.push(
        row([escapeMarkdown(container.name), ...gradeAndCounts(container, assessed)]),
      );
    }
    lines.push('');
  } else {
    lines.push('No running containers.', '');
  }

  for (const container of containers) lines.push(...containerBlock(container, assessed));

  if (assessed) {
    lines.push('### Host', '');
    lines.push(...findingsTable(snapshot.host.findings));
  }

  const limited = permissionHeadline({ gaps: snapshot.gaps, containers });
  const gaps = groupGaps({ gaps: snapshot.gaps, containers }).map((group) => {
    const where = group.scan ? 'the scan' : group.containers.length === 1 ? escapeMarkdown(group.containers[0]) : `${group.containers.length} containers (${escapeMarkdown(describeGroupContainers(group.containers))})`;
    return `- ${where}: ${markdownCode(describeGroupFacts(group), false)}: ${escapeMarkdown(group.reason)}`;
  });
  if (gaps.length > 0) lines.push('### Not read', '', ...(limited ? [`**Limited:** ${escapeMarkdown(limited)}`, ''] : []), ...gaps, '');
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function containerBlock(container: ContainerIsolation, assessed: boolean): string[] {
  const grade = container.grade === null ? '' : ` · grade ${container.grade}${container.score === null ? '' : ` (${container.score})`}`;
  const lines = [`### ${escapeMarkdown(container.name)}${grade}`, ''];
  lines.push(`Image ${markdownCode(container.image, false)} · ${keyFacts(container).map((f) => `${escapeMarkdown(f.label)} ${f.weakens ? `**${escapeMarkdown(f.value)}**` : escapeMarkdown(f.value)}`).join(' · ')}`, '');
  if (assessed) lines.push(...findingsTable(container.findings));
  return lines;
}

function findingsTable(findings: readonly Finding[]): string[] {
  if (findings.length === 0) return ['No findings.', ''];
  const lines = [row(['Severity', 'Finding', 'Evidence', 'Fix']), row([':--', ':--', ':--', ':--'])];
  for (const finding of sortFindings(findings)) {
    const references = [
      finding.cis ? `CIS ${escapeMarkdown(finding.cis)}` : null,
      finding.attack.length > 0 ? `ATT&CK ${finding.attack.map(escapeMarkdown).join(', ')}` : null,
    ].filter((r): r is string => r !== null);
    const evidence = finding.evidence.map((e) => `${markdownCode(e.fact)} = ${markdownCode(displayValue(e.value))} (${e.source})`).join('<br>');
    const { text, dockerRun, compose } = finding.remediation;
    const fix = [
      escapeMarkdown(text),
      dockerRun ? `docker run: ${markdownCode(dockerRun)}` : null,
      compose ? `compose: ${markdownCode(compose)}` : null,
    ].filter((f): f is string => f !== null).join('<br>');
    lines.push(
      row([
        `**${finding.severity}**`,
        `${escapeMarkdown(finding.title)}<br>${markdownCode(finding.ruleId)}${references.length > 0 ? ` · ${references.join(' · ')}` : ''}`,
        evidence || '–',
        fix,
      ]),
    );
  }
  lines.push('');
  return lines;
}
