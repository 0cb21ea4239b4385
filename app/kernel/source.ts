// The kernel source seam: every kernel reader reads through a KernelSource (local files, a fixture tree, or a helper
// container on the engine's host) and a process view over it, never through node:fs or a hand-built root.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import type { HostReferencePolicy } from './host-reference.js';
import { cgroupFailure, errorCode, failureFor, processDirectoryOf, readOk, type ReadFailure, type ReadResult } from './read.js';

/** Where procfs, cgroupfs and sysfs are mounted, as the source sees them (a fixture tree or a container's /host). */
export interface KernelRoots {
  proc: string;
  cgroup: string;
  sys: string;
}

export const HOST_ROOTS: KernelRoots = { proc: '/proc', cgroup: '/sys/fs/cgroup', sys: '/sys' };

/** One read, for batches. */
export type KernelRequest =
  | { op: 'text'; path: string }
  | { op: 'link'; path: string }
  | { op: 'list'; path: string }
  | { op: 'exists'; path: string };

/** The answer to a request: text and link give text, list gives names, exists gives a boolean. */
export type KernelAnswer = ReadResult<string> | ReadResult<string[]> | ReadResult<boolean>;

/** How the kernel was read, in the document's words (engine.kernelSource). */
export interface KernelSourceDescription {
  /** none: no source can read this engine's kernel from here; every read fails with `detail`. */
  kind: 'local' | 'helper' | 'none';
  /** What a user can act on: where the files came from. */
  detail: string;
}

/**
 * Why this source cannot read the kernel of this engine's containers, or null when it can: no source at all, or local
 * files while the engine runs in a VM or on another machine. One test for the scan, the 5 s probe and the stats sampler.
 */
export function kernelUnreadableReason(source: Pick<KernelSource, 'description'>, engine: { local: boolean; endpoint: string }): string | null {
  if (source.description.kind === 'none') return source.description.detail;
  if (source.description.kind === 'local' && !engine.local) {
    return `the engine at ${engine.endpoint} runs in a VM or on another machine, so its processes are not on this host; facts come from the engine configuration. Run Isolens where the engine runs (e.g. isolens serve on that host) for kernel evidence`;
  }
  return null;
}

/**
 * One place the kernel's files are read from. Every method reports the normal hazards (vanished, permission, missing)
 * as values. Paths are absolute in the source's own view; build them from `roots` (or a process view), never by hand.
 */
export interface KernelSource {
  readonly roots: KernelRoots;
  readonly description: KernelSourceDescription;
  /** Which process stands for the host when judging "shared with the host" (see host-reference.ts). */
  readonly hostReference: HostReferencePolicy;
  readText(path: string): Promise<ReadResult<string>>;
  readLink(path: string): Promise<ReadResult<string>>;
  listDirectory(path: string): Promise<ReadResult<string[]>>;
  exists(path: string): Promise<boolean>;
  /**
   * Many reads in one go, answers in request order. A remote source answers the whole batch in one round trip; a
   * local one reads them concurrently. Readers that know their files up front (the live sampler) should use it.
   */
  readMany(requests: readonly KernelRequest[]): Promise<KernelAnswer[]>;
  /**
   * Synchronous text read, offered only where it is cheap and safe (local procfs/cgroupfs reads never block on I/O):
   * the fast path for sampling hundreds of containers a second without a promise per file. Absent on remote sources.
   */
  readonly readTextSync?: (path: string) => ReadResult<string>;
  /**
   * Open a file to read again and again from its start, synchronously (pread on a descriptor kept open): a counter read
   * every second then costs one system call instead of open, fstat, read and close. Local sources only; the caller
   * closes what it opens. A kept descriptor also pins what it was opened on: once that process or cgroup is gone its
   * reads fail as 'vanished', even if the PID is reused.
   */
  readonly openSync?: (path: string) => ReadResult<KernelFile>;
  /**
   * How many containers a scan should read at once. A remote source answers each turn's reads in one batch, so it
   * wants them all together; local reads are cheap and a bounded number keeps memory flat. 16 when absent.
   */
  readonly concurrency?: number;
  /** Release what the source holds (a helper container, open descriptors). Idempotent. */
  close?(): Promise<void>;
}

/** A file held open by openSync. */
export interface KernelFile {
  readonly path: string;
  /** The whole file as it reads now. */
  read(): ReadResult<string>;
  /** Idempotent. */
  close(): void;
}

