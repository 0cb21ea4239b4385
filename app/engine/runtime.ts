// Which OCI runtime a container runs under, from the engine's runtime name and binary path, and the boundary that runtime gives.
import type { RuntimeIsolation, RuntimeKind } from '../model/schema.js';

export interface RuntimeClass {
  kind: RuntimeKind;
  isolation: RuntimeIsolation;
  /** The boundary in plain words, for the document and the UI. */
  detail: string;
}

interface KnownRuntime extends RuntimeClass {
  /** Matched against the runtime's name and the basename of its binary (names are free: `--add-runtime gvisor=/usr/bin/runsc`). */
  pattern: RegExp;
}

/**
 * The runtimes Isolens knows, first match wins. Names as their projects register them: runsc and io.containerd.runsc.v1
 * (gVisor), kata-runtime, kata-qemu, kata-fc, kata-clh and io.containerd.kata.v2 (Kata Containers), sysbox-runc (Sysbox).
 */
const KNOWN: readonly KnownRuntime[] = [
  {
    pattern: /runsc|gvisor/i,
    kind: 'gvisor',
    isolation: 'user-space-kernel',
    detail:
      'gVisor: the workload\'s system calls are served by gVisor\'s own user-space kernel (the Sentry), which runs on the host as a sandbox process under its own seccomp filter, so the workload never calls the host kernel directly',
  },
  {
    pattern: /kata/i,
    kind: 'kata',
    isolation: 'virtual-machine',
    detail: 'Kata Containers: the workload runs on a guest kernel inside a lightweight virtual machine; the host sees only the hypervisor and its shim',
  },
  {
    pattern: /sysbox/i,
    kind: 'sysbox',
    isolation: 'shared-kernel',
    detail:
      'Sysbox: the workload runs on the host\'s kernel, always in a user namespace of its own (root inside is an unprivileged uid on the host), with parts of /proc and /sys emulated',
  },
  { pattern: /crun/i, kind: 'crun', isolation: 'shared-kernel', detail: 'crun: the workload runs on the host\'s kernel, confined by namespaces, capabilities, seccomp and cgroups' },
  { pattern: /runc/i, kind: 'runc', isolation: 'shared-kernel', detail: 'runc: the workload runs on the host\'s kernel, confined by namespaces, capabilities, seccomp and cgroups' },
];

const UNKNOWN: RuntimeClass = {
  kind: 'other',
  isolation: 'shared-kernel',
  detail: 'a runtime Isolens does not know: judged as one that runs the workload on the host\'s kernel',
};

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Classify a runtime by its engine name and registered path. The path wins over the name where both are known, because
 * a name is whatever the administrator typed (`--add-runtime sandboxed=/usr/bin/runsc`) and the binary is what runs.
 * No name (an engine that does not report one) means the engine's default, runc for Docker, crun or runc for Podman.
 */
export function classifyRuntime(name: string | null, path: string | null): RuntimeClass {
  for (const candidate of [path === null ? null : basename(path), name]) {
    if (!candidate) continue;
    const known = KNOWN.find((runtime) => runtime.pattern.test(candidate));
    if (known) return { kind: known.kind, isolation: known.isolation, detail: known.detail };
  }
  if (!name && !path) return KNOWN.find((runtime) => runtime.kind === 'runc')!;
  return UNKNOWN;
}

/**
 * The argv[0] a sandboxed runtime gives its host-side process, as the kernel shows it in /proc/PID/cmdline: the marker that
 * the container's PID is the sandbox, not the workload. gVisor re-executes itself as "runsc-sandbox" (comm shows "exe").
 */
export function sandboxKindOfCommand(argv0: string): RuntimeKind | null {
  const name = basename(argv0);
  if (/^runsc-sandbox$/.test(name)) return 'gvisor';
  if (/^(qemu-system-|qemu-kvm|cloud-hypervisor|firecracker|containerd-shim-kata)/.test(name)) return 'kata';
  return null;
}

/** A boolean runsc flag among the runtime's arguments: `--net-raw`, `--net-raw=true`, `-net-raw` (Go's flag syntax). */
export function runscFlag(runtimeArguments: readonly string[], flag: string): boolean {
  let value = false;
  for (const argument of runtimeArguments) {
    const match = /^--?([a-z-]+)(?:=(.*))?$/.exec(argument);
    if (!match || match[1] !== flag) continue;
    value = match[2] === undefined || match[2] === 'true' || match[2] === '1';
  }
  return value;
}
