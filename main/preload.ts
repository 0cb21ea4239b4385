// The preload: exposes exactly one object to the page, window.isolens (the read-only IsolensApi), and nothing else of Electron.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, IsolensApi } from '../app/api.js';
import { EVENT_CHANNEL, invokeChannel } from './ipc-contract.js';

const isolens: IsolensApi = {
  getSnapshot: () => ipcRenderer.invoke(invokeChannel('getSnapshot')),
  getInspect: (id) => ipcRenderer.invoke(invokeChannel('getInspect'), id),
  getStatsHistory: (id) => ipcRenderer.invoke(invokeChannel('getStatsHistory'), id),
  getEngineState: () => ipcRenderer.invoke(invokeChannel('getEngineState')),
  retryEngine: () => ipcRenderer.invoke(invokeChannel('retryEngine')),
  subscribe(listener: (event: ApiEvent) => void) {
    // The page gets the payload only, never Electron's event object (it carries `sender`, an ipcRenderer).
    const forward = (_event: IpcRendererEvent, payload: ApiEvent) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('isolens', isolens);