/** Answer a batch one request at a time with the source's own methods: the default readMany. */
export function readEach(source: Pick<KernelSource, 'readText' | 'readLink' | 'listDirectory' | 'exists'>, requests: readonly KernelRequest[]): Promise<KernelAnswer[]> {
  return Promise.all(
    requests.map(async (request): Promise<KernelAnswer> => {
      switch (request.op) {
        case 'text':
          return source.readText(request.path);
        case 'link':
          return source.readLink(request.path);
        case 'list':
          return source.listDirectory(request.path);
        case 'exists':
          return readOk(await source.exists(request.path));
      }
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Local files

/** The roots of a tree, defaulting to the host's. */
export interface KernelPaths {
  /** Root of procfs; fixtures point it at a captured tree. */
  procRoot: string;
  /** Root of cgroupfs. */
  cgroupRoot: string;
  /** Root of sysfs (LSM lists). */
  sysRoot?: string;
}

export const HOST_PATHS: KernelPaths = { procRoot: HOST_ROOTS.proc, cgroupRoot: HOST_ROOTS.cgroup, sysRoot: HOST_ROOTS.sys };

function failureOfSync(error: unknown, path: string): ReadFailure {
  const code = errorCode(error);
  if (code === undefined) throw error;
  const directory = processDirectoryOf(path);
  let exists: boolean | null = null;
  if ((code === 'ENOENT' || code === 'ENOTDIR') && directory !== null) {
    try {
      readdirSync(directory);
      exists = true;
    } catch {
      exists = false;
    }
  }
  return failureFor(code, path, exists);
}

/** Shared by every DescriptorFile: reads are synchronous, so one buffer serves them all; it grows for larger files. */
let readBuffer = Buffer.allocUnsafe(16 * 1024);

/** A descriptor kept open, read with pread at offset 0 each time. */
class DescriptorFile implements KernelFile {
  constructor(
    readonly path: string,
    private fd: number,
  ) {}

  read(): ReadResult<string> {
    if (this.fd < 0) return { ok: false, reason: 'other', message: `${this.path} was closed` };
    try {
      // procfs and cgroupfs files are seq_files: one read fills the buffer as far as the file goes, so a short read is all of it.
      let length = readSync(this.fd, readBuffer, 0, readBuffer.length, 0);
      while (length === readBuffer.length) {
        readBuffer = Buffer.allocUnsafe(readBuffer.length * 2);
        length = readSync(this.fd, readBuffer, 0, readBuffer.length, 0);
      }
      return readOk(readBuffer.toString('utf8', 0, length));
    } catch (error) {
      return failureOfSync(error, this.path);
    }
  }

  close(): void {
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already gone */
    }
    this.fd = -1;
  }
}

/** Files on this machine's own filesystem: the host's /proc and /sys, or a captured tree in tests. */
export class LocalKernelSource implements KernelSource {
  readonly roots: KernelRoots;
  readonly description: KernelSourceDescription;
  readonly hostReference: HostReferencePolicy;

  /**
   * `hostReference: 'container-parent'` when this process is itself in a container that sees the host's /proc (the
   * exporter image with --pid=host and the host's /sys/fs/cgroup mounted): its own namespaces are then not the host's.
   */
  constructor(roots: Partial<KernelRoots> = {}, options: { detail?: string; hostReference?: HostReferencePolicy } = {}) {
    this.roots = { ...HOST_ROOTS, ...roots };
    this.hostReference = options.hostReference ?? 'reader';
    this.description = { kind: 'local', detail: options.detail ?? `read directly from ${this.roots.proc} and ${this.roots.cgroup} on this machine` };
  }

  // Local procfs, cgroupfs and sysfs reads never wait on a disk, so the asynchronous methods read synchronously: a
  // promise-based readFile costs four thread-pool round trips (open, fstat, read, close) and a buffer per file, which was
  // most of a one-shot scan's time (~2 ms of 3 per container) and of serve's refresh.
  async readText(path: string): Promise<ReadResult<string>> {
    return this.readTextSync(path);
  }

  readonly readTextSync = (path: string): ReadResult<string> => {
    try {
      return readOk(readFileSync(path, 'utf8'));
    } catch (error) {
      const failure = failureOfSync(error, path);
      return failure.reason === 'missing' ? cgroupFailure(failure, path, this.roots.cgroup, existsSync(posix.dirname(path))) : failure;
    }
  };

  readonly openSync = (path: string): ReadResult<KernelFile> => {
    try {
      return readOk(new DescriptorFile(path, openSync(path, 'r')));
    } catch (error) {
      return failureOfSync(error, path);
    }
  };

  async readLink(path: string): Promise<ReadResult<string>> {
    try {
      return readOk(readlinkSync(path));
    } catch (error) {
      return failureOfSync(error, path);
    }
  }

  async listDirectory(path: string): Promise<ReadResult<string[]>> {
    try {
      return readOk(readdirSync(path).sort());
    } catch (error) {
      return failureOfSync(error, path);
    }
  }

  async exists(path: string): Promise<boolean> {
    return statSync(path, { throwIfNoEntry: false }) !== undefined;
  }

  readMany(requests: readonly KernelRequest[]): Promise<KernelAnswer[]> {
    return readEach(this, requests);
  }
}

/**
 * The host reference for this process's own local source. ISOLENS_HOST_REFERENCE=container-parent is set by the Isolens
 * container image (Dockerfile), which runs with --pid=host: /proc is the host's there, but /proc/self is not.
 */
export function hostReferenceFromEnvironment(env: NodeJS.ProcessEnv = process.env): HostReferencePolicy {
  return env.ISOLENS_HOST_REFERENCE === 'container-parent' ? 'container-parent' : 'reader';
}

/** The host's own kernel, read locally. */
export const LOCAL_HOST_SOURCE: KernelSource =
  hostReferenceFromEnvironment() === 'container-parent'
    ? new LocalKernelSource({}, {
        hostReference: 'container-parent',
        detail: "read from the host's /proc and /sys/fs/cgroup from inside a container (--pid=host); shared with the host means shared with the container's runtime shim",
      })
    : new LocalKernelSource();

/** A local source over a captured tree (KernelPaths as the tests and old callers give them). */
export function localSource(paths: Partial<KernelPaths> = {}): KernelSource {
  if (paths.procRoot === undefined && paths.cgroupRoot === undefined && paths.sysRoot === undefined) return LOCAL_HOST_SOURCE;
  return new LocalKernelSource({
    ...(paths.procRoot === undefined ? {} : { proc: paths.procRoot }),
    ...(paths.cgroupRoot === undefined ? {} : { cgroup: paths.cgroupRoot }),
    ...(paths.sysRoot === undefined ? {} : { sys: paths.sysRoot }),
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// No source, and a source chosen later

/** Where no kernel source is possible: every read fails with the reason, which becomes each fact's gap. */
export class UnavailableKernelSource implements KernelSource {
  readonly roots = HOST_ROOTS;
  readonly hostReference: HostReferencePolicy = 'reader';
  readonly description: KernelSourceDescription;
  private readonly failure: ReadFailure;

  constructor(detail: string) {
    this.description = { kind: 'none', detail };
    this.failure = { ok: false, reason: 'other', message: detail };
  }

  readText(): Promise<ReadResult<string>> {
    return Promise.resolve(this.failure);
  }

  readLink(): Promise<ReadResult<string>> {
    return Promise.resolve(this.failure);
  }

  listDirectory(): Promise<ReadResult<string[]>> {
    return Promise.resolve(this.failure);
  }

  exists(): Promise<boolean> {
    return Promise.resolve(false);
  }

  readMany(requests: readonly KernelRequest[]): Promise<KernelAnswer[]> {
    return Promise.resolve(requests.map(() => this.failure));
  }
}

/**
 * A source that forwards to one chosen at run time, for a long-lived reader (the engine session) that decides where to
 * read each time it connects to an engine. Replacing it closes the one before.
 */
export class SwitchableKernelSource implements KernelSource {
  constructor(private target: KernelSource) {}

  get current(): KernelSource {
    return this.target;
  }

  async use(next: KernelSource): Promise<void> {
    const before = this.target;
    this.target = next;
    if (before !== next) await before.close?.();
  }

  get roots(): KernelRoots {
    return this.target.roots;
  }
  get description(): KernelSourceDescription {
    return this.target.description;
  }
  get hostReference(): HostReferencePolicy {
    return this.target.hostReference;
  }
  get concurrency(): number | undefined {
    return this.target.concurrency;
  }
  get readTextSync(): ((path: string) => ReadResult<string>) | undefined {
    return this.target.readTextSync;
  }
  get openSync(): ((path: string) => ReadResult<KernelFile>) | undefined {
    return this.target.openSync;
  }
  readText(path: string): Promise<ReadResult<string>> {
    return this.target.readText(path);
  }
  readLink(path: string): Promise<ReadResult<string>> {
    return this.target.readLink(path);
  }
  listDirectory(path: string): Promise<ReadResult<string[]>> {
    return this.target.listDirectory(path);
  }
  exists(path: string): Promise<boolean> {
    return this.target.exists(path);
  }
  readMany(requests: readonly KernelRequest[]): Promise<KernelAnswer[]> {
    return this.target.readMany(requests);
  }
  async close(): Promise<void> {
    await this.target.close?.();
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The process view

/** One process's files in a source, as procfs's Proc{PID, fs}: `process.path('cgroup')` is <proc root>/<pid>/cgroup. */
export class KernelProcess {
  constructor(
    readonly source: KernelSource,
    readonly pid: number | 'self',
  ) {}

  /** The directory of the process, e.g. /proc/1234. */
  get directory(): string {
    return `${this.source.roots.proc}/${this.pid}`;
  }

  path(name: string): string {
    return `${this.directory}/${name}`;
  }

  readText(name: string): Promise<ReadResult<string>> {
    return this.source.readText(this.path(name));
  }

  readLink(name: string): Promise<ReadResult<string>> {
    return this.source.readLink(this.path(name));
  }

  listDirectory(name: string): Promise<ReadResult<string[]>> {
    return this.source.listDirectory(this.path(name));
  }
}

export function processOf(source: KernelSource, pid: number | 'self'): KernelProcess {
  return new KernelProcess(source, pid);
}

/** A path under the source's cgroupfs root. */
export function cgroupPath(source: KernelSource, ...parts: string[]): string {
  return posix.join(source.roots.cgroup, ...parts);
}

/** A path under the source's sysfs root. */
export function sysPath(source: KernelSource, ...parts: string[]): string {
  return posix.join(source.roots.sys, ...parts);
}
