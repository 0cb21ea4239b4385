// cgroup limits and usage of a process, read from cgroupfs: v1 and v2 differ in file names and formats, not in meaning.
import { posix } from 'node:path';
import type { Gap } from '../model/schema.js';
import type { ReadFailure, ReadResult } from './read.js';
import type { KernelRequest, KernelSource } from './source.js';

// ---------------------------------------------------------------------------------------------------------------------
// /proc/PID/cgroup

export interface ProcCgroupEntry {
  /** 0 for the v2 (unified) hierarchy. */
  hierarchyId: number;
  /** v1 controllers bound to the hierarchy, e.g. ["cpu", "cpuacct"] or ["name=systemd"]; [] for v2. */
  controllers: string[];
  /** Relative to the cgroupfs root as seen from the reader's cgroup namespace. */
  path: string;
}

export interface ProcCgroup {
  /** 2 only when the process is in the unified hierarchy alone; 1 when any v1 hierarchy is listed. */
  version: 1 | 2;
  /** Both v1 hierarchies and the v2 one are listed (systemd's "hybrid" layout). */
  hybrid: boolean;
  entries: ProcCgroupEntry[];
}

/** Parse /proc/PID/cgroup: "hierarchy-ID:controller-list:cgroup-path" per line (cgroups(7)). */
export function parseProcCgroup(text: string): ProcCgroup {
  const entries: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first <= 0 || second < 0) continue;
    const hierarchyId = Number(line.slice(0, first));
    if (!Number.isInteger(hierarchyId)) continue;
    const controllerList = line.slice(first + 1, second);
    // The path is the rest of the line: a cgroup name may itself contain ':'.
    entries.push({ hierarchyId, controllers: controllerList ? controllerList.split(',') : [], path: line.slice(second + 1) });
  }
  if (entries.length === 0) throw new Error('/proc/PID/cgroup lists no hierarchy');
  const unified = entries.some((e) => e.hierarchyId === 0 && e.controllers.length === 0);
  const legacy = entries.some((e) => e.hierarchyId !== 0);
  return { version: legacy ? 1 : 2, hybrid: unified && legacy, entries };
}

// ---------------------------------------------------------------------------------------------------------------------
// Where the container's cgroup lives

export const RESOURCE_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'cpuset', 'pids', 'blkio'] as const;
export type ResourceController = (typeof RESOURCE_CONTROLLERS)[number];

export type CgroupLocation =
  /** v1: each controller's directory and its own path (one path for all, except under a relative --cgroup-parent). */
  | { version: 1; path: string; directories: Partial<Record<ResourceController, string>>; paths: Partial<Record<ResourceController, string>> }
  | { version: 2; path: string; directory: string };

function under(root: string, path: string): string {
  return posix.join(root, path);
}

/**
 * Where the files holding a process's limits are. Pure: from /proc/PID/cgroup and the cgroupfs root.
 * v1: each controller's hierarchy is mounted at <root>/<its controllers joined by ","> (how systemd and the engines mount
 * them; the single-controller names are symlinks there). On hybrid hosts the v1 controllers hold the limits; the unified
 * hierarchy, mounted at <root>/unified, is used only when no v1 resource controller is listed.
 */
export function locateCgroup(procCgroup: ProcCgroup, cgroupRoot: string): CgroupLocation {
  const directories: Partial<Record<ResourceController, string>> = {};
  const paths: Partial<Record<ResourceController, string>> = {};
  let path: string | null = null;
  for (const controller of RESOURCE_CONTROLLERS) {
    const entry = procCgroup.entries.find((e) => e.hierarchyId !== 0 && e.controllers.includes(controller));
    if (!entry) continue;
    directories[controller] = under(cgroupRoot, posix.join(entry.controllers.join(','), entry.path));
    paths[controller] = entry.path;
    path ??= entry.path;
  }
  if (path !== null) return { version: 1, path, directories, paths };
  const unified = procCgroup.entries.find((e) => e.hierarchyId === 0) ?? procCgroup.entries[0]!;
  return { version: 2, path: unified.path, directory: under(procCgroup.hybrid ? posix.join(cgroupRoot, 'unified') : cgroupRoot, unified.path) };
}

// ---------------------------------------------------------------------------------------------------------------------
// Pure parsers, one per file format

