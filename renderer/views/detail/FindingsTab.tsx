// Findings of one container, worst first, each with its evidence and fix.
import type { ContainerIsolation } from '../../../app/model/schema.js';
import { FindingCard } from '../../components/FindingCard.js';
import { sortFindings } from '../../state/derive.js';
import { TryIt } from '../lab/TryIt.js';

/** Checks that could not be made from here, grouped by why: shown before the findings, never read as passes. */
function NotAssessableList({ container }: { container: ContainerIsolation }) {
  const entries = container.notAssessable ?? [];
  if (entries.length === 0) return null;
  const byReason = new Map<string, string[]>();
  for (const entry of entries) byReason.set(entry.reason, [...(byReason.get(entry.reason) ?? []), entry.title]);
  return (
    <section className="card not-assessable" data-testid="not-assessable">
      <h3>{`${entries.length} check${entries.length > 1 ? 's' : ''} not assessable from here`}</h3>
      {[...byReason].map(([reason, titles]) => (
        <div key={reason}>
          <p>{reason}</p>
          <p className="muted">{titles.join(' · ')}</p>
        </div>
      ))}
    </section>
  );
}

export function FindingsTab({ container }: { container: ContainerIsolation }) {
  const findings = sortFindings(container.findings);
  const unassessed = (container.notAssessable ?? []).length > 0;
  if (findings.length === 0) {
    return (
      <>
        <NotAssessableList container={container} />
        <p className="muted">{unassessed ? 'No findings among the checks that could be made.' : "No findings: nothing in this container's isolation needs a fix."}</p>
      </>
    );
  }
  return (
    <div className="findings" data-testid="findings-list">
      <NotAssessableList container={container} />
      {findings.map((finding, index) => (
        <FindingCard key={`${finding.ruleId}-${index}`} finding={finding} container={container} actions={<TryIt container={container} finding={finding} />} />
      ))}
    </div>
  );
}
