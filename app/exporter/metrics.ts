// The Prometheus exposition of an Isolens document: one pure function from exporter state to the text format.
import { Counter, Gauge, Registry } from 'prom-client';
import { NAMESPACE_KINDS, SEVERITIES, type ContainerIsolation, type Snapshot } from '../model/schema.js';

/** What a scrape is answered from: the session's latest snapshot and its health, never a scan of its own. */
export interface ExporterState {
  /** The latest assessed snapshot; null before the first scan finished. */
  snapshot: Snapshot | null;
  /** The engine is connected and its events are watched. */
  engineUp: boolean;
  /** How long the rebuild that produced `snapshot` took; null when the source does not say. */
  scanDurationSeconds: number | null;
  /** Times the state could not be kept current: the engine became unreachable or a rebuild failed. */
  scrapeErrorsTotal: number;
}

export interface MetricsOptions {
  /** One isolens_finding_info series per finding: useful, and the cardinality grows with findings (see docs). */
  findingSeries?: boolean;
}

/** The text format's media type, for the Content-Type header. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/**
 * Longest label value kept, in code points. Names, images and compose labels are attacker-controlled and otherwise
 * unbounded; 256 keeps an image reference with its sha256 digest whole.
 */
export const MAX_LABEL_LENGTH = 256;
const ELLIPSIS = '…';

/** The compose labels Docker Compose and podman-compose set on a service's containers. */
const COMPOSE_PROJECT_LABELS = ['com.docker.compose.project', 'io.podman.compose.project'];
const COMPOSE_SERVICE_LABELS = ['com.docker.compose.service', 'io.podman.compose.service'];

/**
 * C0 and C1 controls, line and paragraph separators, bidirectional overrides and isolates (which reorder what a
 * dashboard shows: "Trojan source"), and lone UTF-16 surrogates (not encodable as UTF-8).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A label value that is safe to expose: well-formed UTF-8, control and bidi characters (which the format does not escape
 * and a terminal, a log line or a dashboard would obey) replaced by U+FFFD, and at most MAX_LABEL_LENGTH code points with a visible
 * ellipsis when cut. Backslash, double quote and line feed are escaped by prom-client as the format requires; a line
 * feed never gets there, being a control character.
 */
export function labelValue(text: string | null | undefined): string {
  if (text === null || text === undefined) return '';
  const clean = text.replace(UNSAFE, '\uFFFD');
  if (clean.length <= MAX_LABEL_LENGTH) return clean; // UTF-16 units ≥ code points: no need to count
  const points = Array.from(clean);
  if (points.length <= MAX_LABEL_LENGTH) return clean;
  return points.slice(0, MAX_LABEL_LENGTH - 1).join('') + ELLIPSIS;
}

function firstLabel(labels: Record<string, string>, keys: readonly string[]): string {
  for (const key of keys) if (labels[key] !== undefined) return labels[key];
  return '';
}

function bit(value: boolean): number {
  return value ? 1 : 0;
}

/** The findings rule id for a mounted engine socket (app/rules/mounts.ts); the gauge below follows the rule. */
const ENGINE_SOCKET_RULE = 'mounts/engine-socket';

/**
 * The per-container families (isolens_container_*, isolens_finding_info) of a snapshot: the bulk of the exposition
 * (about 20 series per container), which changes only when a container does. A fresh registry each time.
 */
