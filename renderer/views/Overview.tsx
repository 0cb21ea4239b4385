// The overview: what engine and host this is, how the containers grade, the worst findings, and who shares the host's namespaces.
import type { ReactNode } from 'react';
import type { ContainerIsolation, Finding, Grade, NamespaceKind, Snapshot } from '../../app/model/schema.js';
import { NAMESPACE_KINDS } from '../../app/model/schema.js';
import { GradeDistribution } from '../charts/GradeDistribution.js';
import { FindingCard } from '../components/FindingCard.js';
import { GradeBadge, SeverityBadge } from '../components/badges.js';
import { PRIVATE_BY_DEFAULT, SEVERITY_RANK, sortFindings } from '../state/derive.js';
import { routeHref } from '../state/route.js';

const TOP_FINDINGS = 8;

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

interface RankedFinding {
  finding: Finding;
  container: ContainerIsolation;
}

function worstFindings(containers: readonly ContainerIsolation[]): RankedFinding[] {
  const all: RankedFinding[] = containers.flatMap((container) => container.findings.map((finding) => ({ finding, container })));
  all.sort((a, b) => SEVERITY_RANK[a.finding.severity] - SEVERITY_RANK[b.finding.severity] || (a.container.score ?? 0) - (b.container.score ?? 0));
  return all.slice(0, TOP_FINDINGS);
}

function NamespaceSharing({ containers }: { containers: readonly ContainerIsolation[] }) {
  const count = (kind: NamespaceKind) => containers.filter((c) => c.namespaces[kind].sharedWithHost === true).length;
  const unknown = (kind: NamespaceKind) => containers.filter((c) => c.namespaces[kind].sharedWithHost === null).length;
  return (
    <section className="card" aria-label="Host namespaces shared" data-testid="namespace-sharing">
      <h2>Containers sharing a host namespace</h2>
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
                  {n}
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

export function Overview({ snapshot, onSelectGrade }: { snapshot: Snapshot; onSelectGrade: (grade: Grade) => void }) {
  const worst = worstFindings(snapshot.containers);
  return (
    <div className="overview" data-testid="overview">
      <section className="card" aria-label="Most severe findings" data-testid="worst-findings">
        <h2>
          Most severe findings <span className="muted">— across all containers, worst first; a title opens the container</span>
        </h2>
        {worst.length === 0 ? (
          <p className="muted">No findings on any container.</p>
        ) : (
          <table className="plain worst">
            <tbody>
              {worst.map(({ finding, container }, index) => (
                <tr key={`${container.id}-${finding.ruleId}-${index}`} data-testid="worst-finding">
                  <td className="narrow">
                    <SeverityBadge severity={finding.severity} />
                  </td>
                  <td>
                    <a href={routeHref({ view: 'container', id: container.id, tab: 'findings' })}>{finding.title}</a>
                  </td>
                  <td className="worst-container">
                    <GradeBadge grade={container.grade} score={container.score} /> <span className="container-name">{container.name}</span>
                  </td>
                  <td className="mono muted">{finding.remediation.dockerRun ?? ''}</td>
                  <td className="muted narrow">{finding.cis ? `CIS ${finding.cis}` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <div className="overview-grid">
        <EngineCard snapshot={snapshot} />
        <div className="overview-column">
          <section className="card" aria-label="Grade distribution">
            <h2>
              Grades <span className="muted">— {snapshot.containers.length} containers; a bar opens them</span>
            </h2>
            <GradeDistribution containers={snapshot.containers} onSelectGrade={onSelectGrade} />
          </section>
          <NamespaceSharing containers={snapshot.containers} />
        </div>
      </div>
    </div>
  );
}