function integerText(text: string, what: string): bigint {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) throw new Error(`${what}: expected an integer, got ${JSON.stringify(trimmed.slice(0, 40))}`);
  return BigInt(trimmed);
}

/** A single-number file (memory.current, memory.usage_in_bytes, pids.current, cpuacct.usage …). */
export function parseSingleNumber(text: string): number {
  return Number(integerText(text, 'single-value file'));
}

/** "max" (no limit) or a number: pids.max (v1 and v2), memory.max. */
export function parseMaxOrNumber(text: string): number | null {
  return text.trim() === 'max' ? null : parseSingleNumber(text);
}

/**
 * v1 memory.limit_in_bytes. "No limit" is PAGE_COUNTER_MAX pages in bytes: LONG_MAX rounded down to the page size
 * (9223372036854771712 with 4 KiB pages, less with 64 KiB pages). Anything within 1 MiB of LONG_MAX is that value.
 */
export function parseV1MemoryLimit(text: string): number | null {
  const bytes = integerText(text, 'memory.limit_in_bytes');
  const unlimitedFrom = 2n ** 63n - 1n - 2n ** 20n;
  return bytes >= unlimitedFrom ? null : Number(bytes);
}

/** v1 cpu.cfs_quota_us ("-1" = no limit) over cpu.cfs_period_us, in cores. */
export function parseV1CpuQuotaCores(quotaText: string, periodText: string): number | null {
  const quotaUs = Number(integerText(quotaText, 'cpu.cfs_quota_us'));
  const periodUs = Number(integerText(periodText, 'cpu.cfs_period_us'));
  return quotaUs < 0 || periodUs <= 0 ? null : quotaUs / periodUs;
}

/** v2 cpu.max: "$MAX $PERIOD", $MAX "max" for no limit (default "max 100000"). */
export function parseCpuMax(text: string): { quotaUs: number | null; periodUs: number } {
  const [max, period] = text.trim().split(/\s+/);
  if (max === undefined || period === undefined) throw new Error(`cpu.max: expected "$MAX $PERIOD", got ${JSON.stringify(text.trim().slice(0, 40))}`);
  return { quotaUs: max === 'max' ? null : Number(integerText(max, 'cpu.max')), periodUs: Number(integerText(period, 'cpu.max')) };
}

export function parseCpuMaxCores(text: string): number | null {
  const { quotaUs, periodUs } = parseCpuMax(text);
  return quotaUs === null || periodUs <= 0 ? null : quotaUs / periodUs;
}

/** A CPU list such as "0-4,6,8-10" (cpuset.cpus, cpuset.cpus.effective); null when empty (= inherit). */
export function parseCpuList(text: string): string | null {
  const list = text.trim();
  if (list === '') return null;
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(list)) throw new Error(`not a CPU list: ${JSON.stringify(list.slice(0, 40))}`);
  return list;
}

/**
 * One key of a flat-keyed file, "key value" per line (cpu.stat v1 and v2, memory.stat, memory.events,
 * memory.oom_control), without parsing the other keys: the 1 Hz sampler wants one of memory.stat's 30-odd lines.
 * A line that is not exactly "key integer" is skipped; when a key repeats, the last one wins. Exact: values of more
 * than 15 digits (past 2^53 only from 16) are divided as BigInts (the property tests hold it to a BigInt oracle).
 */
export function flatKeyedValue(text: string, key: string, divisor = 1): number | null {
  let found: string | null = null;
  for (const line of text.split('\n')) {
    if (!line.includes(key)) continue;
    const [name, value, extra] = line.trim().split(/\s+/);
    if (name !== key || value === undefined || extra !== undefined || !/^-?\d+$/.test(value)) continue;
    found = value; // the last one wins
  }
  if (found === null) return null;
  // + 0 turns the -0 of a small negative quotient into the 0 BigInt division gives.
  return found.replace('-', '').length <= 15 ? Math.trunc(Number(found) / divisor) + 0 : Number(BigInt(found) / BigInt(divisor));
}

export interface BlockIoBytes {
  readBytes: number;
  writeBytes: number;
}

