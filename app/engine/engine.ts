// The ContainerEngine adapter: everything Isolens asks of an engine, in one interface. Docker and Podman (its compatible
// API) are served by DockerodeEngine; a containerd or CRI adapter implements the same interface and nothing in collect/
// or rules/ changes.
import type Dockerode from 'dockerode';
import type { Duplex } from 'node:stream';
import type { EngineInfo } from '../model/schema.js';
import type { EngineConnection } from './connection.js';
import { inspectContainer, listRunningContainers, type InspectResult } from './containers.js';
import type { ContainerEvent } from './events.js';

/** The label on every container Isolens creates; its value says which part of Isolens owns it. */
export const OWNER_LABEL = 'io.isolens.owner';
export type OwnerRole = 'lab' | 'helper';

/** What a command run in a container gave back; a timeout is a value. Output is capped (container text is untrusted). */
export interface ExecOutput {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** A container Isolens created, as listed by its labels. */
export interface OwnedContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  createdS: number;
  state: string;
}

/** Create options for one of Isolens' own containers, in the Docker API's words (Podman's compatible API takes them too). */
export interface OwnedCreateOptions {
  name: string;
  Image: string;
  Entrypoint?: string[];
  Cmd: string[];
  User?: string | undefined;
  Labels?: Record<string, string>;
  /** Keep stdin open, for a container that reads requests from it (the helper). */
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  NetworkDisabled?: boolean;
  /** Capabilities, namespaces, mounts, limits. */
  HostConfig: Dockerode.HostConfig & { Init?: boolean; CgroupnsMode?: string };
}

/** What Isolens asks for when it creates one of its own containers; the adapter adds the owner label. */
export interface OwnedContainerSpec {
  role: OwnerRole;
  create: OwnedCreateOptions;
}

export interface ContainerEngine {
  /** The engine's description, read when it was opened. */
  readonly info: EngineInfo;
  /** Ids of running (and paused) containers. */
  listRunning(): Promise<string[]>;
  /** Ids and names (without the leading "/") of running containers: to select by name without inspecting them all. */
  listRunningNamed(): Promise<Array<{ id: string; name: string }>>;
  /** The validated inspect document of one container; a vanished one is a value. */
  inspect(id: string): Promise<InspectResult>;
  /** Container events until the returned function is called; onClose(null) when the engine ends the stream. */
  watchEvents(onEvent: (event: ContainerEvent) => void, onClose: (error: Error | null) => void): () => void;
  /** Run a command in a running container (the probes); the container must exist and run. */
  exec(id: string, argv: string[], options: { timeoutMs: number }): Promise<ExecOutput>;
  /** Local image tags, sorted. */
  listImageTags(): Promise<string[]>;
  /** An image's inspect document; null when the engine does not have it. */
  inspectImage(reference: string): Promise<unknown>;
  /** Pull an image from its registry (the helper's default image on first use). Rejects with the engine's reason. */
  pullImage(reference: string): Promise<void>;
  /** Create one of Isolens' own containers (labelled io.isolens.owner=role), not started. Returns its id. */
  createOwned(spec: OwnedContainerSpec): Promise<string>;
  startOwned(id: string): Promise<void>;
  /** Attach to an owned container's stdin/stdout/stderr before it starts; the stream carries the engine's framing. */
  attachOwned(id: string): Promise<{ stream: Duplex; demux: (stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream) => void }>;
  /** Isolens' own containers of a role (and extra labels), running or not. */
  listOwned(role: OwnerRole, labels?: Record<string, string>): Promise<OwnedContainer[]>;
  /** Remove one of Isolens' own containers; refuses any other. True when it is gone (also when it already was). */
  removeOwned(id: string): Promise<boolean>;
}

/** The listing and inspecting part of an engine, which needs no description of it. */
export type ContainerQueries = Pick<ContainerEngine, 'listRunning' | 'listRunningNamed' | 'inspect'>;

/** Listing and inspecting over a connection's GETs. */
export function containerQueries(connection: EngineConnection): ContainerQueries {
  return {
    listRunning: async () => (await listRunningContainers(connection)).map((container) => container.id),
    listRunningNamed: () => listRunningContainers(connection),
    inspect: (id) => inspectContainer(connection, id),
  };
}

const OUTPUT_LIMIT_BYTES = 65_536;

/**
 * ContainerEngine over Docker and Podman's Docker-compatible API: listing and inspecting over the connection's GETs,
 * everything else over its dockerode client, which loads on first use (a scan never needs it).
 */
export class DockerodeEngine implements ContainerEngine {
  constructor(
    /** The connection, for the engine layer only: nothing above app/engine/ uses it. */
    readonly connection: EngineConnection,
    readonly info: EngineInfo,
  ) {
    this.queries = containerQueries(connection);
  }

  private readonly queries: ContainerQueries;

  private client(): Promise<Dockerode> {
    return this.connection.dockerode();
  }

  /** Run a dockerode request; reachability failures become EngineUnreachableError, anything else is rethrown unchanged. */
  private async request<T>(request: (client: Dockerode) => Promise<T>): Promise<T> {
    const client = await this.client();
    try {
      return await request(client);
    } catch (error) {
      throw this.connection.unreachable(error) ?? error;
    }
  }

  listRunning(): Promise<string[]> {
    return this.queries.listRunning();
  }

  listRunningNamed(): Promise<Array<{ id: string; name: string }>> {
    return this.queries.listRunningNamed();
  }

