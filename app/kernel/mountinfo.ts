// /proc/PID/mountinfo (proc(5)): every mount a process sees, with its options and propagation.
import type { ReadResult } from './read.js';
import type { KernelProcess } from './source.js';

export type MountPropagation = 'shared' | 'slave' | 'shared+slave' | 'private' | 'unbindable';

export interface MountInfoEntry {
  mountId: number;
  parentId: number;
  /** st_dev of the filesystem, "major:minor". */
  majorMinor: string;
  /** The directory of the filesystem that forms this mount's root (the host path of a bind mount, relative to its fs). */
  root: string;
  mountPoint: string;
  /** Per-mount options: ro/rw, nosuid, nodev, noexec, relatime … */
  mountOptions: string[];
  /** shared:N, master:N, propagate_from:N, unbindable. */
  optionalFields: string[];
  fsType: string;
  mountSource: string;
  /** Per-superblock options. */
  superOptions: string[];
  /** Writes fail here: the mount or its whole filesystem is read-only. */
  readOnly: boolean;
  propagation: MountPropagation;
}

/**
 * Undo the kernel's octal escaping of space, tab, newline and backslash (\040 \011 \012 \134). Paths in mountinfo can be
 * chosen inside a container, so this is what keeps a crafted path from faking extra fields.
 */
export function unescapeMountField(field: string): string {
  // Most fields have no escape at all: no pattern run and no new string for them (a scan parses ~750 lines).
  if (!field.includes('\\')) return field;
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Propagation from the optional fields: shared:N (peer group), master:N (receives from a peer group), unbindable. */
export function propagationOf(optionalFields: readonly string[]): MountPropagation {
  const shared = optionalFields.some((f) => f.startsWith('shared:'));
  const slave = optionalFields.some((f) => f.startsWith('master:'));
  if (shared && slave) return 'shared+slave';
  if (shared) return 'shared';
  if (slave) return 'slave';
  if (optionalFields.includes('unbindable')) return 'unbindable';
  return 'private';
}

/** Parse one mountinfo line; null when it does not have the proc(5) shape. */
export function parseMountinfoLine(line: string): MountInfoEntry | null {
  // Escaping guarantees single spaces separate fields; the optional fields end at a lone "-".
  const fields = line.split(' ');
  const separator = fields.indexOf('-', 6);
  if (fields.length < 10 || separator < 0 || fields.length < separator + 4) return null;
  // By index, not destructured: cold code destructures through the iterator protocol, an object per field.
  const mountId = fields[0]!;
  const parentId = fields[1]!;
  const majorMinor = fields[2]!;
  const root = fields[3]!;
  const mountPoint = fields[4]!;
  const mountOptions = fields[5]!;
  const optionalFields = fields.slice(6, separator).filter(Boolean);
  const fsType = fields[separator + 1]!;
  const mountSource = fields[separator + 2]!;
  const superOptions = fields[separator + 3]!;
  if (!/^\d+$/.test(mountId) || !/^\d+$/.test(parentId)) return null;
  const options = mountOptions.split(',');
  // Option values (overlay's lowerdir=…) escape their commas too (\054), so split first, then unescape.
  const perSuperblock = superOptions.split(',').map(unescapeMountField);
  return {
    mountId: Number(mountId),
    parentId: Number(parentId),
    majorMinor,
    root: unescapeMountField(root),
    mountPoint: unescapeMountField(mountPoint),
    mountOptions: options,
    optionalFields,
    fsType: unescapeMountField(fsType),
    mountSource: unescapeMountField(mountSource),
    superOptions: perSuperblock,
    readOnly: options.includes('ro') || perSuperblock.includes('ro'),
    propagation: propagationOf(optionalFields),
  };
}

export function parseMountinfo(text: string): MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const entry = parseMountinfoLine(line);
    if (entry) entries.push(entry);
  }
  return entries;
}

/** The mount visible at a path: the last one mounted there (later lines stack on earlier ones). */
export function visibleMountAt(entries: readonly MountInfoEntry[], mountPoint: string): MountInfoEntry | undefined {
  for (let index = entries.length - 1; index >= 0; index--) if (entries[index]!.mountPoint === mountPoint) return entries[index];
  return undefined;
}

export async function readMountinfo(process: KernelProcess): Promise<ReadResult<MountInfoEntry[]>> {
  const text = await process.readText('mountinfo');
  return text.ok ? { ok: true, value: parseMountinfo(text.value) } : text;
}