/** v1 blkio.throttle.io_service_bytes(_recursive): "MAJ:MIN Read|Write|Sync|Async|Discard|Total N" lines, plus a final "Total N". */
export function parseBlkioServiceBytes(text: string): BlockIoBytes {
  let readBytes = 0n;
  let writeBytes = 0n;
  for (const line of text.split('\n')) {
    const [device, operation, value] = line.trim().split(/\s+/);
    if (!device || !/^\d+:\d+$/.test(device) || value === undefined || !/^\d+$/.test(value)) continue;
    if (operation === 'Read') readBytes += BigInt(value);
    else if (operation === 'Write') writeBytes += BigInt(value);
  }
  return { readBytes: Number(readBytes), writeBytes: Number(writeBytes) };
}

export interface IoStatDevice {
  /** "$MAJ:$MIN" */
  device: string;
  /** rbytes, wbytes, rios, wios, dbytes, dios, and any extra keys (io.latency's depth, avg_lat …). */
  values: Map<string, bigint>;
}

/** v2 io.stat: "8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0" per device, not ordered. */
export function parseIoStat(text: string): IoStatDevice[] {
  const devices: IoStatDevice[] = [];
  for (const line of text.split('\n')) {
    const [device, ...pairs] = line.trim().split(/\s+/);
    if (!device || !/^\d+:\d+$/.test(device)) continue;
    const values = new Map<string, bigint>();
    for (const pair of pairs) {
      const match = /^([a-z_.]+)=(\d+)$/.exec(pair);
      if (match) values.set(match[1]!, BigInt(match[2]!));
    }
    devices.push({ device, values });
  }
  return devices;
}

export function sumIoStat(devices: readonly IoStatDevice[]): BlockIoBytes {
  let readBytes = 0n;
  let writeBytes = 0n;
  for (const { values } of devices) {
    readBytes += values.get('rbytes') ?? 0n;
    writeBytes += values.get('wbytes') ?? 0n;
  }
  return { readBytes: Number(readBytes), writeBytes: Number(writeBytes) };
}

/**
 * Memory in use the way `docker stats` counts it: usage minus the inactive page cache the kernel can drop at once
 * (v1: memory.usage_in_bytes − total_inactive_file; v2: memory.current − inactive_file).
 */
export function workingSetBytes(usageBytes: number, memoryStatText: string, inactiveFileKey: string): number {
  const inactive = flatKeyedValue(memoryStatText, inactiveFileKey) ?? 0;
  return inactive < usageBytes ? usageBytes - inactive : usageBytes;
}

// ---------------------------------------------------------------------------------------------------------------------
// One fact, two recipes

interface Recipe<T> {
  /** The files to read, each in a controller's directory (v1) or the one cgroup directory (v2). */
  files: ReadonlyArray<readonly [ResourceController, string]>;
  parse: (texts: string[]) => T;
}

/** How one fact is read on v1 and on v2. */
interface FactSource<T> {
  v1: Recipe<T>;
  v2: Recipe<T>;
}

function file<T>(controller: ResourceController, name: string, parse: (text: string) => T): Recipe<T> {
  return { files: [[controller, name]], parse: ([text]) => parse(text!) };
}

