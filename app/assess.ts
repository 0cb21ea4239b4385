// Facts → findings: runs the rules on every container and on the host, drops accepted risks, scores and grades.
import type { Severity, Snapshot } from './model/schema.js';
import { SEVERITIES } from './model/vocabulary.js';
import { evaluateContainer, evaluateHost, type AcceptedRisk } from './rules/catalogue.js';
import { scoreFindings } from './rules/score.js';
import { checksNotAssessable, readNothingFromKernel } from './rules/assessable.js';

export type { AcceptedRisk };

export interface AssessOptions {
  /** Rule ids, family prefixes, or accepted risks limited to container name globs. */
  ignore?: ReadonlyArray<string | AcceptedRisk>;
}

/** A new snapshot with findings, score and grade for each container and for the host. */
export function assessSnapshot(snapshot: Snapshot, options: AssessOptions = {}): Snapshot {
  const ignore = options.ignore ?? [];
  const context = { engine: snapshot.engine };
  const containers = snapshot.containers.map((container) => {
    const findings = evaluateContainer(container, context, { ignore });
    const notAssessable = checksNotAssessable(container, findings, ignore);
    // Never a pass for what could not be checked: with no kernel fact at all, no score or grade either.
    const scored = notAssessable.length > 0 && readNothingFromKernel(container) ? { score: null, grade: null } : scoreFindings(findings);
    return { ...container, findings, notAssessable, ...scored };
  });
  const hostFindings = evaluateHost(snapshot.engine, { ignore });
  return { ...snapshot, containers, host: { findings: hostFindings, ...scoreFindings(hostFindings) } };
}

/** The most severe finding anywhere in the snapshot, for --fail-on. */
export function worstSeverity(snapshot: Snapshot): Severity | null {
  const all = [...snapshot.host.findings, ...snapshot.containers.flatMap((c) => c.findings)];
  for (const severity of SEVERITIES) if (all.some((f) => f.severity === severity)) return severity;
  return null;
}