  inspect(id: string): Promise<InspectResult> {
    return this.queries.inspect(id);
  }

  watchEvents(onEvent: (event: ContainerEvent) => void, onClose: (error: Error | null) => void): () => void {
    // The client and the event stream's module load first; a stop() before then stops the stream as soon as it exists.
    let stop: (() => void) | null = null;
    let stopped = false;
    Promise.all([this.client(), import('./events.js')]).then(
      ([client, { watchContainerEvents }]) => {
        if (!stopped) stop = watchContainerEvents(client, onEvent, onClose);
      },
      (error: unknown) => {
        if (!stopped) onClose(this.connection.unreachable(error) ?? (error instanceof Error ? error : new Error(String(error))));
      },
    );
    return () => {
      stopped = true;
      stop?.();
    };
  }

  async exec(id: string, argv: string[], options: { timeoutMs: number }): Promise<ExecOutput> {
    const client = await this.client();
    const exec = await client.getContainer(id).exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, Tty: false });
    const stream = await exec.start({ hijack: true, stdin: false });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    // Keep at most 64 KiB: a container's output is not trusted to be small.
    const sink = (chunks: Buffer[]) => ({
      write: (chunk: Buffer) => {
        if (size < OUTPUT_LIMIT_BYTES) chunks.push(Buffer.from(chunk));
        size += chunk.length;
        return true;
      },
    });
    client.modem.demuxStream(stream, sink(stdout) as unknown as NodeJS.WritableStream, sink(stderr) as unknown as NodeJS.WritableStream);
    let timer: NodeJS.Timeout | undefined;
    const finished = new Promise<'done'>((resolve, reject) => {
      stream.on('end', () => resolve('done'));
      stream.on('close', () => resolve('done'));
      stream.on('error', reject);
    });
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
    });
    const how = await Promise.race([finished, timeout]);
    clearTimeout(timer);
    const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');
    if (how === 'timeout') {
      (stream as unknown as { destroy?: () => void }).destroy?.();
      return { exitCode: null, stdout: text(stdout), stderr: text(stderr), timedOut: true };
    }
    const result = await exec.inspect();
    return { exitCode: typeof result.ExitCode === 'number' ? result.ExitCode : null, stdout: text(stdout), stderr: text(stderr), timedOut: false };
  }

  async listImageTags(): Promise<string[]> {
    const images = await this.request((client) => client.listImages());
    return images
      .flatMap((image) => image.RepoTags ?? [])
      .filter((tag) => tag !== '<none>:<none>')
      .sort();
  }

  async inspectImage(reference: string): Promise<unknown> {
    try {
      return await (await this.client()).getImage(reference).inspect();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return null;
      throw error;
    }
  }

  async pullImage(reference: string): Promise<void> {
    const client = await this.client();
    const stream = await this.request(() => client.pull(reference));
    await new Promise<void>((resolve, reject) => {
      client.modem.followProgress(stream, (error: Error | null, output: Array<{ error?: string }>) => {
        const failed = output?.find((entry) => entry.error);
        if (error) reject(error);
        else if (failed) reject(new Error(failed.error));
        else resolve();
      });
    });
  }

  async createOwned(spec: OwnedContainerSpec): Promise<string> {
    const container = await (await this.client()).createContainer({
      ...spec.create,
      // The owner label last, so no caller-supplied label can replace it.
      Labels: { ...(spec.create.Labels ?? {}), [OWNER_LABEL]: spec.role },
    } as Dockerode.ContainerCreateOptions);
    return container.id;
  }

  async startOwned(id: string): Promise<void> {
    await (await this.client()).getContainer(id).start();
  }

  async attachOwned(id: string) {
    const client = await this.client();
    // An attach with stdin never ends its request; when the engine refuses it (Podman answers 409 when the container
    // cannot be prepared) the request and its socket would stay open and keep the process alive: abort them.
    const abort = new AbortController();
    const stream = (await client
      .getContainer(id)
      .attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true, abortSignal: abort.signal } as Dockerode.ContainerAttachOptions)
      .catch((error: unknown) => {
        abort.abort();
        throw error;
      })) as unknown as Duplex;
    return {
      stream,
      demux: (stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream) => client.modem.demuxStream(stream, stdout, stderr),
    };
  }

  async listOwned(role: OwnerRole, labels: Record<string, string> = {}): Promise<OwnedContainer[]> {
    const filters = { label: [`${OWNER_LABEL}=${role}`, ...Object.entries(labels).map(([key, value]) => `${key}=${value}`)] };
    const list = await this.request((client) => client.listContainers({ all: true, filters }));
    return list.map((c) => ({ id: c.Id, name: (c.Names?.[0] ?? '').replace(/^\//, ''), labels: c.Labels ?? {}, createdS: c.Created, state: c.State }));
  }

  async removeOwned(id: string): Promise<boolean> {
    const container = (await this.client()).getContainer(id);
    let labels: Record<string, string>;
    try {
      labels = (await container.inspect()).Config.Labels ?? {};
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return true;
      throw error;
    }
    if (labels[OWNER_LABEL] === undefined) throw new Error(`container ${id.slice(0, 12)} is not Isolens' own (no ${OWNER_LABEL} label): not removed`);
    try {
      await container.remove({ force: true });
      return true;
    } catch (error) {
      // Already gone (AutoRemove raced us) or being removed: nothing left to do.
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404 || status === 409) return true;
      throw error;
    }
  }
}
