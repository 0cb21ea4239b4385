import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInspect } from '../engine/containers.js';
import { engineInfoFrom } from '../engine/connect.js';
import type { ContainerIsolation, EngineInfo } from '../model/schema.js';
import { localSource } from '../kernel/source.js';
import { parseStatus } from '../kernel/status.js';
import { fixturePath, fixtureText, procRootWith } from '../kernel/fixtures/load.js';
import { evaluateContainer } from '../rules/catalogue.js';
import { collectContainer } from './scan.js';
import { runtimeFromConfig } from './config.js';

const SCENARIO = 'container-runsc-memory-256m';
const engineJson = (name: string) => JSON.parse(readFileSync(new URL(`../engine/fixtures/${name}`, import.meta.url), 'utf8'));

/** The captured engine (docker-version.json, docker-info.json) with the Runtimes its runsc-enabled restart reported. */
function engineWithRuntimes(runtimes: unknown = engineJson('docker-info-runtimes-runsc.json')): EngineInfo {
  const info = { ...engineJson('docker-info.json'), Runtimes: runtimes };
  return engineInfoFrom(
    engineJson('docker-version.json'),
    info,
    { endpoint: 'unix:///var/run/docker.sock', source: 'default socket', tls: null, contextName: null } as never,
    { iccOnDefaultBridge: true, host: { platform: 'linux', kernelRelease: info.KernelVersion } },
  );
}

const capturedInspect = () => parseInspect(engineJson('docker-inspect-runsc-memory-256m-busybox.json')[0]);

/** Collect the captured gVisor container from its captured /proc/PID and cgroupfs files. */
async function collectCaptured(inspect = capturedInspect(), engine = engineWithRuntimes()): Promise<ContainerIsolation> {
  const procRoot = procRootWith(inspect.State.Pid, SCENARIO);
  const source = localSource({ procRoot, cgroupRoot: fixturePath(SCENARIO, 'cgroupfs'), sysRoot: mkdtempSync(join(tmpdir(), 'kern-sys-')) });
  const doc = await collectContainer(inspect, engine, { source });
  return { ...doc, findings: evaluateContainer(doc, { engine }) };
}

