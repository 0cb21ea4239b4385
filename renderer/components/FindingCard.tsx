// One finding as a reviewer reads it: severity and title, why it matters, the evidence, the references, the fix to copy.
import type { ReactNode } from 'react';
import type { ContainerIsolation, Finding } from '../../app/model/schema.js';
import { attackTechniqueUrl, CIS_DOCKER_BENCHMARK_URL } from '../../app/model/references.js';
import { formatValue } from '../state/format.js';
import { FactNotes } from './FactNotes.js';
import { CopyButton } from './CopyButton.js';
import { SeverityBadge, SourceTag } from './badges.js';

/** `actions`: what the view adds under the fix (the drill-down's "Try it" probes); the card itself calls no API. */
export function FindingCard({ finding, container, actions }: { finding: Finding; container?: ContainerIsolation; actions?: ReactNode }) {
  const facts = [...new Set(finding.evidence.map((e) => e.fact.replace(/\[.*$/, '')))];
  return (
    <article className={`finding finding-${finding.severity}`} data-testid="finding" data-rule={finding.ruleId}>
      <header>
        <SeverityBadge severity={finding.severity} />
        <h3>{finding.title}</h3>
        <FindingRefs finding={finding} />
      </header>
      <p className="rationale">{finding.rationale}</p>
      <dl className="evidence">
        {finding.evidence.map((evidence, index) => (
          <div key={index}>
            <dt>{evidence.fact}</dt>
            <dd>
              <code>{formatValue(evidence.value)}</code> <SourceTag source={evidence.source} />
            </dd>
          </div>
        ))}
      </dl>
      {container ? facts.map((fact) => <FactNotes key={fact} container={container} fact={fact} />) : null}
      <div className="remediation">
        <p>
          <strong>Fix:</strong> {finding.remediation.text}
        </p>
        {finding.remediation.dockerRun ? <FixLine kind="docker run" code={finding.remediation.dockerRun} copyLabel="Copy flag" testId="fix-docker-run" /> : null}
        {finding.remediation.compose ? <FixLine kind="compose" code={finding.remediation.compose} copyLabel="Copy key" /> : null}
        {actions}
      </div>
    </article>
  );
}

/** A finding's references: its CIS control and ATT&CK techniques as links, and its rule id. */
export function FindingRefs({ finding }: { finding: Finding }) {
  return (
    <span className="refs">
      {finding.cis ? (
        <a className="ref" href={CIS_DOCKER_BENCHMARK_URL} target="_blank" rel="noopener noreferrer" title={`CIS Docker Benchmark v1.6.0, control ${finding.cis}`} data-testid="ref-cis">
          CIS {finding.cis}
        </a>
      ) : null}
      {finding.attack.map((technique) => {
        const url = attackTechniqueUrl(technique);
        return url ? (
          <a key={technique} className="ref ref-attack" href={url} target="_blank" rel="noopener noreferrer" title={`MITRE ATT&CK technique ${technique}`} data-testid="ref-attack">
            {technique}
          </a>
        ) : (
          <span key={technique} className="ref ref-attack">
            {technique}
          </span>
        );
      })}
      <code className="rule-id">{finding.ruleId}</code>
    </span>
  );
}

/** One line of a fix to copy: what it is for (docker run, compose), the text, its copy button. */
export function FixLine({ kind, code, copyLabel, testId }: { kind: string; code: string; copyLabel: string; testId?: string }) {
  return (
    <div className="fix-line">
      <span className="fix-kind">{kind}</span>
      <code data-testid={testId}>{code}</code>
      <CopyButton text={code} label={copyLabel} />
    </div>
  );
}
