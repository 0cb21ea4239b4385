// The engine's container events (/events, type=container) as a callback stream, parsed from newline-delimited JSON.
import Dockerode from 'dockerode';
import { StringDecoder } from 'node:string_decoder';
import { clientUnreachableError } from './dockerode-client.js';
import { isEngineEvent } from './guards.js';

export interface ContainerEvent {
  /** "start", "die", "destroy", "health_status: healthy", "exec_start: sh -c …" (the part after ":" is container text). */
  action: string;
  /** The container's full id. */
  id: string;
  timeMs: number;
}

/** A line longer than this is not an event: drop it rather than buffer without bound. */
const MAX_LINE_CHARACTERS = 1024 * 1024;

/** One event line to a ContainerEvent, or null when it is not a container event Isolens can use. */
export function parseEventLine(line: string): ContainerEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return null;
  }
  // The fields Isolens uses (EngineEvent in schemas.ts): Docker sends Action/Actor, older APIs and Podman also status/id.
  if (!isEngineEvent(json)) return null;
  const event = json;
  if (event.Type && event.Type !== 'container') return null;
  const action = event.Action ?? event.status;
  const id = event.Actor?.ID ?? event.id;
  if (!action || !id) return null;
  const timeMs = event.timeNano ? Math.floor(event.timeNano / 1e6) : event.time ? event.time * 1000 : Date.now();
  return { action, id, timeMs };
}

/** Splits a byte stream into lines, whatever the chunking (a chunk may end inside a line or a UTF-8 character). */
export class EventLineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly onEvent: (event: ContainerEvent) => void) {}

  push(chunk: Buffer | string): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let newline = this.pending.indexOf('\n');
    while (newline >= 0) {
      this.emit(this.pending.slice(0, newline));
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf('\n');
    }
    if (this.pending.length > MAX_LINE_CHARACTERS) this.pending = '';
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    this.pending += this.decoder.end();
    this.emit(this.pending);
    this.pending = '';
  }

  private emit(line: string): void {
    if (line.trim() === '') return;
    const event = parseEventLine(line);
    if (event) this.onEvent(event);
  }
}

/**
 * Stream container events until stopped. onClose gets null when the engine ended the stream and an
 * EngineUnreachableError (or the raw error) when it failed; it is not called after stop().
 */
export function watchContainerEvents(
  client: Dockerode,
  onEvent: (event: ContainerEvent) => void,
  onClose: (error: Error | null) => void,
): () => void {
  let stopped = false;
  let closed = false;
  let stream: NodeJS.ReadableStream & { destroy?: () => void } | null = null;
  const abort = new AbortController();
  const close = (error: Error | null) => {
    if (stopped || closed) return;
    closed = true;
    const mapped = error ? (clientUnreachableError(client, error) ?? error) : null;
    onClose(mapped);
  };

  // The request timeout is an idle timeout, and an event stream is idle whenever nothing happens: use a copy of the
  // connection settings without it (the connection timeout still bounds the wait for the engine's first answer).
  const modem = Object.assign(Object.create(Object.getPrototypeOf(client.modem) as object) as object, client.modem, {
    timeout: undefined,
  });
  const streaming = new Dockerode({ modem } as Dockerode.DockerOptions);
  const splitter = new EventLineSplitter((event) => {
    if (!stopped) onEvent(event);
  });

  streaming
    .getEvents({ filters: { type: ['container'] }, abortSignal: abort.signal } as Parameters<Dockerode['getEvents']>[0])
    .then((response) => {
      stream = response as typeof stream;
      if (stopped) {
        stream?.destroy?.();
        return;
      }
      response.on('data', (chunk: Buffer) => splitter.push(chunk));
      response.on('end', () => {
        splitter.end();
        close(null);
      });
      response.on('error', (error: Error) => close(error));
      // A destroyed socket may only emit 'close' (no 'end'): the stream is over either way.
      response.on('close', () => close(null));
    })
    .catch((error: Error) => close(error));

  return () => {
    if (stopped) return;
    stopped = true;
    abort.abort();
    stream?.destroy?.();
  };
}
