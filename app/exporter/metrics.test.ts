import { describe, expect, it } from 'vitest';
import { NAMESPACE_KINDS, SEVERITIES, type Snapshot } from '../model/schema.js';
import { hostileContainer, loadSampleSnapshot } from '../report/fixtures/sample.js';
import { MAX_LABEL_LENGTH, labelValue, renderMetrics, type ExporterState } from './metrics.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The text format's sample line, strictly: name, optional {label="escaped value",…}, a float. */
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (\S+)$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/g;

function unescape(value: string): string {
  return value.replace(/\\([\\"n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Parse an exposition, failing on any line the format does not allow. */
function parse(text: string): { samples: Sample[]; help: Map<string, string>; types: Map<string, string> } {
  const samples: Sample[] = [];
  const help = new Map<string, string>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? help : types).set(meta[2]!, meta[3]!);
      continue;
    }
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not a valid exposition line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(LABEL_PAIR)) labels[pair[1]!] = unescape(pair[2]!);
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return { samples, help, types };
}

function stateOf(snapshot: Snapshot | null, patch: Partial<ExporterState> = {}): ExporterState {
  return { snapshot, engineUp: snapshot !== null, scanDurationSeconds: 0.042, scrapeErrorsTotal: 0, ...patch };
}

function value(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const CONTRACT: Array<[string, string]> = [
  ['isolens_container_info', 'gauge'],
  ['isolens_container_score', 'gauge'],
  ['isolens_container_findings', 'gauge'],
  ['isolens_container_namespace_shared', 'gauge'],
  ['isolens_container_privileged', 'gauge'],
  ['isolens_container_seccomp_enabled', 'gauge'],
  ['isolens_container_no_new_privileges', 'gauge'],
  ['isolens_container_read_only_rootfs', 'gauge'],
  ['isolens_container_runs_as_root', 'gauge'],
  ['isolens_host_score', 'gauge'],
  ['isolens_engine_up', 'gauge'],
  ['isolens_scan_duration_seconds', 'gauge'],
  ['isolens_last_scan_timestamp_seconds', 'gauge'],
  ['isolens_scrape_errors_total', 'counter'],
];

describe('exposition', () => {
  it('has every metric of the contract with its type and a HELP line, and only valid lines', async () => {
    const { help, types } = parse(await renderMetrics(stateOf(loadSampleSnapshot())));
    for (const [name, type] of CONTRACT) {
      expect(types.get(name), name).toBe(type);
      expect(help.get(name)?.length ?? 0, name).toBeGreaterThan(20);
    }
    expect(types.has('isolens_finding_info')).toBe(false);
  });

  it('says what the document says, container by container', async () => {
    const snapshot = loadSampleSnapshot();
    const { samples } = parse(await renderMetrics(stateOf(snapshot)));
    expect(value(samples, 'isolens_host_score', {})).toBe(snapshot.host.score);
    expect(value(samples, 'isolens_engine_up', {})).toBe(1);
    expect(value(samples, 'isolens_scan_duration_seconds', {})).toBe(0.042);
    expect(value(samples, 'isolens_last_scan_timestamp_seconds', {})).toBe(Date.parse(snapshot.generatedAt) / 1000);
    expect(value(samples, 'isolens_scrape_errors_total', {})).toBe(0);
    for (const c of snapshot.containers) {
      const key = { id: c.id, name: labelValue(c.name) };
      expect(c.id).toMatch(/^[a-f0-9]{64}$/);
      expect(value(samples, 'isolens_container_info', { ...key, image: c.image, engine: 'docker' })).toBe(1);
      expect(value(samples, 'isolens_container_score', key)).toBe(c.score);
      for (const severity of SEVERITIES) {
        expect(value(samples, 'isolens_container_findings', { ...key, severity })).toBe(c.findings.filter((f) => f.severity === severity).length);
      }
      for (const kind of NAMESPACE_KINDS) {
        expect(value(samples, 'isolens_container_namespace_shared', { ...key, namespace: kind })).toBe(Number(c.namespaces[kind].sharedWithHost));
      }
      expect(value(samples, 'isolens_container_privileged', key)).toBe(Number(c.privileged));
      expect(value(samples, 'isolens_container_seccomp_enabled', key)).toBe(Number(c.seccomp.mode === 'filter'));
      expect(value(samples, 'isolens_container_no_new_privileges', key)).toBe(Number(c.noNewPrivileges));
      expect(value(samples, 'isolens_container_read_only_rootfs', key)).toBe(Number(c.readOnlyRootfs));
      expect(value(samples, 'isolens_container_runs_as_root', key)).toBe(Number(c.user.uid === 0));
    }
    // The sample holds a critical container and a hardened one: the numbers differ where the documents do.
    const dangerous = snapshot.containers.find((c) => c.name === 'isolens-report-dangerous')!;
    expect(value(samples, 'isolens_container_findings', { id: dangerous.id, severity: 'critical' })).toBe(2);
    expect(value(samples, 'isolens_container_namespace_shared', { id: dangerous.id, namespace: 'pid' })).toBe(1);
    const hardened = snapshot.containers.find((c) => c.name === 'isolens-report-hardened')!;
    expect(value(samples, 'isolens_container_findings', { id: hardened.id, severity: 'critical' })).toBe(0);
    expect(value(samples, 'isolens_container_read_only_rootfs', { id: hardened.id })).toBe(1);
  });

  it('leaves out what is unknown rather than guessing 0', async () => {
    const snapshot = loadSampleSnapshot();
    const c = snapshot.containers[0]!;
    c.namespaces.pid.sharedWithHost = null;
    c.noNewPrivileges = null;
    c.user.uid = null;
    c.score = null;
    const { samples } = parse(await renderMetrics(stateOf(snapshot)));
    expect(value(samples, 'isolens_container_namespace_shared', { id: c.id, namespace: 'pid' })).toBeUndefined();
    expect(value(samples, 'isolens_container_namespace_shared', { id: c.id, namespace: 'net' })).toBe(0);
    expect(value(samples, 'isolens_container_no_new_privileges', { id: c.id })).toBeUndefined();
    expect(value(samples, 'isolens_container_runs_as_root', { id: c.id })).toBeUndefined();
    expect(value(samples, 'isolens_container_score', { id: c.id })).toBeUndefined();
  });

  it('before the first scan: the engine state and the error count, no container series', async () => {
    const { samples } = parse(await renderMetrics({ snapshot: null, engineUp: false, scanDurationSeconds: null, scrapeErrorsTotal: 3 }));
    expect(value(samples, 'isolens_engine_up', {})).toBe(0);
    expect(value(samples, 'isolens_scrape_errors_total', {})).toBe(3);
    expect(samples.filter((s) => s.name.startsWith('isolens_container_'))).toEqual([]);
    expect(value(samples, 'isolens_host_score', {})).toBeUndefined();
  });

  it('takes compose labels from Docker Compose or podman-compose', async () => {
    const snapshot = loadSampleSnapshot();
    const [a, b] = snapshot.containers;
    a!.labels['com.docker.compose.project'] = 'shop';
    a!.labels['com.docker.compose.service'] = 'web';
    b!.labels['io.podman.compose.project'] = 'pods';
    b!.labels['io.podman.compose.service'] = 'db';
    const { samples } = parse(await renderMetrics(stateOf(snapshot)));
    expect(value(samples, 'isolens_container_info', { id: a!.id, compose_project: 'shop', compose_service: 'web' })).toBe(1);
    expect(value(samples, 'isolens_container_info', { id: b!.id, compose_project: 'pods', compose_service: 'db' })).toBe(1);
    expect(value(samples, 'isolens_container_info', { id: snapshot.containers[2]!.id, compose_project: '', compose_service: '' })).toBe(1);
  });

  it('opt-in finding series: one per rule of each container, with rule, severity and CIS control', async () => {
    const snapshot = loadSampleSnapshot();
    const { samples, types } = parse(await renderMetrics(stateOf(snapshot), { findingSeries: true }));
    expect(types.get('isolens_finding_info')).toBe('gauge');
    for (const c of snapshot.containers) {
      const series = samples.filter((s) => s.name === 'isolens_finding_info' && s.labels.id === c.id);
      expect(series.map((s) => s.labels.rule).sort()).toEqual([...new Set(c.findings.map((f) => f.ruleId))].sort());
      for (const f of c.findings) {
        expect(series.find((s) => s.labels.rule === f.ruleId)?.labels).toMatchObject({ severity: f.severity, cis: f.cis ?? '' });
      }
    }
  });

  it('follows the engine-socket rule for the socket gauge', async () => {
    const snapshot = loadSampleSnapshot();
    const c = snapshot.containers[1]!;
    const socketFinding = { ...c.findings[0]!, ruleId: 'mounts/engine-socket', severity: 'critical' as const };
    c.findings.push(socketFinding);
    const { samples } = parse(await renderMetrics(stateOf(snapshot)));
    expect(value(samples, 'isolens_container_engine_socket_mounted', { id: c.id })).toBe(1);
    expect(value(samples, 'isolens_container_engine_socket_mounted', { id: snapshot.containers[2]!.id })).toBe(0);
  });
});

describe('hostile names and labels', () => {
  it('the captured hostile container stays one line per series, its controls and bidi override replaced', async () => {
    const snapshot = loadSampleSnapshot();
    const hostile = hostileContainer(snapshot);
    const text = await renderMetrics(stateOf(snapshot));
    const { samples } = parse(text); // throws on a line the name broke
    const name = samples.find((s) => s.name === 'isolens_container_score' && s.labels.id === hostile.id)!.labels.name!;
    expect(name).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(name).toContain('<img src=x onerror=alert(1)>|evil`name`');
    expect(name).toBe(hostile.name.replace(/[\u001b\r\n\u202e]/g, '\uFFFD'));
    expect(text).not.toContain('\u001b');
  });

  it('escapes backslash and double quote as the format requires, so a name cannot close its label or add a series', async () => {
    const snapshot = loadSampleSnapshot();
    const c = snapshot.containers[0]!;
    c.name = 'x"} isolens_host_score 100\n# TYPE evil gauge\\';
    c.image = 'img\\"quoted"';
    const text = await renderMetrics(stateOf(snapshot));
    const { samples, types } = parse(text);
    expect(types.has('evil')).toBe(false);
    expect(samples.filter((s) => s.name === 'isolens_host_score')).toHaveLength(1);
    const line = text.split('\n').find((l) => l.startsWith('isolens_container_info{') && l.includes(c.id))!;
    expect(line).toContain('name="x\\"} isolens_host_score 100\uFFFD# TYPE evil gauge\\\\"');
    expect(line).toContain('image="img\\\\\\"quoted\\""');
    expect(samples.find((s) => s.name === 'isolens_container_info' && s.labels.id === c.id)!.labels.image).toBe('img\\"quoted"');
  });

  it('bounds every label value, cutting on a code point and marking the cut', async () => {
    const snapshot = loadSampleSnapshot();
    const c = snapshot.containers[0]!;
    c.name = '😈'.repeat(5000);
    c.labels['com.docker.compose.project'] = 'p'.repeat(100_000);
    const { samples } = parse(await renderMetrics(stateOf(snapshot)));
    const info = samples.find((s) => s.name === 'isolens_container_info' && s.labels.id === c.id)!;
    expect(Array.from(info.labels.name!)).toHaveLength(MAX_LABEL_LENGTH);
    expect(info.labels.name!.endsWith('😈…')).toBe(true);
    expect(info.labels.compose_project).toBe('p'.repeat(MAX_LABEL_LENGTH - 1) + '…');
  });

  it('labelValue: short text unchanged, lone surrogates and C1 controls replaced', () => {
    expect(labelValue('web-1')).toBe('web-1');
    expect(labelValue(null)).toBe('');
    expect(labelValue('a\ud800b')).toBe('a\uFFFDb');
    expect(labelValue('a\u0085b\u2066c')).toBe('a\uFFFDb\uFFFDc');
    expect(labelValue('x'.repeat(MAX_LABEL_LENGTH))).toBe('x'.repeat(MAX_LABEL_LENGTH));
  });
});
