// The terminal report (`isolens scan`'s default): engine, one row per container worst first, top findings, gaps, host.
import { SEVERITIES, type ContainerIsolation, type Finding, type Grade, type Severity, type Snapshot } from '../model/schema.js';
import { countBySeverity, describeEngine, isAssessed, keyFacts, sortFindings, sortWorstFirst } from './facts.js';
import { describeGroupContainers, describeGroupFacts, groupGaps, permissionHeadline } from './gaps.js';
import { columnWidth, displayValue, neutralizeText, pad, truncate, wrap } from './text.js';

export interface TableOptions {
  /** ANSI colours; only when writing to a terminal. */
  color?: boolean;
  /** Terminal columns; default 120. */
  width?: number;
  /** Every finding with its evidence and fix, instead of the top few. */
  verbose?: boolean;
}

const DEFAULT_WIDTH = 120;
/** Narrower than this and the columns stop making sense; lines then simply overflow. */
const MINIMUM_WIDTH = 60;
const TOP_FINDINGS_PER_CONTAINER = 5;
const INDENT = '    ';

type Style = 'bold' | 'dim' | 'red' | 'boldRed' | 'yellow' | 'green' | 'cyan' | 'magenta';
const ANSI: Record<Style, string> = {
  bold: '1',
  dim: '2',
  red: '31',
  boldRed: '1;31',
  yellow: '33',
  green: '32',
  cyan: '36',
  magenta: '1;35',
};

const SEVERITY_STYLE: Record<Severity, Style> = { critical: 'magenta', high: 'boldRed', medium: 'yellow', low: 'cyan', info: 'dim' };
const GRADE_STYLE: Record<Grade, Style> = { A: 'green', B: 'green', C: 'yellow', D: 'red', E: 'red', F: 'boldRed' };
const SEVERITY_HEADER: Record<Severity, string> = { critical: 'CRIT', high: 'HIGH', medium: 'MED', low: 'LOW', info: 'INFO' };

/** Render the snapshot as a terminal table. Every container-provided string is neutralized before it is measured. */
export function renderTable(snapshot: Snapshot, options: TableOptions = {}): string {
  const width = Math.max(MINIMUM_WIDTH, Math.floor(options.width ?? DEFAULT_WIDTH));
  // Styles wrap text that is already padded and neutralized, so escape codes never count towards widths.
  const paint = (text: string, style: Style | null) => (options.color && style ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text);
  const assessed = isAssessed(snapshot);
  const containers = sortWorstFirst(snapshot.containers);
  const lines: string[] = [];

  lines.push(...wrapLabelled('Engine', describeEngine(snapshot.engine).map(neutralizeText).join(' · '), width).map((line, index) => (index === 0 ? paint(line, 'bold') : line)));
  if (assessed) {
    const counts = countBySeverity(snapshot.host.findings);
    const host = snapshot.host.grade === null ? 'not graded' : `grade ${snapshot.host.grade} (${snapshot.host.score ?? '-'})`;
    lines.push(`Host      ${paint(host, snapshot.host.grade ? GRADE_STYLE[snapshot.host.grade] : null)} · ${describeCounts(counts)}`);
  } else {
    lines.push('Risk      not assessed: no findings, scores or grades in this snapshot (facts only)');
  }
  lines.push(`Scanned   ${neutralizeText(snapshot.generatedAt)} · ${containers.length} running container${containers.length === 1 ? '' : 's'}`);
  const limited = permissionHeadline({ gaps: snapshot.gaps, containers });
  if (limited) lines.push(...wrapLabelled('Limited', neutralizeText(limited), width).map((line, index) => (index === 0 ? paint(line, 'yellow') : line)));
  lines.push('');

  if (containers.length === 0) {
    lines.push('No running containers.');
  } else {
    lines.push(...containerRows(containers, width, paint));
  }

  if (assessed) {
    const withFindings = containers.filter((c) => c.findings.length > 0);
    if (withFindings.length > 0) {
      lines.push('', paint(options.verbose ? 'Findings' : `Top findings (worst ${TOP_FINDINGS_PER_CONTAINER} per container)`, 'bold'));
      for (const container of withFindings) {
        lines.push(`  ${truncate(neutralizeText(container.name), width - 30)}  ${gradeText(container, paint)}`);
        lines.push(...findingLines(container.findings, width, options.verbose === true, paint));
      }
    }
  }

  const groups = groupGaps({ gaps: snapshot.gaps, containers });
  if (groups.length > 0) {
    lines.push('', paint('Not read (gaps): these facts are unknown, and why', 'bold'));
    for (const group of groups) {
      const where = group.scan ? '(scan)' : group.containers.length === 1 ? neutralizeText(group.containers[0]!) : `${group.containers.length} containers`;
      const head = `  ${truncate(where, 30)}  ${neutralizeText(describeGroupFacts(group))}: `;
      const reason = wrap(neutralizeText(group.reason), Math.max(20, width - INDENT.length));
      lines.push(head.trimEnd(), ...reason.map((line) => INDENT + line));
      if (group.containers.length > 1) {
        lines.push(...wrap(`on ${describeGroupContainers(group.containers.map(neutralizeText))}`, Math.max(20, width - INDENT.length)).map((line) => INDENT + line));
      }
    }
  }

  if (assessed) {
    lines.push('', paint('Host findings (engine configuration)', 'bold'));
    if (snapshot.host.findings.length === 0) lines.push('  none');
    else lines.push(...findingLines(snapshot.host.findings, width, options.verbose === true, paint, Number.POSITIVE_INFINITY));
  }
  if (assessed && !options.verbose && containers.some((c) => c.findings.length > TOP_FINDINGS_PER_CONTAINER)) {
    lines.push('', 'Evidence and fixes for every finding: isolens scan --format html > report.html');
  }
  return `${lines.join('\n')}\n`;
}

