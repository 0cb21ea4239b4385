// The words and flags for each operation of the catalogue: what it is, and the docker run flag that would change its verdict.
import type { OperationId } from './schema.js';

export interface OperationText {
  title: string;
  /** What an attacker gets when it is allowed. */
  gain: string;
  /** The flag that blocks it where it is allowed. */
  block: string;
  /** The flag (usually a bad idea) that would allow it where it is blocked. */
  allow: string;
}

export const OPERATION_TEXT: Readonly<Record<OperationId, OperationText>> = {
  mount: { title: 'Mount a filesystem', gain: 'mount filesystems, the first step to reaching host disks', block: '--cap-drop SYS_ADMIN (and keep the default seccomp profile)', allow: '--cap-add SYS_ADMIN' },
  'unshare-user': { title: 'Create a user namespace', gain: 'a root-in-namespace playground for kernel exploits', block: 'the default seccomp profile (remove seccomp=unconfined or a permissive custom profile)', allow: '--security-opt seccomp=unconfined or --cap-add SYS_ADMIN' },
  'raw-socket': { title: 'Open a raw socket', gain: 'spoof and sniff packets on the container network', block: '--cap-drop NET_RAW', allow: '--cap-add NET_RAW' },
  mknod: { title: 'Create a device node', gain: 'device files for the devices the device cgroup allows', block: '--cap-drop MKNOD', allow: '--cap-add MKNOD' },
  'chown-any-file': { title: 'Give any file to another user', gain: 'change ownership of any file it can reach', block: '--cap-drop CHOWN', allow: '--cap-add CHOWN' },
  'set-hostname': { title: 'Change the hostname', gain: 'rename the container, or with --uts host the host', block: '--cap-drop SYS_ADMIN', allow: '--cap-add SYS_ADMIN' },
  'set-time': { title: 'Set the system clock', gain: 'change the host\'s clock (it is not namespaced)', block: '--cap-drop SYS_TIME', allow: '--cap-add SYS_TIME' },
  'load-kernel-module': { title: 'Load a kernel module', gain: 'run its own code in the host kernel', block: '--cap-drop SYS_MODULE', allow: '--cap-add SYS_MODULE' },
  ptrace: { title: 'Trace another process', gain: 'read and change the memory of processes it can see', block: '--cap-drop SYS_PTRACE and no --pid host', allow: '--cap-add SYS_PTRACE' },
  bpf: { title: 'Load BPF programs', gain: 'kernel-level tracing and packet programs', block: '--cap-drop SYS_ADMIN --cap-drop BPF', allow: '--cap-add BPF' },
  'see-host-processes': { title: 'See the host\'s processes', gain: 'every host process, its command line and environment', block: 'remove --pid host', allow: '--pid host' },
  'signal-host-processes': { title: 'Signal host processes', gain: 'kill or stop host services', block: 'remove --pid host', allow: '--pid host' },
  'read-host-files': { title: 'Read host files', gain: 'host secrets and configuration', block: 'remove the sensitive -v host mount', allow: '-v /etc:/host-etc:ro' },
  'write-host-files': { title: 'Write host files', gain: 'root on the host (cron, users, binaries)', block: 'remove the mount, or add :ro', allow: '-v /:/host' },
  'control-engine': { title: 'Control the container engine', gain: 'start a privileged container: root on the host', block: 'remove -v /var/run/docker.sock', allow: '-v /var/run/docker.sock:/var/run/docker.sock' },
  'exhaust-host-memory': { title: 'Exhaust the host\'s memory', gain: 'push the host into the OOM killer', block: '--memory 512m', allow: 'no --memory' },
  'fork-bomb': { title: 'Fork until the host runs out of processes', gain: 'stop anything new from starting on the host', block: '--pids-limit 100', allow: 'no --pids-limit' },
};