const MEMORY_LIMIT: FactSource<number | null> = {
  v1: file('memory', 'memory.limit_in_bytes', parseV1MemoryLimit),
  v2: file('memory', 'memory.max', parseMaxOrNumber),
};
const CPU_QUOTA: FactSource<number | null> = {
  v1: { files: [['cpu', 'cpu.cfs_quota_us'], ['cpu', 'cpu.cfs_period_us']], parse: ([quota, period]) => parseV1CpuQuotaCores(quota!, period!) },
  v2: file('cpu', 'cpu.max', parseCpuMaxCores),
};
const CPUSET_CPUS: FactSource<string | null> = {
  v1: file('cpuset', 'cpuset.cpus', parseCpuList),
  v2: file('cpuset', 'cpuset.cpus.effective', parseCpuList),
};
/** CPU priority: a relative weight under contention. v1 cpu.shares (default 1024), v2 cpu.weight (default 100). */
interface CpuPriority {
  cpuShares: number | null;
  cpuWeight: number | null;
}
const CPU_PRIORITY: FactSource<CpuPriority> = {
  v1: file('cpu', 'cpu.shares', (text) => ({ cpuShares: parseSingleNumber(text), cpuWeight: null })),
  v2: file('cpu', 'cpu.weight', (text) => ({ cpuShares: null, cpuWeight: parseSingleNumber(text) })),
};
const PIDS_LIMIT: FactSource<number | null> = {
  v1: file('pids', 'pids.max', parseMaxOrNumber),
  v2: file('pids', 'pids.max', parseMaxOrNumber),
};
const CPU_USAGE_US: FactSource<number | null> = {
  v1: file('cpuacct', 'cpuacct.usage', (text) => Number(integerText(text, 'cpuacct.usage') / 1000n)),
  v2: file('cpu', 'cpu.stat', (text) => flatKeyedValue(text, 'usage_usec')),
};
const MEMORY_BYTES: FactSource<number> = {
  v1: {
    files: [['memory', 'memory.usage_in_bytes'], ['memory', 'memory.stat']],
    parse: ([usage, stat]) => workingSetBytes(parseSingleNumber(usage!), stat!, 'total_inactive_file'),
  },
  v2: {
    files: [['memory', 'memory.current'], ['memory', 'memory.stat']],
    parse: ([usage, stat]) => workingSetBytes(parseSingleNumber(usage!), stat!, 'inactive_file'),
  },
};
const PIDS_CURRENT: FactSource<number> = {
  v1: file('pids', 'pids.current', parseSingleNumber),
  v2: file('pids', 'pids.current', parseSingleNumber),
};
const BLOCK_IO: FactSource<BlockIoBytes> = {
  // v1 counts only on devices with a throttle rule (blk-throttle does the accounting); v2 counts every device.
  v1: file('blkio', 'blkio.throttle.io_service_bytes_recursive', parseBlkioServiceBytes),
  v2: file('blkio', 'io.stat', (text) => sumIoStat(parseIoStat(text))),
};
interface Throttling {
  periods: number | null;
  throttledUs: number | null;
}
const CPU_THROTTLING: FactSource<Throttling> = {
  v1: file('cpu', 'cpu.stat', (text) => {
    return { periods: flatKeyedValue(text, 'nr_throttled'), throttledUs: flatKeyedValue(text, 'throttled_time', 1000) };
  }),
  // nr_throttled and throttled_usec appear only when the cpu controller is enabled for the cgroup.
  v2: file('cpu', 'cpu.stat', (text) => {
    return { periods: flatKeyedValue(text, 'nr_throttled'), throttledUs: flatKeyedValue(text, 'throttled_usec') };
  }),
};
/** pids.events "max": how many times a fork or clone failed because this cgroup (or an ancestor) was at pids.max. */
const PIDS_MAX_HITS: FactSource<number | null> = {
  v1: file('pids', 'pids.events', (text) => flatKeyedValue(text, 'max')),
  v2: file('pids', 'pids.events', (text) => flatKeyedValue(text, 'max')),
};
const OOM_KILLS: FactSource<number | null> = {
  v1: file('memory', 'memory.oom_control', (text) => flatKeyedValue(text, 'oom_kill')),
  v2: file('memory', 'memory.events', (text) => flatKeyedValue(text, 'oom_kill')),
};

/**
 * The files one fact needs and how to turn their texts into the fact: planning is pure, so a batch of facts (of one
 * container or of hundreds) can be read in one KernelSource.readMany, or synchronously, and parsed afterwards.
 */
interface FactPlan<T> {
  paths: string[];
  finish(texts: ReadonlyArray<ReadResult<string>>): ReadResult<T>;
}

type Planned<T> = FactPlan<T> | ReadFailure;

