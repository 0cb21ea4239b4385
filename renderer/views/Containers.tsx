// The containers table: worst first, searchable, filterable per column, virtualized for thousands of rows, driven by keyboard.
import { AttackerText, attackerTitle } from '../components/AttackerText.js';
import {
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnFiltersState,
  type FilterFn,
  type RowSelectionState,
  type Row as TableRow,
  type SortingFn,
  type SortingState,
  type Updater,
  type VisibilityState,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MutableRefObject } from 'react';
import type { ContainerIsolation, Grade, Severity, Snapshot } from '../../app/model/schema.js';
import { Sparkline } from '../charts/Sparkline.js';
import { GradeBadge, RiskFlags } from '../components/badges.js';
import { useDismissibleMenu } from '../components/dismissible-menu.js';
import { DriftBadge } from './history/DriftMark.js';
import { riskFlags, severityCounts, severityWeight, type RiskFlag, type RiskFlagKind, type SeverityCounts } from '../state/derive.js';
import { composeProject, composeService, describeFilter, FLAG_KINDS, gradeMatches, isFiltered, matchesScope, matchesSearch, searchIndex, type GradeFilter, type TableFilter } from '../state/filter.js';
import { formatBytes, formatPercent, shortId } from '../state/format.js';
import { afterPaint } from '../state/after-paint.js';
import { useStats, useStore } from '../state/hooks.js';
import { navigate, routeHref } from '../state/route.js';
import { groupByProject } from '../state/group.js';

/**
 * How the user set up the table; lives above the view so it survives refreshes and trips to the drill-down.
 * What it is filtered to lives in the URL instead (TableFilter), so every count elsewhere can link to it.
 */
export interface TableState {
  sorting: SortingState;
  columnVisibility: VisibilityState;
  /** The selected container, by id (never by row index: rows move when a snapshot arrives). */
  activeId: string | null;
}

export const INITIAL_TABLE_STATE: TableState = {
  sorting: [{ id: 'grade', desc: false }],
  columnVisibility: {},
  activeId: null,
};

/**
 * One container's row. What it derives from the container alone (search index, risk flags, finding counts) is made on
 * first use: the first screen draws ~30 rows of hundreds, and deriving all of them up front was most of its script
 * (riskFlags over every mount and capability); a filter, a search or a sort by flags or findings asks each row then.
 */
interface Row {
  container: ContainerIsolation;
  /** What search matches against (searchIndex). */
  readonly index: string;
  readonly project: string | null;
  readonly flags: RiskFlag[];
  readonly counts: SeverityCounts;
  cpuPercent: number | null;
  memoryBytes: number | null;
}

/** What the grid's body lays out: a container's row, or (grouped by compose project) a group's heading row. */
type DisplayItem =
  | { kind: 'row'; row: TableRow<Row> }
  | { kind: 'group'; project: string | null; count: number; worst: ContainerIsolation; key: string };

const ROW_HEIGHT = 40;
/** Rows rendered beyond each edge of the viewport: enough for arrow keys and a wheel notch, few enough that a sort repaints little. */
const OVERSCAN = 4;
/** No more than what stands above the grid (top bar, toolbar): the first render's count of rows in view never falls short. */
const CHROME_ABOVE_GRID_PX = 100;
/** Live values used for sorting refresh this often, so rows do not jump under the pointer every second. */
const SORT_REFRESH_MS = 5000;

/**
 * How long a row stays on screen before its window is seeded: a scroll end to end passes hundreds of rows, and each
 * seed is a request and a render of its own.
 */
const SEED_DELAY_MS = 250;

/** A row's samples, its window seeded once from the host's history so the sparkline does not start empty. */
function useSeededStats(id: string) {
  const store = useStore();
  useEffect(() => {
    const timer = setTimeout(() => store.seedOnce(id), SEED_DELAY_MS);
    return () => clearTimeout(timer);
  }, [store, id]);
  return useStats(id);
}

const CpuCell = memo(function CpuCell({ id }: { id: string }) {
  const samples = useSeededStats(id);
  const last = samples.at(-1);
  return (
    <span className="metric">
      <Sparkline samples={samples} metric="cpu" />
      <span className="metric-value">{formatPercent(last?.cpuPercent ?? null)}</span>
    </span>
  );
});

const MemoryCell = memo(function MemoryCell({ id }: { id: string }) {
  const samples = useSeededStats(id);
  const last = samples.at(-1);
  return (
    <span className="metric">
      <Sparkline samples={samples} metric="memory" />
      <span className="metric-value">{formatBytes(last?.memoryBytes ?? null)}</span>
    </span>
  );
});

