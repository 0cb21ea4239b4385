// Findings of one container, worst first, each with its evidence and fix.
import type { ContainerIsolation } from '../../../app/model/schema.js';
import { FindingCard } from '../../components/FindingCard.js';
import { sortFindings } from '../../state/derive.js';
import { TryIt } from '../lab/TryIt.js';

export function FindingsTab({ container }: { container: ContainerIsolation }) {
  const findings = sortFindings(container.findings);
  if (findings.length === 0) return <p className="muted">No findings: nothing in this container's isolation needs a fix.</p>;
  return (
    <div className="findings" data-testid="findings-list">
      {findings.map((finding, index) => (
        <FindingCard key={`${finding.ruleId}-${index}`} finding={finding} container={container} actions={<TryIt container={container} finding={finding} />} />
      ))}
    </div>
  );
}
