// The IsolensApi over `isolens serve`: POST /api/<method> for requests, one shared WebSocket on /api/events for pushed events.
import type { ApiEvent, ApiMethod, IsolensApi } from '../../app/api.js';
import type { EngineState } from '../../app/model/live.js';
import type { Snapshot } from '../../app/model/schema.js';
import { isPackedSnapshot, PACKING, PACKING_HEADER, unpackSnapshot } from '../../app/model/packed-snapshot.js';

/** What the transport needs of a WebSocket: the browser's, or `ws` in tests. */
export type EventSocket = Pick<WebSocket, 'onopen' | 'onmessage' | 'onclose' | 'onerror' | 'close'>;

export interface HttpTransportOptions {
  /** The server's origin (http://127.0.0.1:PORT); the page's own by default. */
  origin?: string;
  fetch?: typeof fetch;
  openSocket?: (url: string) => EventSocket;
  /** Waits between reconnect attempts; the last one repeats. */
  reconnectDelaysMs?: readonly number[];
  /** A getSnapshot request already on its way (requestSnapshot): the first getSnapshot answers with it. */
  firstSnapshot?: Promise<Response> | null;
}

export const LOST_CONNECTION = 'Lost connection to isolens serve';
const NOT_AUTHORIZED = 'Not authorized: open the address `isolens serve` printed (it carries the access token); a restarted serve has a new one';
const DEFAULT_RECONNECT_DELAYS_MS = [500, 1000, 2000, 4000, 8000] as const;
const EVENT_TYPES = new Set<string>(['snapshot', 'delta', 'stats', 'engine', 'notice', 'drift']);

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function parseEvent(data: unknown): ApiEvent | null {
  if (typeof data !== 'string') return null;
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value === 'object' && value !== null && EVENT_TYPES.has(String((value as { type?: unknown }).type))) return value as ApiEvent;
  } catch {
    // A frame that is not JSON is dropped; the next snapshot carries the state anyway.
  }
  return null;
}

/**
 * One socket for all listeners, opened with the first and closed with the last. While it is down, listeners get a
 * synthetic `unreachable` engine state (the serve process is gone, so nothing else would tell them); when it is back,
 * the current engine state and snapshot are fetched and pushed, because events were missed in between.
 */
class EventStream {
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private socket: EventSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private lostSinceMs: number | null = null;

  constructor(
    private readonly url: string,
    private readonly endpoint: string,
    private readonly openSocket: (url: string) => EventSocket,
    private readonly delaysMs: readonly number[],
    private readonly resync: () => Promise<ApiEvent[]>,
  ) {}

  add(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.connect();
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
      this.stop();
    };
  }

  /** Try now rather than at the next scheduled attempt (the user pressed retry). */
  reconnectNow(): void {
    if (this.retryTimer === null) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  private emit(event: ApiEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        // One failing listener must not starve the others.
        console.error(error);
      }
    }
  }

  private connect(): void {
    let socket: EventSocket;
    try {
      socket = this.openSocket(this.url);
    } catch {
      this.lost();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      if (this.lostSinceMs === null) return;
      this.lostSinceMs = null;
      this.resync().then(
        (events) => {
          if (this.socket === socket) events.forEach((event) => this.emit(event));
        },
        () => undefined, // The socket closes again if serve is still away; that path reports it.
      );
    };
    socket.onmessage = (message) => {
      if (this.socket !== socket) return;
      const event = parseEvent(message.data);
      if (event) this.emit(event);
    };
    socket.onerror = () => undefined; // close always follows and is where the loss is handled
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.lost();
    };
  }

  private lost(): void {
    if (this.listeners.size === 0) return;
    const now = Date.now();
    this.lostSinceMs ??= now;
    const delayMs = this.delaysMs[Math.min(this.attempt, this.delaysMs.length - 1)] ?? 1000;
    this.attempt += 1;
    const state: EngineState = { status: 'unreachable', endpoint: this.endpoint, error: LOST_CONNECTION, sinceMs: this.lostSinceMs, nextRetryMs: now + delayMs };
    this.emit({ type: 'engine', state });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.listeners.size > 0) this.connect();
    }, delayMs);
  }

  private stop(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.attempt = 0;
    this.lostSinceMs = null;
  }
}

