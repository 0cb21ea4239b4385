// The overview: what engine and host this is, how the containers grade, the worst findings, and who shares the host's namespaces.
import { useState, type ReactNode } from 'react';
import type { ContainerIsolation, Finding, NamespaceKind, Snapshot } from '../../app/model/schema.js';
import { NAMESPACE_KINDS } from '../../app/model/vocabulary.js';
import { GradeDistribution } from '../charts/GradeDistribution.js';
import { FindingCard } from '../components/FindingCard.js';
import { GradeBadge, SeverityBadge } from '../components/badges.js';
import { PRIVATE_BY_DEFAULT, SEVERITY_ORDER, SEVERITY_RANK, sortFindings } from '../state/derive.js';
import { navigate, routeHref } from '../state/route.js';
import { DriftBadge } from './history/DriftMark.js';

/** Why the engine leaves these namespaces shared, and what changes it. */
const SHARED_BY_DEFAULT: Partial<Record<NamespaceKind, string>> = {
  user: 'the host\'s unless userns-remap or rootless: uid 0 inside is uid 0 outside',
  cgroup: 'the host\'s by default on cgroup v1 (private by default on cgroup v2)',
  time: 'never unshared by the engine: clocks only, low risk',
};

function yesNo(value: boolean | null, good: boolean): { text: string; tone: string } {
  if (value === null) return { text: 'unknown', tone: 'muted' };
  return { text: value ? 'yes' : 'no', tone: value === good ? 'good' : 'bad' };
}

