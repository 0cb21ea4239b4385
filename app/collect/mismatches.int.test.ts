// Declared versus effective on a real engine: each difference is made for real (inside the container after start, or
// in cgroupfs from the host), and the collector records it with both values and a consistency finding.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerIsolation, EngineInfo, Mismatch, Snapshot } from '../model/schema.js';
import { defaultCapabilities } from '../model/capabilities.js';
import { openEngine } from '../engine/open.js';
import type { ContainerEngine } from '../engine/engine.js';
import { assessSnapshot } from '../assess.js';
import { collectSnapshot } from './scan.js';
import { removeTestContainers, startContainer, testClient, type StartedContainer } from '../../e2e/harness/engine.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-mismatch-';
const client = testClient();
const work = mkdtempSync(join(tmpdir(), 'isolens-int-mismatch-'));
const dataDir = join(work, 'data');

/** What runs everything: every capability the VM allows (--privileged cannot start here). */
const capabilityRich = { CapAdd: ['ALL'], CapDrop: ['SYS_RESOURCE'] };

/**
 * A 10-line static program that installs a seccomp filter allowing every call, then execs its arguments: a process
 * that loads its own filter after start (as Chromium, sshd or systemd services do). Built with the host's C compiler.
 */
const SECCOMP_ALLOW_C = `#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <unistd.h>
int main(int argc, char **argv) {
  struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
  struct sock_fprog prog = { .len = 1, .filter = allow };
  if (argc < 2 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) return 111;
  execv(argv[1], argv + 1);
  return 112;
}
`;
const seccompAllow = join(work, 'seccomp-allow');

/** Scenario → create options; the command makes the difference inside the container after the engine started it. */
const scenarios: Record<string, Parameters<typeof startContainer>[1]> = {
  // Controls: flags the engine applies as declared. None of them may show a mismatch.
  default: {},
  'control-non-root': { User: '1000:1000' },
  'control-cap-drop-all': { HostConfig: { CapDrop: ['ALL'] } },
  'control-limits': { HostConfig: { Memory: 64 * 1024 * 1024, NanoCpus: 500_000_000, PidsLimit: 50, CpuShares: 512 } },
  'control-read-only': { HostConfig: { ReadonlyRootfs: true, SecurityOpt: ['no-new-privileges'] } },
  'control-host-namespaces': { HostConfig: { NetworkMode: 'host', UTSMode: 'host', IpcMode: 'host', PidMode: 'host' } },
  // Configured root with the default capabilities; busybox nsenter switches to 65534:65534 before exec.
  'switched-user': { Cmd: ['nsenter', '-S', '65534', '-G', '65534', 'sleep', '3600'] },
  'set-no-new-privileges': { Cmd: ['setpriv', '--nnp', 'sleep', '3600'] },
  // Declared: the host's network, UTS and IPC namespaces; the process unshares all three before exec.
  unshared: {
    Cmd: ['unshare', '-n', '-u', '-i', 'sleep', '3600'],
    HostConfig: { ...capabilityRich, NetworkMode: 'host', UTSMode: 'host', IpcMode: 'host' },
  },
  'unshared-user': { Cmd: ['unshare', '-U', 'sleep', '3600'], HostConfig: capabilityRich },
  // Declared read-only root and a read-only bind; both remounted read-write from inside.
  remounted: {
    Cmd: ['sh', '-c', 'mount -o remount,rw / && mount -o remount,rw,bind /data && exec sleep 3600'],
    HostConfig: { ...capabilityRich, ReadonlyRootfs: true, Binds: [`${dataDir}:/data:ro`] },
  },
  // Limits written into cgroupfs from the host, behind the engine's back (one declared, one not).
  'cgroup-changed': { HostConfig: { Memory: 64 * 1024 * 1024, PidsLimit: 50 } },
  'cgroup-added': {},
  'own-seccomp-filter': {
    Cmd: ['/seccomp-allow', '/bin/sleep', '3600'],
    HostConfig: { CapAdd: ['SYS_ADMIN'], SecurityOpt: ['seccomp=unconfined'], Binds: [`${seccompAllow}:/seccomp-allow:ro`] },
  },
};