function planFact<T>(location: CgroupLocation, source: FactSource<T>): Planned<T> {
  const recipe = location.version === 1 ? source.v1 : source.v2;
  const paths: string[] = [];
  for (const [controller, name] of recipe.files) {
    const directory = location.version === 1 ? location.directories[controller] : location.directory;
    if (directory === undefined) {
      return {
        ok: false,
        reason: 'unsupported',
        message: `the ${controller} controller is not mounted on this host (no ${controller} hierarchy in /proc/PID/cgroup)`,
      };
    }
    // directory is posix.join's output (locateCgroup, atLevel): normalized, no trailing slash but the root's; name is a
    // plain file name. So this is posix.join(directory, name), without normalizing the whole path once more per file.
    paths.push(directory === '/' ? `/${name}` : `${directory}/${name}`);
  }
  return {
    paths,
    finish(texts) {
      const contents: string[] = [];
      for (const [index, text] of texts.entries()) {
        if (!text.ok) {
          const controller = recipe.files[index]![0];
          // v2 calls blkio "io".
          const name = location.version === 2 && controller === 'blkio' ? 'io' : controller;
          const hint = text.reason === 'missing' ? `; the ${name} controller may not be enabled for this cgroup` : '';
          return { ...text, message: `${text.message}${hint}` };
        }
        contents.push(text.value);
      }
      try {
        return { ok: true, value: recipe.parse(contents) };
      } catch (error) {
        return { ok: false, reason: 'other', message: `${paths.join(', ')} could not be understood: ${(error as Error).message}` };
      }
    },
  };
}

/** A set of planned facts read together: the paths of all of them, and the results once their texts are in. */
export interface CgroupReadPlan<T> {
  /** Text reads, in order; answer them with readMany, readTextSync or anything else that reads these files. */
  requests: KernelRequest[];
  /**
   * Where the reads that other containers of the same scan share begin (ancestor cgroups' files, which siblings have in
   * common); absent when none are.
   */
  sharedFrom?: number;
  finish(texts: ReadonlyArray<ReadResult<string>>): T;
}

/** One planned fact as a read plan: its files, or nothing to read when it could not be planned. */
function asReadPlan<T>(plan: Planned<T>): CgroupReadPlan<ReadResult<T>> {
  if (!('paths' in plan)) return nothingToRead(plan);
  return { requests: plan.paths.map((path) => ({ op: 'text', path })), finish: (texts) => plan.finish(texts) };
}

/** Plans read together: every plan's requests in order, and each plan's result from its own slice of the texts. */
function combinePlans<T>(plans: ReadonlyArray<CgroupReadPlan<T>>): CgroupReadPlan<T[]> {
  return {
    requests: plans.flatMap((plan) => plan.requests),
    finish(texts) {
      let next = 0;
      return plans.map((plan) => {
        const start = next;
        next += plan.requests.length;
        return plan.finish(texts.slice(start, next));
      });
    },
  };
}

function planAll<S extends Record<string, FactSource<unknown>>, T>(
  location: CgroupLocation,
  facts: S,
  build: (results: { [K in keyof S]: ReadResult<S[K] extends FactSource<infer V> ? V : never> }) => T,
): CgroupReadPlan<T> {
  const keys = Object.keys(facts) as (keyof S)[];
  const all = combinePlans(keys.map((key) => asReadPlan(planFact(location, facts[key]!))));
  return {
    requests: all.requests,
    finish(texts) {
      const results = all.finish(texts);
      return build(Object.fromEntries(keys.map((key, index) => [key, results[index]])) as Parameters<typeof build>[0]);
    },
  };
}

/** Answer a plan's text reads through a source in one batch (one round trip for a remote source). */
export async function readPlan<T>(plan: CgroupReadPlan<T>, source: KernelSource): Promise<T> {
  return plan.finish((await source.readMany(plan.requests)) as ReadResult<string>[]);
}

/**
 * Texts of files that every container of one scan shares (ancestor cgroups' limits), by path: read once per scan. The
 * map holds the read itself, not its answer, so the containers a scan reads at the same time (16 at once) share the
 * first one's read instead of each starting its own before any has answered.
 */
export type SharedTexts = Map<string, Promise<ReadResult<string>>>;

/**
 * readPlan, with the plan's shared reads answered from (and added to) `shared`: a scan of N containers under one parent
 * reads the parent's and the root's limit files once, not N times. The rest still goes as one batch.
 */
export async function readPlanSharing<T>(plan: CgroupReadPlan<T>, source: KernelSource, shared: SharedTexts): Promise<T> {
  const from = plan.sharedFrom ?? plan.requests.length;
  const known = plan.requests.map((request, index) => (index < from ? undefined : shared.get(request.path)));
  const missing = known.flatMap((text, index) => (text === undefined ? [index] : []));
  const batch = missing.length === 0 ? Promise.resolve([]) : (source.readMany(missing.map((index) => plan.requests[index]!)) as Promise<ReadResult<string>[]>);
  missing.forEach((index, at) => {
    if (index < from) return;
    const path = plan.requests[index]!.path;
    const text = batch.then((answers) => answers[at]!);
    // A batch that fails (a bug: readMany reports hazards as values) fails this container only; the next one reads again.
    text.catch(() => shared.get(path) === text && shared.delete(path));
    shared.set(path, text);
  });
  const answers = await batch;
  const texts = await Promise.all(known.map((text, index) => text ?? answers[missing.indexOf(index)]!));
  return plan.finish(texts);
}