export function buildContainerRegistry(snapshot: Snapshot | null, options: MetricsOptions = {}): Registry {
  const registry = new Registry();
  const registers = [registry];
  const containerLabels = ['id', 'name'] as const;

  const info = new Gauge({
    name: 'isolens_container_info',
    help: 'A running container (always 1); join on id or name with cAdvisor series or these ones for image and compose labels',
    labelNames: ['id', 'name', 'image', 'engine', 'compose_project', 'compose_service'],
    registers,
  });
  const score = new Gauge({
    name: 'isolens_container_score',
    help: 'Isolation score of the container, 0 (worst) to 100 (no finding); see the score model in the README',
    labelNames: containerLabels,
    registers,
  });
  const findings = new Gauge({
    name: 'isolens_container_findings',
    help: 'Findings of the container by severity (critical, high, medium, low, info), zero included',
    labelNames: [...containerLabels, 'severity'],
    registers,
  });
  const shared = new Gauge({
    name: 'isolens_container_namespace_shared',
    help: 'The container shares this namespace with the host (1) or has its own (0); absent when it could not be read',
    labelNames: [...containerLabels, 'namespace'],
    registers,
  });
  const flag = (name: string, help: string) => new Gauge({ name, help, labelNames: containerLabels, registers });
  const privileged = flag('isolens_container_privileged', 'The container runs with --privileged (1) or not (0)');
  const seccomp = flag('isolens_container_seccomp_enabled', 'A seccomp filter confines the main process, as the kernel shows it (1) or not (0)');
  const noNewPrivileges = flag('isolens_container_no_new_privileges', 'no-new-privileges is set on the main process (1) or not (0)');
  const readOnlyRootfs = flag('isolens_container_read_only_rootfs', 'The root filesystem is mounted read-only (1) or writable (0)');
  const runsAsRoot = flag('isolens_container_runs_as_root', 'The main process runs as uid 0 as the host sees it (1) or not (0); root in a remapped user namespace is 0');
  const engineSocket = flag('isolens_container_engine_socket_mounted', 'A container engine API socket is mounted into the container (1) or not (0): root on the host for whoever uses it');
  const findingInfo = options.findingSeries
    ? new Gauge({
        name: 'isolens_finding_info',
        help: 'One finding of one container (always 1); opt-in with --finding-series, one series per finding',
        labelNames: [...containerLabels, 'rule', 'severity', 'cis'],
        registers,
      })
    : null;

  if (snapshot) {
    const engine = labelValue(snapshot.engine.kind ?? '');
    for (const container of snapshot.containers) setContainer(container, engine);
  }

  function setContainer(c: ContainerIsolation, engine: string): void {
    const key = { id: labelValue(c.id), name: labelValue(c.name) };
    info.set(
      {
        ...key,
        image: labelValue(c.image),
        engine,
        compose_project: labelValue(firstLabel(c.labels, COMPOSE_PROJECT_LABELS)),
        compose_service: labelValue(firstLabel(c.labels, COMPOSE_SERVICE_LABELS)),
      },
      1,
    );
    if (c.score !== null) score.set(key, c.score);
    for (const severity of SEVERITIES) findings.set({ ...key, severity }, c.findings.filter((f) => f.severity === severity).length);
    for (const kind of NAMESPACE_KINDS) {
      const sharedWithHost = c.namespaces[kind].sharedWithHost;
      if (sharedWithHost !== null) shared.set({ ...key, namespace: kind }, bit(sharedWithHost));
    }
    privileged.set(key, bit(c.privileged));
    if (c.seccomp.mode !== null) seccomp.set(key, bit(c.seccomp.mode !== 'disabled'));
    if (c.noNewPrivileges !== null) noNewPrivileges.set(key, bit(c.noNewPrivileges));
    if (c.readOnlyRootfs !== null) readOnlyRootfs.set(key, bit(c.readOnlyRootfs));
    if (c.user.uid !== null) runsAsRoot.set(key, bit(c.user.uid === 0));
    engineSocket.set(key, bit(c.findings.some((f) => f.ruleId === ENGINE_SOCKET_RULE)));
    if (findingInfo) {
      // Two findings of one rule (e.g. two sockets) are one series: the count is in isolens_container_findings.
      for (const f of c.findings) findingInfo.set({ ...key, rule: labelValue(f.ruleId), severity: f.severity, cis: labelValue(f.cis ?? '') }, 1);
    }
  }

  return registry;
}

/** The host and exporter families (isolens_host_score, isolens_engine_up, …): a handful of series, every state. */
export function buildSummaryRegistry(state: ExporterState): Registry {
  const registry = new Registry();
  const registers = [registry];
  // An unlabelled gauge prom-client always prints (0 when never set), and a host score of 0 before the first scan
  // would read as the worst host there is: these are registered only when their value is known.
  const single = (name: string, help: string, value: number | null) => {
    if (value !== null && Number.isFinite(value)) new Gauge({ name, help, registers }).set(value);
  };
  const snapshot = state.snapshot;
  single('isolens_host_score', 'Isolation score of the engine host itself, 0 to 100', snapshot?.host.score ?? null);
  single('isolens_engine_up', 'The exporter is connected to the engine and follows its events (1) or not (0)', bit(state.engineUp));
  single('isolens_scan_duration_seconds', 'How long the rebuild of the current snapshot took (kernel facts and rules for every container)', snapshot ? state.scanDurationSeconds : null);
  single('isolens_last_scan_timestamp_seconds', 'Unix time at which the current snapshot was taken', snapshot ? Date.parse(snapshot.generatedAt) / 1000 : null);
  new Counter({
    name: 'isolens_scrape_errors_total',
    help: 'Times the exporter could not keep its state current: the engine became unreachable or a rebuild failed',
    registers,
  }).inc(state.scrapeErrorsTotal);
  return registry;
}

/** The text exposition of both parts, which hold disjoint metric families and so concatenate. */
export async function renderMetrics(state: ExporterState, options: MetricsOptions = {}): Promise<string> {
  const [containers, summary] = await Promise.all([buildContainerRegistry(state.snapshot, options).metrics(), buildSummaryRegistry(state).metrics()]);
  return joinExpositions(containers, summary);
}

/** Two expositions as one: each ends with a newline unless empty. */
export function joinExpositions(...parts: string[]): string {
  return parts.filter((p) => p !== '').map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
}
