// Every container rule on real containers: one started with the flag that triggers it and one that does not; the rest on captured or derived documents.
import { mkdirSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerIsolation, EngineInfo, Evidence, Finding, Snapshot } from '../model/schema.js';
import { openEngine } from '../engine/open.js';
import type { ContainerEngine } from '../engine/engine.js';
import { parseInspect } from '../engine/containers.js';
import { collectContainer, collectSnapshot } from '../collect/scan.js';
import { describeFromConfig } from '../collect/config.js';
import { overlayKernel } from '../collect/kernel.js';
import { readKernelFacts } from '../kernel/facts.js';
import { readReaderReference } from '../kernel/host-reference.js';
import { LOCAL_HOST_SOURCE, localSource } from '../kernel/source.js';
import { capturedDockerEngine } from '../collect/fixtures/engine.js';
import { assessSnapshot } from '../assess.js';
import { CONTAINER_RULES, evaluateContainer } from './catalogue.js';
import { scoreFindings } from './score.js';
import { execIn, makeSharedMount, removeSharedMount, removeTestContainers, startContainer, testClient, type StartedContainer } from '../../e2e/harness/engine.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-rules-';
const client = testClient();
const DATA_DIR = '/tmp/isolens-int-rules-data';
const SHARED_DIR = '/tmp/isolens-int-rules-shared';
const CGROUP_PARENT = 'isolens-int-rules';
const MiB = 1024 * 1024;

const CUSTOM_SECCOMP = JSON.stringify({
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [{ names: ['chmod', 'fchmod', 'fchmodat'], action: 'SCMP_ACT_ERRNO' }],
});

/**
 * One container per distinct flag set; each triggers several rules and is the near miss for others.
 * Names are what the flags do.
 */
const scenarios = {
  /** `docker run` with no flags. */
  default: {},
  /** Every hardening flag at once, plus a custom seccomp profile and a loopback-only port. */
  hardened: {
    User: '1000:1000',
    ExposedPorts: { '80/tcp': {} },
    Healthcheck: { Test: ['CMD', 'true'], Interval: 30_000_000_000 },
    HostConfig: {
      CapDrop: ['ALL'],
      CapAdd: ['NET_BIND_SERVICE'],
      SecurityOpt: ['no-new-privileges', `seccomp=${CUSTOM_SECCOMP}`],
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,size=16m' },
      Memory: 64 * MiB,
      NanoCpus: 500_000_000,
      PidsLimit: 50,
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
      PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '18190' }] },
    },
  },
  /** The closest to --privileged this machine starts, plus a host device, a device cgroup rule and sensitive host mounts. */
  'cap-add-all-devices-mounts': {
    HostConfig: {
      CapAdd: ['ALL'],
      CapDrop: ['SYS_RESOURCE'],
      SecurityOpt: ['seccomp=unconfined'],
      Devices: [{ PathOnHost: '/dev/zero', PathInContainer: '/dev/isolens-zero', CgroupPermissions: 'rwm' }],
      DeviceCgroupRules: ['c 1:5 rwm'],
      Binds: ['/etc:/host-etc:ro', '/usr/share:/host-share'],
    },
  },
  /** Each dangerous capability added by name (fewer than ALL, so each is its own finding), a host device and a read-only /etc. */
  'cap-add-each': {
    HostConfig: {
      CapAdd: ['SYS_ADMIN', 'SYS_MODULE', 'SYS_RAWIO', 'DAC_READ_SEARCH', 'SYS_PTRACE', 'NET_ADMIN', 'SYS_BOOT', 'MAC_ADMIN', 'MAC_OVERRIDE', 'SYS_TIME', 'SYSLOG', 'AUDIT_CONTROL', 'LINUX_IMMUTABLE'],
      Devices: [{ PathOnHost: '/dev/zero', PathInContainer: '/dev/isolens-zero', CgroupPermissions: 'rwm' }],
      Binds: ['/etc:/host-etc:ro'],
    },
  },
  /** Every host namespace the engine lets a container share, CAP_SYS_PTRACE with them, an sshd in the command line, restart always. */
  'host-namespaces': {
    // "; : sshd" keeps sh as the main process with sshd in its command line.
    Cmd: ['sh', '-c', 'sleep 3600; : sshd'],
    HostConfig: { PidMode: 'host', NetworkMode: 'host', IpcMode: 'host', UTSMode: 'host', UsernsMode: 'host', CapAdd: ['SYS_PTRACE'], RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } },
  },
  /** Joins host-namespaces' network namespace, which is the host's: the configuration says container:…, the kernel says host. */
  'joined-host-net': { HostConfig: { NetworkMode: `container:${PREFIX}host-namespaces` } },
  /** Engine socket, the host's (empty here) /boot read-write, a port on every interface below 1024, shared propagation and a custom cgroup parent. */
  exposed: {
    ExposedPorts: { '80/tcp': {} },
    HostConfig: {
      Binds: ['/var/run/docker.sock:/var/run/docker.sock', '/boot:/host-boot'],
      PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '81' }] },
      Mounts: [{ Type: 'bind', Source: SHARED_DIR, Target: '/shared', BindOptions: { Propagation: 'rshared' } }],
      CgroupParent: CGROUP_PARENT,
    },
  },
  /**
   * The main process changes what the engine set up: no-new-privileges on (setpriv --nnp), and its own UTS and user
   * namespaces (unshare -u -U) although the configuration says --uts host and the host's user namespace.
   */
  unshared: {
    Cmd: ['setpriv', '--nnp', 'unshare', '-u', '-U', 'sleep', '3600'],
    HostConfig: { UTSMode: 'host', CapAdd: ['SYS_ADMIN'] },
  },
  /** Configured as root with the default capabilities; the process switches to 65534:65534 before exec (busybox nsenter). */
  'switched-user': { Cmd: ['nsenter', '-S', '65534', '-G', '65534', 'sleep', '3600'] },
  /** With CAP_SYS_ADMIN the container remounts /sys read-write, its read-only /data read-write and / read-only (done in beforeAll). */
  remounted: { HostConfig: { CapAdd: ['SYS_ADMIN'], Binds: [`${DATA_DIR}:/data:ro`] } },
  /** --memory 64m, then the host writes 128 MiB into the container's memory.limit_in_bytes (done in beforeAll). */
  'limits-rewritten': { HostConfig: { Memory: 64 * MiB, CpuShares: 512 } },
} satisfies Record<string, Parameters<typeof startContainer>[1]>;