describe('a gVisor container, from files captured on a real runsc container (app/kernel/fixtures/container-runsc-memory-256m)', () => {
  it('the trap is real: gVisor\'s own /proc inside says Seccomp 0, the host shows the sandbox process under a filter', () => {
    expect(parseStatus(fixtureText(SCENARIO, 'inside', 'status')).seccompMode).toBe('disabled');
    expect(parseStatus(fixtureText(SCENARIO, 'status')).seccompMode).toBe('filter');
    expect(fixtureText(SCENARIO, 'cmdline').split('\0')[0]).toBe('runsc-sandbox');
  });

  it('reports the runtime as gVisor with the sandbox process the host kernel confines', async () => {
    const doc = await collectCaptured();
    expect(doc.runtime).toMatchObject({ name: 'runsc', path: '/usr/bin/runsc', arguments: ['--network=none'], kind: 'gvisor', isolation: 'user-space-kernel' });
    expect(doc.runtime!.sandbox).toEqual({
      pid: capturedInspect().State.Pid,
      command: 'runsc-sandbox',
      uid: 65534,
      userns: 'private',
      capabilitiesEffective: ['CAP_SYS_CHROOT', 'CAP_SYS_ADMIN'],
      seccompMode: 'filter',
      noNewPrivileges: true,
    });
    expect(doc.runtime!.evidence).toContainEqual({ fact: 'runtime.sandbox.command', value: 'runsc-sandbox', source: 'kernel' });
  });

  it('seccomp is the sandbox\'s filter read from the kernel, never "disabled"; the cgroup limit is the kernel\'s', async () => {
    const doc = await collectCaptured();
    expect(doc.seccomp).toEqual({ mode: 'filter', profile: 'sandbox', filters: 1 });
    expect(doc.sources.seccomp).toBe('kernel');
    expect(doc.cgroup.memoryLimitBytes).toBe(256 * 1024 * 1024);
    expect(doc.sources.cgroup).toBe('kernel');
  });

  it('the sandbox process\'s facts do not become the workload\'s: no mismatches, configuration with a gap that says why', async () => {
    const doc = await collectCaptured();
    expect(doc.mismatches).toEqual([]);
    expect(doc.user.uid).toBe(0);
    expect(doc.namespaces.pid.sharedWithHost).toBe(false);
    expect(doc.sources.capabilities).toBe('config');
    // runsc removes CAP_NET_RAW without --net-raw: gVisor's own /proc inside shows the same set (CapEff a80405fb).
    expect(doc.capabilities!.bounding).not.toContain('CAP_NET_RAW');
    expect(parseStatus(fixtureText(SCENARIO, 'inside', 'status')).capBounding).toBe(0xa80405fbn);
    expect(doc.gaps.map((gap) => gap.fact).sort()).toEqual(['capabilities', 'lsm', 'mounts', 'namespaces', 'noNewPrivileges', 'user', 'user.userns']);
    expect(doc.gaps[0]!.reason).toMatch(/gVisor's user-space kernel.*runsc-sandbox.*runtime\.sandbox/);
  });

  it('no false finding from the sandbox process: no host PID, no SYS_ADMIN, no seccomp off, no root in the host user namespace', async () => {
    const ids = (await collectCaptured()).findings.map((f) => f.ruleId);
    for (const id of ['namespaces/host-pid', 'capabilities/sys-admin', 'capabilities/beyond-default', 'seccomp-lsm/seccomp-disabled', 'namespaces/root-in-host-userns', 'capabilities/net-raw']) {
      expect(ids).not.toContain(id);
    }
    expect(ids).not.toContain('resources/memory-unlimited');
    expect(ids).toContain('resources/pids-unlimited');
  });

  it('host-kernel operations are blocked by the runtime layer', async () => {
    const doc = await collectCaptured();
    const op = (id: string) => doc.operations!.find((o) => o.id === id)!;
    expect(op('load-kernel-module').verdict).toBe('blocked');
    expect(op('set-time').because[0]).toMatchObject({ layer: 'runtime' });
    expect(op('see-host-processes').verdict).toBe('blocked');
    expect(op('exhaust-host-memory').verdict).toBe('blocked');
  });

  it('a runtime registered under a name Isolens does not know is recognised by its sandbox process (kernel marker)', async () => {
    const inspect = capturedInspect();
    inspect.HostConfig.Runtime = 'sandboxed';
    const doc = await collectCaptured(inspect, engineWithRuntimes({ runc: { path: 'runc' } }));
    expect(doc.runtime).toMatchObject({ name: 'sandboxed', path: null, kind: 'gvisor', isolation: 'user-space-kernel' });
    expect(doc.seccomp.profile).toBe('sandbox');
  });

  it('with --net-raw among runsc\'s arguments the workload keeps CAP_NET_RAW', async () => {
    const doc = await collectCaptured(capturedInspect(), engineWithRuntimes({ runsc: { path: '/usr/bin/runsc', runtimeArgs: ['--network=none', '--net-raw'] } }));
    expect(doc.capabilities!.bounding).toContain('CAP_NET_RAW');
  });
});

describe('Kata and Sysbox, from the engine\'s runtime name (constructed from the captured runsc inspect document)', () => {
  const constructed = (runtime: string) => {
    const inspect = capturedInspect();
    inspect.HostConfig.Runtime = runtime;
    return inspect;
  };

  it('kata-runtime and io.containerd.kata.v2 are a virtual machine; sysbox-runc is the host kernel', () => {
    const engine = engineWithRuntimes({ 'kata-runtime': { path: '/usr/bin/kata-runtime' }, 'sysbox-runc': { path: '/usr/bin/sysbox-runc' } });
    expect(runtimeFromConfig(constructed('kata-runtime'), engine)).toMatchObject({ kind: 'kata', isolation: 'virtual-machine', path: '/usr/bin/kata-runtime' });
    expect(runtimeFromConfig(constructed('io.containerd.kata.v2'), engine)).toMatchObject({ kind: 'kata', isolation: 'virtual-machine', path: null });
    expect(runtimeFromConfig(constructed('sysbox-runc'), engine)).toMatchObject({ kind: 'sysbox', isolation: 'shared-kernel' });
  });

  it('Podman\'s "oci" runtime is the engine\'s default runtime', () => {
    const inspect = constructed('oci');
    expect(runtimeFromConfig(inspect, { ...engineWithRuntimes(), defaultRuntime: 'crun' })).toMatchObject({ name: 'crun', kind: 'crun', isolation: 'shared-kernel' });
  });
});
