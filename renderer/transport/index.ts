// Picks the renderer's transport once at start: IPC when the Electron preload exposed window.isolens, else HTTP + WebSocket to `isolens serve`.
import type { IsolensApi } from '../../app/api.js';
import { takeFirstSnapshot } from './first-snapshot.js';
import { createHttpApi } from './http.js';
import { createIpcApi } from './ipc.js';

export function createApi(): IsolensApi {
  const bridge = window.isolens;
  if (bridge) return createIpcApi(bridge);
  // A page from file:// is the Electron window; without the bridge there is nothing to talk to over HTTP either.
  if (location.protocol === 'file:') throw new Error('The Electron preload did not expose window.isolens; the app build is incomplete (run `npm run build`).');
  return createHttpApi({ firstSnapshot: takeFirstSnapshot() });
}