/** Live scenarios plus `vanished`: a container inspected, then removed before its kernel facts were read. */
type Scenario = keyof typeof scenarios | 'vanished';

interface ExpectedEvidence {
  fact: string;
  source: 'kernel' | 'config';
  value?: unknown;
}

interface LiveCase {
  /** Scenarios where the rule must fire. */
  fires: readonly Scenario[];
  /** Scenarios where it must not: the plain default, or a near miss. */
  quiet: readonly Scenario[];
  /** Evidence the finding must cite in the first "fires" scenario. */
  evidence: ExpectedEvidence;
}

const bounding = (name: string): LiveCase => ({
  fires: ['cap-add-each'],
  quiet: ['default', 'hardened'],
  evidence: { fact: 'capabilities.bounding', source: 'kernel', value: `CAP_${name}` },
});

/** Rule id → the real containers that trigger it and the ones that must not. */
const LIVE: Record<string, LiveCase> = {
  'runtime/new-privileges-allowed': {
    fires: ['default'],
    // unshared: the configuration has no no-new-privileges, but the kernel shows the flag set by setpriv.
    quiet: ['hardened', 'unshared'],
    evidence: { fact: 'noNewPrivileges', source: 'kernel', value: false },
  },
  'runtime/sshd': { fires: ['host-namespaces'], quiet: ['default'], evidence: { fact: 'command', source: 'config', value: 'sleep 3600; : sshd' } },
  'runtime/host-devices': {
    fires: ['cap-add-all-devices-mounts'],
    quiet: ['default'],
    evidence: { fact: 'devices[/dev/isolens-zero]', source: 'config', value: '/dev/zero (rwm)' },
  },
  'runtime/device-cgroup-rules': {
    fires: ['cap-add-all-devices-mounts'],
    quiet: ['default'],
    evidence: { fact: 'deviceCgroupRules', source: 'config', value: 'c 1:5 rwm' },
  },
  'runtime/no-healthcheck': { fires: ['default'], quiet: ['hardened'], evidence: { fact: 'healthcheck', source: 'config', value: null } },
  'runtime/restart-policy': {
    fires: ['host-namespaces'],
    quiet: ['default', 'hardened'],
    evidence: { fact: 'restartPolicy.name', source: 'config', value: 'always' },
  },

  // --cap-add ALL is one finding; what it implies is its evidence (asserted below).
  'capabilities/all': {
    fires: ['cap-add-all-devices-mounts'],
    // unshared: its own user namespace shows a full bounding set, over that namespace only.
    quiet: ['default', 'cap-add-each', 'unshared'],
    evidence: { fact: 'capabilities.bounding', source: 'kernel', value: '37 of the 41 capabilities the kernel knows' },
  },
  'capabilities/beyond-default': {
    fires: ['cap-add-each'],
    // cap-add-all-devices-mounts: rolled up into capabilities/all.
    quiet: ['default', 'hardened', 'cap-add-all-devices-mounts'],
    evidence: { fact: 'capabilities.addedVsDefault', source: 'kernel' },
  },
  // unshared: its process holds CAP_SYS_ADMIN over the user namespace it made, not the host's (sys-admin-user-namespace).
  'capabilities/sys-admin': { ...bounding('SYS_ADMIN'), fires: ['cap-add-each', 'remounted'], quiet: ['default', 'hardened', 'unshared'] },
  'capabilities/sys-admin-user-namespace': {
    fires: ['unshared'],
    quiet: ['default', 'cap-add-each', 'remounted'],
    evidence: { fact: 'user.userns', source: 'kernel', value: 'private' },
  },
  'capabilities/sys-module': bounding('SYS_MODULE'),
  'capabilities/sys-rawio': bounding('SYS_RAWIO'),
  'capabilities/dac-read-search': bounding('DAC_READ_SEARCH'),
  'capabilities/sys-ptrace': { ...bounding('SYS_PTRACE'), quiet: ['default', 'hardened', 'host-namespaces'] },
  'capabilities/sys-ptrace-host-pid': {
    fires: ['host-namespaces'],
    quiet: ['default', 'cap-add-each'],
    evidence: { fact: 'capabilities.bounding', source: 'kernel', value: 'CAP_SYS_PTRACE' },
  },
  'capabilities/net-admin': bounding('NET_ADMIN'),
  'capabilities/sys-boot': bounding('SYS_BOOT'),
  'capabilities/mac-admin': bounding('MAC_ADMIN'),
  'capabilities/mac-override': bounding('MAC_OVERRIDE'),
  'capabilities/sys-time': bounding('SYS_TIME'),
  'capabilities/syslog': bounding('SYSLOG'),
  'capabilities/audit-control': bounding('AUDIT_CONTROL'),
  'capabilities/linux-immutable': bounding('LINUX_IMMUTABLE'),
  // Default-set capabilities: default holds them too, without the device or mount that makes them matter.
  'capabilities/mknod': { ...bounding('MKNOD'), quiet: ['default'] },
  'capabilities/dac-override': { ...bounding('DAC_OVERRIDE'), quiet: ['default'] },
  'capabilities/net-raw': { fires: ['default'], quiet: ['hardened'], evidence: { fact: 'capabilities.bounding', source: 'kernel', value: 'CAP_NET_RAW' } },

  'namespaces/host-pid': { fires: ['host-namespaces'], quiet: ['default'], evidence: { fact: 'namespaces.pid.sharedWithHost', source: 'kernel', value: true } },
  'namespaces/host-net': {
    fires: ['host-namespaces', 'joined-host-net'],
    quiet: ['default'],
    evidence: { fact: 'namespaces.net.sharedWithHost', source: 'kernel', value: true },
  },
  'namespaces/host-ipc': { fires: ['host-namespaces'], quiet: ['default'], evidence: { fact: 'namespaces.ipc.sharedWithHost', source: 'kernel', value: true } },
  'namespaces/host-uts': {
    fires: ['host-namespaces'],
    // unshared asked for --uts host, but its process left for a namespace of its own: the kernel wins.
    quiet: ['default', 'unshared'],
    evidence: { fact: 'namespaces.uts.sharedWithHost', source: 'kernel', value: true },
  },
  'namespaces/host-user': {
    fires: ['host-namespaces'],
    // default shares the host's user namespace too (no userns-remap), but did not opt out with --userns host.
    quiet: ['default'],
    evidence: { fact: 'namespaces.user.sharedWithHost', source: 'kernel', value: true },
  },
  'namespaces/root-in-host-userns': {
    fires: ['default'],
    quiet: ['hardened', 'unshared'],
    evidence: { fact: 'user.uid', source: 'kernel', value: 0 },
  },

  'seccomp-lsm/seccomp-disabled': {
    fires: ['cap-add-all-devices-mounts'],
    quiet: ['default', 'hardened'],
    evidence: { fact: 'seccomp.mode', source: 'kernel', value: 'disabled' },
  },
  'seccomp-lsm/seccomp-weaker-than-default': {
    fires: ['hardened'],
    quiet: ['default', 'cap-add-all-devices-mounts'],
    evidence: { fact: 'operations', source: 'kernel', value: ['unshare-user'] },
  },
  'seccomp-lsm/seccomp-custom': {
    fires: ['hardened'],
    quiet: ['default', 'cap-add-all-devices-mounts'],
    evidence: { fact: 'seccomp.mode', source: 'kernel', value: 'filter' },
  },

  'mounts/engine-socket': {
    fires: ['exposed'],
    quiet: ['default'],
    evidence: { fact: 'mounts[/var/run/docker.sock].source', source: 'kernel', value: '/var/run/docker.sock' },
  },
  'mounts/host-root-read-write': {
    fires: ['exposed'],
    quiet: ['default', 'cap-add-all-devices-mounts'],
    evidence: { fact: 'mounts[/host-boot].readOnly', source: 'kernel', value: false },
  },
  'mounts/sensitive-read-write': {
    fires: ['cap-add-all-devices-mounts'],
    quiet: ['default'],
    evidence: { fact: 'mounts[/host-share].readOnly', source: 'kernel', value: false },
  },
  'mounts/sensitive-read-only': {
    fires: ['cap-add-all-devices-mounts'],
    quiet: ['default'],
    evidence: { fact: 'mounts[/host-etc].readOnly', source: 'kernel', value: true },
  },
  'mounts/writable-kernel-filesystem': {
    fires: ['remounted'],
    quiet: ['default', 'cap-add-all-devices-mounts'],
    evidence: { fact: 'mounts[/sys].readOnly', source: 'kernel', value: false },
  },
  'mounts/shared-propagation': {
    fires: ['exposed'],
    quiet: ['default'],
    evidence: { fact: 'mounts[/shared].propagation', source: 'kernel', value: 'shared' },
  },
  'mounts/writable-root-filesystem': {
    fires: ['default'],
    // remounted: writable in the configuration, remounted read-only inside; the kernel wins.
    quiet: ['hardened', 'remounted'],
    evidence: { fact: 'readOnlyRootfs', source: 'kernel', value: false },
  },

  'resources/memory-unlimited': { fires: ['default'], quiet: ['hardened'], evidence: { fact: 'cgroup.memoryLimitBytes', source: 'kernel', value: null } },
  'resources/cpu-unlimited': { fires: ['default'], quiet: ['hardened', 'limits-rewritten'], evidence: { fact: 'cgroup.cpuShares', source: 'kernel', value: 1024 } },
  'resources/cpu-weight-only': { fires: ['limits-rewritten'], quiet: ['default', 'hardened'], evidence: { fact: 'cgroup.cpuShares', source: 'kernel', value: 512 } },
  'resources/pids-unlimited': { fires: ['default'], quiet: ['hardened'], evidence: { fact: 'cgroup.pidsLimit', source: 'kernel', value: null } },
  'resources/custom-cgroup': { fires: ['exposed'], quiet: ['default'], evidence: { fact: 'cgroup.path', source: 'kernel' } },

  'network/all-interfaces': { fires: ['exposed'], quiet: ['default', 'hardened'], evidence: { fact: 'ports[0.0.0.0:81/tcp]', source: 'config' } },
  'network/privileged-host-port': { fires: ['exposed'], quiet: ['default', 'hardened'], evidence: { fact: 'ports[0.0.0.0:81/tcp]', source: 'config' } },

  'consistency/cgroup-limits': {
    fires: ['limits-rewritten'],
    quiet: ['default', 'hardened'],
    evidence: { fact: 'cgroup.memoryLimitBytes', source: 'kernel', value: 128 * MiB },
  },
  'consistency/mount-read-only': {
    fires: ['remounted'],
    quiet: ['default', 'cap-add-all-devices-mounts'],
    evidence: { fact: 'mounts[/data].readOnly', source: 'kernel', value: false },
  },
  'consistency/read-only-rootfs': { fires: ['remounted'], quiet: ['default', 'hardened'], evidence: { fact: 'readOnlyRootfs', source: 'kernel', value: true } },
  'consistency/namespaces': {
    fires: ['unshared'],
    quiet: ['default', 'host-namespaces', 'joined-host-net'],
    evidence: { fact: 'namespaces.uts.sharedWithHost', source: 'kernel', value: false },
  },
  'consistency/no-new-privileges': { fires: ['unshared'], quiet: ['default', 'hardened'], evidence: { fact: 'noNewPrivileges', source: 'kernel', value: true } },
  'consistency/user-namespace': { fires: ['unshared'], quiet: ['default', 'host-namespaces'], evidence: { fact: 'user.userns', source: 'kernel', value: 'private' } },
  'consistency/user': {
    fires: ['switched-user'],
    quiet: ['default', 'hardened', 'unshared'],
    evidence: { fact: 'user.uidInContainer', source: 'kernel', value: 65534 },
  },
  'consistency/capabilities': {
    // unshared: its own user namespace leaves no effective capability after exec (uid 0 is not mapped there).
    fires: ['switched-user', 'unshared'],
    quiet: ['default', 'hardened', 'cap-add-all-devices-mounts'],
    evidence: { fact: 'capabilities.effective', source: 'kernel', value: [] },
  },
  'consistency/unverified-facts': { fires: ['vanished'], quiet: ['default'], evidence: { fact: 'capabilities', source: 'config' } },
};