/** Why the seccomp scenario cannot run, or null. */
function compilerMissing(): string | null {
  try {
    writeFileSync(join(work, 'seccomp-allow.c'), SECCOMP_ALLOW_C);
    execFileSync('cc', ['-static', '-O2', '-o', seccompAllow, join(work, 'seccomp-allow.c')], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `no C compiler with a static libc (gcc, libc6-dev): ${(error as Error).message.split('\n')[0]}`;
  }
}

const started = new Map<string, StartedContainer>();
let engine: EngineInfo;
let adapter: ContainerEngine;
let snapshot: Snapshot;
let noCompiler: string | null = null;

function doc(scenario: string): ContainerIsolation {
  const container = snapshot.containers.find((c) => c.name === `${PREFIX}${scenario}`);
  if (!container) throw new Error(`scenario ${scenario} not in the scan`);
  return container;
}

const mismatchesOf = (scenario: string): Mismatch[] => doc(scenario).mismatches;
const sorted = (names: readonly string[]) => [...names].sort();

/** The cgroup v1 file of a controller for a container, or the v2 one. */
function cgroupFile(container: ContainerIsolation, controller: string, v1: string, v2: string): string {
  return engine.cgroupVersion === 1 ? `/sys/fs/cgroup/${controller}${container.cgroup.path}/${v1}` : `/sys/fs/cgroup${container.cgroup.path}/${v2}`;
}

describe.skipIf(noEngine)('declared versus effective, each difference made for real', () => {
  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    mkdirSync(dataDir, { recursive: true });
    noCompiler = compilerMissing();
    for (const [scenario, options] of Object.entries(scenarios)) {
      if (scenario === 'own-seccomp-filter' && noCompiler) continue;
      started.set(scenario, await startContainer(`${PREFIX}${scenario}`, options, client));
    }
    ({ engine, adapter } = await openEngine({}));
    const first = await collectSnapshot(adapter, engine);
    // Behind the engine's back: as root on the host, into the containers' own cgroups.
    const changed = first.containers.find((c) => c.name === `${PREFIX}cgroup-changed`)!;
    writeFileSync(cgroupFile(changed, 'memory', 'memory.limit_in_bytes', 'memory.max'), String(128 * 1024 * 1024));
    writeFileSync(cgroupFile(changed, 'pids', 'pids.max', 'pids.max'), '20');
    const added = first.containers.find((c) => c.name === `${PREFIX}cgroup-added`)!;
    writeFileSync(cgroupFile(added, 'pids', 'pids.max', 'pids.max'), '30');
    snapshot = assessSnapshot(await collectSnapshot(adapter, engine));
  });

  afterAll(async () => {
    await removeTestContainers(client, PREFIX);
    rmSync(work, { recursive: true, force: true });
  });

  it('every scenario runs (the difference was made), and the controls show no mismatch at all', () => {
    for (const scenario of started.keys()) expect(doc(scenario).state, scenario).toBe('running');
    for (const scenario of ['default', 'control-non-root', 'control-cap-drop-all', 'control-limits', 'control-read-only', 'control-host-namespaces']) {
      expect(mismatchesOf(scenario), scenario).toEqual([]);
      expect(doc(scenario).findings.filter((f) => f.family === 'consistency' && f.ruleId !== 'consistency/unverified-facts'), scenario).toEqual([]);
    }
  });

  it('a process that switched user after start: uid, gid, effective and permitted capabilities, with both values', () => {
    const defaults = sorted(defaultCapabilities('docker'));
    const list = mismatchesOf('switched-user');
    expect(list).toContainEqual({ fact: 'user.uidInContainer', kernel: 65534, config: 0 });
    expect(list).toContainEqual({ fact: 'user.gidInContainer', kernel: 65534, config: 0 });
    const effective = list.find((m) => m.fact === 'capabilities.effective')!;
    expect(effective.kernel).toEqual([]);
    expect(sorted(effective.config as string[])).toEqual(defaults);
    expect(list.find((m) => m.fact === 'capabilities.permitted')).toEqual({ ...effective, fact: 'capabilities.permitted' });
    // The bounding set is what the engine set: it does not change with the user.
    expect(list.map((m) => m.fact)).not.toContain('capabilities.bounding');
    const container = doc('switched-user');
    expect(container.user).toMatchObject({ uid: 65534, gid: 65534, uidInContainer: 65534, gidInContainer: 65534, configured: '' });
    const user = container.findings.find((f) => f.ruleId === 'consistency/user')!;
    expect(user.evidence).toEqual([
      { fact: 'user.uidInContainer', value: 65534, source: 'kernel' },
      { fact: 'user.uidInContainer', value: 0, source: 'config' },
      { fact: 'user.gidInContainer', value: 65534, source: 'kernel' },
      { fact: 'user.gidInContainer', value: 0, source: 'config' },
    ]);
    expect(container.findings.find((f) => f.ruleId === 'consistency/capabilities')!.evidence).toContainEqual({ fact: 'capabilities.effective', value: [], source: 'kernel' });
  });

  it('no-new-privileges set by the process itself', () => {
    expect(mismatchesOf('set-no-new-privileges')).toEqual([{ fact: 'noNewPrivileges', kernel: true, config: false }]);
    expect(doc('set-no-new-privileges').findings.map((f) => f.ruleId)).toContain('consistency/no-new-privileges');
  });

  it('each namespace the process left after start: network, UTS and IPC declared as the host\'s', () => {
    expect(mismatchesOf('unshared')).toEqual([
      { fact: 'namespaces.net.sharedWithHost', kernel: false, config: true },
      { fact: 'namespaces.ipc.sharedWithHost', kernel: false, config: true },
      { fact: 'namespaces.uts.sharedWithHost', kernel: false, config: true },
    ]);
    expect(doc('unshared').findings.find((f) => f.ruleId === 'consistency/namespaces')!.evidence).toHaveLength(6);
    // A user namespace of its own: the kernel's uid_map is no longer the host's identity map.
    const user = mismatchesOf('unshared-user');
    expect(user).toContainEqual({ fact: 'namespaces.user.sharedWithHost', kernel: false, config: true });
    expect(user).toContainEqual({ fact: 'user.userns', kernel: 'private', config: 'host' });
    expect(doc('unshared-user').findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['consistency/namespaces', 'consistency/user-namespace']));
  });

  it('the root and a bind mount declared read-only, remounted read-write', () => {
    expect(mismatchesOf('remounted')).toEqual([
      { fact: 'mounts[/data].readOnly', kernel: false, config: true },
      { fact: 'readOnlyRootfs', kernel: false, config: true },
    ]);
    expect(doc('remounted').readOnlyRootfs).toBe(false);
    expect(doc('remounted').findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['consistency/read-only-rootfs', 'consistency/mount-read-only']));
  });

  it('cgroup limits written in cgroupfs behind the engine\'s back: a declared limit changed, and a limit where none was declared', () => {
    expect(mismatchesOf('cgroup-changed')).toEqual([
      { fact: 'cgroup.memoryLimitBytes', kernel: 128 * 1024 * 1024, config: 64 * 1024 * 1024 },
      { fact: 'cgroup.pidsLimit', kernel: 20, config: 50 },
    ]);
    expect(mismatchesOf('cgroup-added')).toEqual([{ fact: 'cgroup.pidsLimit', kernel: 30, config: null }]);
    expect(doc('cgroup-added').cgroup.pidsLimit).toBe(30);
    expect(doc('cgroup-added').findings.find((f) => f.ruleId === 'consistency/cgroup-limits')!.evidence).toEqual([
      { fact: 'cgroup.pidsLimit', value: 30, source: 'kernel' },
      { fact: 'cgroup.pidsLimit', value: null, source: 'config' },
    ]);
  });

  it('seccomp mode: declared unconfined, the process loaded a filter of its own', (context) => {
    if (noCompiler) context.skip(noCompiler);
    expect(mismatchesOf('own-seccomp-filter')).toEqual([{ fact: 'seccomp.mode', kernel: 'filter', config: 'disabled' }]);
    expect(doc('own-seccomp-filter').seccomp).toMatchObject({ mode: 'filter', profile: 'custom', filters: 1 });
    expect(doc('own-seccomp-filter').findings.map((f) => f.ruleId)).toContain('consistency/seccomp');
  });
});