function describeCounts(counts: Record<Severity, number>): string {
  return SEVERITIES.map((severity) => `${counts[severity]} ${severity}`).join(', ');
}

function gradeText(container: ContainerIsolation, paint: (text: string, style: Style | null) => string): string {
  if (container.grade === null) return '';
  return paint(`grade ${container.grade}, score ${container.score ?? '-'}`, GRADE_STYLE[container.grade]);
}

function wrapLabelled(label: string, text: string, width: number): string[] {
  const head = pad(label, 10);
  return wrap(text, width - head.length).map((line, index) => (index === 0 ? head : ' '.repeat(head.length)) + line);
}

/** The container table: a header, then per container a row of columns and an indented line of isolation facts. */
function containerRows(containers: readonly ContainerIsolation[], width: number, paint: (text: string, style: Style | null) => string): string[] {
  const gradeWidth = 5;
  const scoreWidth = 5;
  const userWidth = 10;
  const countWidth = 4;
  const countsWidth = (countWidth + 1) * SEVERITIES.length;
  const gaps = 2 * 4 + 1;
  const flexible = Math.max(20, width - gradeWidth - scoreWidth - userWidth - countsWidth - gaps);
  const nameWidth = Math.max(10, Math.ceil(flexible * 0.55));
  const imageWidth = Math.max(10, flexible - nameWidth);

  const header = [
    pad('GRADE', gradeWidth),
    pad('SCORE', scoreWidth, 'right'),
    pad('CONTAINER', nameWidth),
    pad('IMAGE', imageWidth),
    pad('USER', userWidth),
    SEVERITIES.map((severity) => pad(SEVERITY_HEADER[severity], countWidth, 'right')).join(' '),
  ].join('  ');
  const lines = [paint(header.trimEnd(), 'bold')];

  for (const container of containers) {
    const counts = countBySeverity(container.findings);
    const facts = keyFacts(container);
    const userFact = facts.find((f) => f.label === 'user')!;
    const grade = container.grade ?? '-';
    const row = [
      paint(pad(grade, gradeWidth), container.grade ? GRADE_STYLE[container.grade] : null),
      pad(container.score === null ? '-' : String(Math.round(container.score)), scoreWidth, 'right'),
      pad(truncate(neutralizeText(container.name), nameWidth), nameWidth),
      pad(truncate(neutralizeText(container.image), imageWidth), imageWidth),
      paint(pad(truncate(userFact.value, userWidth), userWidth), userFact.weakens ? 'yellow' : null),
      SEVERITIES.map((severity) => paint(pad(String(counts[severity]), countWidth, 'right'), counts[severity] > 0 ? SEVERITY_STYLE[severity] : 'dim')).join(' '),
    ].join('  ');
    lines.push(row);

    const flags = facts.filter((f) => f.label !== 'user').map((f) => ({ text: neutralizeText(f.compact), weakens: f.weakens }));
    lines.push(...wrapFacts(flags, width - INDENT.length).map((line) => INDENT + line.map((f) => paint(f.text, f.weakens ? 'yellow' : 'dim')).join(paint(' · ', 'dim'))));
  }
  return lines;
}

