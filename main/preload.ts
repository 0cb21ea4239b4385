// The preload: exposes exactly one object to the page, window.isolens (the read-only IsolensApi), and nothing else of Electron.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, IsolensApi } from '../app/api.js';
import { EVENT_CHANNEL, invokeChannel } from './ipc-contract.js';

// Listed one by one (typed against IsolensApi, so none can be missing): referencing API_METHODS here would bundle zod.
const isolens: IsolensApi = {
  getSnapshot: () => ipcRenderer.invoke(invokeChannel('getSnapshot')),
  getInspect: (id) => ipcRenderer.invoke(invokeChannel('getInspect'), id),
  getStatsHistory: (id) => ipcRenderer.invoke(invokeChannel('getStatsHistory'), id),
  setVisibleContainers: (viewerId, ids) => ipcRenderer.invoke(invokeChannel('setVisibleContainers'), viewerId, ids),
  getEngineState: () => ipcRenderer.invoke(invokeChannel('getEngineState')),
  retryEngine: () => ipcRenderer.invoke(invokeChannel('retryEngine')),
  diffContainers: (a, b) => ipcRenderer.invoke(invokeChannel('diffContainers'), a, b),
  generateFix: (id) => ipcRenderer.invoke(invokeChannel('generateFix'), id),
  generateComposeOverride: (id) => ipcRenderer.invoke(invokeChannel('generateComposeOverride'), id),
  exportReport: (request) => ipcRenderer.invoke(invokeChannel('exportReport'), request),
  listLabImages: () => ipcRenderer.invoke(invokeChannel('listLabImages')),
  listProbes: () => ipcRenderer.invoke(invokeChannel('listProbes')),
  runLab: (options) => ipcRenderer.invoke(invokeChannel('runLab'), options),
  closeLab: () => ipcRenderer.invoke(invokeChannel('closeLab')),
  runProbe: (id, probeId) => ipcRenderer.invoke(invokeChannel('runProbe'), id, probeId),
  getHistory: (id) => ipcRenderer.invoke(invokeChannel('getHistory'), id),
  getHistoryVersions: (id, before, after) => ipcRenderer.invoke(invokeChannel('getHistoryVersions'), id, before, after),
  getDriftMarks: () => ipcRenderer.invoke(invokeChannel('getDriftMarks')),
  getNotificationSettings: () => ipcRenderer.invoke(invokeChannel('getNotificationSettings')),
  setNotificationSettings: (settings) => ipcRenderer.invoke(invokeChannel('setNotificationSettings'), settings),
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
