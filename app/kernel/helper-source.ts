// A KernelSource that reads the engine host's files through a helper container's shell (helper-protocol.ts): reads made
// in the same turn of the event loop travel as one batch, so a scan costs a few round trips, not one exec per file.
import type { Readable, Writable } from 'node:stream';
import { posix } from 'node:path';
import { cgroupFailure, failureFor, processDirectoryOf, readOk, type ReadFailure, type ReadResult } from './read.js';
import type { HostReferencePolicy } from './host-reference.js';
import {
  encodeBatchStart,
  encodeLinks,
  encodeMany,
  encodeRequest,
  HELPER_FILE_LIMIT_BYTES,
  HELPER_MANY_LIMIT,
  HELPER_PREAMBLE_END,
  HelperAnswerParser,
  HelperPathTable,
  HelperProtocolError,
  linksFromListing,
  manyNonce,
  NAMESPACE_LINK,
  type HelperAnswer,
} from './helper-protocol.js';
import type { KernelAnswer, KernelRequest, KernelRoots, KernelSource, KernelSourceDescription } from './source.js';

/** Where the helper sees the host: its own /proc is the host's (--pid=host), the host's cgroupfs is bound read-only here. */
export const HELPER_ROOTS: KernelRoots = { proc: '/proc', cgroup: '/host/sys/fs/cgroup', sys: '/sys' };

/** The byte streams of a running helper, however it was started. */
export interface HelperConnection {
  /** The helper's stdin. */
  input: Writable;
  /** The helper's stdout, demultiplexed. */
  output: Readable;
  /** Stop and remove the helper. Idempotent. */
  close(): Promise<void>;
}

export interface HelperSourceOptions {
  detail: string;
  /** Where the helper sees procfs, cgroupfs and sysfs; HELPER_ROOTS unless a test runs the script elsewhere. */
  roots?: KernelRoots;
  /** A batch gets this long plus perRequestMs per request before the helper counts as hung. */
  batchTimeoutMs?: number;
  perRequestMs?: number;
  /** How many paths the helper keeps tokens for (HelperPathTable); tests make it small. */
  pathTableCapacity?: number;
}

/**
 * What one answer of the helper covers: one request line, the r lines and g of a many-file read, or the k lines and j
 * of many namespace links (the last two with their nonce).
 */
interface Piece {
  kind: 'one' | 'texts' | 'links';
  text: string;
  /** Indices into the batch's sent requests, in answer order. */
  indices: number[];
  nonce: string | null;
}

interface Pending {
  request: KernelRequest;
  resolve: (answer: KernelAnswer) => void;
}

function failure(message: string): ReadResult<never> {
  return { ok: false, reason: 'other', message };
}

export class HelperKernelSource implements KernelSource {
  readonly roots: KernelRoots;
  readonly description: KernelSourceDescription;
  /** Its own namespaces are not the host's, and /proc/1 may be unreadable: each container's shim is the reference. */
  readonly hostReference: HostReferencePolicy = 'container-parent';
  /** Read every container at once: their requests then share batches. */
  readonly concurrency = 1024;

  private queue: Pending[] = [];
  private flushScheduled = false;
  private inFlight: Promise<void> | null = null;
  private nextBatch = 1;
  /** False once the helper said it cannot write the separator (no scratch tmpfs): text reads then go one od a file. */
  private manyReads = true;
  /** The tokens the helper knows paths by (its P_TOK variables). */
  private readonly paths: HelperPathTable;
  /** Why the helper can no longer answer; every later read fails with it. */
  private dead: string | null = null;
  private readonly batchTimeoutMs: number;
  private readonly perRequestMs: number;
  /** The batch being answered: answers are handed to it in order. */
  private receiving: { id: number; started: boolean; onAnswer: (answer: HelperAnswer) => void; onDead: (why: string) => void } | null = null;
  private readonly parser: HelperAnswerParser;

  constructor(
    private readonly connection: HelperConnection,
    options: HelperSourceOptions,
  ) {
    this.description = { kind: 'helper', detail: options.detail };
    this.roots = options.roots ?? HELPER_ROOTS;
    this.batchTimeoutMs = options.batchTimeoutMs ?? 20_000;
    this.perRequestMs = options.perRequestMs ?? 20;
    this.paths = new HelperPathTable(options.pathTableCapacity);
    this.parser = new HelperAnswerParser(
      (id) => {
        if (!this.receiving || this.receiving.id !== id || this.receiving.started) throw new HelperProtocolError(`the helper acknowledged batch ${id} out of turn`);
        this.receiving.started = true;
      },
      (answer) => {
        if (!this.receiving?.started) throw new HelperProtocolError('the helper answered outside a batch');
        this.receiving.onAnswer(answer);
      },
    );
    connection.output.on('data', (chunk: Buffer) => {
      if (this.dead) return;
      try {
        this.parser.push(chunk);
      } catch (error) {
        this.die(`the helper container broke the protocol (${(error as Error).message}); it was stopped`);
      }
    });
    const ended = () => this.die('the helper container exited while Isolens was reading through it');
    connection.output.on('end', ended);
    connection.output.on('close', ended);
    connection.output.on('error', (error) => this.die(`the connection to the helper container failed: ${error.message}`));
    connection.input.on('error', (error) => this.die(`the connection to the helper container failed: ${error.message}`));
    connection.input.write(HELPER_PREAMBLE_END);
  }