/** POST /api/<method> with the arguments; the promise rejects only when serve cannot be reached. */
async function postApi(doFetch: typeof fetch, origin: string, method: ApiMethod, args: readonly unknown[], headers: Record<string, string> = {}): Promise<Response> {
  return await doFetch(`${origin}/api/${method}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ args }),
  });
}

/** getSnapshot as this transport asks for it: packed. */
export function requestSnapshot(doFetch: typeof fetch, origin: string): Promise<Response> {
  return postApi(doFetch, origin, 'getSnapshot', [], { [PACKING_HEADER]: PACKING });
}

/** The result of an API call's response, or its error in words a user can act on. */
async function resultOf(method: ApiMethod, pending: Promise<Response>): Promise<unknown> {
  let response: Response;
  try {
    response = await pending;
  } catch (error) {
    throw new Error(`${LOST_CONNECTION} (${messageOf(error)})`);
  }
  if (response.status === 401) throw new Error(NOT_AUTHORIZED);
  let body: { result?: unknown; error?: unknown };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new Error(`isolens serve answered ${response.status} to ${method} without JSON`);
  }
  if (!response.ok || body.error !== undefined) throw new Error(typeof body.error === 'string' ? body.error : `isolens serve answered ${response.status} to ${method}`);
  return body.result;
}

export function createHttpApi(options: HttpTransportOptions = {}): IsolensApi {
  const origin = options.origin ?? location.origin;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const openSocket = options.openSocket ?? ((url: string) => new WebSocket(url));
  const socketUrl = `${origin.replace(/^http/, 'ws')}/api/events`;

  async function call<M extends ApiMethod>(method: M, args: Parameters<IsolensApi[M]>, headers: Record<string, string> = {}): Promise<Awaited<ReturnType<IsolensApi[M]>>> {
    return (await resultOf(method, postApi(doFetch, origin, method, args, headers))) as Awaited<ReturnType<IsolensApi[M]>>;
  }

  /** The first snapshot's request, made before the app's script ran (first-snapshot.ts): taken by the first getSnapshot. */
  let early = options.firstSnapshot ?? null;
  /** Asked for packed (a fifth of the bytes at 500 containers), unpacked here: the store sees the plain snapshot. */
  async function getSnapshot(): Promise<Snapshot | null> {
    const pending = early ?? requestSnapshot(doFetch, origin);
    early = null;
    const result = await resultOf('getSnapshot', pending);
    return isPackedSnapshot(result) ? unpackSnapshot(result) : (result as Snapshot | null);
  }

  const events = new EventStream(socketUrl, origin, openSocket, options.reconnectDelaysMs ?? DEFAULT_RECONNECT_DELAYS_MS, async () => {
    const [state, snapshot, marks] = await Promise.all([call('getEngineState', []), getSnapshot(), call('getDriftMarks', []).catch(() => null)]);
    const resynced: ApiEvent[] = [{ type: 'engine', state }];
    if (snapshot) resynced.push({ type: 'snapshot', snapshot });
    if (marks) resynced.push({ type: 'drift', marks });
    return resynced;
  });

  return {
    getSnapshot,
    getInspect: (id) => call('getInspect', [id]),
    getStatsHistory: (id) => call('getStatsHistory', [id]),
    setVisibleContainers: (viewerId, ids) => call('setVisibleContainers', [viewerId, ids]),
    getEngineState: () => call('getEngineState', []),
    retryEngine: async () => {
      events.reconnectNow();
      await call('retryEngine', []);
    },
    subscribe: (listener) => events.add(listener),
    diffContainers: (a, b) => call('diffContainers', [a, b]),
    generateFix: (id) => call('generateFix', [id]),
    generateComposeOverride: (id) => call('generateComposeOverride', [id]),
    exportReport: (request) => call('exportReport', [request]),
    listLabImages: () => call('listLabImages', []),
    listProbes: () => call('listProbes', []),
    runLab: (labOptions) => call('runLab', [labOptions]),
    closeLab: () => call('closeLab', []),
    runProbe: (id, probeId) => call('runProbe', [id, probeId]),
    getHistory: (id) => call('getHistory', [id]),
    getHistoryVersions: (id, before, after) => call('getHistoryVersions', [id, before, after]),
    getDriftMarks: () => call('getDriftMarks', []),
    getNotificationSettings: () => call('getNotificationSettings', []),
    setNotificationSettings: (settings) => call('setNotificationSettings', [settings]),
  };
}
