// The rule reference table of docs/rules.md, generated from the catalogue so the documentation cannot drift from the rules.
import { CONTAINER_RULES, HOST_RULES } from './catalogue.js';
import type { RuleMeta } from './rule.js';
import { compareText } from '../model/collation.js';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function row(rule: RuleMeta): string {
  return `| \`${rule.id}\` | ${cell(rule.title)} | ${rule.severity} | ${rule.cis ?? '—'} | ${rule.attack.join(', ') || '—'} | ${cell(rule.dockerBench ?? '—')} |`;
}

/** Markdown table of every rule: id, title, severity, CIS, ATT&CK, and how it differs from docker-bench-security. */
export function rulesReferenceTable(): string {
  const header = ['| Rule id | Title | Severity | CIS v1.6.0 | ATT&CK | Compared with docker-bench-security |', '|---|---|---|---|---|---|'];
  const containerRules = [...CONTAINER_RULES].sort((a, b) => compareText(a.id, b.id));
  const hostRules = [...HOST_RULES].sort((a, b) => compareText(a.id, b.id));
  return [...header, ...containerRules.map(row), ...hostRules.map(row)].join('\n');
}
