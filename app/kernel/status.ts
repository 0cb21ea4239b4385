// /proc/PID/status: credentials, capability masks, no_new_privs and seccomp of one process, as the kernel reports them.
import type { ReadResult } from './read.js';
import type { KernelProcess } from './source.js';

export interface ProcessIds {
  real: number;
  effective: number;
  saved: number;
  filesystem: number;
}

export type SeccompMode = 'disabled' | 'strict' | 'filter';

export interface ProcStatus {
  /** The command name (comm), as escaped by the kernel: attacker-controlled text. */
  name: string;
  /** e.g. "S (sleeping)". */
  state: string;
  pid: number;
  parentPid: number;
  /** Ids as seen from the reader's user namespace (the host's, when Isolens runs on the host). */
  uid: ProcessIds;
  gid: ProcessIds;
  capInheritable: bigint;
  capPermitted: bigint;
  capEffective: bigint;
  capBounding: bigint;
  /** 0n on kernels before 4.3, which have no ambient set (so nothing can be in it). */
  capAmbient: bigint;
  /** NoNewPrivs (Linux 4.10+); null when the kernel does not report it. */
  noNewPrivileges: boolean | null;
  /** Seccomp 0/1/2; null when the kernel was built without CONFIG_SECCOMP. */
  seccompMode: SeccompMode | null;
  /** Seccomp_filters (Linux 5.9+): how many filters are attached. */
  seccompFilters: number | null;
  /** NSpid: the process's id in each nested PID namespace, outermost first. */
  namespacePids: number[];
}

/** "Key:\tvalue" lines into a map; values keep their inner tabs. */
export function parseStatusFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    // Name (comm) is attacker-chosen but the kernel escapes its newlines, so it cannot forge a later line; first wins anyway.
    const key = line.slice(0, colon);
    if (!fields.has(key)) fields.set(key, line.slice(colon + 1).replace(/^\t/, ''));
  }
  return fields;
}

function required(fields: Map<string, string>, key: string): string {
  const value = fields.get(key);
  if (value === undefined) throw new Error(`/proc/PID/status has no ${key} line`);
  return value;
}

function integer(text: string, key: string): number {
  const value = Number(text.trim());
  if (!Number.isInteger(value)) throw new Error(`/proc/PID/status ${key} is not an integer: ${JSON.stringify(text)}`);
  return value;
}

function ids(fields: Map<string, string>, key: string): ProcessIds {
  const parts = required(fields, key).trim().split(/\s+/).map((part) => integer(part, key));
  if (parts.length !== 4) throw new Error(`/proc/PID/status ${key} should have 4 ids, has ${parts.length}`);
  const [real, effective, saved, filesystem] = parts as [number, number, number, number];
  return { real, effective, saved, filesystem };
}

/** A capability line's hex mask, e.g. "00000000a80425fb". */
export function parseCapabilityMask(hex: string): bigint {
  const trimmed = hex.trim();
  if (!/^[0-9a-fA-F]{1,16}$/.test(trimmed)) throw new Error(`not a capability mask: ${JSON.stringify(hex)}`);
  return BigInt(`0x${trimmed}`);
}

const SECCOMP_MODES: Record<string, SeccompMode> = { '0': 'disabled', '1': 'strict', '2': 'filter' };

/** Parse the text of /proc/PID/status. Throws only when a field every Linux since 2.6.26 has is missing or malformed. */
export function parseStatus(text: string): ProcStatus {
  const fields = parseStatusFields(text);
  const optional = (key: string) => fields.get(key)?.trim();
  const ambient = optional('CapAmb');
  const noNewPrivileges = optional('NoNewPrivs');
  const seccomp = optional('Seccomp');
  const seccompFilters = optional('Seccomp_filters');
  const namespacePids = optional('NSpid');
  return {
    name: required(fields, 'Name'),
    state: required(fields, 'State').trim(),
    pid: integer(required(fields, 'Pid'), 'Pid'),
    parentPid: integer(required(fields, 'PPid'), 'PPid'),
    uid: ids(fields, 'Uid'),
    gid: ids(fields, 'Gid'),
    capInheritable: parseCapabilityMask(required(fields, 'CapInh')),
    capPermitted: parseCapabilityMask(required(fields, 'CapPrm')),
    capEffective: parseCapabilityMask(required(fields, 'CapEff')),
    capBounding: parseCapabilityMask(required(fields, 'CapBnd')),
    capAmbient: ambient === undefined ? 0n : parseCapabilityMask(ambient),
    noNewPrivileges: noNewPrivileges === undefined ? null : noNewPrivileges === '1',
    seccompMode: seccomp === undefined ? null : (SECCOMP_MODES[seccomp] ?? null),
    seccompFilters: seccompFilters === undefined ? null : integer(seccompFilters, 'Seccomp_filters'),
    // Kernels before 4.1 have no NSpid: the PID is then the only one known.
    namespacePids: namespacePids === undefined ? [] : namespacePids.split(/\s+/).filter(Boolean).map((part) => integer(part, 'NSpid')),
  };
}

/** Read and parse /proc/PID/status. A malformed file (never seen from a real kernel) becomes reason 'other'. */
export async function readStatus(process: KernelProcess): Promise<ReadResult<ProcStatus>> {
  const path = process.path('status');
  const text = await process.source.readText(path);
  if (!text.ok) return text;
  try {
    return { ok: true, value: parseStatus(text.value) };
  } catch (error) {
    return { ok: false, reason: 'other', message: `${path} could not be understood: ${(error as Error).message}` };
  }
}
