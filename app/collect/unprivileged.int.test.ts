// A desktop user who is not root cannot read /proc/PID/ns of root's containers: the scan degrades to config, says so, never crashes.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE_KINDS, type ContainerIsolation } from '../model/schema.js';
import { openEngine } from '../engine/open.js';
import { removeTestContainers, startContainer, testClient, type StartedContainer } from '../../e2e/harness/engine.js';
import { startEngineProxy, type EngineProxy } from '../../e2e/harness/socket-proxy.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-unpriv-';
const client = testClient();
const NOBODY = 65534;
const canDropPrivileges = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;

describe.skipIf(noEngine || !canDropPrivileges)('collecting as an unprivileged user (uid 65534)', () => {
  let container: StartedContainer;
  let doc: ContainerIsolation;

  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    container = await startContainer(`${PREFIX}target`, { HostConfig: { CapDrop: ['ALL'], PidsLimit: 32 } }, client);
    const { engine } = await openEngine({});
    const inspect = await client.getContainer(container.id).inspect();
    // The engine socket is root's; the unprivileged process gets the engine's answers as files and reads the kernel itself.
    const dir = mkdtempSync(join(tmpdir(), 'isolens-unpriv-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'input.json'), JSON.stringify({ inspect, engine }), { mode: 0o644 });
    const script = `
      const { readFileSync } = await import('node:fs');
      const { collectContainer } = await import(${JSON.stringify(new URL('../../dist/app/collect/scan.js', import.meta.url).pathname)});
      const { inspect, engine } = JSON.parse(readFileSync(${JSON.stringify(join(dir, 'input.json'))}, 'utf8'));
      process.stdout.write(JSON.stringify(await collectContainer(inspect, engine)));`;
    const run = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    doc = JSON.parse(run.stdout);
  });

  afterAll(() => removeTestContainers(client, PREFIX));

  it('namespaces fall back to the engine configuration, each with a gap a user can act on', () => {
    for (const kind of NAMESPACE_KINDS) {
      expect(doc.namespaces[kind].source).toBe('config');
      expect(doc.namespaces[kind].inode).toBeNull();
    }
    const gap = doc.gaps.find((g) => g.fact === 'namespaces.pid');
    expect(gap?.reason).toMatch(/permission|root|CAP_SYS_PTRACE/i);
    expect(doc.namespaces.pid.sharedWithHost).toBe(false); // from config: private PID namespace
  });

  it('what the kernel lets everyone read is still read from the kernel', () => {
    expect(doc.sources.capabilities).toBe('kernel');
    expect(doc.capabilities!.effective).toEqual([]);
    expect(doc.sources.cgroup).toBe('kernel');
    expect(doc.cgroup.pidsLimit).toBe(32);
  });
});

describe.skipIf(noEngine || !canDropPrivileges)('`isolens scan` run as an unprivileged user (uid 65534) in the engine\'s group', () => {
  const NAMES = ['a', 'b', 'c'].map((letter) => `${PREFIX}scan-${letter}`);
  let dir: string;
  let proxy: EngineProxy;
  /** The CLI as uid 65534 through a socket it may use (as a member of the docker group would); async, the proxy runs here. */
  const scanAsNobody = (...args: string[]) =>
    new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => {
      const bin = new URL('../../bin/isolens.js', import.meta.url).pathname;
      const child = execFile(
        'setpriv',
        [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, bin, 'scan', '-H', `unix://${proxy.path}`, ...args],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HOME: dir, XDG_STATE_HOME: dir } },
        (_error, stdout, stderr) => resolve({ stdout, stderr, code: child.exitCode }),
      );
    });

  beforeAll(async () => {
    for (const name of NAMES) await startContainer(name, {}, client);
    dir = mkdtempSync(join(tmpdir(), 'isolens-unpriv-scan-'));
    chmodSync(dir, 0o777);
    proxy = await startEngineProxy(join(dir, 'engine.sock'));
    chmodSync(proxy.path, 0o666);
  });

  afterAll(async () => {
    await proxy?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await removeTestContainers(client, `${PREFIX}scan-`);
  });

  it('leads with one line that says what is limited and what to do, and prints each hazard once', async () => {
    const { stdout, stderr, code } = await scanAsNobody('--container', `${PREFIX}scan-*`, '--kernel-source', 'local');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    const limited = lines.filter((line) => line.startsWith('Limited'));
    expect(limited).toHaveLength(1);
    expect(stdout).toMatch(/Limited\s+permission denied reading the kernel's view of 3 of 3 containers \(namespaces\)/);
    expect(stdout).toMatch(/sudo isolens scan/);
    expect(stdout).toMatch(/--kernel-source helper/);
    const start = lines.findIndex((line) => line.startsWith('Not read (gaps)'));
    const gapLines = lines.slice(start, lines.findIndex((line, index) => index > start && line === ''));
    // 24 gaps (8 namespaces × 3 containers): one entry of a few lines, not 48.
    expect(gapLines.filter((line) => line.includes('permission denied'))).toHaveLength(1);
    expect(gapLines.join('\n')).toContain('3 containers  namespaces pid, net, ipc, uts, mnt, user, cgroup, time:');
    expect(gapLines.length).toBeLessThan(10);
  });

  it('with the default kernel source (a helper, or none when its image cannot be had), no reason is printed twice', async () => {
    const { stdout, code } = await scanAsNobody('--container', `${PREFIX}scan-*`);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    const start = lines.findIndex((line) => line.startsWith('Not read (gaps)'));
    if (start < 0) return; // the helper read every kernel fact: nothing is limited
    const gapLines = lines.slice(start + 1, lines.findIndex((line, index) => index > start && line === ''));
    const heads = gapLines.filter((line) => /^ {2}\S/.test(line));
    // One entry per hazard, each naming all its containers: far fewer entries than the 24+ gaps.
    expect(heads.length).toBeLessThanOrEqual(3);
    expect(lines.filter((line) => line.startsWith('Limited'))).toHaveLength(1);
  });

  it('the JSON document still carries every gap', async () => {
    const { stdout, code } = await scanAsNobody('--container', `${PREFIX}scan-*`, '--kernel-source', 'local', '--json');
    expect(code).toBe(0);
    const snapshot = JSON.parse(stdout) as { containers: ContainerIsolation[] };
    expect(snapshot.containers).toHaveLength(3);
    for (const container of snapshot.containers) expect(container.gaps.filter((gap) => gap.fact.startsWith('namespaces.'))).toHaveLength(NAMESPACE_KINDS.length);
  });
});
