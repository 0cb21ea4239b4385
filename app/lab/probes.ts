// The fixed catalogue of harmless probes run inside a container (exec, busybox tools) that show each isolation control working.
import type { ContainerEngine } from '../engine/engine.js';
import { defaultCapabilities } from '../model/capabilities.js';
import type { ContainerIsolation, OperationId } from '../model/schema.js';
import { hostFileBinds, mountedEngineSocket } from '../model/sensitive.js';

/** The label that marks a container as Isolens' own lab container: only those may run destructive probes. */
export const LAB_OWNER_LABEL = 'io.isolens.owner';
export const LAB_OWNER_VALUE = 'lab';
export const LAB_SESSION_LABEL = 'io.isolens.lab-session';

export type ProbeOutcome = 'allowed' | 'blocked' | 'error';
export type ProbeErrno = 'EPERM' | 'EACCES' | 'EROFS' | 'EAGAIN' | 'ENOMEM' | 'ENOSPC' | 'ENOENT' | 'EINVAL' | 'ENOSYS' | 'EBUSY';

/** What an exec returned: the raw material every interpreter works from. */
export interface ProbeExecution {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ProbeVerdict {
  outcome: ProbeOutcome;
  errno: ProbeErrno | null;
  /** Set when the kernel killed the probe instead of failing a call (the OOM killer's SIGKILL). */
  signal: 'SIGKILL' | null;
  /** Trimmed stdout and stderr, as text (container output is attacker text). */
  output: string;
  /** The control that decided the outcome, named by its flag, derived from the container's facts. */
  responsible: string;
}

export interface ProbeResult extends ProbeVerdict {
  probeId: ProbeId;
  title: string;
  destructive: boolean;
  durationMs: number;
}

export interface ProbeCommand {
  /** The argv given to exec: ['sh', '-c', script, '$0', ...args]. Arguments travel as positional parameters, never spliced into the script. */
  argv: string[];
}

export interface ProbeDefinition {
  id: ProbeId;
  title: string;
  /** What the probe does, in a sentence a user reads before running it on their own container. */
  description: string;
  /** Fork and memory probes stress the container; they run only in lab containers. */
  destructive: boolean;
  /** The operation (app/operations) whose verdict this probe checks, or null when it checks no operation of the catalogue. */
  operation: OperationId | null;
  /** Rule ids of the findings this probe puts to the test: the finding's "Try it" runs it. Optional so a new probe can start without. */
  answers?: readonly string[];
  timeoutMs: number;
  command(facts: ContainerIsolation): ProbeCommand;
  interpret(execution: ProbeExecution, facts: ContainerIsolation): ProbeVerdict;
}

import { PROBE_IDS, type ProbeId } from '../model/lab.js';
export { PROBE_IDS, type ProbeId };

/** Output kept per probe: enough for the error line, bounded against a container that floods its output. */
const MAX_OUTPUT_CHARS = 2000;

/**
 * A scratch directory the probe may write to: /tmp when writable, else /dev/shm (a tmpfs the engine gives every
 * container, world-writable even with --read-only). Exit 125 means the probe could not set itself up.
 */
const SCRATCH = [
  'S=; for d in /tmp /dev/shm /run /var/tmp; do if [ -d "$d" ] && [ -w "$d" ]; then S=$d; break; fi; done',
  '[ -n "$S" ] || { echo "isolens: no writable scratch directory (/tmp, /dev/shm)" >&2; exit 125; }',
  'F="$S/isolens-probe.$$"',
].join('\n');

/** A setup step that must work for the probe to mean anything. */
const setup = (command: string) => `${command} || { echo "isolens: setup failed: ${command.replace(/"/g, '')}" >&2; exit 125; }`;

function sh(script: string, ...args: string[]): ProbeCommand {
  return { argv: ['sh', '-c', script, 'isolens-probe', ...args] };
}

/** Errno names from the messages busybox prints (strerror text, or its own wording for EPERM/EACCES). */
const ERRNO_MESSAGES: ReadonlyArray<[RegExp, ProbeErrno]> = [
  [/Operation not permitted/i, 'EPERM'],
  // busybox mount and ping print this for EPERM and EACCES alike; for both the kernel's answer is a missing capability.
  [/permission denied \(are you root\?\)/i, 'EPERM'],
  [/Permission denied/i, 'EACCES'],
  [/Read-only file system/i, 'EROFS'],
  [/Resource temporarily unavailable|can't fork/i, 'EAGAIN'],
  [/Cannot allocate memory|Out of memory/i, 'ENOMEM'],
  [/No space left on device/i, 'ENOSPC'],
  [/Device or resource busy/i, 'EBUSY'],
  [/Function not implemented/i, 'ENOSYS'],
  [/Invalid argument/i, 'EINVAL'],
  [/No such file or directory/i, 'ENOENT'],
];

const BLOCKING_ERRNOS: ReadonlySet<ProbeErrno> = new Set(['EPERM', 'EACCES', 'EROFS', 'EAGAIN', 'ENOMEM']);

export function errnoFromOutput(text: string): ProbeErrno | null {
  for (const [pattern, errno] of ERRNO_MESSAGES) if (pattern.test(text)) return errno;
  return null;
}

/** Text only, bounded: control characters (ANSI escapes …) other than newline and tab are dropped. */
export function cleanOutput(stdout: string, stderr: string): string {
  // eslint-disable-next-line no-control-regex
  const text = [stdout.trim(), stderr.trim()].filter((part) => part !== '').join('\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f\u009b]/g, '');
  return text.length > MAX_OUTPUT_CHARS ? `${text.slice(0, MAX_OUTPUT_CHARS)}…` : text;
}

/** The common reading: exit 0 is allowed; a refusal errno is blocked; anything else (tool missing, setup failed, timeout) is an error. */
function basicVerdict(execution: ProbeExecution): Pick<ProbeVerdict, 'outcome' | 'errno' | 'signal' | 'output'> {
  const output = cleanOutput(execution.stdout, execution.stderr);
  if (execution.timedOut) return { outcome: 'error', errno: null, signal: null, output: output || 'the probe did not finish in time' };
  if (execution.exitCode === 0) return { outcome: 'allowed', errno: null, signal: null, output };
  if (execution.exitCode === 125 || execution.exitCode === 127 || / not found$/m.test(execution.stderr)) {
    return { outcome: 'error', errno: null, signal: null, output };
  }
  const errno = errnoFromOutput(execution.stderr) ?? errnoFromOutput(execution.stdout);
  if (errno !== null && BLOCKING_ERRNOS.has(errno)) return { outcome: 'blocked', errno, signal: null, output };
  return { outcome: 'error', errno, signal: null, output };
}

// ——— Who is responsible: the control, named by its flag, read from the container's facts. ———

const short = (capability: string) => capability.replace(/^CAP_/, '');

/** Heuristic for "--cap-drop ALL": most of the engine's default set is gone (the facts keep the sets, not the flags). */
function droppedAll(facts: ContainerIsolation): boolean {
  const capabilities = facts.capabilities;
  if (!capabilities) return false;
  return capabilities.droppedVsDefault.length >= defaultCapabilities('docker').length / 2;
}

function runsAsRoot(facts: ContainerIsolation): boolean | null {
  const uid = facts.user.uidInContainer ?? facts.user.uid;
  return uid === null ? null : uid === 0;
}

function seccompText(facts: ContainerIsolation): string {
  if (facts.seccomp.mode === 'disabled' || facts.seccomp.profile === 'unconfined') return 'seccomp disabled (--security-opt seccomp=unconfined)';
  if (facts.seccomp.profile === 'custom') return 'custom seccomp profile (--security-opt seccomp=FILE)';
  return 'the default seccomp profile';
}

const seccompFilters = (facts: ContainerIsolation) => facts.seccomp.mode === 'filter' || facts.seccomp.mode === 'strict';

/** Why a capability-gated action was allowed or blocked. */
export function capabilityResponsible(capability: string, outcome: ProbeOutcome, facts: ContainerIsolation): string {
  const capabilities = facts.capabilities;
  if (capabilities === null) return `${capability}: the capability sets could not be read (see gaps)`;
  const inBounding = capabilities.bounding.includes(capability);
  const inEffective = capabilities.effective.includes(capability);
  if (outcome === 'allowed') {
    if (facts.privileged) return `${capability} held (--privileged)`;
    if (capabilities.addedVsDefault.includes(capability)) return `${capability} held (--cap-add ${short(capability)})`;
    if (inEffective) return `${capability} held (in the engine's default set)`;
    return `allowed although ${capability} is not in the effective set`;
  }
  if (!inBounding) {
    if (droppedAll(facts)) return `${capability} dropped (--cap-drop ALL)`;
    if (capabilities.droppedVsDefault.includes(capability)) return `${capability} dropped (--cap-drop ${short(capability)})`;
    return `${capability} not granted (not in the engine's default set)`;
  }
  if (!inEffective && runsAsRoot(facts) === false) {
    return `non-root user (--user ${facts.user.configured || facts.user.uid}): ${capability} is not in its effective set`;
  }
  if (inEffective && seccompFilters(facts)) return `${seccompText(facts)} refuses the call despite ${capability}`;
  return `${capability} not effective`;
}

/** Probes that need one capability: the verdict of the exec, the capability (or what else) to blame. */
function capabilityProbe(capability: string, extra?: (verdict: ProbeVerdict, facts: ContainerIsolation) => string | null) {
  return (execution: ProbeExecution, facts: ContainerIsolation): ProbeVerdict => {
    const verdict = { ...basicVerdict(execution), responsible: '' };
    if (verdict.outcome === 'error') return { ...verdict, responsible: 'the probe could not run (see output)' };
    verdict.responsible = extra?.(verdict, facts) ?? capabilityResponsible(capability, verdict.outcome, facts);
    return verdict;
  };
}

function formatBytes(bytes: number): string {
  const mebibytes = bytes / (1024 * 1024);
  return Number.isInteger(mebibytes) ? `${mebibytes}m` : `${bytes} bytes`;
}

/** The memory probe allocates past the limit when the limit is small enough to reach safely, otherwise a fixed 64 MiB. */
export const MEMORY_PROBE_MAX_LIMIT_BYTES = 192 * 1024 * 1024;
export function memoryProbeMebibytes(facts: ContainerIsolation): number {
  const limit = facts.cgroup.memoryLimitBytes;
  if (limit !== null && limit <= MEMORY_PROBE_MAX_LIMIT_BYTES) return Math.ceil(limit / (1024 * 1024)) + 32;
  return 64;
}

/** The fork probe starts a few more processes than the limit allows, or a fixed 64 when there is none (or it is high). */
export const FORK_PROBE_MAX_LIMIT = 500;
export function forkProbeCount(facts: ContainerIsolation): number {
  const limit = facts.cgroup.pidsLimit;
  if (limit !== null && limit <= FORK_PROBE_MAX_LIMIT) return limit + 8;
  return 64;
}

export const PROBES: readonly ProbeDefinition[] = [
  {
    id: 'mount-tmpfs',
    title: 'Mount a filesystem',
    description: 'Mounts an empty tmpfs on a scratch directory and unmounts it (needs CAP_SYS_ADMIN; seccomp and AppArmor may refuse it too).',
    destructive: false,
    operation: 'mount',
    answers: ['capabilities/sys-admin', 'capabilities/all', 'runtime/privileged'],
    timeoutMs: 10_000,
    command: () =>
      sh([SCRATCH, setup('mkdir -p "$F"'), 'mount -t tmpfs none "$F"; r=$?', '[ $r -eq 0 ] && umount "$F"', 'rmdir "$F" 2>/dev/null', 'exit $r'].join('\n')),
    interpret: capabilityProbe('CAP_SYS_ADMIN'),
  },
  {
    id: 'chmod-file',
    title: 'Change a file\'s mode',
    description: 'Creates a file in a scratch directory and chmods it: its owner may always do this, so only a syscall filter (seccomp) blocks it.',
    destructive: false,
    operation: null,
    answers: [],
    timeoutMs: 10_000,
    command: () => sh([SCRATCH, setup(': > "$F"'), 'chmod 600 "$F"; r=$?', 'rm -f "$F"', 'exit $r'].join('\n')),
    interpret(execution, facts) {
      const verdict = basicVerdict(execution);
      if (verdict.outcome === 'error') return { ...verdict, responsible: 'the probe could not run (see output)' };
      if (verdict.outcome === 'allowed') {
        return { ...verdict, responsible: seccompFilters(facts) ? `${seccompText(facts)} allows chmod` : `${seccompText(facts)}: nothing filters chmod` };
      }
      return { ...verdict, responsible: facts.seccomp.profile === 'custom' ? 'custom seccomp profile denies chmod (--security-opt seccomp=FILE)' : `${seccompText(facts)} denies chmod` };
    },
  },
  {
    id: 'chown-file',
    title: 'Give a file away (chown)',
    description: 'Creates a file in a scratch directory and changes its owner to uid 1 (needs CAP_CHOWN).',
    destructive: false,
    operation: 'chown-any-file',
    answers: ['capabilities/all'],
    timeoutMs: 10_000,
    command: () => sh([SCRATCH, setup(': > "$F"'), 'chown 1:1 "$F"; r=$?', 'rm -f "$F"', 'exit $r'].join('\n')),
    interpret: capabilityProbe('CAP_CHOWN'),
  },
  {
    id: 'raw-socket',
    title: 'Open a raw socket (ping)',
    description: 'Pings 127.0.0.1 once: busybox ping opens a raw ICMP socket (CAP_NET_RAW), the first step of packet spoofing and sniffing.',
    destructive: false,
    operation: 'raw-socket',
    answers: ['capabilities/net-raw'],
    timeoutMs: 10_000,
    command: () => sh('ping -c 1 -W 2 127.0.0.1'),
    interpret: capabilityProbe('CAP_NET_RAW'),
  },
  {
    id: 'write-root-filesystem',
    title: 'Write to the root filesystem',
    description: 'Creates /isolens-probe.PID in the image\'s root filesystem and removes it again.',
    destructive: false,
    operation: null,
    answers: ['mounts/writable-root-filesystem'],
    timeoutMs: 10_000,
    command: () => sh('f=/isolens-probe.$$; touch "$f"; r=$?; [ $r -eq 0 ] && rm -f "$f"; exit $r'),
    interpret(execution, facts) {
      const verdict = basicVerdict(execution);
      if (verdict.outcome === 'error') return { ...verdict, responsible: 'the probe could not run (see output)' };
      if (verdict.outcome === 'allowed') return { ...verdict, responsible: 'root filesystem writable (no --read-only)' };
      if (verdict.errno === 'EROFS') return { ...verdict, responsible: 'read-only root filesystem (--read-only)' };
      if (verdict.errno === 'EACCES') return { ...verdict, responsible: `non-root user (--user ${facts.user.configured || facts.user.uid}) may not write to /` };
      return { ...verdict, responsible: facts.readOnlyRootfs ? 'read-only root filesystem (--read-only)' : 'file permissions' };
    },
  },
  {
    id: 'create-device-node',
    title: 'Create a device node (mknod)',
    description: 'Creates a character device node for /dev/null (1:3) in a scratch directory and removes it (needs CAP_MKNOD).',
    destructive: false,
    operation: 'mknod',
    answers: ['capabilities/mknod'],
    timeoutMs: 10_000,
    command: () => sh([SCRATCH, 'mknod "$F" c 1 3; r=$?', 'rm -f "$F"', 'exit $r'].join('\n')),
    interpret: capabilityProbe('CAP_MKNOD'),
  },
  {
    id: 'unshare-user-namespace',
    title: 'Create a user namespace (unshare)',
    description: 'Runs `unshare -U true`: a new user namespace is the first step of many kernel exploits; the default seccomp profile refuses it without CAP_SYS_ADMIN.',
    destructive: false,
    operation: 'unshare-user',
    answers: ['seccomp-lsm/seccomp-disabled', 'seccomp-lsm/seccomp-weaker-than-default'],
    timeoutMs: 10_000,
    command: () => sh('unshare -U true'),
    interpret(execution, facts) {
      const verdict = basicVerdict(execution);
      if (verdict.outcome === 'error') return { ...verdict, responsible: 'the probe could not run (see output)' };
      const hasSysAdmin = facts.capabilities?.effective.includes('CAP_SYS_ADMIN') ?? false;
      if (verdict.outcome === 'allowed') {
        if (!seccompFilters(facts)) return { ...verdict, responsible: 'seccomp disabled (--security-opt seccomp=unconfined): nothing filters unshare' };
        if (hasSysAdmin) return { ...verdict, responsible: `${seccompText(facts)} allows unshare because CAP_SYS_ADMIN is held (--cap-add SYS_ADMIN)` };
        return { ...verdict, responsible: `${seccompText(facts)} allows unshare` };
      }
      if (seccompFilters(facts) && !hasSysAdmin) {
        return { ...verdict, responsible: `${seccompText(facts)} refuses unshare without CAP_SYS_ADMIN` };
      }
      return { ...verdict, responsible: 'the kernel refuses new user namespaces here (user.max_user_namespaces or a nested user namespace limit)' };
    },
  },
  {
    id: 'change-hostname',
    title: 'Change the hostname',
    description: 'Sets the hostname to its current value (so nothing changes even if it is allowed); needs CAP_SYS_ADMIN.',
    destructive: false,
    operation: 'set-hostname',
    answers: ['capabilities/sys-admin', 'namespaces/host-uts'],
    timeoutMs: 10_000,
    command: () => sh('hostname "$(hostname)"'),
    interpret: capabilityProbe('CAP_SYS_ADMIN', (verdict, facts) =>
      verdict.outcome === 'allowed' && facts.namespaces.uts.sharedWithHost === true
        ? 'CAP_SYS_ADMIN held in the host\'s UTS namespace (--uts host): the container may rename the host'
        : null,
    ),
  },
  {
    id: 'read-host-file',
    title: 'Read the host through a sensitive mount',
    description: 'Lists the first entries of each sensitive host path bound into the container (the host\'s /etc, / …; an engine socket is the engine-socket probe\'s).',
    destructive: false,
    operation: 'read-host-files',
    answers: ['mounts/sensitive-read-only', 'mounts/sensitive-read-write', 'mounts/host-root-read-write'],
    timeoutMs: 10_000,
    command: (facts) => {
      const destinations = hostPathDestinations(facts);
      // Each destination is a positional parameter: paths are the container owner's text, never part of the script.
      // "readable:" marks a listing that worked, so an empty host directory counts as read.
      return sh('[ $# -eq 0 ] && { echo "no sensitive host path is mounted"; exit 0; }\nfor d in "$@"; do echo "== $d"; ls -A "$d" >/dev/null 2>&1 && echo "readable: $d"; ls -A "$d" 2>&1 | head -n 5; done', ...destinations);
    },
    interpret(execution, facts) {
      const verdict = basicVerdict(execution);
      if (verdict.outcome === 'error') return { ...verdict, responsible: 'the probe could not run (see output)' };
      const destinations = hostPathDestinations(facts);
      if (destinations.length === 0) return { ...verdict, outcome: 'blocked', responsible: 'no sensitive host path is mounted' };
      const readable = /^readable: /m.test(verdict.output) || /^== .*\n(?!ls: |== |$)/m.test(verdict.output);
      const described = facts.mounts
        .filter((m) => destinations.includes(m.destination))
        .map((m) => `${m.source} → ${m.destination}${m.readOnly ? ' (ro)' : ''}`)
        .join(', ');
      if (readable) return { ...verdict, outcome: 'allowed', responsible: `sensitive host path mounted (-v ${described})` };
      return { ...verdict, outcome: 'blocked', errno: errnoFromOutput(verdict.output), responsible: `mounted (${described}) but not readable by this user` };
    },
  },
  {
    id: 'fork-past-pids-limit',
    title: 'Fork past the process limit',
    description: 'Starts short sleeps until the pids limit refuses a fork (at most the limit + 8, or 64 without a limit), then kills them.',
    destructive: true,
    operation: 'fork-bomb',
    answers: ['resources/pids-unlimited'],
    timeoutMs: 20_000,
    command: (facts) =>
      // The sleeps are started by a child shell (a failed fork ends that shell, not the probe); the probe then kills them.
      sh(
        [
          SCRATCH,
          setup(': > "$F"'),
          'sh -c \'i=0; while [ $i -lt $1 ]; do sleep 10 >/dev/null 2>&1 & echo $! >> "$2"; i=$((i+1)); done\' fork "$1" "$F"',
          'k=0; while read p; do kill "$p" 2>/dev/null; k=$((k+1)); done < "$F"',
          'rm -f "$F"',
          'echo "forked $k of $1"',
          '[ $k -ge $1 ]',
        ].join('\n'),
        String(forkProbeCount(facts)),
      ),
    interpret(execution, facts) {
      const output = cleanOutput(execution.stdout, execution.stderr);
      if (execution.timedOut) return { outcome: 'error', errno: null, signal: null, output, responsible: 'the probe did not finish in time' };
      const count = /forked (\d+) of (\d+)/.exec(execution.stdout);
      const limit = facts.cgroup.pidsLimit;
      if (execution.exitCode === 0 && count) {
        const why = limit === null ? 'no process limit (no --pids-limit)' : `--pids-limit ${limit} is above the ${count[2]} processes the probe starts`;
        return { outcome: 'allowed', errno: null, signal: null, output, responsible: why };
      }
      if (count && /can't fork|Resource temporarily unavailable/i.test(execution.stderr)) {
        return { outcome: 'blocked', errno: 'EAGAIN', signal: null, output, responsible: limit === null ? 'a process limit outside the container (host or parent cgroup)' : `--pids-limit ${limit}` };
      }
      return { outcome: 'error', errno: errnoFromOutput(execution.stderr), signal: null, output, responsible: 'the probe could not run (see output)' };
    },
  },
  {
    id: 'allocate-past-memory-limit',
    title: 'Allocate past the memory limit',
    description: 'Buffers zeros in one process (`head -c N /dev/zero | tail`), N = the limit + 32 MiB (or 64 MiB without a small limit), and watches for the OOM kill.',
    destructive: true,
    operation: 'exhaust-host-memory',
    answers: ['resources/memory-unlimited'],
    timeoutMs: 20_000,
    command: (facts) =>
      sh(
        [
          // The cgroup's own OOM-kill counter, v2 then v1, as the container sees it: the kernel's word that it was the OOM killer.
          // Read with shell builtins only: after an OOM kill, a fork for $(…) could itself be refused or killed.
          'oom() { n=; for f in /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control; do [ -r "$f" ] || continue; while read k v; do [ "$k" = oom_kill ] && n=$v; done < "$f"; [ -n "$n" ] && break; done; }',
          'oom; before=$n',
          // tail keeps its input when it holds no newline: one process grows to N MiB, which the OOM killer picks first.
          'head -c $(($1 * 1048576)) /dev/zero | tail -n 1 >/dev/null',
          'r=$?',
          'oom; after=$n',
          'echo "allocated ${1}m: exit $r, oom_kill ${before:-?} -> ${after:-?}"',
          'exit $r',
        ].join('\n'),
        String(memoryProbeMebibytes(facts)),
      ),
    interpret(execution, facts) {
      const output = cleanOutput(execution.stdout, execution.stderr);
      if (execution.timedOut) return { outcome: 'error', errno: null, signal: null, output, responsible: 'the probe did not finish in time' };
      const limit = facts.cgroup.memoryLimitBytes;
      const report = /allocated (\d+)m: exit (\d+), oom_kill (\S+) -> (\S+)/.exec(execution.stdout);
      // The shell itself killed before it could report: 137 = 128 + SIGKILL, which only the OOM killer sends here.
      if (!report && execution.exitCode === 137) {
        return { outcome: 'blocked', errno: null, signal: 'SIGKILL', output, responsible: limit === null ? 'the OOM killer (a limit outside the container)' : `--memory ${formatBytes(limit)}: the OOM killer ended the probe` };
      }
      if (!report) return { outcome: 'error', errno: errnoFromOutput(execution.stderr), signal: null, output, responsible: 'the probe could not run (see output)' };
      const exit = Number(report[2]);
      const oomKills = report[3] !== '?' && report[4] !== '?' ? Number(report[4]) - Number(report[3]) : null;
      if (exit === 0) {
        const why = limit === null ? 'no memory limit (no --memory)' : `--memory ${formatBytes(limit)} is above the ${report[1]} MiB the probe allocates`;
        return { outcome: 'allowed', errno: null, signal: null, output, responsible: why };
      }
      // 137 = 128 + SIGKILL: the OOM killer (the counter confirms it when the cgroup files are visible).
      if (exit === 137 || (oomKills !== null && oomKills > 0)) {
        return { outcome: 'blocked', errno: null, signal: 'SIGKILL', output, responsible: limit === null ? 'the OOM killer (a limit outside the container)' : `--memory ${formatBytes(limit)}: the OOM killer ended the allocation` };
      }
      const errno = errnoFromOutput(execution.stderr);
      if (errno === 'ENOMEM') return { outcome: 'blocked', errno, signal: null, output, responsible: limit === null ? 'memory exhausted' : `--memory ${formatBytes(limit)}` };
      return { outcome: 'error', errno, signal: null, output, responsible: 'the probe could not run (see output)' };
    },
  },
  {
    id: 'remove-kernel-module',
    title: 'Unload a kernel module',
    description: 'Asks the kernel to unload a module that does not exist (rmmod isolens_no_such_module): the permission check (CAP_SYS_MODULE, seccomp) comes first, so "not found" means loading one would be allowed.',
    destructive: false,
    operation: 'load-kernel-module',
    answers: ['capabilities/sys-module'],
    timeoutMs: 10_000,
    command: () => sh('rmmod isolens_no_such_module'),
    interpret(execution, facts) {
      const verdict = basicVerdict(execution);
      if (/No such file|not found|does not exist/i.test(verdict.output) && execution.exitCode !== 127) {
        return { ...verdict, outcome: 'allowed', errno: 'ENOENT', responsible: capabilityResponsible('CAP_SYS_MODULE', 'allowed', facts) };
      }
      if (/Function not implemented/i.test(verdict.output)) {
        return { ...verdict, outcome: 'error', errno: 'ENOSYS', responsible: 'this kernel has no loadable module support (ENOSYS): no module can be loaded at all' };
      }
      if (verdict.outcome === 'error') return { ...verdict, responsible: 'the probe could not run (see output)' };
      return { ...verdict, responsible: capabilityResponsible('CAP_SYS_MODULE', verdict.outcome, facts) };
    },
  },
  {
    id: 'see-host-processes',
    title: 'See the host\'s processes',
    description: 'Compares the cgroup of PID 1 with its own: a PID 1 outside the container\'s cgroup is a host process, visible because the PID namespace is the host\'s.',
    destructive: false,
    operation: 'see-host-processes',
    answers: ['namespaces/host-pid'],
    timeoutMs: 10_000,
    command: () => sh(HOST_PID_ONE),
    interpret(execution) {
      const output = cleanOutput(execution.stdout, execution.stderr);
      if (execution.exitCode === 0) return { outcome: 'allowed', errno: null, signal: null, output, responsible: 'the host\'s PID namespace (--pid host): PID 1 is the host\'s init' };
      if (execution.exitCode === 1) return { outcome: 'blocked', errno: null, signal: null, output, responsible: 'its own PID namespace: PID 1 is the container\'s' };
      return { outcome: 'error', errno: null, signal: null, output, responsible: 'the probe could not run (see output)' };
    },
  },
  {
    id: 'signal-host-init',
    title: 'Signal a host process',
    description: 'Where PID 1 is the host\'s, sends it signal 0 (kill -0 1), which checks the permission to signal and delivers nothing.',
    destructive: false,
    operation: 'signal-host-processes',
    answers: ['namespaces/host-pid'],
    timeoutMs: 10_000,
    // The check runs in a subshell: its exit ends the subshell, not the probe.
    command: () => sh(`( ${HOST_PID_ONE} ) >/dev/null || { echo "no host process is visible"; exit 3; }\nkill -0 1`),
    interpret(execution, facts) {
      const output = cleanOutput(execution.stdout, execution.stderr);
      if (execution.exitCode === 3) return { outcome: 'blocked', errno: null, signal: null, output, responsible: 'its own PID namespace: no host process has a PID here' };
      const verdict = basicVerdict(execution);
      if (verdict.outcome === 'error') return { ...verdict, responsible: 'the probe could not run (see output)' };
      if (verdict.outcome === 'allowed') return { ...verdict, responsible: facts.capabilities?.effective.includes('CAP_KILL') ? 'CAP_KILL held with the host\'s PID namespace (--pid host)' : 'uid 0 with the host\'s PID namespace (--pid host)' };
      return { ...verdict, responsible: `uid ${facts.user.uid} without CAP_KILL may not signal the host's root-owned init` };
    },
  },
  {
    id: 'write-host-path',
    title: 'Write to a host path',
    description: 'Reads, for each sensitive host path mounted into the container, whether the kernel mounted it read-only (/proc/self/mountinfo) and whether this user may write to it (test -w); it writes nothing.',
    destructive: false,
    operation: 'write-host-files',
    answers: ['mounts/sensitive-read-write', 'mounts/host-root-read-write', 'mounts/writable-kernel-filesystem'],
    timeoutMs: 10_000,
    command: (facts) =>
      // busybox's test -w answers yes for root even on a read-only mount, so the mount's own ro flag is read first.
      sh(
        [
          '[ $# -eq 0 ] && { echo "no sensitive host path is mounted"; exit 1; }',
          'w=; for d in "$@"; do',
          '  o=$(awk -v d="$d" \'$5 == d { o = $6 } END { print o }\' /proc/self/mountinfo)',
          '  [ -n "$o" ] || { echo "isolens: $d is not in /proc/self/mountinfo" >&2; exit 125; }',
          '  case ",$o," in *,ro,*) echo "mounted read-only: $d";; *) if [ -w "$d" ]; then echo "writable: $d"; w=1; else echo "not writable for this user: $d"; fi;; esac',
          'done',
          '[ -n "$w" ]',
        ].join('\n'),
        ...hostPathDestinations(facts),
      ),
    interpret(execution, facts) {
      const output = cleanOutput(execution.stdout, execution.stderr);
      const described = facts.mounts.filter((m) => hostPathDestinations(facts).includes(m.destination)).map((m) => `-v ${m.source}:${m.destination}${m.readOnly ? ':ro' : ''}`).join(', ');
      if (execution.exitCode === 0) return { outcome: 'allowed', errno: null, signal: null, output, responsible: `host path mounted read-write (${described})` };
      if (execution.exitCode === 1) return { outcome: 'blocked', errno: null, signal: null, output, responsible: described === '' ? 'no sensitive host path is mounted' : `mounted read-only or not writable for this user (${described})` };
      return { outcome: 'error', errno: null, signal: null, output, responsible: 'the probe could not run (see output)' };
    },
  },
  {
    id: 'reach-engine-socket',
    title: 'Reach the engine\'s API socket',
    description: 'Checks each mounted engine socket is a socket this user may connect to (test -S and -w); it connects to nothing.',
    destructive: false,
    operation: 'control-engine',
    answers: ['mounts/engine-socket'],
    timeoutMs: 10_000,
    command: (facts) =>
      sh('[ $# -eq 0 ] && { echo "no engine socket is mounted"; exit 1; }\nok=; for s in "$@"; do if [ -S "$s" ] && [ -w "$s" ]; then echo "can connect: $s"; ok=1; else echo "cannot connect: $s"; fi; done\n[ -n "$ok" ]', ...engineSocketPaths(facts)),
    interpret(execution) {
      const output = cleanOutput(execution.stdout, execution.stderr);
      if (execution.exitCode === 0) return { outcome: 'allowed', errno: null, signal: null, output, responsible: 'the engine socket is mounted and this user may connect to it' };
      if (execution.exitCode === 1) return { outcome: 'blocked', errno: null, signal: null, output, responsible: /no engine socket/.test(output) ? 'no engine socket is mounted' : 'the socket is mounted but this user may not connect to it' };
      return { outcome: 'error', errno: null, signal: null, output, responsible: 'the probe could not run (see output)' };
    },
  },
];

/** Exit 0 when PID 1 is outside this container's cgroup (a host process), 1 when it is the container's own. */
const HOST_PID_ONE = 'a=$(cat /proc/1/cgroup) || exit 125\nb=$(cat /proc/self/cgroup) || exit 125\nif [ "$a" != "$b" ]; then echo "PID 1 is not in this container\'s cgroup: a host process"; exit 0; fi\necho "PID 1 is this container\'s own"; exit 1';

/** Sensitive host paths bind-mounted by the user, engine sockets aside (they have their own probe): the binds the
 * "Read/Write host files" operations are judged on, so a probe and its prediction look at the same mounts. */
function hostPathDestinations(facts: ContainerIsolation): string[] {
  return hostFileBinds(facts.mounts).map((m) => m.destination);
}

/** Where each mounted engine socket is inside the container (a mounted /var/run holds docker.sock). */
function engineSocketPaths(facts: ContainerIsolation): string[] {
  return facts.mounts
    .filter((m) => m.origin === 'engine' && m.type !== 'volume' && m.type !== 'tmpfs' && mountedEngineSocket(m) !== null)
    .map((m) => (/\.sock$/.test(m.destination) ? m.destination : `${m.destination.replace(/\/$/, '')}/docker.sock`));
}

const byId = new Map<string, ProbeDefinition>(PROBES.map((probe) => [probe.id, probe]));

export function probeById(id: string): ProbeDefinition | undefined {
  return byId.get(id);
}

export function isLabContainer(labels: Record<string, string>): boolean {
  return labels[LAB_OWNER_LABEL] === LAB_OWNER_VALUE;
}

export type RunProbeRefusal = { refused: true; probeId: string; reason: string };

/** Containers that are not Isolens' own, with a probe under way: a user's container gets one probe at a time. */
const probingUserContainers = new Set<string>();

/** The admission step of each container's probe requests, chained so that requests are decided in the order made. */
const admissions = new Map<string, Promise<unknown>>();

/**
 * Run `step` after every earlier admission for the same container has been decided. Without this, which of two
 * concurrent requests gets a user's container depends on whose inspect the engine answers first. Only admission is
 * ordered: probes in a lab container still run side by side.
 */
function inCallOrder<T>(containerId: string, step: () => Promise<T>): Promise<T> {
  const mine = (admissions.get(containerId) ?? Promise.resolve()).then(step);
  const settled = mine.catch(() => undefined);
  admissions.set(containerId, settled);
  void settled.then(() => {
    if (admissions.get(containerId) === settled) admissions.delete(containerId);
  });
  return mine;
}

/**
 * Run one probe in a container and interpret it against the container's facts. The container's labels are read
 * from the engine, not from `facts`: destructive probes run only in containers that carry the lab label
 * (io.isolens.owner=lab), and a user's own containers get one probe at a time, first come first served.
 */
export async function runProbe(
  adapter: ContainerEngine,
  containerId: string,
  probeId: string,
  facts: ContainerIsolation,
): Promise<ProbeResult | RunProbeRefusal> {
  const probe = probeById(probeId);
  if (!probe) return { refused: true, probeId, reason: `no probe is called ${JSON.stringify(probeId)}; the catalogue is ${PROBE_IDS.join(', ')}` };
  const admission = await inCallOrder(containerId, async (): Promise<RunProbeRefusal | { fullId: string }> => {
    let labels: Record<string, string>;
    let fullId: string;
    try {
      const inspected = await adapter.inspect(containerId);
      if (!inspected.ok) return { refused: true, probeId, reason: inspected.reason === 'vanished' ? 'the container is gone' : inspected.message };
      const inspect = inspected.value;
      if (!inspect.State.Running) return { refused: true, probeId, reason: 'the container is not running' };
      labels = inspect.Config.Labels ?? {};
      fullId = inspect.Id;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      return { refused: true, probeId, reason: status === 404 ? 'the container is gone' : `the engine did not answer: ${(error as Error).message}` };
    }
    if (fullId !== facts.id) return { refused: true, probeId, reason: 'the facts given are not this container\'s' };
    const lab = isLabContainer(labels);
    if (probe.destructive && !lab) {
      return { refused: true, probeId, reason: `${probe.title} stresses the container, so it runs only in Isolens lab containers (label ${LAB_OWNER_LABEL}=${LAB_OWNER_VALUE})` };
    }
    if (!lab && probingUserContainers.has(fullId)) {
      return { refused: true, probeId, reason: 'another probe is running in this container; probes on your own containers run one at a time' };
    }
    if (!lab) probingUserContainers.add(fullId);
    return { fullId };
  });
  if ('refused' in admission) return admission;
  const { fullId } = admission;
  const started = performance.now();
  const result = (verdict: ProbeVerdict): ProbeResult => ({
    probeId: probe.id,
    title: probe.title,
    destructive: probe.destructive,
    ...verdict,
    durationMs: Math.round(performance.now() - started),
  });
  try {
    const execution: ProbeExecution = await adapter.exec(fullId, probe.command(facts).argv, { timeoutMs: probe.timeoutMs });
    return result(probe.interpret(execution, facts));
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    const reason = status === 404 ? 'the container is gone' : status === 409 ? 'the container is not running' : (error as Error).message;
    return result({ outcome: 'error', errno: null, signal: null, output: '', responsible: `the probe could not start: ${reason}` });
  } finally {
    probingUserContainers.delete(fullId);
  }
}

export function isRefusal(result: ProbeResult | RunProbeRefusal): result is RunProbeRefusal {
  return 'refused' in result;
}
