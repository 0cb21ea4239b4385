// Isolens on a real Podman engine through its Docker-compatible API: kind, local kernel facts, Podman's default capabilities.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCapabilities } from '../model/capabilities.js';
import type { ContainerIsolation, EngineInfo } from '../model/schema.js';
import { openEngine } from './open.js';
import { collectSnapshot } from '../collect/scan.js';
import { assessSnapshot } from '../assess.js';
import { TEST_IMAGE } from '../../e2e/harness/engine.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const hasPodman = spawnSync('podman', ['--version']).status === 0;
const socket = `/tmp/isolens-int-podman-${process.pid}.sock`;
const NAME = 'isolens-int-podman-hardened';
// Podman's containers need explicit rlimits on this kind of VM (its defaults exceed the VM's hard limits).
const ULIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];

function podman(...args: string[]): string {
  return execFileSync('podman', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

// Skipped on a developer machine without Podman; in CI (.ci/run installs it) a missing podman is a failure, not a skip.
describe.skipIf(noEngine || (!hasPodman && !process.env.CI))('a real Podman engine', () => {
  let service: ChildProcess;
  let engine: EngineInfo;
  let container: ContainerIsolation;

  beforeAll(async () => {
    // The test image comes from the Docker engine (no registry here): docker save | podman load.
    const archive = `/tmp/isolens-int-podman-image-${process.pid}.tar`;
    execFileSync('docker', ['save', TEST_IMAGE, '-o', archive]);
    podman('load', '-i', archive);
    rmSync(archive, { force: true });
    podman('rm', '-f', '--ignore', NAME);
    podman('run', '-d', '--name', NAME, '--label', 'io.isolens.owner=test', ...ULIMITS, '--cap-drop', 'ALL', '--pids-limit', '40', '--read-only',
      '--security-opt', 'no-new-privileges', `localhost/${TEST_IMAGE}`, 'sleep', '600');
    service = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 100));
    const opened = await openEngine({ host: `unix://${socket}` });
    engine = opened.engine;
    const snapshot = assessSnapshot(await collectSnapshot(opened.adapter, engine, { container: NAME }));
    container = snapshot.containers[0]!;
  }, 120_000);

  afterAll(() => {
    spawnSync('podman', ['rm', '-f', '--ignore', NAME]);
    service?.kill('SIGTERM');
    rmSync(socket, { force: true });
  });

  it('is described as Podman, local, with its API version', () => {
    expect(engine.kind).toBe('podman');
    expect(engine.local).toBe(true);
    expect(engine.apiVersion).toMatch(/^1\.\d+$/);
    expect(engine.endpointSource).toBe('--host');
  });

  it('reads the container from the kernel, with no gaps', () => {
    expect(container.name).toBe(NAME);
    expect(container.gaps).toEqual([]);
    expect(container.sources.capabilities).toBe('kernel');
    expect(container.namespaces.pid).toMatchObject({ source: 'kernel', sharedWithHost: false });
    expect(container.cgroup.path).toContain(container.id);
    expect(container.cgroup.pidsLimit).toBe(40);
    expect(container.readOnlyRootfs).toBe(true);
    expect(container.noNewPrivileges).toBe(true);
  });

  it('judges capabilities against Podman\'s default set, not Docker\'s', () => {
    expect(container.capabilities!.effective).toEqual([]);
    expect([...container.capabilities!.droppedVsDefault].sort()).toEqual([...defaultCapabilities('podman')].sort());
    expect(container.capabilities!.droppedVsDefault).not.toContain('CAP_NET_RAW'); // in Docker's set, not Podman's
  });
});
