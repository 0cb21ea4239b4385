// A desktop user who is not root cannot read /proc/PID/ns of root's containers: the scan degrades to config, says so, never crashes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE_KINDS, type ContainerIsolation } from '../model/schema.js';
import { openEngine } from '../engine/open.js';
import { removeTestContainers, startContainer, testClient, type StartedContainer } from '../../e2e/harness/engine.js';

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
