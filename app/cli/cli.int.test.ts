// The `isolens` command end to end on a real engine: formats, filters, exit codes and one-line errors.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { closeSync, openSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Snapshot } from '../model/schema.js';
import { EXIT } from './main.js';
import { removeTestContainers, startContainer, testClient, type StartedContainer } from '../../e2e/harness/engine.js';
import { runCaptured } from './captured.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-cli-';
const client = testClient();

const cli = runCaptured;

describe.skipIf(noEngine)('isolens scan on a real engine', () => {
  let risky: StartedContainer;
  let hardened: StartedContainer;

  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    risky = await startContainer(`${PREFIX}risky`, { HostConfig: { PidMode: 'host', CapAdd: ['SYS_ADMIN'], Binds: ['/var/run/docker.sock:/var/run/docker.sock'] } });
    hardened = await startContainer(`${PREFIX}hardened`, {
      User: '1000:1000',
      HostConfig: { CapDrop: ['ALL'], ReadonlyRootfs: true, SecurityOpt: ['no-new-privileges'], Memory: 64 << 20, NanoCpus: 5e8, PidsLimit: 64 },
    });
  });
  afterAll(() => removeTestContainers(client, PREFIX));

  it('--json prints a schema-valid document with findings, scores and grades', async () => {
    const { code, stdout } = await cli(['scan', '--json']);
    expect(code).toBe(EXIT.ok);
    const printed: unknown = JSON.parse(stdout);
    const doc = Snapshot.parse(printed);
    // The CLI does not re-validate what it prints: the document must already be the schema's, field for field.
    expect(doc).toEqual(printed);
    const byName = new Map(doc.containers.map((c) => [c.name, c]));
    expect(byName.get(risky.name)!.grade).toBe('F');
    expect(byName.get(risky.name)!.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining([expect.stringMatching(/pid/), expect.stringMatching(/sys-admin/)]));
    expect(byName.get(hardened.name)!.score!).toBeGreaterThan(byName.get(risky.name)!.score! + 30);
    expect(doc.host.grade).not.toBeNull();
  });

  it('the default table names every container, worst first', async () => {
    const { code, stdout } = await cli(['scan']);
    expect(code).toBe(EXIT.ok);
    expect(stdout.indexOf(risky.name)).toBeGreaterThan(-1);
    expect(stdout.indexOf(risky.name)).toBeLessThan(stdout.indexOf(hardened.name));
  });

  it('--container filters by name and id prefix; an unknown one is an error', async () => {
    const byName = Snapshot.parse(JSON.parse((await cli(['scan', '--json', '--container', hardened.name])).stdout));
    expect(byName.containers.map((c) => c.name)).toEqual([hardened.name]);
    const byId = Snapshot.parse(JSON.parse((await cli(['scan', '--json', '-c', risky.id.slice(0, 12)])).stdout));
    expect(byId.containers.map((c) => c.name)).toEqual([risky.name]);
    const missing = await cli(['scan', '--container', 'isolens-int-cli-no-such']);
    expect(missing.code).toBe(EXIT.error);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--container takes a name glob, and a near miss names what is running', async () => {
    const both = Snapshot.parse(JSON.parse((await cli(['scan', '--json', '--container', `${PREFIX}*`])).stdout));
    expect(both.containers.map((c) => c.name).sort()).toEqual([hardened.name, risky.name].sort());
    const near = await cli(['scan', '--container', 'isolens-int-cli']);
    expect(near.code).toBe(EXIT.error);
    expect(near.stderr).toContain(hardened.name);
    expect(near.stderr).toContain("--container '*isolens-int-cli*'");
    // fix and diff need exactly one container: a glob that selects two is a bad argument.
    const ambiguous = await cli(['fix', `${PREFIX}*`]);
    expect(ambiguous.code).toBe(EXIT.usage);
    expect(ambiguous.stderr).toMatch(/selects 2 containers/);
  });

  it('serve on a port in use exits 1 with one line, and does not keep running', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      // The built CLI in its own process: it must exit by itself (a live engine session left open would keep it alive).
      const child = spawn(process.execPath, ['bin/isolens.js', 'serve', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
      clearTimeout(timer);
      expect(code).toBe(EXIT.error);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      blocker.close();
    }
  });

  it('--fail-on gives a distinct exit code when a finding at or above it exists', async () => {
    expect((await cli(['scan', '-c', risky.name, '--fail-on', 'critical', '-f', 'markdown'])).code).toBe(EXIT.findings);
    const hardenedOnly = await cli(['scan', '-c', hardened.name, '--fail-on', 'critical', '--json']);
    expect(hardenedOnly.code).toBe(EXIT.ok);
  });

  it('--ignore and an ignore file accept risks; unknown rule ids are refused', async () => {
    const before = Snapshot.parse(JSON.parse((await cli(['scan', '--json', '-c', risky.name])).stdout)).containers[0]!;
    const pidRule = before.findings.find((f) => /pid/.test(f.ruleId))!.ruleId;
    const ignored = Snapshot.parse(JSON.parse((await cli(['scan', '--json', '-c', risky.name, '--ignore', pidRule])).stdout)).containers[0]!;
    expect(ignored.findings.map((f) => f.ruleId)).not.toContain(pidRule);
    expect(ignored.score!).toBeGreaterThanOrEqual(before.score!);
    const file = join(mkdtempSync(join(tmpdir(), 'isolens-ignore-')), '.isolensignore');
    writeFileSync(file, `# accepted for the demo\n${pidRule} isolens-int-cli-*\n`);
    const fromFile = Snapshot.parse(JSON.parse((await cli(['scan', '--json', '-c', risky.name, '--ignore-file', file])).stdout)).containers[0]!;
    expect(fromFile.findings.map((f) => f.ruleId)).not.toContain(pidRule);
    expect((await cli(['scan', '--ignore', 'no-such/rule'])).code).toBe(EXIT.usage);
  });

  it('an unreachable engine exits 1 with a one-line cause', async () => {
    const { code, stderr, stdout } = await cli(['scan', '--host', 'unix:///tmp/isolens-no-engine-here.sock']);
    expect(code).toBe(EXIT.error);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/isolens-no-engine-here\.sock/);
  });

  it('a reader that closes the pipe early (| head) ends the scan quietly with its exit code', async () => {
    for (const args of [['scan', '--json'], ['scan', '--fail-on', 'low'], ['--help']]) {
      const child = spawn(process.execPath, ['bin/isolens.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      // The read end closes before the CLI has written anything, so its first write fails with EPIPE.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
      expect(stderr, args.join(' ')).toBe('');
      // --fail-on low: the risky container's findings still set the exit code the reader's shell sees.
      expect(code, args.join(' ')).toBe(args.includes('--fail-on') ? EXIT.findings : EXIT.ok);
    }
  });

  it('a full disk under the output is one line on stderr and exit 1', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const result = spawnSync(process.execPath, ['bin/isolens.js', 'scan', '--json'], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
      expect(result.stderr).toBe('isolens: cannot write to standard output (ENOSPC: no space left on device, write)\n');
      expect(result.status).toBe(EXIT.error);
    } finally {
      closeSync(full);
    }
  });

  it('the bin runs the built CLI (npm test builds before the integration tests)', () => {
    const result = spawnSync(process.execPath, ['bin/isolens.js', 'scan', '--json', '-c', hardened.name], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(Snapshot.parse(JSON.parse(result.stdout)).containers[0]!.name).toBe(hardened.name);
  });
});
