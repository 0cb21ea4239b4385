// The IsolensApi over Electron IPC: a thin wrapper of the preload's window.isolens that makes its errors readable.
import type { ApiEvent, IsolensApi } from '../../app/api.js';

/** Electron prefixes every error thrown in a handler with the channel name; users need only the cause. */
export function ipcErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/, '');
}

async function unwrapped<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (error) {
    throw new Error(ipcErrorMessage(error));
  }
}

/** Only the declared methods are taken from the bridge, so nothing else it might carry leaks into the app. */
export function createIpcApi(bridge: IsolensApi): IsolensApi {
  return {
    getSnapshot: () => unwrapped(bridge.getSnapshot()),
    getInspect: (id) => unwrapped(bridge.getInspect(id)),
    getStatsHistory: (id) => unwrapped(bridge.getStatsHistory(id)),
    setVisibleContainers: (viewerId, ids) => unwrapped(bridge.setVisibleContainers(viewerId, ids)),
    getEngineState: () => unwrapped(bridge.getEngineState()),
    retryEngine: () => unwrapped(bridge.retryEngine()),
    subscribe: (listener: (event: ApiEvent) => void) => bridge.subscribe(listener),
    diffContainers: (a, b) => unwrapped(bridge.diffContainers(a, b)),
    generateFix: (id) => unwrapped(bridge.generateFix(id)),
    generateComposeOverride: (id) => unwrapped(bridge.generateComposeOverride(id)),
    exportReport: (request) => unwrapped(bridge.exportReport(request)),
    listLabImages: () => unwrapped(bridge.listLabImages()),
    listProbes: () => unwrapped(bridge.listProbes()),
    runLab: (options) => unwrapped(bridge.runLab(options)),
    closeLab: () => unwrapped(bridge.closeLab()),
    runProbe: (id, probeId) => unwrapped(bridge.runProbe(id, probeId)),
    getHistory: (id) => unwrapped(bridge.getHistory(id)),
    getHistoryVersions: (id, before, after) => unwrapped(bridge.getHistoryVersions(id, before, after)),
    getDriftMarks: () => unwrapped(bridge.getDriftMarks()),
    getNotificationSettings: () => unwrapped(bridge.getNotificationSettings()),
    setNotificationSettings: (settings) => unwrapped(bridge.setNotificationSettings(settings)),
  };
}
