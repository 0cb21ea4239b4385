import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { ContainerIsolation, OperationId } from '../model/schema.js';
import { Operation, OPERATION_IDS } from '../model/schema.js';
import { defaultCapabilities } from '../model/capabilities.js';
import { baselineContainer, baselineEngine } from '../rules/fixtures/baseline.js';
import { computeOperations, type OperationsContext } from './catalogue.js';
import { DEFAULT_PROFILES, defaultProfileFor } from './profiles.js';
import { compareKernelVersions, evaluateSyscall } from './seccomp.js';
import { parseSeccompProfile, SeccompProfileDocument } from './seccomp-profile.js';

const engine = baselineEngine();
const context = (extra: Partial<OperationsContext> = {}): OperationsContext => ({ engine, customSeccompProfile: null, ...extra });
const verdicts = (mutate: (c: ContainerIsolation) => void = () => {}, extra: Partial<OperationsContext> = {}) => {
  const container = baselineContainer();
  mutate(container);
  return Object.fromEntries(computeOperations(container, context(extra)).map((o) => [o.id, o.verdict])) as Record<OperationId, string>;
};
const docker = defaultProfileFor({ kind: 'docker', version: '20.10.24' })!.profile;
const podman = defaultProfileFor({ kind: 'podman', version: '4.3.1' })!.profile;
const target = (capabilities: readonly string[], kernelVersion: string | null = '6.1.0') => ({ capabilities, kernelVersion, arch: 'amd64' });
const dockerCaps = defaultCapabilities('docker');

describe('the engines\' default seccomp profiles, evaluated from their own files', () => {
  it('holds the files the README cites, byte for byte where the engine\'s file is on this machine', () => {
    expect(DEFAULT_PROFILES.map((p) => `${p.engine} ${p.from}–${p.to}`)).toEqual(['docker 20.10.18–20.10.24', 'podman 4.3.0–4.3.99']);
    const installed = (() => { try { return readFileSync('/usr/share/containers/seccomp.json', 'utf8'); } catch { return null; } })();
    if (installed !== null) expect(parseSeccompProfile(installed)).toEqual(SeccompProfileDocument.parse(podman));
  });

  it('are profile documents as the schema defines them (a scan uses its data files without parsing them)', () => {
    for (const { profile } of DEFAULT_PROFILES) expect(SeccompProfileDocument.safeParse(profile).success).toBe(true);
  });

  it('Docker 20.10: mount, unshare, sethostname and bpf only with CAP_SYS_ADMIN; modules only with CAP_SYS_MODULE; ptrace from kernel 4.8', () => {
    for (const syscall of ['mount', 'unshare', 'sethostname', 'bpf']) {
      expect(evaluateSyscall(docker, syscall, target(dockerCaps)).action, syscall).toBe('deny');
      expect(evaluateSyscall(docker, syscall, target([...dockerCaps, 'CAP_SYS_ADMIN'])).action, syscall).toBe('allow');
    }
    expect(evaluateSyscall(docker, 'finit_module', target(dockerCaps)).action).toBe('deny');
    expect(evaluateSyscall(docker, 'finit_module', target(['CAP_SYS_MODULE'])).action).toBe('allow');
    expect(evaluateSyscall(docker, 'ptrace', target(dockerCaps, '4.4.0')).action).toBe('deny');
    expect(evaluateSyscall(docker, 'ptrace', target(dockerCaps, '5.10.0')).action).toBe('allow');
    expect(evaluateSyscall(docker, 'ptrace', target(dockerCaps, null)).action).toBe('unknown');
    expect(evaluateSyscall(docker, 'keyctl', target(dockerCaps)).action).toBe('deny');
    expect(evaluateSyscall(docker, 'socket', target([]), [2, 3, 1]).action).toBe('allow');
  });

  it('Podman 4.3: unshare and mount allowed (capabilities decide), sethostname only with CAP_SYS_ADMIN, socket by its arguments', () => {
    const caps = defaultCapabilities('podman');
    expect(evaluateSyscall(podman, 'unshare', target(caps)).action).toBe('allow');
    expect(evaluateSyscall(podman, 'mount', target(caps)).action).toBe('allow');
    expect(evaluateSyscall(podman, 'sethostname', target(caps)).action).toBe('deny');
    expect(evaluateSyscall(podman, 'kexec_load', target(caps)).action).toBe('deny');
    // Without CAP_AUDIT_WRITE the socket rules go by family: an ICMP raw socket is allowed, an audit netlink one refused.
    expect(evaluateSyscall(podman, 'socket', target(caps), [2, 3, 1]).action).toBe('allow');
    expect(evaluateSyscall(podman, 'socket', target(caps), [16, 3, 9]).action).toBe('deny');
    expect(evaluateSyscall(podman, 'socket', target(caps)).action).toBe('unknown');
  });

  it('has no profile for an engine version it holds no file for', () => {
    expect(defaultProfileFor({ kind: 'docker', version: '24.0.7' })).toBeNull();
    expect(defaultProfileFor({ kind: 'docker', version: '20.10.17' })).toBeNull();
    expect(defaultProfileFor({ kind: 'docker', version: null })).toBeNull();
  });

  it('compares kernel versions as the profile\'s minKernel means them', () => {
    expect(compareKernelVersions('6.18.44-fc-v1045', '4.8')).toBe(1);
    expect(compareKernelVersions('4.8.0', '4.8')).toBe(0);
    expect(compareKernelVersions('4.4.0-210-generic', '4.8')).toBe(-1);
    expect(compareKernelVersions('unknown', '4.8')).toBeNull();
  });
});