/** Rules this machine cannot trigger on a real container, and why; each is asserted below on a captured or derived document. */
const COVERED_BY_FIXTURE: Record<string, string> = {
  'runtime/privileged': '--privileged cannot start here (CAP_SYS_RESOURCE is outside the VM\'s bounding set): asserted on app/collect/fixtures/privileged',
  'capabilities/bpf': 'dockerd 20.10 rejects --cap-add BPF ("unknown capability") and leaves it out of ALL: derived from a real scan',
  'capabilities/perfmon': 'dockerd 20.10 rejects --cap-add PERFMON and leaves it out of ALL: derived from a real scan',
  'seccomp-lsm/apparmor-unconfined': 'no AppArmor on this host: derived from a real scan with an AppArmor-enabled engine and label',
  'seccomp-lsm/selinux-unconfined': 'no SELinux on this host: derived from a real scan with an SELinux-enabled engine and label',
  'namespaces/host-cgroup': 'this host runs cgroup v1, where every container shares the cgroup namespace: derived from a real scan with cgroup v2',
  'consistency/seccomp': 'a process cannot drop its seccomp filter, and busybox has no tool to add one: derived from a real inspect document that claims seccomp=unconfined overlaid on a real filtered process (app/collect/mismatches.int.test.ts makes it for real with a compiled helper that loads its own filter)',
  'consistency/lsm': 'no LSM labels on this host: derived from real kernel facts with an AppArmor label that differs from the configured profile',
  'consistency/other': 'the collector compares no fact outside the other consistency kinds today: derived from a real scan with such a mismatch added',
};