/** Answer a plan synchronously; only for sources with readTextSync (local files). */
export function readPlanSync<T>(plan: CgroupReadPlan<T>, readTextSync: (path: string) => ReadResult<string>): T {
  return plan.finish(plan.requests.map((request) => readTextSync(request.path)));
}

function located(procCgroupText: string, cgroupRoot: string): ReadResult<CgroupLocation> {
  try {
    return { ok: true, value: locateCgroup(parseProcCgroup(procCgroupText), cgroupRoot) };
  } catch (error) {
    return { ok: false, reason: 'other', message: `/proc/PID/cgroup could not be understood: ${(error as Error).message}` };
  }
}

function nothingToRead<T>(value: T): CgroupReadPlan<T> {
  return { requests: [], finish: () => value };
}

// ---------------------------------------------------------------------------------------------------------------------
// The two readers every caller uses (each also as a plan, for batched or synchronous reading)

/** A limit as it applies to the container: the tightest over its own cgroup and every ancestor's. */
export interface EffectiveLimit {
  /** null = no level limits it. */
  value: number | null;
  /** The cgroup path of the level that sets it (the container's own, or an ancestor's); null when none does. */
  setBy: string | null;
}

export interface EffectiveLimits {
  memoryLimitBytes: EffectiveLimit;
  cpuQuotaCores: EffectiveLimit;
  pidsLimit: EffectiveLimit;
}

export interface CgroupLimits {
  version: 1 | 2 | null;
  path: string | null;
  /** null = unlimited, or unknown (then a gap says why). */
  memoryLimitBytes: number | null;
  cpuQuotaCores: number | null;
  cpusetCpus: string | null;
  pidsLimit: number | null;
  /** cpu.shares on cgroup v1 (1024 = default); null on v2. */
  cpuShares: number | null;
  /** cpu.weight on cgroup v2 (100 = default); null on v1. */
  cpuWeight: number | null;
  /** null when the cgroup could not be located. */
  effective: EffectiveLimits | null;
  gaps: Gap[];
}

const LIMIT_FACTS = { memory: MEMORY_LIMIT, cpu: CPU_QUOTA, cpuset: CPUSET_CPUS, pids: PIDS_LIMIT, priority: CPU_PRIORITY };

/**
 * The limits that bind a whole subtree: a parent's memory, CPU quota and PID limits cap the sum of its children, so the
 * one that applies is the lowest on the way up (memory is hierarchical on v1 too: use_hierarchy is always on since
 * Linux 5.11, and systemd and the engines turned it on before).
 */
const HIERARCHICAL_LIMITS = { memoryLimitBytes: MEMORY_LIMIT, cpuQuotaCores: CPU_QUOTA, pidsLimit: PIDS_LIMIT };
type HierarchicalLimit = keyof typeof HIERARCHICAL_LIMITS;
/** The v1 hierarchy each limit lives in (v2 has one). */
const LIMIT_CONTROLLER: Record<HierarchicalLimit, ResourceController> = { memoryLimitBytes: 'memory', cpuQuotaCores: 'cpu', pidsLimit: 'pids' };

/** "/a/b/c" → ["/a/b", "/a", "/"]: every ancestor up to the hierarchy's root, nearest first. */
export function ancestorPaths(path: string): string[] {
  const parts = path.split('/').filter((part) => part !== '');
  return parts.map((_, index) => `/${parts.slice(0, parts.length - 1 - index).join('/')}`);
}

/** One controller's cgroup, its own path and the hierarchy's root directory; null when the controller is not mounted. */
function controllerCgroup(location: CgroupLocation, controller: ResourceController): { path: string; root: string } | null {
  const [path, directory] = location.version === 2 ? [location.path, location.directory] : [location.paths[controller], location.directories[controller]];
  if (path === undefined || directory === undefined) return null;
  return { path, root: directory.slice(0, directory.length - path.length) || '/' };
}

