// Probe interpretation on what busybox really printed in containers started with each lab flag (fixtures/probe-executions.json).
import { describe, expect, it } from 'vitest';
import { describeFromConfig, type InspectDocument } from '../collect/config.js';
import { engine, readFixture } from './fixtures/documents.js';
import { ruleById } from '../rules/catalogue.js';
import { computeOperations } from '../operations/catalogue.js';
import {
  cleanOutput,
  errnoFromOutput,
  forkProbeCount,
  memoryProbeMebibytes,
  probeById,
  PROBE_IDS,
  PROBES,
  type ProbeExecution,
  type ProbeId,
  type ProbeVerdict,
} from './probes.js';

type Captured = Record<string, { inspect: InspectDocument; executions: Record<ProbeId, ProbeExecution> }>;
const captured = readFixture<Captured>('probe-executions.json');

function verdict(scenario: string, probeId: ProbeId): ProbeVerdict {
  const { inspect, executions } = captured[scenario]!;
  const facts = describeFromConfig(inspect, engine);
  return probeById(probeId)!.interpret(executions[probeId], facts);
}

/** scenario → probe → [outcome, errno, responsible (a fragment)], read from the captured outputs. */
const EXPECTED: Record<string, Partial<Record<ProbeId, [ProbeVerdict['outcome'], ProbeVerdict['errno'], RegExp]>>> = {
  default: {
    'mount-tmpfs': ['blocked', 'EPERM', /^CAP_SYS_ADMIN not granted \(not in the engine's default set\)$/],
    'chmod-file': ['allowed', null, /default seccomp profile allows chmod/],
    'chown-file': ['allowed', null, /CAP_CHOWN held \(in the engine's default set\)/],
    'raw-socket': ['allowed', null, /CAP_NET_RAW held/],
    'write-root-filesystem': ['allowed', null, /no --read-only/],
    'create-device-node': ['allowed', null, /CAP_MKNOD held/],
    'unshare-user-namespace': ['blocked', 'EPERM', /default seccomp profile refuses unshare without CAP_SYS_ADMIN/],
    'change-hostname': ['blocked', 'EPERM', /CAP_SYS_ADMIN not granted/],
    'read-host-file': ['blocked', null, /no sensitive host path is mounted/],
    'fork-past-pids-limit': ['allowed', null, /no process limit/],
    'allocate-past-memory-limit': ['allowed', null, /no memory limit/],
  },
  'cap-drop-all': {
    'mount-tmpfs': ['blocked', 'EPERM', /^CAP_SYS_ADMIN dropped \(--cap-drop ALL\)$/],
    'chmod-file': ['allowed', null, /seccomp/],
    'chown-file': ['blocked', 'EPERM', /CAP_CHOWN dropped \(--cap-drop ALL\)/],
    'raw-socket': ['blocked', 'EPERM', /CAP_NET_RAW dropped \(--cap-drop ALL\)/],
    'create-device-node': ['blocked', 'EPERM', /CAP_MKNOD dropped \(--cap-drop ALL\)/],
    'change-hostname': ['blocked', 'EPERM', /CAP_SYS_ADMIN dropped \(--cap-drop ALL\)/],
  },
  'read-only': {
    'write-root-filesystem': ['blocked', 'EROFS', /^read-only root filesystem \(--read-only\)$/],
    'create-device-node': ['allowed', null, /CAP_MKNOD held/],
  },
  'cap-add-sys-admin-seccomp-unconfined': {
    'mount-tmpfs': ['allowed', null, /^CAP_SYS_ADMIN held \(--cap-add SYS_ADMIN\)$/],
    'unshare-user-namespace': ['allowed', null, /seccomp disabled \(--security-opt seccomp=unconfined\)/],
    'change-hostname': ['allowed', null, /CAP_SYS_ADMIN held \(--cap-add SYS_ADMIN\)/],
  },
  'seccomp-deny-chmod': {
    'chmod-file': ['blocked', 'EPERM', /custom seccomp profile denies chmod/],
    'chown-file': ['allowed', null, /CAP_CHOWN held/],
    // The custom profile allows everything else, unshare included: the default profile was what refused it.
    'unshare-user-namespace': ['allowed', null, /custom seccomp profile/],
  },
  'user-1000': {
    'chown-file': ['blocked', 'EPERM', /non-root user \(--user 1000:1000\)/],
    'raw-socket': ['blocked', 'EPERM', /non-root user/],
    'write-root-filesystem': ['blocked', 'EACCES', /non-root user \(--user 1000:1000\) may not write to \//],
    'create-device-node': ['blocked', 'EPERM', /non-root user/],
    'mount-tmpfs': ['blocked', 'EPERM', /CAP_SYS_ADMIN not granted/],
  },
  'pids-20-memory-16m': {
    'fork-past-pids-limit': ['blocked', 'EAGAIN', /^--pids-limit 20$/],
    'allocate-past-memory-limit': ['blocked', null, /^--memory 16m: the OOM killer/],
  },
  'memory-16m': {
    'allocate-past-memory-limit': ['blocked', null, /^--memory 16m: the OOM killer/],
    'fork-past-pids-limit': ['allowed', null, /no process limit/],
  },
  'sensitive-mount': {
    'read-host-file': ['allowed', null, /^sensitive host path mounted \(-v \/etc → \/host-etc \(ro\)\)$/],
  },
};

describe('probe interpretation on captured busybox output', () => {
  for (const [scenario, probes] of Object.entries(EXPECTED)) {
    for (const [probeId, [outcome, errno, responsible]] of Object.entries(probes) as Array<[ProbeId, [ProbeVerdict['outcome'], ProbeVerdict['errno'], RegExp]]>) {
      it(`${scenario}: ${probeId} is ${outcome}${errno ? ` (${errno})` : ''}`, () => {
        const result = verdict(scenario, probeId);
        expect(result.outcome).toBe(outcome);
        expect(result.errno).toBe(errno);
        expect(result.responsible).toMatch(responsible);
      });
    }
  }

  it('reports the OOM kill as SIGKILL with the cgroup counter in the output', () => {
    const result = verdict('memory-16m', 'allocate-past-memory-limit');
    expect(result.signal).toBe('SIGKILL');
    expect(result.output).toContain('oom_kill 0 -> 1');
  });

  it('reads a probe shell the OOM killer ended before it could report as blocked by the limit', () => {
    const { scenario, execution } = readFixture<{ scenario: string; execution: ProbeExecution }>('probe-memory-shell-killed.json');
    const facts = describeFromConfig(captured[scenario]!.inspect, engine);
    const result = probeById('allocate-past-memory-limit')!.interpret(execution, facts);
    expect(result).toMatchObject({ outcome: 'blocked', signal: 'SIGKILL', responsible: '--memory 16m: the OOM killer ended the probe' });
  });

  it('interprets every captured probe execution of every scenario without an error outcome', () => {
    for (const scenario of Object.keys(captured)) {
      // Probes added after the capture (the operation probes) are checked on real containers by app/operations/operations.int.test.ts.
      for (const probe of PROBES.filter((p) => captured[scenario]!.executions[p.id] !== undefined)) {
        expect(verdict(scenario, probe.id).outcome, `${scenario} ${probe.id}`).not.toBe('error');
      }
    }
    expect(Object.keys(captured.default!.executions)).toHaveLength(11);
  });

  it('turns a missing tool, a failed setup and a timeout into errors, not verdicts', () => {
    const facts = describeFromConfig(captured.default!.inspect, engine);
    const mount = probeById('mount-tmpfs')!;
    expect(mount.interpret({ exitCode: 127, stdout: '', stderr: 'sh: mount: not found\n', timedOut: false }, facts).outcome).toBe('error');
    expect(mount.interpret({ exitCode: 125, stdout: '', stderr: 'isolens: no writable scratch directory (/tmp, /dev/shm)\n', timedOut: false }, facts).outcome).toBe('error');
    expect(mount.interpret({ exitCode: null, stdout: '', stderr: '', timedOut: true }, facts)).toMatchObject({ outcome: 'error', output: 'the probe did not finish in time' });
  });
});

describe('probe commands', () => {
  it('is a fixed catalogue: every id once, destructive only for the fork and memory probes', () => {
    expect(PROBES.map((p) => p.id)).toEqual([...PROBE_IDS]);
    expect(PROBES.filter((p) => p.destructive).map((p) => p.id)).toEqual(['fork-past-pids-limit', 'allocate-past-memory-limit']);
  });

  it('names only rules that exist as the findings each probe answers', () => {
    const unknown = PROBES.flatMap((p) => (p.answers ?? []).filter((ruleId) => ruleById(ruleId) === undefined).map((ruleId) => `${p.id}: ${ruleId}`));
    expect(unknown).toEqual([]);
    expect(probeById('see-host-processes')!.answers).toContain('namespaces/host-pid');
  });

  it('passes mount destinations as positional parameters, never inside the script', () => {
    const facts = describeFromConfig(captured['sensitive-mount']!.inspect, engine);
    const hostile = "/host-etc'; reboot; echo '$(id)";
    facts.mounts = facts.mounts.map((m) => (m.destination === '/host-etc' ? { ...m, destination: hostile } : m));
    const { argv } = probeById('read-host-file')!.command(facts);
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv[2]).not.toContain('reboot');
    expect(argv.slice(3)).toEqual(['isolens-probe', hostile]);
  });

  it('lists for "read host files" exactly the binds its operation is judged on: an engine socket is not a host file', () => {
    const facts = describeFromConfig(captured['sensitive-mount']!.inspect, engine);
    const socket = { ...facts.mounts.find((m) => m.destination === '/host-etc')!, source: '/var/run/docker.sock', destination: '/var/run/docker.sock' };
    const withSocket = { ...facts, mounts: [...facts.mounts, socket] };
    expect(probeById('read-host-file')!.command(withSocket).argv.slice(3)).toEqual(['isolens-probe', '/host-etc']);
    const socketOnly = { ...facts, mounts: facts.mounts.filter((m) => m.destination !== '/host-etc').concat(socket) };
    expect(probeById('read-host-file')!.command(socketOnly).argv.slice(3)).toEqual(['isolens-probe']);
    expect(computeOperations(socketOnly, { engine, customSeccompProfile: null }).find((o) => o.id === 'read-host-files')!.verdict).toBe('blocked');
    expect(computeOperations(withSocket, { engine, customSeccompProfile: null }).find((o) => o.id === 'read-host-files')!.verdict).toBe('allowed');
  });

  it('sizes the fork and memory probes just past small limits and to fixed bounds otherwise', () => {
    const facts = describeFromConfig(captured.default!.inspect, engine);
    expect(forkProbeCount(facts)).toBe(64);
    expect(memoryProbeMebibytes(facts)).toBe(64);
    expect(forkProbeCount({ ...facts, cgroup: { ...facts.cgroup, pidsLimit: 20 } })).toBe(28);
    expect(forkProbeCount({ ...facts, cgroup: { ...facts.cgroup, pidsLimit: 100_000 } })).toBe(64);
    expect(memoryProbeMebibytes({ ...facts, cgroup: { ...facts.cgroup, memoryLimitBytes: 16 * 1024 * 1024 } })).toBe(48);
    expect(memoryProbeMebibytes({ ...facts, cgroup: { ...facts.cgroup, memoryLimitBytes: 2 * 1024 ** 3 } })).toBe(64);
  });
});

describe('errno and output', () => {
  it('maps busybox messages to errno names', () => {
    expect(errnoFromOutput('mount: permission denied (are you root?)')).toBe('EPERM');
    expect(errnoFromOutput('touch: /x: Permission denied')).toBe('EACCES');
    expect(errnoFromOutput('touch: /isolens-probe.39: Read-only file system')).toBe('EROFS');
    expect(errnoFromOutput("fork: line 0: can't fork: Resource temporarily unavailable")).toBe('EAGAIN');
    expect(errnoFromOutput('all fine')).toBeNull();
  });

  it('keeps output as bounded text without control sequences', () => {
    expect(cleanOutput('  \u001b[2J\u001b[31mred\u0007 \n', 'err\r\n')).toBe('[2J[31mred\nerr');
    expect(cleanOutput('x'.repeat(5000), '').length).toBe(2001);
  });
});
