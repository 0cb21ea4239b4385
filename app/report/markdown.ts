// The Markdown report for pull requests: a summary table, then findings per container with the fix flags in code spans.
import { SEVERITIES, type ContainerIsolation, type Finding, type Snapshot } from '../model/schema.js';
import { countBySeverity, describeEngine, isAssessed, keyFacts, sortFindings, sortWorstFirst } from './facts.js';
import { displayValue, escapeMarkdown, markdownCode } from './text.js';

/** Tables in GFM: one line per row, every cell escaped (pipes above all). */
function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function renderMarkdown(snapshot: Snapshot): string {
  const containers = sortWorstFirst(snapshot.containers);
  const assessed = isAssessed(snapshot);
  const lines: string[] = [];
  lines.push('## Isolens isolation report', '');
  lines.push(`**Engine:** ${describeEngine(snapshot.engine).map(escapeMarkdown).join(' · ')}  `);
  if (assessed) {
    const host = snapshot.host.grade === null ? 'not graded' : `**${snapshot.host.grade}** (${snapshot.host.score ?? '–'} / 100)`;
    const counts = countBySeverity(snapshot.host.findings);
    lines.push(`**Host:** ${host} · ${SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ')}  `);
  } else {
    lines.push('**Risk:** not assessed (this snapshot has facts only)  ');
  }
  lines.push(`**Scanned:** ${escapeMarkdown(snapshot.generatedAt)} · ${containers.length} running container${containers.length === 1 ? '' : 's'}`, '');

  if (containers.length > 0) {
    lines.push(row(['Container', 'Grade', 'Score', 'Critical', 'High', 'Medium', 'Low']));
    lines.push(row([':--', ':-:', '--:', '--:', '--:', '--:', '--:']));
    for (const container of containers) {
      const counts = countBySeverity(container.findings);
      const count = (n: number) => (assessed ? (n > 0 ? `**${n}**` : '0') : '–');
      lines.push(
        row([
          escapeMarkdown(container.name),
          container.grade ?? '–',
          container.score === null ? '–' : String(container.score),
          count(counts.critical),
          count(counts.high),
          count(counts.medium),
          count(counts.low),
        ]),
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

  const gaps = [
    ...snapshot.gaps.map((gap) => `- the scan: ${markdownCode(gap.fact, false)}: ${escapeMarkdown(gap.reason)}`),
    ...containers.flatMap((c) => c.gaps.map((gap) => `- ${escapeMarkdown(c.name)}: ${markdownCode(gap.fact, false)}: ${escapeMarkdown(gap.reason)}`)),
  ];
  if (gaps.length > 0) lines.push('### Not read', '', ...gaps, '');
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
