// /proc/PID/ns/*: the inode of each namespace a process is in; equal inodes mean the same namespace.
import type { NamespaceKind } from '../model/schema.js';
import { NAMESPACE_KINDS } from '../model/vocabulary.js';
import type { ReadResult } from './read.js';
import type { KernelProcess } from './source.js';

export interface NamespaceLink {
  /** The link's own kind, e.g. "pid" (pid_for_children links also say "pid"). */
  kind: string;
  inode: number;
}

/** "pid:[4026531836]" → { kind: 'pid', inode: 4026531836 }; null for anything else. */
export function parseNamespaceLink(target: string): NamespaceLink | null {
  const match = /^([a-z_]+):\[(\d+)\]$/.exec(target.trim());
  if (!match) return null;
  const inode = Number(match[2]);
  return Number.isSafeInteger(inode) ? { kind: match[1]!, inode } : null;
}

/** The Linux release that added each namespace that may be absent, for the 'unsupported' message. */
const ADDED_IN: Partial<Record<NamespaceKind, string>> = { cgroup: '4.6', time: '5.6' };

async function readNamespace(process: KernelProcess, kind: NamespaceKind): Promise<ReadResult<number>> {
  const path = process.path(`ns/${kind}`);
  const link = await process.source.readLink(path);
  if (!link.ok) {
    // The process is there but the link is not: this kernel has no such namespace (or was built without it).
    if (link.reason === 'missing') {
      const since = ADDED_IN[kind];
      return {
        ok: false,
        reason: 'unsupported',
        message: `this kernel has no ${kind} namespace${since ? ` (added in Linux ${since})` : ''}, so ${path} does not exist`,
      };
    }
    return link;
  }
  const parsed = parseNamespaceLink(link.value);
  if (!parsed || parsed.kind !== kind) {
    return { ok: false, reason: 'other', message: `${path} points to ${JSON.stringify(link.value)}, not a ${kind} namespace` };
  }
  return { ok: true, value: parsed.inode };
}

/** Every namespace of a process; each kind succeeds or fails on its own. */
export async function readNamespaces(process: KernelProcess): Promise<Record<NamespaceKind, ReadResult<number>>> {
  const results = await Promise.all(NAMESPACE_KINDS.map((kind) => readNamespace(process, kind)));
  return Object.fromEntries(NAMESPACE_KINDS.map((kind, index) => [kind, results[index]!])) as Record<NamespaceKind, ReadResult<number>>;
}