/** Lay facts out on lines of at most `width` columns, never splitting one fact (a fact wider than a line is cut). */
function wrapFacts(facts: readonly { text: string; weakens: boolean }[], width: number): { text: string; weakens: boolean }[][] {
  const separator = 3;
  const lines: { text: string; weakens: boolean }[][] = [];
  let line: { text: string; weakens: boolean }[] = [];
  let used = 0;
  for (const item of facts) {
    const text = truncate(item.text, width);
    const needed = columnWidth(text) + (line.length > 0 ? separator : 0);
    if (line.length > 0 && used + needed > width) {
      lines.push(line);
      line = [];
      used = 0;
    }
    used += columnWidth(text) + (line.length > 0 ? separator : 0);
    line.push({ text, weakens: item.weakens });
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

function findingLines(
  findings: readonly Finding[],
  width: number,
  verbose: boolean,
  paint: (text: string, style: Style | null) => string,
  limit = TOP_FINDINGS_PER_CONTAINER,
): string[] {
  const sorted = sortFindings(findings);
  const shown = verbose ? sorted : sorted.slice(0, limit);
  const ruleWidth = Math.min(32, Math.max(...shown.map((f) => columnWidth(neutralizeText(f.ruleId)))));
  const lines: string[] = [];
  for (const finding of shown) {
    const severity = pad(finding.severity.toUpperCase(), 8);
    const rule = pad(truncate(neutralizeText(finding.ruleId), ruleWidth), ruleWidth);
    const titleWidth = Math.max(10, width - INDENT.length - 8 - 2 - ruleWidth - 2);
    lines.push(`${INDENT}${paint(severity, SEVERITY_STYLE[finding.severity])}  ${rule}  ${truncate(neutralizeText(finding.title), titleWidth)}`);
    if (verbose) {
      const detailIndent = `${INDENT}${' '.repeat(10)}`;
      const detailWidth = Math.max(20, width - detailIndent.length);
      const details = [
        ...finding.evidence.map((e) => `evidence: ${neutralizeText(e.fact)} = ${displayValue(e.value)} (${e.source})`),
        ...(finding.cis ? [`CIS Docker Benchmark ${neutralizeText(finding.cis)}`] : []),
        ...(finding.attack.length > 0 ? [`ATT&CK ${finding.attack.map(neutralizeText).join(', ')}`] : []),
        `fix: ${neutralizeText(finding.remediation.text)}`,
        ...(finding.remediation.dockerRun ? [`docker run: ${neutralizeText(finding.remediation.dockerRun)}`] : []),
        ...(finding.remediation.compose ? [`compose: ${neutralizeText(finding.remediation.compose)}`] : []),
      ];
      for (const detail of details) lines.push(...wrap(detail, detailWidth).map((line) => paint(detailIndent + line, 'dim')));
    }
  }
  if (shown.length < sorted.length) lines.push(`${INDENT}… and ${sorted.length - shown.length} more`);
  return lines;
}
