// The application shell: header and navigation, the engine banner, and the view the route asks for (with loading and empty states).
import { useCallback, useState } from 'react';
import type { Grade } from '../app/model/schema.js';
import { EngineBanner } from './components/EngineBanner.js';
import { useStore, useStoreState } from './state/hooks.js';
import { navigate, routeHref, useRoute } from './state/route.js';
import { ContainerDetail } from './views/ContainerDetail.js';
import { Containers, INITIAL_TABLE_STATE, type TableState } from './views/Containers.js';
import { EngineCard, Overview } from './views/Overview.js';
import { CompareView } from './views/compare/CompareView.js';
import { LabView } from './views/lab/LabView.js';

function Loading() {
  return (
    <div className="state-message" role="status" data-testid="loading">
      <span className="spinner" aria-hidden="true" /> Reading the engine and the kernel…
    </div>
  );
}

function Empty() {
  return (
    <div className="state-message" data-testid="empty">
      <h1>No running containers</h1>
      <p>Isolens grades containers as they run. Start one and it appears here within a second:</p>
      <pre className="hint-command">docker run -d --name demo nginx</pre>
    </div>
  );
}

export function App() {
  const store = useStore();
  const state = useStoreState();
  const route = useRoute();
  const [tableState, setTableState] = useState<TableState>(INITIAL_TABLE_STATE);
  const updateTable = useCallback((update: (old: TableState) => TableState) => setTableState(update), []);
  const selectGrade = useCallback((grade: Grade) => {
    setTableState((s) => ({ ...s, columnFilters: [...s.columnFilters.filter((f) => f.id !== 'grade'), { id: 'grade', value: grade }] }));
    navigate({ view: 'containers' });
  }, []);

  const snapshot = state.snapshot;
  const engine = snapshot?.engine;
  const worst = snapshot ? snapshot.containers.filter((c) => c.grade === 'F' || c.grade === 'E').length : 0;

  let body;
  // The lab needs no snapshot: it starts its own containers.
  if (route.view === 'lab') body = <LabView />;
  else if (!snapshot) body = state.snapshotRequested && state.engine?.status === 'unreachable' ? null : <Loading />;
  else if (snapshot.containers.length === 0)
    body = (
      <>
        <Empty />
        <div className="empty-engine">
          <EngineCard snapshot={snapshot} />
        </div>
      </>
    );
  else if (route.view === 'overview') body = <Overview snapshot={snapshot} onSelectGrade={selectGrade} />;
  else if (route.view === 'containers') body = <Containers snapshot={snapshot} state={tableState} onStateChange={updateTable} />;
  else if (route.view === 'compare') body = <CompareView snapshot={snapshot} idA={route.idA} idB={route.idB} />;
  else body = <ContainerDetail snapshot={snapshot} id={route.id} tab={route.tab} />;

  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href={routeHref({ view: 'overview' })}>
          Isolens
        </a>
        <nav aria-label="Views">
          <a href={routeHref({ view: 'overview' })} aria-current={route.view === 'overview' ? 'page' : undefined} data-testid="nav-overview">
            Overview
          </a>
          <a href={routeHref({ view: 'containers' })} aria-current={route.view !== 'overview' && route.view !== 'lab' ? 'page' : undefined} data-testid="nav-containers">
            Containers{snapshot ? ` (${snapshot.containers.length})` : ''}
          </a>
          <a href={routeHref({ view: 'lab' })} aria-current={route.view === 'lab' ? 'page' : undefined} data-testid="nav-lab">
            Lab
          </a>
        </nav>
        {worst > 0 ? <span className="topbar-alert">{worst} graded E or F</span> : null}
        <span className="topbar-engine muted" data-testid="engine-status" data-status={state.engine?.status ?? 'unknown'}>
          <span className={`dot dot-${state.engine?.status ?? 'connecting'}`} aria-hidden="true" />
          {engine ? `${engine.kind ?? 'engine'} ${engine.version ?? ''} · ${engine.endpoint}` : state.engine?.endpoint ?? ''}
          {snapshot ? ` · last scan ${new Date(snapshot.generatedAt).toLocaleTimeString()}` : ''}
        </span>
      </header>
      <EngineBanner engine={state.engine} retrying={state.retrying} onRetry={() => void store.retryEngine()} apiError={state.apiError} hasSnapshot={snapshot !== null} />
      <main className="content">{body}</main>
    </div>
  );
}
