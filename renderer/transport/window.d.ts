// The one object the Electron preload exposes (main/preload.ts); absent in a browser under `isolens serve`.
import type { IsolensApi } from '../../app/api.js';

declare global {
  interface Window {
    /** Set by the preload through contextBridge; undefined outside Electron. */
    readonly isolens?: IsolensApi;
  }
}

export {};