/** The location of one controller's files at another level of its hierarchy. */
function atLevel(location: CgroupLocation, controller: ResourceController, root: string, path: string): CgroupLocation {
  const directory = posix.join(root, path);
  return location.version === 2 ? { version: 2, path, directory } : { version: 1, path, directories: { [controller]: directory }, paths: { [controller]: path } };
}

/** A limit's value at each level of its hierarchy, nearest first (the container's own level is planned elsewhere). */
interface LimitLevels {
  key: HierarchicalLimit;
  own: string | null;
  ancestors: Array<{ path: string; plan: Planned<number | null> }>;
}

function planAncestors(location: CgroupLocation): LimitLevels[] {
  return (Object.keys(HIERARCHICAL_LIMITS) as HierarchicalLimit[]).map((key) => {
    const cgroup = controllerCgroup(location, LIMIT_CONTROLLER[key]);
    if (!cgroup) return { key, own: null, ancestors: [] };
    return {
      key,
      own: cgroup.path,
      ancestors: ancestorPaths(cgroup.path).map((path) => ({ path, plan: planFact(atLevel(location, LIMIT_CONTROLLER[key], cgroup.root, path), HIERARCHICAL_LIMITS[key]) })),
    };
  });
}

/**
 * The tightest of each hierarchical limit over the levels, nearest first (a tie goes to the nearer level). A level
 * whose file is not there limits nothing: v2 has no memory.max, pids.max or cpu.max in the root cgroup, v1 has no
 * pids.max or CFS quota there, and a controller not enabled in a parent's subtree_control has no files below it. Any
 * other failure at an ancestor (permission denied) is a gap.
 */
function tightestOf(levels: ReadonlyArray<{ path: string; result: ReadResult<number | null> }>, key: HierarchicalLimit, gaps: Gap[]): EffectiveLimit {
  let best: EffectiveLimit = { value: null, setBy: null };
  for (const [index, { path, result }] of levels.entries()) {
    if (!result.ok) {
      if (index > 0 && result.reason !== 'missing' && result.reason !== 'unsupported' && result.reason !== 'vanished') {
        gaps.push({ fact: `cgroup.effective.${key}`, reason: `the limit of the ancestor cgroup ${path} could not be read: ${result.message}` });
      }
      continue;
    }
    if (result.value !== null && (best.value === null || result.value < best.value)) best = { value: result.value, setBy: path };
  }
  return best;
}

/** The plan for a process's cgroup limits, from its /proc/PID/cgroup text and the source's cgroupfs root. */
export function cgroupLimitsPlan(procCgroupText: string, cgroupRoot: string): CgroupReadPlan<CgroupLimits> {
  const location = located(procCgroupText, cgroupRoot);
  if (!location.ok) {
    return nothingToRead({
      version: null,
      path: null,
      memoryLimitBytes: null,
      cpuQuotaCores: null,
      cpusetCpus: null,
      pidsLimit: null,
      cpuShares: null,
      cpuWeight: null,
      effective: null,
      gaps: [{ fact: 'cgroup', reason: location.message }],
    });
  }
  const at = location.value;
  const limits = planAncestors(at);
  // One batch: the container's own facts, then each hierarchical limit's ancestors, nearest first.
  const own = planAll(at, LIMIT_FACTS, (results) => results);
  const ancestors = combinePlans(limits.map((limit) => combinePlans(limit.ancestors.map(({ plan }) => asReadPlan(plan)))));
  return {
    requests: [...own.requests, ...ancestors.requests],
    sharedFrom: own.requests.length,
    finish(texts) {
      const { memory, cpu, cpuset, pids, priority } = own.finish(texts.slice(0, own.requests.length));
      const ancestorResults = ancestors.finish(texts.slice(own.requests.length));
      const ownResults: Record<HierarchicalLimit, ReadResult<number | null>> = { memoryLimitBytes: memory, cpuQuotaCores: cpu, pidsLimit: pids };
      const gaps: Gap[] = [];
      const effective = {} as EffectiveLimits;
      limits.forEach((limit, index) => {
        const levels = limit.own === null ? [] : [{ path: limit.own, result: ownResults[limit.key] }];
        limit.ancestors.forEach(({ path }, level) => levels.push({ path, result: ancestorResults[index]![level]! }));
        effective[limit.key] = tightestOf(levels, limit.key, gaps);
      });
      const value = <T>(fact: string, result: ReadResult<T | null>): T | null => {
        if (result.ok) return result.value;
        gaps.push({ fact, reason: result.message });
        return null;
      };
      return {
        version: at.version,
        path: at.path,
        memoryLimitBytes: value('cgroup.memoryLimitBytes', memory),
        cpuQuotaCores: value('cgroup.cpuQuotaCores', cpu),
        cpusetCpus: value('cgroup.cpusetCpus', cpuset),
        pidsLimit: value('cgroup.pidsLimit', pids),
        ...(value(at.version === 1 ? 'cgroup.cpuShares' : 'cgroup.cpuWeight', priority) ?? { cpuShares: null, cpuWeight: null }),
        effective,
        gaps,
      };
    },
  };
}