describe('rule coverage', () => {
  it('every container rule is covered by a real container or named in COVERED_BY_FIXTURE with its reason, never both', () => {
    const ids = CONTAINER_RULES.map((rule) => rule.id).sort();
    const live = Object.keys(LIVE);
    const fixture = Object.keys(COVERED_BY_FIXTURE);
    expect(live.filter((id) => fixture.includes(id))).toEqual([]);
    expect([...live, ...fixture].sort()).toEqual(ids);
    for (const [id, reason] of Object.entries(COVERED_BY_FIXTURE)) expect(reason.length, id).toBeGreaterThan(20);
  });
});

function findingOf(container: ContainerIsolation, ruleId: string): Finding | undefined {
  return container.findings.find((finding) => finding.ruleId === ruleId);
}

function expectEvidence(finding: Finding | undefined, expected: ExpectedEvidence, label: string): void {
  expect(finding, label).toBeDefined();
  const match: Partial<Evidence> = { fact: expected.fact, source: expected.source };
  if ('value' in expected) match.value = expected.value;
  expect(finding!.evidence, label).toContainEqual(expect.objectContaining(match));
}

describe.skipIf(noEngine)('rules on real containers', () => {
  const started = new Map<string, StartedContainer>();
  const assessed = new Map<Scenario, ContainerIsolation>();
  let engine: EngineInfo;
  let adapter: ContainerEngine;

  const doc = (scenario: Scenario): ContainerIsolation => {
    const container = assessed.get(scenario);
    if (!container) throw new Error(`scenario ${scenario} was not scanned`);
    return container;
  };

  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    mkdirSync(DATA_DIR, { recursive: true });
    makeSharedMount(SHARED_DIR);
    for (const [scenario, options] of Object.entries(scenarios)) {
      started.set(scenario, await startContainer(`${PREFIX}${scenario}`, options, client));
    }
    ({ engine, adapter } = await openEngine({}));

    // remounted: what a container with CAP_SYS_ADMIN can do to the mounts the engine gave it.
    const remount = await execIn(
      started.get('remounted')!.id,
      ['sh', '-c', 'mount -o remount,rw /sys && mount -o remount,rw,bind /data && mount -o remount,ro /'],
      client,
    );
    expect(remount, 'remounts inside the container').toMatchObject({ exitCode: 0 });

    // limits-rewritten: the host changes the limit behind the engine's back.
    const rewritten = started.get('limits-rewritten')!;
    const memoryCgroup = readFileSync(`/proc/${rewritten.pid}/cgroup`, 'utf8').split('\n').find((line) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(line));
    const limitFile = memoryCgroup
      ? `/sys/fs/cgroup/memory${memoryCgroup.split(':')[2]}/memory.limit_in_bytes`
      : `/sys/fs/cgroup${readFileSync(`/proc/${rewritten.pid}/cgroup`, 'utf8').trim().split(':')[2]}/memory.max`;
    writeFileSync(limitFile, String(128 * MiB));

    // One scan per scenario, by name, as `isolens scan --container NAME` does.
    for (const scenario of Object.keys(scenarios) as Array<keyof typeof scenarios>) {
      const snapshot: Snapshot = assessSnapshot(await collectSnapshot(adapter, engine, { container: `${PREFIX}${scenario}` }));
      expect(snapshot.containers.map((c) => c.name)).toEqual([`${PREFIX}${scenario}`]);
      assessed.set(scenario, snapshot.containers[0]!);
    }

    // vanished: the inspect document is real, the process is gone by the time the kernel is read.
    const victim = await startContainer(`${PREFIX}vanished`, {}, client);
    const inspect = parseInspect(await client.getContainer(victim.id).inspect());
    await client.getContainer(victim.id).remove({ force: true });
    const vanished = await collectContainer(inspect, engine);
    assessed.set('vanished', { ...vanished, findings: evaluateContainer(vanished, { engine }) });
  });

  afterAll(async () => {
    await removeTestContainers(client, PREFIX);
    removeSharedMount(SHARED_DIR);
    rmSync(DATA_DIR, { recursive: true, force: true });
    for (const hierarchy of ['cpu', 'cpuacct', 'cpu,cpuacct', 'cpuset', 'memory', 'pids', 'blkio', 'devices', 'freezer', 'net_cls', 'net_prio', 'net_cls,net_prio', 'perf_event', 'hugetlb', 'rdma', 'misc', 'systemd', 'unified']) {
      try {
        rmdirSync(`/sys/fs/cgroup/${hierarchy}/${CGROUP_PARENT}`);
      } catch {
        /* absent */
      }
    }
  });

  it('the engine is what this file assumes (cgroup v1, no AppArmor or SELinux, seccomp on)', () => {
    // If this fails the COVERED_BY_FIXTURE reasons are out of date: move those rules to LIVE.
    expect(engine.cgroupVersion).toBe(1);
    expect(engine.securityOptions.some((o) => /name=(apparmor|selinux)/.test(o))).toBe(false);
    expect(engine.securityOptions.some((o) => o.startsWith('name=seccomp'))).toBe(true);
  });

  for (const [ruleId, live] of Object.entries(LIVE)) {
    it(`${ruleId} fires on ${live.fires.join(', ')} citing ${live.evidence.fact} (${live.evidence.source}) and not on ${live.quiet.join(', ')}`, () => {
      for (const scenario of live.fires) expect(findingOf(doc(scenario), ruleId), `${ruleId} on ${scenario}`).toBeDefined();
      expectEvidence(findingOf(doc(live.fires[0]!), ruleId), live.evidence, `${ruleId} on ${live.fires[0]}`);
      for (const scenario of live.quiet) expect(findingOf(doc(scenario), ruleId), `${ruleId} on ${scenario}`).toBeUndefined();
    });
  }

  it('consistency findings cite both sides of the disagreement', () => {
    const cited = (scenario: Scenario, ruleId: string) => findingOf(doc(scenario), ruleId)!.evidence;
    expect(cited('unshared', 'consistency/namespaces')).toEqual(
      expect.arrayContaining([
        { fact: 'namespaces.uts.sharedWithHost', value: false, source: 'kernel' },
        { fact: 'namespaces.uts.sharedWithHost', value: true, source: 'config' },
      ]),
    );
    expect(cited('unshared', 'consistency/no-new-privileges')).toContainEqual({ fact: 'noNewPrivileges', value: false, source: 'config' });
    expect(cited('remounted', 'consistency/mount-read-only')).toContainEqual({ fact: 'mounts[/data].readOnly', value: true, source: 'config' });
    expect(cited('remounted', 'consistency/read-only-rootfs')).toContainEqual({ fact: 'readOnlyRootfs', value: false, source: 'config' });
    expect(cited('limits-rewritten', 'consistency/cgroup-limits')).toContainEqual({ fact: 'cgroup.memoryLimitBytes', value: 64 * MiB, source: 'config' });
    // The kernel's value is the one the other rules judge: the rewritten limit still counts as a limit.
    expect(findingOf(doc('limits-rewritten'), 'resources/memory-unlimited')).toBeUndefined();
  });

  it('the host network reached through another container is reported with the mode the engine recorded', () => {
    const evidence = findingOf(doc('joined-host-net'), 'namespaces/host-net')!.evidence;
    // The engine resolves the name it was given to the container's id.
    expect(evidence).toContainEqual({ fact: 'namespaces.net.mode', value: `container:${started.get('host-namespaces')!.id}`, source: 'config' });
    expect(evidence).toContainEqual(expect.objectContaining({ fact: 'namespaces.net.inode', source: 'kernel', value: doc('host-namespaces').namespaces.net.inode }));
  });

  it('capabilities the kernel did not grant are not reported: --cap-add ALL here lacks SYS_RESOURCE, BPF and PERFMON', () => {
    const everything = doc('cap-add-all-devices-mounts');
    for (const missing of ['CAP_SYS_RESOURCE', 'CAP_BPF', 'CAP_PERFMON']) expect(everything.capabilities!.bounding).not.toContain(missing);
    expect(findingOf(everything, 'capabilities/bpf')).toBeUndefined();
    expect(findingOf(everything, 'capabilities/perfmon')).toBeUndefined();
  });

  // dockerd 20.10 expands --cap-add ALL to the capabilities it knows (they stop at CAP_AUDIT_READ) and to what the host's
  // bounding set allows; the collector expects exactly that (app/collect/kernel.ts expectedBoundingForAll).
  it('consistency/capabilities stays quiet on --cap-add ALL when the kernel applied what the engine grants for ALL', () => {
    const everything = doc('cap-add-all-devices-mounts');
    expect(findingOf(everything, 'consistency/capabilities')).toBeUndefined();
  });

  it('the default container scores as docs/rules.md says (66, D)', () => {
    expect({ score: doc('default').score, grade: doc('default').grade }).toEqual({ score: 66, grade: 'D' });
  });

  it('--cap-add ALL is one finding with every dangerous capability as its evidence, not one finding per capability', () => {
    const everything = doc('cap-add-all-devices-mounts');
    expect(everything.findings.filter((f) => f.family === 'capabilities').map((f) => f.ruleId)).toEqual(['capabilities/all']);
    const implied = findingOf(everything, 'capabilities/all')!.evidence.map((e) => e.fact);
    for (const id of ['sys-admin', 'sys-module', 'sys-rawio', 'sys-ptrace', 'net-admin', 'mknod', 'dac-override', 'beyond-default']) expect(implied).toContain(`implies[capabilities/${id}]`);
  });

  it('a writable host mount names the mount and its exact fix, with the destination the container uses', () => {
    const hostRoot = findingOf(doc('exposed'), 'mounts/host-root-read-write')!;
    expect(hostRoot.severity).toBe('critical');
    expect(hostRoot.title).toContain('/boot → /host-boot');
    expect(hostRoot.remediation.dockerRun).toBe('remove -v /boot:/host-boot');
    expect(findingOf(doc('cap-add-all-devices-mounts'), 'mounts/sensitive-read-write')!.remediation.dockerRun).toBe('-v /usr/share:/host-share:ro');
  });

  describe('rules this machine cannot trigger, on documents derived from a real scan', () => {
    const withApparmor = (): EngineInfo => ({ ...engine, securityOptions: [...engine.securityOptions, 'name=apparmor'] });
    const withSelinux = (): EngineInfo => ({ ...engine, securityOptions: [...engine.securityOptions, 'name=selinux'] });
    const judge = (container: ContainerIsolation, judgedBy: EngineInfo = engine) => evaluateContainer(container, { engine: judgedBy });
    const ids = (findings: Finding[]) => findings.map((f) => f.ruleId);

    /** The default container's real inspect and kernel facts, with the LSM labels replaced (this host has none). */
    async function defaultWithLsm(labels: { apparmor: string | null; selinux: string | null }, configuredAppArmor = ''): Promise<ContainerIsolation> {
      const { pid, id } = started.get('default')!;
      const inspect = parseInspect(await client.getContainer(id).inspect());
      const facts = await readKernelFacts(LOCAL_HOST_SOURCE, pid);
      expect(facts.lsm.ok && facts.lsm.value).toEqual({ apparmor: null, selinux: null }); // why this must be derived
      const configured = describeFromConfig({ ...inspect, AppArmorProfile: configuredAppArmor }, engine);
      return overlayKernel(configured, { ...facts, lsm: { ok: true, value: labels } }, (await readReaderReference(LOCAL_HOST_SOURCE)).namespaces, engine);
    }

    it('capabilities/bpf and capabilities/perfmon fire when the bounding set holds them (derived: dockerd 20.10 cannot grant them)', () => {
      // cap-add-each, not ALL: under --cap-add ALL they would be rolled up into capabilities/all.
      const real = doc('cap-add-each');
      const derived = structuredClone(real);
      derived.capabilities!.bounding.push('CAP_BPF', 'CAP_PERFMON');
      const findings = judge(derived);
      expect(ids(findings)).toEqual(expect.arrayContaining(['capabilities/bpf', 'capabilities/perfmon']));
      expect(findings.find((f) => f.ruleId === 'capabilities/bpf')!.evidence).toContainEqual(
        expect.objectContaining({ fact: 'capabilities.bounding', value: 'CAP_BPF', source: 'kernel' }),
      );
      expect(ids(judge(real))).not.toContain('capabilities/bpf');
    });

    it('seccomp-lsm/apparmor-unconfined fires on an unconfined label when the engine has AppArmor (derived: no AppArmor here)', async () => {
      const unconfined = await defaultWithLsm({ apparmor: 'unconfined', selinux: null });
      const finding = judge(unconfined, withApparmor()).find((f) => f.ruleId === 'seccomp-lsm/apparmor-unconfined');
      expect(finding?.evidence).toContainEqual({ fact: 'lsm.apparmor', value: 'unconfined', source: 'kernel' });
      const confined = await defaultWithLsm({ apparmor: 'docker-default (enforce)', selinux: null });
      expect(ids(judge(confined, withApparmor()))).not.toContain('seccomp-lsm/apparmor-unconfined');
      // The real engine has no AppArmor: no container is blamed for it, whatever its label.
      expect(ids(judge(unconfined))).not.toContain('seccomp-lsm/apparmor-unconfined');
    });

    it('seccomp-lsm/selinux-unconfined fires on spc_t when the engine has SELinux (derived: no SELinux here)', async () => {
      const spc = await defaultWithLsm({ apparmor: null, selinux: 'system_u:system_r:spc_t:s0' });
      const finding = judge(spc, withSelinux()).find((f) => f.ruleId === 'seccomp-lsm/selinux-unconfined');
      expect(finding?.evidence).toContainEqual({ fact: 'lsm.selinux', value: 'system_u:system_r:spc_t:s0', source: 'kernel' });
      const confined = await defaultWithLsm({ apparmor: null, selinux: 'system_u:system_r:container_t:s0:c10,c20' });
      expect(ids(judge(confined, withSelinux()))).not.toContain('seccomp-lsm/selinux-unconfined');
    });

    it('consistency/lsm fires when the kernel label differs from the configured profile (derived: no LSM labels here)', async () => {
      const differs = await defaultWithLsm({ apparmor: 'unconfined', selinux: null }, 'docker-default');
      const finding = judge(differs, withApparmor()).find((f) => f.ruleId === 'consistency/lsm');
      expect(finding?.evidence).toEqual([
        { fact: 'lsm.apparmor', value: 'unconfined', source: 'kernel' },
        { fact: 'lsm.apparmor', value: 'docker-default', source: 'config' },
      ]);
      const agrees = await defaultWithLsm({ apparmor: 'docker-default (enforce)', selinux: null }, 'docker-default');
      expect(ids(judge(agrees, withApparmor()))).not.toContain('consistency/lsm');
    });

    it('consistency/seccomp fires when the configuration claims unconfined but the kernel shows a filter (derived: a real inspect edited, a real process)', async () => {
      const { id } = started.get('default')!;
      const inspect = parseInspect(await client.getContainer(id).inspect());
      const claimsUnconfined = { ...inspect, HostConfig: { ...inspect.HostConfig, SecurityOpt: ['seccomp=unconfined'] } };
      const derived = await collectContainer(claimsUnconfined, engine);
      const finding = judge(derived).find((f) => f.ruleId === 'consistency/seccomp');
      expect(finding?.evidence).toEqual([
        { fact: 'seccomp.mode', value: 'filter', source: 'kernel' },
        { fact: 'seccomp.mode', value: 'disabled', source: 'config' },
      ]);
      // The kernel wins: the filter is there, so seccomp is not reported disabled.
      expect(ids(judge(derived))).not.toContain('seccomp-lsm/seccomp-disabled');
      expect(ids(doc('default').findings)).not.toContain('consistency/seccomp');
    });

    it('namespaces/host-cgroup fires only on cgroup v2 (derived: this host is cgroup v1)', () => {
      const real = doc('default');
      expect(real.namespaces.cgroup).toMatchObject({ sharedWithHost: true, source: 'kernel' });
      expect(ids(real.findings)).not.toContain('namespaces/host-cgroup');
      const onV2 = structuredClone(real);
      onV2.cgroup.version = 2;
      const finding = judge(onV2).find((f) => f.ruleId === 'namespaces/host-cgroup');
      expect(finding?.evidence).toContainEqual(expect.objectContaining({ fact: 'namespaces.cgroup.sharedWithHost', value: true, source: 'kernel' }));
    });

    it('consistency/other fires for a mismatch no other consistency rule covers (derived: the collector produces none today)', () => {
      for (const scenario of Object.keys(scenarios) as Scenario[]) expect(ids(doc(scenario).findings), scenario).not.toContain('consistency/other');
      const derived = structuredClone(doc('default'));
      derived.mismatches.push({ fact: 'privileged', kernel: true, config: false });
      expect(judge(derived).find((f) => f.ruleId === 'consistency/other')?.evidence).toEqual([
        { fact: 'privileged', value: true, source: 'kernel' },
        { fact: 'privileged', value: false, source: 'config' },
      ]);
    });
  });
});

