// Facts → findings: runs the rules on every container and on the host, drops accepted risks, scores and grades.
import type { Finding, Severity, Snapshot } from './model/schema.js';
import { SEVERITIES } from './model/schema.js';
import { evaluateContainer, evaluateHost } from './rules/catalogue.js';
import { scoreFindings } from './rules/score.js';

/** An accepted risk: a rule id (or a family prefix such as "resources"), optionally for one container name glob. */
export interface AcceptedRisk {
  ruleId: string;
  container: string | null;
}

export interface AssessOptions {
  ignore?: readonly AcceptedRisk[];
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

function accepted(finding: Finding, containerName: string | null, ignore: readonly AcceptedRisk[]): boolean {
  return ignore.some((risk) => {
    const ruleMatches = finding.ruleId === risk.ruleId || finding.ruleId.startsWith(`${risk.ruleId}/`);
    if (!ruleMatches) return false;
    if (risk.container === null) return true;
    return containerName !== null && globToRegExp(risk.container).test(containerName);
  });
}

/** A new snapshot with findings, score and grade for each container and for the host. */
export function assessSnapshot(snapshot: Snapshot, options: AssessOptions = {}): Snapshot {
  const ignore = options.ignore ?? [];
  const context = { engine: snapshot.engine };
  const containers = snapshot.containers.map((container) => {
    const findings = evaluateContainer(container, context).filter((f) => !accepted(f, container.name, ignore));
    return { ...container, findings, ...scoreFindings(findings) };
  });
  const hostFindings = evaluateHost(snapshot.engine).filter((f) => !accepted(f, null, ignore));
  return { ...snapshot, containers, host: { findings: hostFindings, ...scoreFindings(hostFindings) } };
}

/** The most severe finding anywhere in the snapshot, for --fail-on. */
export function worstSeverity(snapshot: Snapshot): Severity | null {
  const all = [...snapshot.host.findings, ...snapshot.containers.flatMap((c) => c.findings)];
  for (const severity of SEVERITIES) if (all.some((f) => f.severity === severity)) return severity;
  return null;
}

/**
 * The ignore file: one accepted risk per line, `ruleId [container-name-glob]`, `#` starts a comment.
 * Malformed lines are errors (an accepted risk that silently does nothing is worse than none).
 */
export function parseAcceptedRisks(text: string): AcceptedRisk[] {
  const risks: AcceptedRisk[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const parts = line.split(/\s+/);
    if (parts.length > 2 || !/^[a-z0-9][a-z0-9./_-]*$/i.test(parts[0]!)) {
      throw new Error(`ignore file line ${index + 1}: expected "rule-id [container-name-glob]", got ${JSON.stringify(raw.trim())}`);
    }
    risks.push({ ruleId: parts[0]!, container: parts[1] ?? null });
  });
  return risks;
}
