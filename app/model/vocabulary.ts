// The document's fixed lists (schema version, namespace kinds, severities, operations and their layers), zod-free: the
// scan path uses them at run time without building the document's schemas, which only validation and the JSON Schema need.
import { SEVERITY_LEVELS } from './severity.js';

export const SCHEMA_VERSION = 1 as const;

export const NAMESPACE_KINDS = ['pid', 'net', 'ipc', 'uts', 'mnt', 'user', 'cgroup', 'time'] as const;

/** Worst first. */
export const SEVERITIES: readonly (typeof SEVERITY_LEVELS)[number][] = SEVERITY_LEVELS;

/** The fixed catalogue of actions an attacker inside a container would try (app/operations/catalogue.ts says how each is judged). */
export const OPERATION_IDS = [
  'mount', 'unshare-user', 'raw-socket', 'mknod', 'chown-any-file', 'set-hostname', 'set-time', 'load-kernel-module', 'ptrace', 'bpf',
  'see-host-processes', 'signal-host-processes', 'read-host-files', 'write-host-files', 'control-engine', 'exhaust-host-memory', 'fork-bomb',
] as const;

export const OPERATION_LAYERS = ['runtime', 'capabilities', 'seccomp', 'lsm', 'no-new-privileges', 'user', 'namespaces', 'mounts', 'read-only-rootfs', 'cgroup'] as const;