  /** Why reads fail now, or null while the helper answers. */
  get failure(): string | null {
    return this.dead;
  }

  readText(path: string): Promise<ReadResult<string>> {
    return this.enqueue({ op: 'text', path }) as Promise<ReadResult<string>>;
  }

  readLink(path: string): Promise<ReadResult<string>> {
    return this.enqueue({ op: 'link', path }) as Promise<ReadResult<string>>;
  }

  listDirectory(path: string): Promise<ReadResult<string[]>> {
    return this.enqueue({ op: 'list', path }) as Promise<ReadResult<string[]>>;
  }

  async exists(path: string): Promise<boolean> {
    const answer = (await this.enqueue({ op: 'exists', path })) as ReadResult<boolean>;
    return answer.ok && answer.value;
  }

  readMany(requests: readonly KernelRequest[]): Promise<KernelAnswer[]> {
    return Promise.all(requests.map((request) => this.enqueue(request)));
  }

  async close(): Promise<void> {
    this.die('the helper container was closed');
    await this.connection.close();
  }

  // ---- batching ----------------------------------------------------------------------------------------------------

  private enqueue(request: KernelRequest): Promise<KernelAnswer> {
    if (this.dead) return Promise.resolve(failure(this.dead));
    return new Promise((resolve) => {
      this.queue.push({ request, resolve });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // After every microtask of this turn: the reads of all containers started together land in one batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const done = this.send(batch);
    this.inFlight = done;
    await done;
    if (this.inFlight === done) this.inFlight = null;
    // Reads made while this batch was out go next.
    if (this.queue.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  /** Send one batch and resolve each request from its answer; a dead or hung helper fails what is left, as values. */
  private async send(batch: Pending[]): Promise<void> {
    if (this.dead) return batch.forEach((item) => item.resolve(failure(this.dead!)));
    const sent: Array<Pending & { line: string }> = [];
    for (const item of batch) {
      const line = encodeRequest(item.request);
      if (line === null) item.resolve(failure(`${JSON.stringify(item.request.path.slice(0, 200))} cannot be read through the helper (unusual characters in the path)`));
      else sent.push({ ...item, line });
    }
    if (sent.length === 0) return;
    // Text reads travel as many-file reads (one head for up to HELPER_MANY_LIMIT files), each where its first file was
    // asked; the rest one line each.
    const pieces: Piece[] = [];
    const open: Partial<Record<'texts' | 'links', Piece>> = {};
    sent.forEach((item, index) => {
      const kind = !this.manyReads ? 'one' : item.request.op === 'text' ? 'texts' : item.request.op === 'link' && NAMESPACE_LINK.test(item.request.path) ? 'links' : 'one';
      if (kind === 'one') return void pieces.push({ kind, text: item.line, indices: [index], nonce: null });
      let piece = open[kind];
      if (piece === undefined || piece.indices.length === HELPER_MANY_LIMIT) pieces.push((piece = open[kind] = { kind, text: '', indices: [], nonce: manyNonce() }));
      piece.indices.push(index);
    });
    for (const piece of pieces) {
      const paths = piece.indices.map((index) => sent[index]!.request.path);
      if (piece.kind === 'texts') piece.text = encodeMany(this.paths, paths, piece.nonce!)!;
      if (piece.kind === 'links') piece.text = encodeLinks(this.paths, paths, piece.nonce!)!;
    }
    const results: Array<KernelAnswer | undefined> = new Array(sent.length);
    const again: number[] = [];
    const answers = await this.exchange(pieces, sent.length);
    pieces.forEach((piece, p) => {
      const answer = answers[p];
      if (answer === undefined) {
        for (const index of piece.indices) results[index] = failure(this.dead ?? 'the helper container stopped answering');
      } else if (piece.kind === 'one') {
        results[piece.indices[0]!] = this.resultOf(sent[piece.indices[0]!]!.request, answer);
      } else if (answer.kind !== 'many' || answer.segments.length !== (piece.kind === 'texts' ? piece.indices.length : 1)) {
        for (const index of piece.indices) results[index] = failure(`the helper answered a many-file read with the wrong kind of answer`);
      } else if (piece.kind === 'links') {
        const targets = linksFromListing(answer.segments[0]?.toString('utf8') ?? '', piece.indices.map((index) => sent[index]!.request.path));
        for (const index of piece.indices) {
          const target = targets.get(sent[index]!.request.path);
          if (target === undefined) again.push(index);
          else results[index] = readOk(target);
        }
      } else {
        if (answer.unavailable) this.manyReads = false;
        answer.segments.forEach((bytes, s) => {
          const index = piece.indices[s]!;
          if (bytes === null) again.push(index);
          else results[index] = this.resultOf(sent[index]!.request, { kind: 'bytes', bytes });
        });
      }
    });
    // Files that gave no bytes: od one by one says whether each is empty or which errno it failed with.
    if (again.length > 0) {
      const retried = await this.exchange(
        again.map((index) => ({ kind: 'one' as const, text: sent[index]!.line, indices: [index], nonce: null })),
        again.length,
      );
      again.forEach((index, r) => {
        const answer = retried[r];
        results[index] = answer ? this.resultOf(sent[index]!.request, answer) : failure(this.dead ?? 'the helper container stopped answering');
      });
    }
    const done = results as KernelAnswer[];
    await this.classifyMissing(sent, done);
    sent.forEach((item, index) => item.resolve(done[index]!));
  }

  /** One round trip: the answers in piece order, shorter when the helper died or hung. `files` sizes the timeout. */
  private async exchange(pieces: readonly Piece[], files: number): Promise<HelperAnswer[]> {
    const answers: HelperAnswer[] = [];
    if (this.dead || pieces.length === 0) return answers;
    const id = this.nextBatch++;
    const timeoutMs = this.batchTimeoutMs + this.perRequestMs * files;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.die(`the helper container did not answer within ${Math.round(timeoutMs / 1000)} s (hung or paused); it was stopped`), timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.receiving = null;
        resolve();
      };
      this.receiving = {
        id,
        started: false,
        onAnswer: (answer) => {
          answers.push(answer);
          if (answers.length === pieces.length) finish();
        },
        onDead: finish,
      };
      for (const piece of pieces) if (piece.nonce !== null) this.parser.expectMany(piece.nonce);
      this.connection.input.write(encodeBatchStart(id) + pieces.map((piece) => piece.text).join(''));
    });
    return answers;
  }

  /** An answer in the source's terms; errno names are classified exactly as local reads are (read.ts). */
  private resultOf(request: KernelRequest, answer: HelperAnswer): KernelAnswer {
    const mismatch = failure(`the helper answered ${request.path} with the wrong kind of answer`);
    switch (answer.kind) {
      case 'error':
        // Existence of the process directory is settled afterwards, in one more batch (classifyMissing).
        return failureFor(answer.code, request.path, null);
      case 'exists':
        return request.op === 'exists' ? readOk(answer.value) : mismatch;
      case 'link':
        return request.op === 'link' ? readOk(answer.target) : mismatch;
      case 'bytes':
        if (answer.bytes.length >= HELPER_FILE_LIMIT_BYTES) return failure(`${request.path} is larger than ${HELPER_FILE_LIMIT_BYTES} bytes, more than Isolens reads from one file`);
        if (request.op === 'text') return readOk(answer.bytes.toString('utf8'));
        if (request.op === 'list') return readOk(answer.bytes.toString('utf8').split('\n').filter((name) => name !== '').sort());
        return mismatch;
      case 'many':
        return mismatch;
    }
  }

  /**
   * ENOENT decides between two reasons by whether a directory still exists, as local reads do (read.ts): under
   * /proc/PID "vanished" when /proc/PID is gone, under cgroupfs "its container stopped" when the cgroup is gone. The
   * directories are asked about once, in one more batch.
   */
  private async classifyMissing(sent: Pending[], results: KernelAnswer[]): Promise<void> {
    const directories = new Map<string, number[]>();
    results.forEach((result, index) => {
      if (result.ok || result.reason !== 'missing') return;
      const request = sent[index]!.request;
      const directory =
        processDirectoryOf(request.path) ?? (request.op === 'text' && request.path.startsWith(`${this.roots.cgroup}/`) ? posix.dirname(request.path) : null);
      if (directory === null) return;
      directories.set(directory, [...(directories.get(directory) ?? []), index]);
    });
    if (directories.size === 0 || this.dead) return;
    const paths = [...directories.keys()];
    // Directories of paths that were sent, so they encode as those did.
    const answers = await this.exchange(
      paths.map((path, p) => ({ kind: 'one' as const, text: encodeRequest({ op: 'exists', path })!, indices: [p], nonce: null })),
      paths.length,
    );
    paths.forEach((directory, p) => {
      const answer = answers[p];
      if (answer?.kind !== 'exists' || answer.value) return;
      for (const index of directories.get(directory)!) {
        const path = sent[index]!.request.path;
        const failure = results[index] as ReadFailure;
        results[index] = processDirectoryOf(path) === null ? cgroupFailure(failure, path, this.roots.cgroup, false) : failureFor('ENOENT', path, false);
      }
    });
  }

  private die(why: string): void {
    if (this.dead) return;
    this.dead = why;
    this.receiving?.onDead(why);
    for (const item of this.queue.splice(0)) item.resolve(failure(why));
    void this.connection.close().catch(() => undefined);
  }
}