function FindingCounts({ counts }: { counts: SeverityCounts }) {
  const shown = (['critical', 'high', 'medium', 'low'] as const).filter((s) => counts[s] > 0);
  if (shown.length === 0) return <span className="muted">none</span>;
  return (
    <span className="counts" aria-label={shown.map((s) => `${counts[s]} ${s}`).join(', ')}>
      {shown.map((s) => (
        <span key={s} className={`count severity-${s}`} title={`${counts[s]} ${s}`}>
          {counts[s]}
          {s[0]!.toUpperCase()}
        </span>
      ))}
    </span>
  );
}

/**
 * What a row derives from its container alone, each part made when first asked and kept per document: a container a
 * delta did not touch keeps its object, and so what was derived from it.
 */
class Derived {
  private searchText: string | undefined;
  private composeProjectName: string | null | undefined;
  private riskFlagList: RiskFlag[] | undefined;
  private findingCounts: SeverityCounts | undefined;

  constructor(
    private readonly container: ContainerIsolation,
    readonly engineKind: Snapshot['engine']['kind'] | null,
  ) {}

  get index(): string {
    return (this.searchText ??= searchIndex(this.container));
  }

  get project(): string | null {
    if (this.composeProjectName === undefined) this.composeProjectName = composeProject(this.container);
    return this.composeProjectName;
  }

  get flags(): RiskFlag[] {
    return (this.riskFlagList ??= riskFlags(this.container, this.engineKind));
  }

  get counts(): SeverityCounts {
    return (this.findingCounts ??= severityCounts(this.container.findings));
  }
}
const derivedOf = new WeakMap<ContainerIsolation, Derived>();

function derive(container: ContainerIsolation, engineKind: Snapshot['engine']['kind'] | null): Derived {
  const known = derivedOf.get(container);
  if (known && known.engineKind === engineKind) return known;
  const made = new Derived(container, engineKind);
  derivedOf.set(container, made);
  return made;
}

/** A row: the container's live values as of this build of the rows, and what it derives, asked of `derived` when used. */
function rowOf(container: ContainerIsolation, derived: Derived, last: { cpuPercent: number | null; memoryBytes: number | null } | undefined): Row {
  return {
    container,
    get index() {
      return derived.index;
    },
    get project() {
      return derived.project;
    },
    get flags() {
      return derived.flags;
    },
    get counts() {
      return derived.counts;
    },
    cpuPercent: last?.cpuPercent ?? null,
    memoryBytes: last?.memoryBytes ?? null,
  };
}

/** Natural, case-blind text order (web-2 before web-10) from one collator: the table's default re-split both strings per comparison. */
const textCollator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const byText: SortingFn<Row> = (a, b, columnId) => textCollator.compare(String(a.getValue(columnId) ?? ''), String(b.getValue(columnId) ?? ''));

const includesText: FilterFn<Row> = (row, columnId, value: string) => String(row.getValue(columnId) ?? '').toLowerCase().includes(value.toLowerCase());
const gradeIs: FilterFn<Row> = (row, _columnId, value: GradeFilter) => gradeMatches(row.original.container.grade, value);
const hasFlag: FilterFn<Row> = (row, _columnId, value: RiskFlagKind | 'any-flag') =>
  value === 'any-flag' ? row.original.flags.length > 0 : row.original.flags.some((f) => f.kind === value);
/** "a critical finding": the same question the overview's counts answer, so a count and the rows it opens agree. */
const hasSeverity: FilterFn<Row> = (row, _columnId, value: Severity) => row.original.container.findings.some((f) => f.severity === value);

const FLAG_LABELS: Record<RiskFlagKind | 'any-flag', string> = {
  'any-flag': 'any flag',
  privileged: 'privileged',
  'engine-socket': 'engine socket',
  'host-mount': 'host mount',
  'host-namespaces': 'host namespaces',
  'seccomp-off': 'seccomp off',
  'dangerous-capabilities': 'dangerous capabilities',
  root: 'root',
  'no-limits': 'no limits',
};

/** Table column id ↔ URL filter key, for the filters the table itself applies. */
const COLUMN_FILTER_KEYS = { grade: 'grade', flags: 'flag', findings: 'severity', name: 'name', image: 'image' } as const;

