// `isolens exporter` on a real engine, scraped by a real Prometheus: PromQL equals `isolens scan --json`, the rules fire.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE_KINDS, Snapshot } from '../model/schema.js';
import { run } from '../cli/main.js';
import { removeTestContainers, startContainer, testClient, type StartedContainer } from '../../e2e/harness/engine.js';
import { freePort } from '../../e2e/harness/ports.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const noPrometheus = spawnSync('prometheus', ['--version']).error ? 'prometheus is not installed (Debian package prometheus; .ci/run installs it)' : null;
if (noPrometheus && process.env.CI) throw new Error(noPrometheus);

const PREFIX = 'isolens-int-exporter-';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RULES = join(REPO, 'deploy/prometheus/isolens.rules.yml');
const DASHBOARD = join(REPO, 'deploy/grafana/isolens.json');
const client = testClient();
const engineSocket = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice('unix://'.length) : '/var/run/docker.sock';


/** Start a child and resolve once its output matches; the match is returned. */
function startChild(command: string, args: string[], ready: RegExp, timeoutMs = 60_000): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string }> {
  const child = spawn(command, args, { cwd: REPO, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not get ready in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${output}`));
    });
  });
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/** Poll until `f` returns a value (not undefined) or the time is up; the last error or undefined is reported. */
async function eventually<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await f();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

describe.skipIf(noEngine || noPrometheus)('isolens exporter scraped by a real Prometheus', () => {
  let dir: string;
  let exporter: ChildProcess | undefined;
  let prometheus: ChildProcess | undefined;
  let exporterUrl: string;
  let prometheusUrl: string;
  let critical: StartedContainer;
  let hostNet: StartedContainer;
  let hardened: StartedContainer;

  async function query(promql: string): Promise<VectorSample[]> {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { status: string; data: { result: VectorSample[] } };
    if (body.status !== 'success') throw new Error(`query failed: ${JSON.stringify(body)}`);
    return body.data.result;
  }

  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    // A critical finding (the engine's socket mounted) and the host's PID namespace; the host's network; a hardened one.
    critical = await startContainer(`${PREFIX}critical`, { HostConfig: { PidMode: 'host', Binds: [`${engineSocket}:/var/run/docker.sock:ro`] } });
    hostNet = await startContainer(`${PREFIX}host-net`, { HostConfig: { NetworkMode: 'host' } });
    hardened = await startContainer(`${PREFIX}hardened`, {
      User: '1000:1000',
      HostConfig: { CapDrop: ['ALL'], ReadonlyRootfs: true, SecurityOpt: ['no-new-privileges'], Memory: 64 << 20, NanoCpus: 5e8, PidsLimit: 64 },
    });

    dir = mkdtempSync(join(tmpdir(), 'isolens-prometheus-'));
    const started = await startChild(process.execPath, ['--import', 'tsx', 'app/cli/bin.ts', 'exporter', '--listen', '127.0.0.1:0'], /metrics at (http:\/\/127\.0\.0\.1:(\d+)\/metrics)/);
    exporter = started.child;
    exporterUrl = started.match[1]!;

    // The rules as shipped, with every `for` shortened so the test need not wait minutes; promtool test rules
    // (rules.test.ts) checks the real durations.
    writeFileSync(join(dir, 'isolens.rules.yml'), readFileSync(RULES, 'utf8').replace(/^(\s+)for: \S+$/gm, '$1for: 1s'));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'rule_files: [isolens.rules.yml]',
        'scrape_configs:',
        '  - job_name: isolens',
        `    static_configs: [{ targets: ['127.0.0.1:${started.match[2]}'] }]`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = (
      await startChild(
        'prometheus',
        [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=info'],
        /Server is ready to receive web requests/,
      )
    ).child;
  });

  afterAll(async () => {
    await Promise.all([stopChild(prometheus), stopChild(exporter)]);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await removeTestContainers(client, PREFIX);
  });

  it('PromQL answers what isolens scan --json says: score, critical findings and shared namespaces per container', async () => {
    let stdout = '';
    const code = await run(['scan', '--json'], { stdout: (t) => (stdout += t), stderr: () => undefined, isTty: false });
    expect(code).toBe(0);
    const scan = Snapshot.parse(JSON.parse(stdout));
    const ours = scan.containers.filter((c) => c.name.startsWith(PREFIX));
    expect(ours.map((c) => c.name).sort()).toEqual([critical.name, hardened.name, hostNet.name].sort());

    const expected = {
      score: Object.fromEntries(ours.map((c) => [c.id, c.score])),
      critical: Object.fromEntries(ours.map((c) => [c.id, c.findings.filter((f) => f.severity === 'critical').length])),
      shared: Object.fromEntries(ours.flatMap((c) => NAMESPACE_KINDS.map((k) => [`${c.id}/${k}`, c.namespaces[k].sharedWithHost === null ? null : Number(c.namespaces[k].sharedWithHost)]))),
    };
    const byId = (samples: VectorSample[], key: (m: Record<string, string>) => string) =>
      Object.fromEntries(samples.map((s) => [key(s.metric), Number(s.value[1])]));
    const selector = `name=~"${PREFIX}.*"`;
    // Wait until Prometheus has scraped a snapshot holding all three, then compare everything at once.
    const actual = await eventually('three containers in Prometheus', async () => {
      const score = byId(await query(`isolens_container_score{${selector}}`), (m) => m.id!);
      if (Object.keys(score).length < 3) return undefined;
      return {
        score,
        critical: byId(await query(`isolens_container_findings{${selector},severity="critical"}`), (m) => m.id!),
        shared: byId(await query(`isolens_container_namespace_shared{${selector}}`), (m) => `${m.id}/${m.namespace}`),
      };
    });
    expect(actual.score).toEqual(expected.score);
    expect(actual.critical).toEqual(expected.critical);
    expect(actual.shared).toEqual(Object.fromEntries(Object.entries(expected.shared).filter(([, v]) => v !== null)));
    // And the facts behind them are the ones the containers were started with.
    expect(actual.critical[critical.id]).toBeGreaterThan(0);
    expect(actual.critical[hardened.id]).toBe(0);
    expect(actual.shared[`${critical.id}/pid`]).toBe(1);
    expect(actual.shared[`${hostNet.id}/net`]).toBe(1);
    expect(actual.shared[`${hardened.id}/net`]).toBe(0);
    expect(actual.score[hardened.id]!).toBeGreaterThan(actual.score[critical.id]! + 30);
    const up = await query('isolens_engine_up');
    expect(up.map((s) => s.value[1])).toEqual(['1']);
    expect(up[0]!.metric).toMatchObject({ job: 'isolens' });
  });

  it('the shipped rules raise an alert for the container with a critical finding, and only for it', async () => {
    const alerts = await eventually('IsolensContainerCriticalFinding firing', async () => {
      const response = await fetch(`${prometheusUrl}/api/v1/alerts`);
      const body = (await response.json()) as { data: { alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string>; state: string }> } };
      const firing = body.data.alerts.filter((a) => a.labels.alertname === 'IsolensContainerCriticalFinding' && a.state === 'firing' && a.labels.name?.startsWith(PREFIX));
      return firing.length > 0 ? body.data.alerts : undefined;
    });
    const critical_ = alerts.filter((a) => a.labels.alertname === 'IsolensContainerCriticalFinding' && a.labels.name?.startsWith(PREFIX));
    expect(critical_.map((a) => a.labels.id)).toEqual([critical.id]);
    expect(critical_[0]!.labels.severity).toBe('critical');
    expect(critical_[0]!.annotations.command).toBe(`isolens scan --container ${critical.id}`);
    const shared = alerts.filter((a) => a.labels.alertname === 'IsolensContainerSharesHostNamespace' && a.labels.name?.startsWith(PREFIX));
    expect(shared.map((a) => `${a.labels.name}/${a.labels.namespace}`).sort()).toEqual([`${critical.name}/pid`, `${hostNet.name}/net`].sort());
    expect(alerts.some((a) => a.labels.alertname === 'IsolensEngineSocketMounted' && a.labels.id === critical.id)).toBe(true);
  });

  it('every query of the Grafana dashboard runs on that Prometheus, and each panel shows data', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    expect(dashboard.panels.length).toBeGreaterThan(5);
    for (const panel of dashboard.panels) {
      const results = await Promise.all(panel.targets.map((t) => query(t.expr.replaceAll('$instance', '.*'))));
      expect(results.some((r) => r.length > 0), panel.title).toBe(true);
    }
  });

  it('promtool check metrics accepts the exposition as scraped', async () => {
    const text = await (await fetch(exporterUrl)).text();
    expect(text).toContain(`isolens_container_info{id="${critical.id}",name="${critical.name}"`);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
