// The one API every UI talks to: the Electron preload exposes it over IPC, `isolens serve` over HTTP + WebSocket.
import { z } from 'zod';
import type { Snapshot } from './model/schema.js';
import type { EngineState, LiveStats } from './model/live.js';

/** Pushed to subscribers; the renderer keeps no other channel open. */
export type ApiEvent =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'stats'; stats: LiveStats[] }
  | { type: 'engine'; state: EngineState };

export interface IsolensApi {
  /** The latest snapshot (containers with facts, findings and grades); null before the first scan finishes. */
  getSnapshot(): Promise<Snapshot | null>;
  /** The engine's raw inspect document of one container, for the Raw tab. Env values are redacted. */
  getInspect(id: string): Promise<unknown>;
  /** The live stats history kept for one container (the last five minutes). */
  getStatsHistory(id: string): Promise<LiveStats[]>;
  /** The current engine connection state. */
  getEngineState(): Promise<EngineState>;
  /** Reconnect to the engine now instead of waiting for the next retry. */
  retryEngine(): Promise<void>;
  /** Events as they happen; returns the unsubscribe function. */
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

/** The request methods, by name: the single list IPC channels and HTTP routes are derived from. */
export const API_METHODS = ['getSnapshot', 'getInspect', 'getStatsHistory', 'getEngineState', 'retryEngine'] as const;
export type ApiMethod = (typeof API_METHODS)[number];

/** Validation of each method's arguments at the boundary (IPC payloads, HTTP requests). */
const ContainerId = z.string().regex(/^[a-f0-9]{12,64}$/, 'a container id (12 to 64 hex characters)');
export const API_ARGUMENTS: { [M in ApiMethod]: z.ZodType<Parameters<IsolensApi[M]>> } = {
  getSnapshot: z.tuple([]),
  getInspect: z.tuple([ContainerId]),
  getStatsHistory: z.tuple([ContainerId]),
  getEngineState: z.tuple([]),
  retryEngine: z.tuple([]),
};
