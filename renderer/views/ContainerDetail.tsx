// The drill-down of one container: who it is, how it grades and why, one tab per isolation concern.
import type { ContainerIsolation, Snapshot } from '../../app/model/schema.js';
import { GradeBadge, RiskFlagList, SeverityBadge } from '../components/badges.js';
import { Tabs, type TabSpec } from '../components/Tabs.js';
import { riskFlags, severityCounts, SEVERITY_ORDER } from '../state/derive.js';
import { shortId } from '../state/format.js';
import { useStore } from '../state/hooks.js';
import { useLoaded } from '../state/use-loaded.js';
import { navigate, routeHref, type DetailTab } from '../state/route.js';
import { CapabilitiesTab } from './detail/CapabilitiesTab.js';
import { FindingsTab } from './detail/FindingsTab.js';
import { MountsTab } from './detail/MountsTab.js';
import { NamespacesTab } from './detail/NamespacesTab.js';
import { NetworkTab } from './detail/NetworkTab.js';
import { RawTab } from './detail/RawTab.js';
import { ResourcesTab } from './detail/ResourcesTab.js';
import { SecurityTab } from './detail/SecurityTab.js';
import { FixTab } from './lab/FixTab.js';
import { ProbesTab } from './lab/ProbesTab.js';
import { OperationsView } from './OperationsView.js';
import { HistoryTab } from './history/HistoryTab.js';
import { runtimeLabel } from '../../app/model/runtime.js';

export function ContainerHeader({ container, engineKind }: { container: ContainerIsolation; engineKind: Snapshot['engine']['kind'] }) {
  const counts = severityCounts(container.findings);
  return (
    <header className="detail-head" data-testid="detail-header">
      <GradeBadge grade={container.grade} score={container.score} large />
      <div className="detail-title">
        <h1 data-testid="detail-name">{container.name}</h1>
        <div className="muted">
          <span className="mono">{container.image}</span> · <span className="mono">{shortId(container.id)}</span> · {container.state}
          {container.pid !== null ? ` · pid ${container.pid}` : ''}
          {runtimeLabel(container.runtime) ? <span data-testid="detail-runtime"> · runtime {runtimeLabel(container.runtime)!.long}</span> : null} · score {container.score === null ? '—' : Math.round(container.score)}/100
        </div>
        <div className="detail-flags">
          <span className="counts">
            {SEVERITY_ORDER.filter((s) => counts[s] > 0).map((s) => (
              <span key={s}>
                <SeverityBadge severity={s} /> {counts[s]}
              </span>
            ))}
          </span>
          {container.gaps.length > 0 ? <span className="gap-count" title="Facts Isolens could not establish; each is marked where it appears">{container.gaps.length} fact{container.gaps.length > 1 ? 's' : ''} not read from the kernel</span> : null}
          {(container.notAssessable ?? []).length > 0 ? <span className="gap-count" data-testid="not-assessable-count" title="Checks that could not be made from here: not passes">{container.notAssessable!.length} check{container.notAssessable!.length > 1 ? 's' : ''} not assessable</span> : null}
          {container.mismatches.length > 0 ? <span className="gap-count">{container.mismatches.length} engine/kernel mismatch{container.mismatches.length > 1 ? 'es' : ''}</span> : null}
        </div>
        <RiskFlagList flags={riskFlags(container, engineKind)} />
      </div>
    </header>
  );
}

export function ContainerDetail({ snapshot, id, tab }: { snapshot: Snapshot; id: string; tab: DetailTab }) {
  const store = useStore();
  const container = snapshot.containers.find((c) => c.id === id);
  const seeded = useLoaded(() => store.seedHistory(id), [store, id]);
  const historyError = seeded.status === 'error' ? seeded.message : null;

  if (!container) {
    return (
      <div className="card" data-testid="container-gone">
        <h1>This container is gone</h1>
        <p className="muted">It stopped or was removed since the link was made ({shortId(id)}).</p>
        <a href={routeHref({ view: 'containers' })}>Back to all containers</a>
      </div>
    );
  }
  const counts = severityCounts(container.findings);
  const tabs: TabSpec<DetailTab>[] = [
    { id: 'findings', label: `Findings (${container.findings.length - counts.info})` },
    { id: 'operations', label: 'What can it do?' },
    { id: 'probes', label: 'Probes' },
    { id: 'namespaces', label: 'Namespaces' },
    { id: 'capabilities', label: container.capabilities ? `Capabilities (${container.capabilities.bounding.length} bounding, ${container.capabilities.effective.length} effective)` : 'Capabilities (?)' },
    { id: 'seccomp', label: 'Seccomp & LSM' },
    { id: 'resources', label: 'Resources' },
    { id: 'mounts', label: `Mounts (${container.mounts.length})` },
    { id: 'network', label: 'Network & ports' },
    { id: 'raw', label: 'Raw' },
    { id: 'fix', label: 'Fix' },
    { id: 'history', label: 'History' },
  ];
  const others = snapshot.containers.filter((c) => c.id !== id);
  return (
    <div className="detail" data-testid="container-detail" data-id={container.id}>
      <nav className="crumbs">
        <a href={routeHref({ view: 'containers' })}>← All containers</a>
        {others.length > 0 ? (
          <select value="" onChange={(e) => e.target.value && navigate({ view: 'compare', idA: id, idB: e.target.value })} aria-label="Compare with another container" data-testid="compare-with" className="compare-with">
            <option value="">Compare with…</option>
            {others.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        ) : null}
      </nav>
      <ContainerHeader container={container} engineKind={snapshot.engine.kind} />
      {historyError ? <p className="gap">The stats history could not be loaded ({historyError}); the charts fill from live samples.</p> : null}
      <Tabs tabs={tabs} selected={tab} onSelect={(next) => navigate({ view: 'container', id, tab: next }, true)} idPrefix="detail">
        {tab === 'findings' ? <FindingsTab container={container} /> : null}
        {tab === 'operations' ? <OperationsView container={container} /> : null}
        {tab === 'probes' ? <ProbesTab container={container} /> : null}
        {tab === 'namespaces' ? <NamespacesTab container={container} /> : null}
        {tab === 'capabilities' ? <CapabilitiesTab container={container} engineKind={snapshot.engine.kind} /> : null}
        {tab === 'seccomp' ? <SecurityTab container={container} /> : null}
        {tab === 'resources' ? <ResourcesTab container={container} /> : null}
        {tab === 'mounts' ? <MountsTab container={container} /> : null}
        {tab === 'network' ? <NetworkTab container={container} /> : null}
        {tab === 'raw' ? <RawTab container={container} /> : null}
        {tab === 'fix' ? <FixTab container={container} /> : null}
        {tab === 'history' ? <HistoryTab container={container} /> : null}
      </Tabs>
    </div>
  );
}
