// The capability findings of one container as one card: each capability in plain words with what an attacker does with
// it, worst first, whether the main process holds it now, its references and its "Try it"; one fix drops them all.
import type { ReactNode } from 'react';
import { capabilityInfo } from '../../app/model/capabilities.js';
import type { ContainerIsolation, Finding, Severity } from '../../app/model/schema.js';
import { routeHref } from '../state/route.js';
import { FactNotes } from './FactNotes.js';
import { FindingRefs, FixLine } from './FindingCard.js';
import { SeverityBadge, SourceTag } from './badges.js';

/** Whether the main process holds the capability now: the finding's effective-set evidence, [] when it does not. */
function heldNow(finding: Finding): boolean | null {
  const effective = finding.evidence.find((e) => e.fact === 'capabilities.effective');
  return effective && Array.isArray(effective.value) ? effective.value.length > 0 : null;
}

export function CapabilityFindingsCard({
  findings,
  capabilities,
  severity,
  container,
  actions,
  footer,
}: {
  findings: Finding[];
  capabilities: string[];
  severity: Severity;
  container?: ContainerIsolation;
  /** What the view adds under each capability (the drill-down's "Try it"). */
  actions?: (finding: Finding) => ReactNode;
  /** What the view adds once, under all of them (the drill-down's link to all probes). */
  footer?: ReactNode;
}) {
  const dockerRun = capabilities.map((name) => `--cap-drop ${name}`).join(' ');
  const compose = `cap_drop: [${capabilities.join(', ')}]`;
  const source = findings[0]!.evidence.find((e) => e.fact === 'capabilities.bounding')?.source;
  return (
    <article className={`finding finding-${severity} finding-capabilities`} data-testid="finding-group" data-count={findings.length}>
      <header>
        <SeverityBadge severity={severity} />
        <h3>{`${findings.length} capabilities an attacker can use, in the container's bounding set`}</h3>
        {source ? <SourceTag source={source} /> : null}
      </header>
      <p className="rationale">
        The bounding set is the most any process in the container can gain (through a setuid-root or file-capability program). Each of these lets an
        attacker who runs code in the container do more than an ordinary process can; worst first:
      </p>
      <ul className="capability-findings">
        {findings.map((finding, index) => {
          const name = capabilities[index]!;
          const info = capabilityInfo(name);
          const held = heldNow(finding);
          return (
            <li key={finding.ruleId} className={`finding-${finding.severity}`} data-testid="finding" data-rule={finding.ruleId}>
              <div className="capability-finding-head">
                <SeverityBadge severity={finding.severity} />
                <strong>{finding.title}</strong>
                <FindingRefs finding={finding} />
              </div>
              <p className="capability-finding-why">
                {info?.attacker ? <span className="attacker">{`Attacker: ${info.attacker}`}</span> : finding.rationale}{' '}
                <span className="muted" data-testid="capability-held">
                  {held === null ? '' : held ? 'The main process holds it now.' : 'The main process does not hold it now; a program it runs can gain it.'}
                </span>
              </p>
              {actions?.(finding)}
            </li>
          );
        })}
      </ul>
      {footer}
      {container ? <FactNotes container={container} fact="capabilities" /> : null}
      <div className="remediation">
        <p>
          <strong>Fix:</strong> drop them; better still, drop every capability and add back only what the workload needs
          {container ? (
            <>
              {' '}(<a href={routeHref({ view: 'container', id: container.id, tab: 'fix' })}>the Fix tab</a> has the whole command)
            </>
          ) : null}
          .
        </p>
        <FixLine kind="docker run" code={dockerRun} copyLabel="Copy flags" testId="fix-docker-run" />
        <FixLine kind="compose" code={compose} copyLabel="Copy key" />
      </div>
    </article>
  );
}