describe('operations', () => {
  it('covers the whole catalogue in its order, schema-valid, each with the layers that decide it', () => {
    const operations = computeOperations(baselineContainer(), context());
    expect(operations.map((o) => o.id)).toEqual([...OPERATION_IDS]);
    for (const operation of operations) {
      expect(Operation.safeParse(operation).success, operation.id).toBe(true);
      expect(operation.because.length, operation.id).toBeGreaterThan(0);
    }
  });

  it('judges the default container: raw sockets, mknod and chown allowed; mount, user namespaces, hostname, modules refused; the host out of reach', () => {
    expect(verdicts()).toMatchObject({
      mount: 'blocked', 'unshare-user': 'blocked', 'raw-socket': 'allowed', mknod: 'allowed', 'chown-any-file': 'allowed', 'set-hostname': 'blocked',
      'set-time': 'blocked', 'load-kernel-module': 'blocked', ptrace: 'allowed', bpf: 'blocked', 'see-host-processes': 'blocked', 'signal-host-processes': 'blocked',
      'read-host-files': 'blocked', 'write-host-files': 'blocked', 'control-engine': 'blocked', 'exhaust-host-memory': 'allowed', 'fork-bomb': 'allowed',
    });
    const mount = computeOperations(baselineContainer(), context()).find((o) => o.id === 'mount')!;
    expect(mount.because.map((b) => b.layer)).toEqual(['capabilities', 'seccomp']);
    expect(mount.because[0]!.detail).toBe('CAP_SYS_ADMIN is not in the bounding set: mount needs it');
  });

  it('follows each layer: --cap-drop ALL, CAP_SYS_ADMIN, seccomp off, a non-root user, host PID, limits', () => {
    const dropAll = (c: ContainerIsolation) => { c.capabilities = { ...c.capabilities!, effective: [], permitted: [], bounding: [] }; };
    expect(verdicts(dropAll)).toMatchObject({ 'raw-socket': 'blocked', mknod: 'blocked', 'chown-any-file': 'blocked' });
    const sysAdmin = (c: ContainerIsolation) => { c.capabilities!.effective.push('CAP_SYS_ADMIN'); c.capabilities!.bounding.push('CAP_SYS_ADMIN'); };
    expect(verdicts(sysAdmin)).toMatchObject({ mount: 'allowed', 'unshare-user': 'allowed', 'set-hostname': 'allowed', bpf: 'allowed' });
    const unconfined = (c: ContainerIsolation) => { c.seccomp = { mode: 'disabled', profile: 'unconfined', filters: 0 }; };
    expect(verdicts(unconfined)).toMatchObject({ mount: 'blocked', 'unshare-user': 'allowed', 'set-hostname': 'blocked' });
    const nonRoot = (c: ContainerIsolation) => { c.user = { ...c.user, uid: 1000, uidInContainer: 1000 }; c.capabilities = { ...c.capabilities!, effective: [], permitted: [] }; };
    expect(verdicts(nonRoot)).toMatchObject({ 'raw-socket': 'blocked', 'chown-any-file': 'blocked' });
    const hostPid = (c: ContainerIsolation) => { c.namespaces.pid.sharedWithHost = true; };
    expect(verdicts(hostPid)).toMatchObject({ 'see-host-processes': 'allowed', 'signal-host-processes': 'allowed' });
    expect(verdicts((c) => { hostPid(c); nonRoot(c); })).toMatchObject({ 'see-host-processes': 'allowed', 'signal-host-processes': 'blocked' });
    const limits = (c: ContainerIsolation) => { c.cgroup.memoryLimitBytes = 64 * 1048576; c.cgroup.pidsLimit = 50; };
    expect(verdicts(limits)).toMatchObject({ 'exhaust-host-memory': 'blocked', 'fork-bomb': 'blocked' });
  });

  it('judges memory and fork exhaustion by the limit that applies, naming an ancestor that sets it', () => {
    const container = baselineContainer();
    container.cgroup.effective = {
      memoryLimitBytes: { value: 32 * 1048576, setBy: '/isolens-parent' },
      cpuQuotaCores: { value: null, setBy: null },
      pidsLimit: { value: 10, setBy: container.cgroup.path },
    };
    container.cgroup.pidsLimit = 10;
    const byId = Object.fromEntries(computeOperations(container, context()).map((o) => [o.id, o]));
    expect(byId['exhaust-host-memory']).toEqual({
      id: 'exhaust-host-memory',
      verdict: 'blocked',
      because: [{ layer: 'cgroup', detail: 'memory limit 32 MiB, set by the ancestor cgroup /isolens-parent (shared with its other children): the OOM killer stops it there' }],
    });
    expect(byId['fork-bomb']!.because).toEqual([{ layer: 'cgroup', detail: 'PID limit 10: forks fail beyond it' }]);
  });

  it('names the setuid escape hatch next to a capability block when no-new-privileges is off', () => {
    const container = baselineContainer();
    container.user = { ...container.user, uid: 1000, uidInContainer: 1000 };
    container.capabilities = { ...container.capabilities!, effective: [], permitted: [] };
    const raw = computeOperations(container, context()).find((o) => o.id === 'raw-socket')!;
    expect(raw.verdict).toBe('blocked');
    expect(raw.because.map((b) => b.layer)).toEqual(['capabilities', 'no-new-privileges']);
    container.noNewPrivileges = true;
    expect(computeOperations(container, context()).find((o) => o.id === 'raw-socket')!.because.map((b) => b.layer)).toEqual(['capabilities']);
  });

  it('reads a custom profile by its rules: a permissive one allows the user namespace the default refuses', () => {
    const custom = (c: ContainerIsolation) => { c.seccomp = { mode: 'filter', profile: 'custom', filters: 1 }; };
    const permissive = parseSeccompProfile(JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['chmod'], action: 'SCMP_ACT_ERRNO' }] }))!;
    expect(verdicts(custom, { customSeccompProfile: permissive })['unshare-user']).toBe('allowed');
    const strict = parseSeccompProfile(JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ERRNO' }] }))!;
    expect(verdicts(custom, { customSeccompProfile: strict })['raw-socket']).toBe('blocked');
    // A custom profile the engine does not report (a path, Podman): unknown, never a guess.
    expect(verdicts(custom)).toMatchObject({ 'unshare-user': 'unknown', 'raw-socket': 'unknown', 'see-host-processes': 'blocked' });
  });

  it('says unknown where the default profile of this engine version is not known, and where facts are missing', () => {
    expect(verdicts(() => {}, { engine: { ...engine, version: '27.3.1' } })['unshare-user']).toBe('unknown');
    expect(verdicts((c) => { c.capabilities = null; })['raw-socket']).toBe('unknown');
  });

  it('reaches the host through mounts: read-only host paths read, writable ones written, the engine socket controls the engine', () => {
    const bind = (source: string, destination: string, readOnly: boolean) => (c: ContainerIsolation) => {
      c.mounts.unshift({ type: 'bind', source, destination, readOnly, propagation: 'private', sensitive: true, sensitiveReason: 'x', origin: 'engine' });
    };
    expect(verdicts(bind('/etc', '/host-etc', true))).toMatchObject({ 'read-host-files': 'allowed', 'write-host-files': 'blocked', 'control-engine': 'blocked' });
    expect(verdicts(bind('/', '/host', false))).toMatchObject({ 'read-host-files': 'allowed', 'write-host-files': 'allowed' });
    expect(verdicts(bind('/var/run/docker.sock', '/var/run/docker.sock', true))).toMatchObject({ 'control-engine': 'allowed', 'read-host-files': 'blocked' });
  });

  it('voids host-only capabilities in a private user namespace', () => {
    const time = (c: ContainerIsolation) => { c.capabilities!.effective.push('CAP_SYS_TIME'); c.capabilities!.bounding.push('CAP_SYS_TIME'); };
    expect(verdicts(time)['set-time']).toBe('allowed');
    expect(verdicts((c) => { time(c); c.user.userns = 'private'; })['set-time']).toBe('blocked');
  });
});