const columns: ColumnDef<Row>[] = [
  {
    // Two ticked rows open the side-by-side comparison (the toolbar's Compare button).
    id: 'select',
    header: 'Compare',
    enableSorting: false,
    enableColumnFilter: false,
    enableGlobalFilter: false,
    size: 72,
    cell: ({ row }) => (
      <input
        type="checkbox"
        checked={row.getIsSelected()}
        disabled={!row.getCanSelect()}
        onChange={row.getToggleSelectedHandler()}
        onClick={(e) => e.stopPropagation()}
        onDoubleClick={(e) => e.stopPropagation()}
        aria-label={`Select ${row.original.container.name} to compare`}
        data-testid="compare-select"
      />
    ),
  },
  {
    id: 'grade',
    header: 'Grade',
    // Sorted by score, ascending first: the riskiest container comes first.
    accessorFn: (row) => row.container.score ?? undefined,
    sortDescFirst: false,
    sortUndefined: 'last',
    filterFn: gradeIs,
    size: 72,
    cell: ({ row }) => (
      <span className="grade-cell">
        <GradeBadge grade={row.original.container.grade} score={row.original.container.score} />
        <span className="muted">{row.original.container.score === null ? '—' : Math.round(row.original.container.score)}</span>
      </span>
    ),
  },
  {
    id: 'name',
    header: 'Name',
    accessorFn: (row) => row.container.name,
    sortingFn: byText,
    filterFn: includesText,
    size: 160,
    cell: ({ row }) => (
      <span className="name-cell">
        <a href={routeHref({ view: 'container', id: row.original.container.id, tab: 'findings' })} tabIndex={-1} className="container-name" title={row.original.container.name}>
          {row.original.container.name}
        </a>
        <span className="muted mono">{shortId(row.original.container.id)}</span>
      </span>
    ),
  },
  {
    id: 'flags',
    header: 'Risk flags',
    accessorFn: (row) => row.flags.length,
    sortDescFirst: true,
    filterFn: hasFlag,
    size: 262,
    enableGlobalFilter: false,
    // The worst two: the rest are counted, and named for screen readers and in the tooltip. 262 px holds the widest
    // common pair with its count (ENGINE SOCKET, SYS_ADMIN, +4) at 1024 px beside CPU and Memory; a longer label
    // (a host mount's path) ends in an ellipsis, its full text in the tooltip, and the count is never cut.
    cell: ({ row }) => (
      <>
        <DriftBadge id={row.original.container.id} />
        <RiskFlags flags={row.original.flags} limit={2} />
      </>
    ),
  },
  {
    id: 'findings',
    header: 'Findings',
    accessorFn: (row) => severityWeight(row.counts),
    sortDescFirst: true,
    filterFn: hasSeverity,
    size: 100,
    enableGlobalFilter: false,
    cell: ({ row }) => <FindingCounts counts={row.original.counts} />,
  },
  // Live values next to the risk: at 1024 px they stay on screen; image and compose project scroll in after them.
  { id: 'cpu', header: 'CPU', accessorFn: (row) => row.cpuPercent ?? undefined, sortDescFirst: true, sortUndefined: 'last', enableColumnFilter: false, enableGlobalFilter: false, size: 152, cell: ({ row }) => <CpuCell id={row.original.container.id} /> },
  { id: 'memory', header: 'Memory', accessorFn: (row) => row.memoryBytes ?? undefined, sortDescFirst: true, sortUndefined: 'last', enableColumnFilter: false, enableGlobalFilter: false, size: 170, cell: ({ row }) => <MemoryCell id={row.original.container.id} /> },
  { id: 'image', header: 'Image', accessorFn: (row) => row.container.image, sortingFn: byText, filterFn: includesText, size: 190, cell: ({ getValue }) => <span className="mono truncate" title={String(getValue())}>{String(getValue())}</span> },
  {
    id: 'project',
    header: 'Compose project',
    accessorFn: (row) => row.project ?? undefined,
    sortUndefined: 'last',
    enableColumnFilter: false,
    enableGlobalFilter: false,
    size: 140,
    cell: ({ row }) => {
      const project = row.original.project;
      if (project === null) return <span className="muted">—</span>;
      const service = composeService(row.original.container);
      return (
        <span className="name-cell">
          <span className="truncate" title={attackerTitle(project, 256)}><AttackerText text={project} limit={256} /></span>
          {service ? <span className="muted truncate" title={attackerTitle(service, 256)}><AttackerText text={service} limit={256} /></span> : null}
        </span>
      );
    },
  },
];

interface ContainerRowProps {
  row: TableRow<Row>;
  index: number;
  /** Offset from the top of the body, in px. */
  top: number;
  active: boolean;
  selected: boolean;
  canSelect: boolean;
  template: string;
  minWidth: number;
  /** The visible columns' ids: their cells are what the row renders. */
  columns: string;
  onActivate: (id: string) => void;
}

/**
 * One table row. Re-rendered only when what it shows changed: a sort copies every row object but keeps its data, so
 * rows compare by data, and a click or a stats tick no longer re-renders every visible row.
 */