export function EngineCard({ snapshot }: { snapshot: Snapshot }) {
  const e = snapshot.engine;
  const rootless = yesNo(e.rootless, true);
  const remap = yesNo(e.userNamespaceRemap, true);
  const rows: [string, ReactNode][] = [
    ['Engine', <>{e.kind ?? 'unknown'} {e.version ?? ''} <span className="muted">API {e.apiVersion ?? '?'}</span></>],
    ['Endpoint', <><code>{e.endpoint}</code> <span className="muted">({e.endpointSource}{e.tls ? ', TLS' : ''})</span></>],
    ['Rootless', <span className={`tone-${rootless.tone}`}>{rootless.text}</span>],
    ['userns-remap', <span className={`tone-${remap.tone}`}>{remap.text}</span>],
    ['cgroup', <>{e.cgroupVersion ? `v${e.cgroupVersion}` : 'unknown'} <span className="muted">{e.cgroupDriver ?? ''}</span></>],
    ['Kernel', <>{e.kernelVersion ?? 'unknown'} <span className="muted">{e.os ?? ''}</span></>],
    ['Security options', e.securityOptions.length > 0 ? e.securityOptions.join(', ') : <span className="tone-bad">none</span>],
  ];
  return (
    <section className="card engine-card" data-testid="engine-card" aria-label="Engine and host">
      <header className="card-head">
        <h2>Engine and host</h2>
        <span className="host-grade">
          host <GradeBadge grade={snapshot.host.grade} score={snapshot.host.score} large />
        </span>
      </header>
      <dl className="facts">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {!e.local ? <p className="gap">This engine is remote: kernel facts are not visible from here, the engine's configuration is shown instead.</p> : null}
      <h3>Host findings</h3>
      {snapshot.host.findings.length === 0 ? (
        <p className="muted">No host-level findings.</p>
      ) : (
        <ul className="compact-findings">
          {sortFindings(snapshot.host.findings).map((f) => (
            <li key={f.ruleId}>
              <details>
                <summary>
                  <SeverityBadge severity={f.severity} /> {f.title} {f.cis ? <span className="ref">CIS {f.cis}</span> : null}
                </summary>
                <FindingCard finding={f} />
              </details>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** One rule across the fleet: how many containers it fires on and how severe it is there. */
export interface RuleGroup {
  ruleId: string;
  title: string;
  severity: Finding['severity'];
  /** Distinct containers the rule fired on. */
  containers: number;
  dockerRun: string | null;
}

/** Findings grouped by rule, worst severity first, then by how many containers they touch (info findings left out, as in the table's counts). */
export function groupByRule(containers: readonly ContainerIsolation[]): RuleGroup[] {
  const groups = new Map<string, RuleGroup & { ids: Set<string> }>();
  for (const container of containers) {
    for (const finding of container.findings) {
      if (finding.severity === 'info') continue;
      let group = groups.get(finding.ruleId);
      if (!group) {
        group = { ruleId: finding.ruleId, title: finding.title, severity: finding.severity, containers: 0, dockerRun: finding.remediation.dockerRun, ids: new Set() };
        groups.set(finding.ruleId, group);
      }
      // One rule can fire at different severities (a mount read-only or not): the group shows the worst.
      if (SEVERITY_RANK[finding.severity] < SEVERITY_RANK[group.severity]) group.severity = finding.severity;
      group.ids.add(container.id);
    }
  }
  return [...groups.values()]
    .map(({ ids, ...group }) => ({ ...group, containers: ids.size }))
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.containers - a.containers || a.ruleId.localeCompare(b.ruleId));
}

/** Containers with at least one finding of each severity: the numbers "2 critical · 5 high" that open the table filtered to them. */
export function containersWithSeverity(containers: readonly ContainerIsolation[]): Record<Finding['severity'], number> {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const severity of SEVERITY_ORDER) counts[severity] = containers.filter((c) => c.findings.some((f) => f.severity === severity)).length;
  return counts;
}

const TOP_RULES = 10;
const TOP_CONTAINERS = 6;

function RiskSummary({ containers }: { containers: readonly ContainerIsolation[] }) {
  const counts = containersWithSeverity(containers);
  const shown = (['critical', 'high', 'medium', 'low'] as const).filter((s) => counts[s] > 0);
  return (
    <p className="risk-summary" data-testid="risk-summary">
      {shown.length === 0 ? (
        <span className="tone-good">No container has a finding.</span>
      ) : (
        shown.map((severity, index) => (
          <span key={severity}>
            {index > 0 ? <span className="muted"> · </span> : null}
            <a href={routeHref({ view: 'containers', filter: { severity } })} className={`summary-count tone-${severity}`} data-testid={`summary-${severity}`} data-count={counts[severity]}>
              {counts[severity]} {severity}
            </a>
          </span>
        ))
      )}
      {shown.length > 0 ? <span className="muted"> — containers with at least one finding of that severity, of {containers.length}; a count opens them</span> : null}
    </p>
  );
}

function RuleGroups({ containers }: { containers: readonly ContainerIsolation[] }) {
  const groups = groupByRule(containers);
  const [all, setAll] = useState(false);
  const shown = all ? groups : groups.slice(0, TOP_RULES);
  return (
    <section className="card" aria-labelledby="by-rule-title" data-testid="rule-groups">
      <h2 id="by-rule-title">
        Findings by rule <span className="muted">— worst first; the count opens those containers</span>
      </h2>
      {groups.length === 0 ? (
        <p className="muted">No findings on any container.</p>
      ) : (
        <table className="plain worst">
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Finding</th>
              <th scope="col" className="num">Containers</th>
              <th scope="col">Fix</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((group) => (
              <tr key={group.ruleId} data-testid="rule-group" data-rule={group.ruleId} data-count={group.containers}>
                <td className="narrow">
                  <SeverityBadge severity={group.severity} />
                </td>
                <td>
                  {group.title} <code className="rule-id">{group.ruleId}</code>
                </td>
                <td className="num narrow">
                  <a href={routeHref({ view: 'containers', filter: { rule: group.ruleId } })} data-testid="rule-group-link" aria-label={`${group.containers} container${group.containers === 1 ? '' : 's'} with ${group.title}`}>
                    {group.containers} container{group.containers === 1 ? '' : 's'}
                  </a>
                </td>
                <td className="mono muted">{group.dockerRun ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {groups.length > TOP_RULES ? (
        <button type="button" className="link-button" onClick={() => setAll(!all)} aria-expanded={all} data-testid="rule-groups-all">
          {all ? 'Show the worst ten' : `Show all ${groups.length} rules`}
        </button>
      ) : null}
    </section>
  );
}

function RiskiestContainers({ containers }: { containers: readonly ContainerIsolation[] }) {
  const ranked = [...containers].filter((c) => c.findings.some((f) => f.severity !== 'info')).sort((a, b) => (a.score ?? 101) - (b.score ?? 101) || a.name.localeCompare(b.name)).slice(0, TOP_CONTAINERS);
  return (
    <section className="card" aria-labelledby="riskiest-title" data-testid="riskiest-containers">
      <h2 id="riskiest-title">
        Riskiest containers <span className="muted">— each with its worst finding</span>
      </h2>
      {ranked.length === 0 ? (
        <p className="muted">No container has a finding.</p>
      ) : (
        <table className="plain worst">
          <tbody>
            {ranked.map((container) => {
              const findings = sortFindings(container.findings.filter((f) => f.severity !== 'info'));
              const worst = findings[0]!;
              return (
                <tr key={container.id} data-testid="riskiest-container" data-name={container.name}>
                  <td className="narrow">
                    <GradeBadge grade={container.grade} score={container.score} />
                  </td>
                  <td className="worst-container">
                    <a href={routeHref({ view: 'container', id: container.id, tab: 'findings' })} className="container-name">
                      {container.name}
                    </a>{' '}
                    <DriftBadge id={container.id} />
                  </td>
                  <td>
                    <SeverityBadge severity={worst.severity} /> {worst.title}
                    {findings.length > 1 ? <span className="muted"> and {findings.length - 1} more</span> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NamespaceSharing({ containers }: { containers: readonly ContainerIsolation[] }) {
  const count = (kind: NamespaceKind) => containers.filter((c) => c.namespaces[kind].sharedWithHost === true).length;
  const unknown = (kind: NamespaceKind) => containers.filter((c) => c.namespaces[kind].sharedWithHost === null).length;
  return (
    <section className="card" aria-labelledby="namespaces-title" data-testid="namespace-sharing">
      <h2 id="namespaces-title">Containers sharing a host namespace</h2>
      <table className="plain">
        <thead>
          <tr>
            <th>Namespace</th>
            <th className="num">Containers</th>
            <th>Meaning</th>
          </tr>
        </thead>
        <tbody>
          {NAMESPACE_KINDS.map((kind) => {
            const n = count(kind);
            const chosen = PRIVATE_BY_DEFAULT.includes(kind);
            return (
              <tr key={kind} className={chosen && n > 0 ? 'row-bad' : ''} data-namespace={kind} data-count={n}>
                <td className="mono">{kind}</td>
                <td className="num">
                  {n > 0 ? (
                    <a href={routeHref({ view: 'containers', filter: { namespace: kind } })} data-testid="namespace-link" aria-label={`${n} container${n === 1 ? '' : 's'} sharing the host's ${kind} namespace`}>
                      {n}
                    </a>
                  ) : (
                    n
                  )}
                  {unknown(kind) > 0 ? <span className="muted" title="Not readable for these containers"> +{unknown(kind)}?</span> : null}
                </td>
                <td className="muted">{chosen ? (n > 0 ? `chosen with --${kind}=host: that isolation is off` : 'private in every container') : SHARED_BY_DEFAULT[kind]}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export function Overview({ snapshot }: { snapshot: Snapshot }) {
  return (
    <div className="overview" data-testid="overview">
      <header className="view-head">
        <h1>Risk overview</h1>
        <RiskSummary containers={snapshot.containers} />
      </header>
      <div className="overview-grid lead">
        <RuleGroups containers={snapshot.containers} />
        <RiskiestContainers containers={snapshot.containers} />
      </div>
      <div className="overview-grid">
        <EngineCard snapshot={snapshot} />
        <div className="overview-column">
          <section className="card" aria-labelledby="grades-title">
            <h2 id="grades-title">
              Grades <span className="muted">— {snapshot.containers.length} containers; a bar or count opens them</span>
            </h2>
            <GradeDistribution containers={snapshot.containers} onSelectGrade={(grade) => navigate({ view: 'containers', filter: { grade } })} />
          </section>
          <NamespaceSharing containers={snapshot.containers} />
        </div>
      </div>
    </div>
  );
}