describe('rules on the captured privileged container (app/collect/fixtures/privileged)', () => {
  const root = fileURLToPath(new URL('../collect/fixtures/privileged/', import.meta.url));
  const source = localSource({ procRoot: `${root}proc`, cgroupRoot: `${root}cgroup` });
  const inspect = parseInspect(JSON.parse(readFileSync(`${root}inspect.json`, 'utf8')));
  let container: ContainerIsolation;

  beforeAll(async () => {
    const engine = capturedDockerEngine();
    const collected = await collectContainer(inspect, engine, { source });
    const findings = evaluateContainer(collected, { engine });
    container = { ...collected, findings, ...scoreFindings(findings) };
  });

  const finding = (ruleId: string) => container.findings.find((f) => f.ruleId === ruleId);

  it('the fixture was read from the kernel tree, not only from the configuration', () => {
    expect(container.gaps).toEqual([]);
    expect(container.sources.capabilities).toBe('kernel');
    expect(container.privileged).toBe(true);
  });

  it('runtime/privileged fires, citing the flag and the bounding set the kernel applied', () => {
    expect(finding('runtime/privileged')?.evidence.slice(0, 2)).toEqual([
      { fact: 'privileged', value: true, source: 'config' },
      { fact: 'capabilities.bounding', value: `${container.capabilities!.bounding.length} capabilities`, source: 'kernel' },
    ]);
    expect(container.capabilities!.bounding).toHaveLength(37);
  });

  it('consistency/capabilities fires: the configuration grants every capability, the kernel lacks CAP_SYS_RESOURCE', () => {
    const evidence = finding('consistency/capabilities')!.evidence;
    const kernel = evidence.find((e) => e.source === 'kernel')!.value as string[];
    const config = evidence.find((e) => e.source === 'config')!.value as string[];
    expect(config).toContain('CAP_SYS_RESOURCE');
    expect(kernel).not.toContain('CAP_SYS_RESOURCE');
  });

  it('what privileged mode did is reported from the kernel, as the one finding\'s evidence: seccomp off, every dangerous capability, CAP_MKNOD with host devices', () => {
    const evidence = finding('runtime/privileged')!.evidence;
    expect(evidence).toContainEqual({ fact: 'implies[seccomp-lsm/seccomp-disabled]', value: 'Seccomp is disabled', source: 'kernel' });
    for (const id of ['capabilities/all', 'capabilities/sys-admin', 'capabilities/sys-module', 'capabilities/sys-rawio', 'capabilities/mknod', 'capabilities/beyond-default']) {
      expect(evidence.map((e) => e.fact), id).toContain(`implies[${id}]`);
      expect(finding(id), id).toBeUndefined();
    }
    expect(container.grade).toBe('F');
  });
});
