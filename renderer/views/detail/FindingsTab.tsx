// Findings of one container, worst first, each with its evidence and fix; its capability findings as one card.
import type { ContainerIsolation, Finding } from '../../../app/model/schema.js';
import { CapabilityFindingsCard } from '../../components/CapabilityFindingsCard.js';
import { FindingCard } from '../../components/FindingCard.js';
import { groupFindings } from '../../state/finding-groups.js';
import { AllProbesLink, TryIt } from '../lab/TryIt.js';

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
  const unassessed = (container.notAssessable ?? []).length > 0;
  if (container.findings.length === 0) {
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
      <FindingList findings={container.findings} container={container} tryIt />
    </div>
  );
}

/**
 * The findings as cards, worst first, the capability findings as one card. `tryIt`: each finding offers the probes that
 * test it, and each card one link to all probes.
 */
export function FindingList({ findings, container, tryIt = false }: { findings: readonly Finding[]; container: ContainerIsolation; tryIt?: boolean }) {
  return groupFindings(findings).map((item, index) =>
    item.kind === 'one' ? (
      <FindingCard key={`${item.finding.ruleId}-${index}`} finding={item.finding} container={container} actions={tryIt ? <TryIt container={container} finding={item.finding} /> : undefined} />
    ) : (
      <CapabilityFindingsCard
        key="capabilities"
        findings={item.findings}
        capabilities={item.capabilities}
        severity={item.severity}
        container={container}
        actions={tryIt ? (finding) => <TryIt container={container} finding={finding} allProbesLink={false} /> : undefined}
        footer={tryIt ? <AllProbesLink container={container} findings={item.findings} /> : undefined}
      />
    ),
  );
}
