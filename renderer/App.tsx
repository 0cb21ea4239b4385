// The application shell: header and navigation, the engine banner, and the view the route asks for (with loading and empty states).
import { Suspense, useCallback, useEffect, useRef, useState } from 'react';
import type { TableFilter } from './state/filter.js';
import { EngineBanner } from './components/EngineBanner.js';
import { ExportMenu } from './components/ExportMenu.js';
import { useStore, useStoreState } from './state/hooks.js';
import { navigate, routeHref, useRoute } from './state/route.js';
import { Containers, INITIAL_TABLE_STATE, type TableState } from './views/Containers.js';
import { Notices } from './views/history/Notices.js';
import { lazyView } from './lazy-view.js';

// Only the table is in the first screen's script; the rest (and recharts with them) is fetched once it is up.
const overview = lazyView(() => import('./views/Overview.js').then((m) => m.Overview));
const engineCard = lazyView(() => import('./views/Overview.js').then((m) => m.EngineCard));
const detail = lazyView(() => import('./views/ContainerDetail.js').then((m) => m.ContainerDetail));
const compare = lazyView(() => import('./views/compare/CompareView.js').then((m) => m.CompareView));
const lab = lazyView(() => import('./views/lab/LabView.js').then((m) => m.LabView));
const Overview = overview.View;
const EngineCard = engineCard.View;
const ContainerDetail = detail.View;
const CompareView = compare.View;
const LabView = lab.View;
/** How long after the first snapshot is shown the other views are fetched: the first screen's paint comes first. */
const PRELOAD_DELAY_MS = 300;

/** One object for "no filter", so the table's memos see the same filter between renders. */
const NO_FILTER: TableFilter = {};

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
  // Typing into a filter replaces the history entry; a link that filters (a count, a bar) pushes one, so Back returns.
  const updateFilter = useCallback((filter: TableFilter) => navigate({ view: 'containers', filter }, true), []);
  const mainRef = useRef<HTMLElement>(null);
  const viewKey = route.view === 'container' ? `container/${route.id}` : route.view;
  const shownView = useRef(viewKey);
  useEffect(() => {
    // A new view moves focus to its heading (or the table to its grid), so keyboard and screen reader users start there, not at the body.
    if (shownView.current === viewKey) return;
    shownView.current = viewKey;
    const frame = requestAnimationFrame(() => {
      const main = mainRef.current;
      if (!main || main.contains(document.activeElement)) return;
      const target = main.querySelector<HTMLElement>('[data-focus-on-arrival]') ?? main.querySelector<HTMLElement>('h1');
      if (!target) return;
      if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
      target.focus({ preventScroll: true });
    });
    return () => cancelAnimationFrame(frame);
  }, [viewKey]);

  const snapshot = state.snapshot;
  const hasSnapshot = snapshot !== null;
  useEffect(() => {
    // The view the page opened on is fetched at once, alongside the first snapshot, not after it.
    const opened = { overview, container: detail, compare, lab, containers: null }[route.view];
    opened?.preload().catch(() => undefined);
    // Once, for the route the page opened on: later views are preloaded below.
  }, []);
  useEffect(() => {
    if (!hasSnapshot) return;
    const timer = setTimeout(() => {
      for (const view of [overview, engineCard, detail, compare, lab]) view.preload().catch(() => undefined); // asked again on use
    }, PRELOAD_DELAY_MS);
    return () => clearTimeout(timer);
  }, [hasSnapshot]);
  const engine = snapshot?.engine;
  const engineLine = `${engine ? `${engine.kind ?? 'engine'} ${engine.version ?? ''} · ${engine.endpoint}` : state.engine?.endpoint ?? ''}${snapshot ? ` · last scan ${new Date(snapshot.generatedAt).toLocaleTimeString()}` : ''}`;
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
  else if (route.view === 'overview') body = <Overview snapshot={snapshot} />;
  else if (route.view === 'containers') body = <Containers snapshot={snapshot} state={tableState} onStateChange={updateTable} filter={route.filter ?? NO_FILTER} onFilterChange={updateFilter} />;
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
        {worst > 0 ? (
          <a className="topbar-alert" href={routeHref({ view: 'containers', filter: { grade: 'E-F' } })} data-testid="topbar-alert">
            {worst} graded E or F
          </a>
        ) : null}
        {snapshot ? <ExportMenu /> : null}
        <span className="topbar-engine muted" data-testid="engine-status" data-status={state.engine?.status ?? 'unknown'} title={engineLine}>
          <span className={`dot dot-${state.engine?.status ?? 'connecting'}`} aria-hidden="true" />
          <span className="topbar-engine-text">{engineLine}</span>
        </span>
      </header>
      <EngineBanner engine={state.engine} retrying={state.retrying} onRetry={() => void store.retryEngine()} apiError={state.apiError} hasSnapshot={snapshot !== null} />
      <Notices />
      <main className="content" ref={mainRef}>
        <Suspense fallback={<Loading />}>{body}</Suspense>
      </main>
    </div>
  );
}