const ContainerRow = memo(
  function ContainerRow({ row, index, top, active, template, minWidth, onActivate }: ContainerRowProps) {
    const container = row.original.container;
    return (
      <div
        id={`row-${row.id}`}
        role="row"
        aria-rowindex={index + 2}
        aria-selected={active}
        className={`grid-row${active ? ' active' : ''} risk-${container.grade ?? 'unknown'}`}
        style={{ gridTemplateColumns: template, minWidth, transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
        onClick={() => onActivate(row.id)}
        onDoubleClick={() => navigate({ view: 'container', id: row.id, tab: 'findings' })}
        data-testid="container-row"
        data-name={container.name}
        data-id={container.id}
        data-grade={container.grade ?? ''}
      >
        {row.getVisibleCells().map((cell) => (
          // Keyed by column: the cell id names the row, and a slot's cells must survive a change of container.
          <div key={cell.column.id} role="gridcell" className={`cell cell-${cell.column.id}`}>
            {flexRender(cell.column.columnDef.cell, cell.getContext())}
          </div>
        ))}
      </div>
    );
  },
  (a, b) =>
    a.row.original === b.row.original &&
    a.index === b.index &&
    a.top === b.top &&
    a.active === b.active &&
    a.selected === b.selected &&
    a.canSelect === b.canSelect &&
    a.template === b.template &&
    a.minWidth === b.minWidth &&
    a.columns === b.columns &&
    a.onActivate === b.onActivate,
);

interface GridBodyProps {
  display: DisplayItem[];
  scrollElement: HTMLDivElement | null;
  headHeight: number;
  activeId: string | null;
  /** Not read here: a new selection must re-render the rows' checkboxes. */
  rowSelection: RowSelectionState;
  template: string;
  rowMinWidth: number;
  columnsKey: string;
  onActivate: (id: string) => void;
  filter: TableFilter;
  scrollToIndex: MutableRefObject<(index: number) => void>;
}

/**
 * The grid's virtualized rows, on their own: a scroll re-renders this body and the rows it brings in, not the toolbar,
 * the header and its filter menus above it.
 */
const GridBody = memo(function GridBody({ display, scrollElement, headHeight, activeId, template, rowMinWidth, columnsKey, onActivate, filter, scrollToIndex }: GridBodyProps) {
  const virtualizer = useVirtualizer({
    count: display.length,
    getScrollElement: () => scrollElement,
    // The rows a scroll brings in render in a task of their own, not inside the scroll event's frame: bench:ui's scroll
    // end to end had 34–36 long tasks with the render flushed synchronously and 21–23 without (load 11–14, back to
    // back). A jump past the overscan can show the rows a frame late; a wheel notch stays within it.
    useFlushSync: false,
    estimateSize: () => ROW_HEIGHT,
    // Until the grid is measured (after the first paint), the window's size less what stands above the grid: the first
    // render already has the rows in view (over-counted by a few) instead of none, and none beyond them, so the first
    // screen is one render and one layout of the rows it shows.
    initialRect: { width: window.innerWidth, height: Math.max(ROW_HEIGHT, window.innerHeight - CHROME_ABOVE_GRID_PX) },
    overscan: scrollElement ? OVERSCAN : 0,
    scrollMargin: headHeight,
    scrollPaddingStart: headHeight,
    getItemKey: (index) => {
      const item = display[index];
      return item === undefined ? index : item.kind === 'row' ? item.row.id : item.key;
    },
  });
  scrollToIndex.current = (index) => virtualizer.scrollToIndex(index, { align: 'auto' });
  const virtualItems = virtualizer.getVirtualItems();
  // Enough slots for every row the virtualizer can render at once (the viewport plus the overscan on both sides), so
  // index % slots is unique among rendered rows and a row scrolled out hands its element to the one scrolled in.
  const viewportRows = Math.ceil((virtualizer.scrollRect?.height ?? 0) / ROW_HEIGHT) + 2;
  const slots = Math.max(virtualItems.length, viewportRows + 2 * OVERSCAN);
  return (
    <div className="grid-body" role="rowgroup" style={{ height: virtualizer.getTotalSize(), minWidth: rowMinWidth }}>
      {virtualItems.map((item) => {
        const shown = display[item.index]!;
        if (shown.kind === 'group') {
          const worst = shown.worst;
          return (
            <div
              key={shown.key}
              role="row"
              aria-rowindex={item.index + 2}
              className="grid-row group-row"
              style={{ minWidth: rowMinWidth, transform: `translateY(${item.start - headHeight}px)`, height: ROW_HEIGHT }}
              data-testid="project-group"
              data-project={shown.project ?? ''}
              data-count={shown.count}
            >
              <div role="gridcell" className="cell group-cell">
                <GradeBadge grade={worst.grade} score={worst.score} />
                <strong className="truncate" title={shown.project === null ? undefined : attackerTitle(shown.project, 256)}>
                  {shown.project === null ? 'Not from compose' : <AttackerText text={shown.project} limit={256} />}
                </strong>
                <span className="muted">
                  {shown.count} container{shown.count === 1 ? '' : 's'} · worst {worst.grade ?? 'ungraded'}
                </span>
                {shown.project !== null && filter.project !== shown.project ? (
                  <a href={routeHref({ view: 'containers', filter: { ...filter, project: shown.project } })} data-testid="project-only">
                    only this project
                  </a>
                ) : null}
                {shown.project !== null ? (
                  <a href={routeHref({ view: 'container', id: worst.id, tab: 'fix' })} data-testid="project-fix">
                    compose.override.yml for the project
                  </a>
                ) : null}
              </div>
            </div>
          );
        }
        const row = shown.row;
        return (
          // Keyed by slot, not by container: a sort or a scroll refills the same row elements instead of tearing
          // ~30 rows down and building them again (the profile's setAttribute, removeChild and layout).
          <ContainerRow
            key={item.index % slots}
            row={row}
            index={item.index}
            top={item.start - headHeight}
            active={row.id === activeId}
            selected={row.getIsSelected()}
            canSelect={row.getCanSelect()}
            template={template}
            minWidth={rowMinWidth}
            columns={columnsKey}
            onActivate={onActivate}
          />
        );
      })}
    </div>
  );
});

/**
 * Bumped every SORT_REFRESH_MS while stats arrive and the table is sorted by a live value (CPU, memory): the rows are
 * then rebuilt and sorted again. Sorted by anything else, nothing to do: rebuilding a thousand rows every few seconds
 * re-rendered every row in view, the longest task of a scroll.
 */
function useSortRefreshTick(sorting: SortingState): number {
  const store = useStore();
  const [tick, setTick] = useState(0);
  const pending = useRef(false);
  const live = sorting.some((s) => s.id === 'cpu' || s.id === 'memory');
  useEffect(() => {
    if (!live) return;
    const unsubscribe = store.subscribeStats(() => {
      pending.current = true;
    });
    const timer = setInterval(() => {
      if (pending.current) {
        pending.current = false;
        setTick((t) => t + 1);
      }
    }, SORT_REFRESH_MS);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  }, [store, live]);
  return tick;
}

/** Rows derived per idle slice after the first paint: a slice of 50 is a few milliseconds, never a long task. */
const WARM_SLICE = 50;

/**
 * Derive what every row would be asked for by a search, a filter or a sort by flags or findings, in idle time after the
 * rows are shown: the first screen does not wait for it, and the first keystroke does not pay for it either.
 */
function useWarmRows(data: Row[]): void {
  useEffect(() => {
    let next = 0;
    let handle: number | null = null;
    const idle = typeof requestIdleCallback === 'function' ? requestIdleCallback : (run: () => void) => window.setTimeout(run, 16);
    const cancel = typeof cancelIdleCallback === 'function' ? cancelIdleCallback : window.clearTimeout;
    const slice = () => {
      const end = Math.min(data.length, next + WARM_SLICE);
      for (; next < end; next++) {
        const row = data[next]!;
        // Reading them is what derives them (rowOf's getters).
        void [row.index, row.flags, row.counts, row.project];
      }
      handle = next < data.length ? idle(slice) : null;
    };
    handle = idle(slice);
    return () => {
      if (handle !== null) cancel(handle);
    };
  }, [data]);
}

function apply<T>(updater: Updater<T>, current: T): T {
  return typeof updater === 'function' ? (updater as (old: T) => T)(current) : updater;
}

export function Containers({ snapshot, state, onStateChange, filter, onFilterChange }: {
  snapshot: Snapshot;
  state: TableState;
  onStateChange: (update: (old: TableState) => TableState) => void;
  filter: TableFilter;
  onFilterChange: (filter: TableFilter) => void;
}) {
  const store = useStore();
  const tick = useSortRefreshTick(state.sorting);
  // Ids in the order they were ticked: the first is A, the second B.
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const engineKind = snapshot.engine.kind;
  const data = useMemo<Row[]>(
    () =>
      snapshot.containers.map((container) => rowOf(container, derive(container, engineKind), store.latestStats(container.id))),
    // tick is deliberately a dependency: it re-reads the latest stats for sorting every few seconds.
    [snapshot, engineKind, store, tick],
  );
  useWarmRows(data);
  // Rule, namespace and project narrow the rows before the table's own column filters and search.
  const scoped = useMemo(() => (filter.rule || filter.namespace || filter.project !== undefined ? data.filter((row) => matchesScope(row.container, filter)) : data), [data, filter]);
  const projects = useMemo(() => [...new Set(data.map((row) => row.project).filter((p): p is string => p !== null))].sort(), [data]);
  // Derived from the URL's filter, and kept stable between renders: a new array each time would make the table re-filter on every frame.
  const columnFilters = useMemo<ColumnFiltersState>(() => Object.entries(COLUMN_FILTER_KEYS).flatMap(([column, key]) => (filter[key] ? [{ id: column, value: filter[key] }] : [])), [filter]);

  const table = useReactTable({
    data: scoped,
    columns,
    state: { sorting: state.sorting, columnFilters, globalFilter: filter.q ?? '', columnVisibility: state.columnVisibility, rowSelection },
    getRowId: (row) => row.container.id,
    enableRowSelection: (row) => row.getIsSelected() || Object.keys(rowSelection).length < 2,
    onRowSelectionChange: setRowSelection,
    onSortingChange: (u) => onStateChange((s) => ({ ...s, sorting: apply(u, s.sorting) })),
    onColumnFiltersChange: (u) => {
      const next = apply(u, columnFilters);
      const updated: TableFilter = { ...filter };
      for (const [column, key] of Object.entries(COLUMN_FILTER_KEYS)) {
        const value = next.find((f) => f.id === column)?.value as string | undefined;
        if (value === undefined || value === '') delete updated[key];
        else (updated as Record<string, string>)[key] = value;
      }
      onFilterChange(updated);
    },
    onGlobalFilterChange: (u) => {
      const q = apply(u, filter.q ?? '');
      const { q: _old, ...rest } = filter;
      onFilterChange(q === '' ? rest : { ...rest, q });
    },
    onColumnVisibilityChange: (u) => onStateChange((s) => ({ ...s, columnVisibility: apply(u, s.columnVisibility) })),
    globalFilterFn: (row, _columnId, value: string) => matchesSearch(row.original.container, row.original.index, value),
    getCoreRowModel: getCoreRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    getSortedRowModel: getSortedRowModel(),
    enableMultiSort: true,
  });

  const tableRows = table.getRowModel().rows;
  const grouped = filter.group === 'project';
  // Grouped, the rows are laid out project by project (worst project first) under a heading row each; arrows and
  // Enter move over the containers' rows only, in the order shown.
  const { rows, display } = useMemo(() => {
    if (!grouped) return { rows: tableRows, display: tableRows.map((row): DisplayItem => ({ kind: 'row', row })) };
    const groups = groupByProject(tableRows, (r) => r.original.project, (r) => r.original.container.score);
    const items: DisplayItem[] = [];
    for (const group of groups) {
      items.push({ kind: 'group', project: group.project, count: group.rows.length, worst: group.worst.original.container, key: `group-${group.project === null ? '-' : `p:${group.project}`}` });
      for (const row of group.rows) items.push({ kind: 'row', row });
    }
    return { rows: groups.flatMap((g) => g.rows), display: items };
  }, [grouped, tableRows]);
  // The Columns menu is a <details>: it closes on Escape (focus back on its button) and on a click anywhere else.
  const menuRef = useDismissibleMenu();
  const scrollRef = useRef<HTMLDivElement | null>(null);
  // Also as state: the body's virtualizer needs the element, and gets it as a prop once it is mounted.
  const [scrollElement, setScrollElement] = useState<HTMLDivElement | null>(null);
  const attachScroll = useCallback((element: HTMLDivElement | null) => {
    scrollRef.current = element;
    if (element === null) return setScrollElement(null);
    // Handed to the virtualizer once the first frame is painted: attaching it measures the grid, a layout of every row
    // forced inside React's commit, and renders the body again, both before that frame. Until then the body's rows
    // come from the window's size.
    afterPaint(() => {
      if (scrollRef.current === element) setScrollElement(element);
    });
  }, []);
  /** Filled by the body: scroll so the display item at this index is in view. */
  const scrollToIndex = useRef<(index: number) => void>(() => undefined);
  const headRef = useRef<HTMLDivElement>(null);
  // The sticky header sits inside the scroll container: rows start below it, and scrolling to a row must not hide it under it.
  const [headHeight, setHeadHeight] = useState(0);
  useEffect(() => {
    const head = headRef.current;
    if (!head) return;
    // Measured as the observer reports it, after a frame's layout (its first report comes with the first frame), not
    // read in a layout effect, which forced the first screen's whole layout inside React's commit. Until then the
    // rows sit where they will (their offset does not depend on it); only the range of rows rendered is a little long.
    const observer = new ResizeObserver(() => setHeadHeight(head.offsetHeight));
    observer.observe(head);
    return () => observer.disconnect();
  }, []);
  const visibleColumns = table.getVisibleLeafColumns();
  const columnsKey = visibleColumns.map((c) => c.id).join(' ');
  const onStateChangeRef = useRef(onStateChange);
  onStateChangeRef.current = onStateChange;
  const activate = useCallback((id: string) => onStateChangeRef.current((s) => ({ ...s, activeId: id })), []);
  // Every row is its own CSS grid: the same template and the same minimum width keep the columns aligned across rows.
  // The compare checkbox column keeps its fixed width; the others share what is left.
  const template = visibleColumns.map((c) => (c.id === 'select' ? `${c.getSize()}px` : `minmax(${c.getSize()}px, ${c.id === 'name' || c.id === 'flags' ? 1.5 : 1}fr)`)).join(' ');
  const rowMinWidth = visibleColumns.reduce((sum, c) => sum + c.getSize(), 0);
  const activeIndex = state.activeId ? rows.findIndex((r) => r.id === state.activeId) : -1;

  const moveTo = (index: number) => {
    const row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    if (!row) return;
    onStateChange((s) => ({ ...s, activeId: row.id }));
    scrollToIndex.current(display.findIndex((item) => item.kind === 'row' && item.row.id === row.id));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    // Rows are reached through aria-activedescendant on the grid itself; keys typed into the header's filters and buttons are theirs.
    if (event.target !== event.currentTarget) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const handled: Record<string, () => void> = {
      ArrowDown: () => moveTo(activeIndex + 1),
      ArrowUp: () => moveTo(activeIndex < 0 ? 0 : activeIndex - 1),
      PageDown: () => moveTo(activeIndex + page),
      PageUp: () => moveTo(activeIndex - page),
      Home: () => moveTo(0),
      End: () => moveTo(rows.length - 1),
      Enter: () => {
        if (state.activeId) navigate({ view: 'container', id: state.activeId, tab: 'findings' });
      },
    };
    const action = handled[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  const live = new Set(data.map((row) => row.container.id));
  const compareIds = Object.keys(rowSelection).filter((id) => rowSelection[id] && live.has(id));

  const filterValue = (id: string) => columnFilters.find((f) => f.id === id)?.value as string | undefined;
  const withoutKey = (key: keyof TableFilter): TableFilter => {
    const next = { ...filter };
    delete next[key];
    return next;
  };
  // Filters with no control of their own in the filter row: shown as chips that say what they are and remove them.
  const chips = (['rule', 'namespace'] as const).filter((key) => filter[key]);
  const setFilter = (id: string, value: string) => table.getColumn(id)?.setFilterValue(value === '' ? undefined : value);

  return (
    <section className="containers" aria-labelledby="containers-title">
      <h1 id="containers-title" className="sr-only">
        Containers
      </h1>
      <div className="table-toolbar">
        <input
          type="search"
          placeholder="Search: name, image, capability, rule, mount, project"
          value={filter.q ?? ''}
          onChange={(e) => table.setGlobalFilter(e.target.value)}
          aria-label="Search containers"
          data-testid="table-search"
          className="search"
        />
        <span className="muted" data-testid="row-count">
          {rows.length === data.length ? `${data.length} containers` : `${rows.length} of ${data.length} containers`}
        </span>
        {chips.map((key) => (
          <span key={key} className="chip" data-testid={`filter-chip-${key}`}>
            {describeFilter(key, filter[key]!)}
            <button type="button" onClick={() => onFilterChange(withoutKey(key))} aria-label={`Remove the filter ${describeFilter(key, filter[key]!)}`}>
              ×
            </button>
          </span>
        ))}
        <label className="group-toggle">
          <input
            type="checkbox"
            checked={grouped}
            onChange={(e) => {
              const { group: _old, ...rest } = filter;
              onFilterChange(e.target.checked ? { ...rest, group: 'project' } : rest);
            }}
            data-testid="group-by-project"
          />{' '}
          Group by compose project
        </label>
        {isFiltered(filter) ? (
          <button type="button" onClick={() => onFilterChange(grouped ? { group: 'project' } : {})} data-testid="clear-filters">
            Clear filters
          </button>
        ) : null}
        <button
          type="button"
          disabled={compareIds.length !== 2}
          onClick={() => navigate({ view: 'compare', idA: compareIds[0]!, idB: compareIds[1]! })}
          data-testid="compare-selected"
          title="Tick two containers in the Compare column"
        >
          Compare selected ({compareIds.length}/2)
        </button>
        {compareIds.length > 0 ? (
          <button type="button" onClick={() => setRowSelection({})} data-testid="compare-clear">
            Clear selection
          </button>
        ) : null}
        <details className="column-menu" data-testid="column-menu" ref={menuRef}>
          <summary>Columns</summary>
          <div className="menu">
            {table.getAllLeafColumns().map((column) => (
              <label key={column.id}>
                <input type="checkbox" checked={column.getIsVisible()} disabled={column.id === 'name'} onChange={column.getToggleVisibilityHandler()} data-testid={`column-toggle-${column.id}`} />{' '}
                {String(column.columnDef.header)}
              </label>
            ))}
          </div>
        </details>
      </div>

      <div
        className="grid"
        role="grid"
        aria-label="Containers, riskiest first"
        aria-rowcount={display.length + 1}
        aria-activedescendant={activeIndex >= 0 ? `row-${state.activeId}` : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        ref={attachScroll}
        data-testid="containers-table"
        data-focus-on-arrival
      >
        <div className="grid-head" role="rowgroup" ref={headRef}>
          <div className="grid-row grid-header" role="row" style={{ gridTemplateColumns: template, minWidth: rowMinWidth }}>
            {table.getHeaderGroups()[0]!.headers.map((header) => {
              const sorted = header.column.getIsSorted();
              return (
                <div key={header.id} role="columnheader" aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'} className="cell">
                  <button type="button" className="sort" onClick={header.column.getToggleSortingHandler()} data-testid={`sort-${header.id}`} title={!header.column.getCanSort() ? 'Tick two rows, then Compare selected' : header.id === 'grade' ? 'Sort by score (lowest first = riskiest first)' : `Sort by ${String(header.column.columnDef.header).toLowerCase()}`}>
                    {flexRender(header.column.columnDef.header, header.getContext())}
                    <span className="sort-mark" aria-hidden="true">
                      {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                      {sorted && table.getState().sorting.length > 1 ? header.column.getSortIndex() + 1 : ''}
                    </span>
                  </button>
                </div>
              );
            })}
          </div>
          <div className="grid-row grid-filters" role="row" style={{ gridTemplateColumns: template, minWidth: rowMinWidth }}>
            {visibleColumns.map((column) => (
              <div key={column.id} role="gridcell" className="cell">
                {column.id === 'grade' ? (
                  <select value={filterValue('grade') ?? ''} onChange={(e) => setFilter('grade', e.target.value)} aria-label="Filter by grade" data-testid="filter-grade">
                    <option value="">all</option>
                    <option value="D-F">D to F</option>
                    <option value="E-F">E or F</option>
                    {(['A', 'B', 'C', 'D', 'E', 'F'] as const).map((g) => (
                      <option key={g} value={g}>
                        {g}
                      </option>
                    ))}
                  </select>
                ) : column.id === 'flags' ? (
                  <select value={filterValue('flags') ?? ''} onChange={(e) => setFilter('flags', e.target.value)} aria-label="Filter by risk flag" data-testid="filter-flags">
                    <option value="">all</option>
                    {FLAG_KINDS.map((kind) => (
                      <option key={kind} value={kind}>
                        {FLAG_LABELS[kind]}
                      </option>
                    ))}
                  </select>
                ) : column.id === 'findings' ? (
                  <select value={filterValue('findings') ?? ''} onChange={(e) => setFilter('findings', e.target.value)} aria-label="Filter by finding severity" data-testid="filter-findings">
                    <option value="">all</option>
                    <option value="critical">a critical one</option>
                    <option value="high">a high one</option>
                    <option value="medium">a medium one</option>
                    <option value="low">a low one</option>
                  </select>
                ) : column.id === 'project' ? (
                  <select value={filter.project ?? ''} onChange={(e) => onFilterChange(e.target.value === '' ? withoutKey('project') : { ...filter, project: e.target.value })} aria-label="Filter by compose project" data-testid="filter-project">
                    <option value="">all</option>
                    <option value="-">none (not compose)</option>
                    {filter.project && filter.project !== '-' && !projects.includes(filter.project) ? <option value={filter.project}>{filter.project}</option> : null}
                    {projects.map((project) => (
                      <option key={project} value={project}>
                        {project}
                      </option>
                    ))}
                  </select>
                ) : column.getCanFilter() ? (
                  <input type="text" value={filterValue(column.id) ?? ''} onChange={(e) => setFilter(column.id, e.target.value)} placeholder="filter" aria-label={`Filter by ${column.id}`} data-testid={`filter-${column.id}`} />
                ) : null}
              </div>
            ))}
          </div>
        </div>
        {rows.length === 0 ? (
          <p className="empty-filter muted" data-testid="no-match">
            No container matches these filters.
          </p>
        ) : null}
        <GridBody
          display={display}
          scrollElement={scrollElement}
          headHeight={headHeight}
          activeId={state.activeId}
          rowSelection={rowSelection}
          template={template}
          rowMinWidth={rowMinWidth}
          columnsKey={columnsKey}
          onActivate={activate}
          filter={filter}
          scrollToIndex={scrollToIndex}
        />
      </div>
      <p className="muted hint">↑ ↓ move · Enter opens · double-click or the name opens · shift-click a header sorts by several columns</p>
    </section>
  );
}