/**
 * The limits of the cgroup a process is in. Never throws for the normal hazards: unreadable facts are null plus a gap.
 * With `shared` (one map per scan), the ancestors' files are read once for all the scan's containers.
 */
export function readCgroupLimits(procCgroupText: string, source: KernelSource, shared?: SharedTexts): Promise<CgroupLimits> {
  const plan = cgroupLimitsPlan(procCgroupText, source.roots.cgroup);
  return shared ? readPlanSharing(plan, source, shared) : readPlan(plan, source);
}

export interface CgroupUsage {
  cpuUsageUs: number | null;
  /** In use minus the inactive page cache, as `docker stats` shows it. */
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
  pids: number | null;
  pidsLimit: number | null;
  blockReadBytes: number | null;
  blockWriteBytes: number | null;
  cpuThrottledPeriods: number | null;
  cpuThrottledUs: number | null;
  oomKills: number | null;
  /** Forks refused at pids.max (pids.events "max"). */
  pidsMaxHits: number | null;
}

const USAGE_FACTS = {
  cpu: CPU_USAGE_US,
  memory: MEMORY_BYTES,
  memoryLimit: MEMORY_LIMIT,
  pids: PIDS_CURRENT,
  pidsLimit: PIDS_LIMIT,
  block: BLOCK_IO,
  throttling: CPU_THROTTLING,
  oomKills: OOM_KILLS,
  pidsMaxHits: PIDS_MAX_HITS,
};

const NO_USAGE: CgroupUsage = {
  cpuUsageUs: null,
  memoryBytes: null,
  memoryLimitBytes: null,
  pids: null,
  pidsLimit: null,
  blockReadBytes: null,
  blockWriteBytes: null,
  cpuThrottledPeriods: null,
  cpuThrottledUs: null,
  oomKills: null,
  pidsMaxHits: null,
};

/** The plan for a process's usage counters: the live sampler reads many of these in one batch (or synchronously). */
export function cgroupUsagePlan(procCgroupText: string, cgroupRoot: string): CgroupReadPlan<CgroupUsage> {
  const location = located(procCgroupText, cgroupRoot);
  if (!location.ok) return nothingToRead({ ...NO_USAGE });
  return planAll(location.value, USAGE_FACTS, (r) => {
    const value = <T>(result: ReadResult<T>): T | null => (result.ok ? result.value : null);
    return {
      cpuUsageUs: value(r.cpu),
      memoryBytes: value(r.memory),
      memoryLimitBytes: value(r.memoryLimit),
      pids: value(r.pids),
      pidsLimit: value(r.pidsLimit),
      blockReadBytes: value(r.block)?.readBytes ?? null,
      blockWriteBytes: value(r.block)?.writeBytes ?? null,
      cpuThrottledPeriods: value(r.throttling)?.periods ?? null,
      cpuThrottledUs: value(r.throttling)?.throttledUs ?? null,
      oomKills: value(r.oomKills),
      pidsMaxHits: value(r.pidsMaxHits),
    };
  });
}

/** Usage counters of the cgroup a process is in, for the 1 Hz live view: anything unreadable is null. */
export function readCgroupUsage(procCgroupText: string, source: KernelSource): Promise<CgroupUsage> {
  return readPlan(cgroupUsagePlan(procCgroupText, source.roots.cgroup), source);
}
