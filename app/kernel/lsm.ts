// Linux security modules: which are active on the host, and the AppArmor profile / SELinux context of a process.
import type { ReadResult } from './read.js';
import { sysPath, type KernelProcess, type KernelSource } from './source.js';

export interface ActiveLsms {
  /** Module names as the kernel lists them, e.g. ["lockdown", "capability", "landlock", "apparmor", "bpf"]. */
  names: string[];
  /** securityfs: the kernel's own list; probe: guessed from /sys/module/apparmor and /sys/fs/selinux (securityfs unreadable). */
  source: 'securityfs' | 'probe';
}

/** /sys/kernel/security/lsm: a comma-separated list, no trailing newline. */
export function parseLsmList(text: string): string[] {
  return text.trim().split(',').map((name) => name.trim()).filter(Boolean);
}

/** Which LSMs are active: the kernel's list when securityfs is readable, otherwise what /sys shows of AppArmor and SELinux. */
export async function readActiveLsms(source: KernelSource): Promise<ActiveLsms> {
  const list = await source.readText(sysPath(source, 'kernel/security/lsm'));
  if (list.ok) return { names: parseLsmList(list.value), source: 'securityfs' };
  const names: string[] = [];
  const apparmor = await source.readText(sysPath(source, 'module/apparmor/parameters/enabled'));
  if (apparmor.ok && apparmor.value.trim() === 'Y') names.push('apparmor');
  // selinuxfs is mounted at /sys/fs/selinux only when SELinux is enabled.
  if (await source.exists(sysPath(source, 'fs/selinux/enforce'))) names.push('selinux');
  return { names, source: 'probe' };
}

export interface AppArmorLabel {
  profile: string;
  /** "enforce", "complain", "kill", "unconfined" …; null for the bare "unconfined" label. */
  mode: string | null;
}

/** "docker-default (enforce)" → { profile: 'docker-default', mode: 'enforce' }; "unconfined" → { profile: 'unconfined', mode: null }. */
export function parseAppArmorLabel(text: string): AppArmorLabel {
  const label = text.replace(/\0/g, '').trim();
  const match = /^(.*\S) \(([a-z_]+)\)$/.exec(label);
  return match ? { profile: match[1]!, mode: match[2]! } : { profile: label, mode: null };
}

/** An attr file's text: the kernel ends SELinux contexts with a NUL and AppArmor labels with a newline. */
function attrText(text: string): string | null {
  const value = text.replace(/\0/g, '').trim();
  return value === '' ? null : value;
}

export interface LsmLabels {
  /** e.g. "docker-default (enforce)" or "unconfined"; null when AppArmor is not active. */
  apparmor: string | null;
  /** e.g. "system_u:system_r:container_t:s0:c1,c2"; null when SELinux is not active. */
  selinux: string | null;
}

/**
 * The labels of a process. Linux 5.1+ gives AppArmor its own /proc/PID/attr/apparmor/current; older kernels (and
 * SELinux always) use /proc/PID/attr/current, which belongs to whichever major LSM is active.
 */
export async function readLsmLabels(process: KernelProcess, active?: ActiveLsms): Promise<ReadResult<LsmLabels>> {
  active ??= await readActiveLsms(process.source);
  const labels: LsmLabels = { apparmor: null, selinux: null };
  if (active.names.includes('apparmor')) {
    let text = await process.readText('attr/apparmor/current');
    if (!text.ok && text.reason === 'missing') text = await process.readText('attr/current');
    if (!text.ok) return text;
    labels.apparmor = attrText(text.value);
  }
  if (active.names.includes('selinux')) {
    const text = await process.readText('attr/current');
    if (!text.ok) return text;
    labels.selinux = attrText(text.value);
  }
  return { ok: true, value: labels };
}
