// `isolens serve --read-only`, for shared screens: the same API with the lab and probes turned into refusals.
import type { IsolensApi } from '../api.js';

export const READ_ONLY_REASON = 'this isolens serve is read-only (--read-only): the lab and probes are off, so nothing is created or run in any container';

/**
 * The API minus the only calls that start containers or exec in them (runLab, runProbe) and the one that removes them
 * (closeLab): each answers with its ordinary typed refusal, so every UI shows the reason where the result would be.
 */
export function readOnlyApi(api: IsolensApi): IsolensApi {
  // Every method listed, none spread: a method added to IsolensApi must be decided on here (the type-check says so).
  return {
    getSnapshot: () => api.getSnapshot(),
    getInspect: (id) => api.getInspect(id),
    getStatsHistory: (id) => api.getStatsHistory(id),
    // What a viewer shows decides only how often serve reads cgroupfs; it changes nothing anywhere.
    setVisibleContainers: (viewerId, ids) => api.setVisibleContainers(viewerId, ids),
    getEngineState: () => api.getEngineState(),
    retryEngine: () => api.retryEngine(),
    subscribe: (listener) => api.subscribe(listener),
    diffContainers: (a, b) => api.diffContainers(a, b),
    generateFix: (id) => api.generateFix(id),
    generateComposeOverride: (id) => api.generateComposeOverride(id),
    // A report is a read of the snapshot the screen already shows.
    exportReport: (request) => api.exportReport(request),
    // The catalogue is still listed, each probe saying why it will not run here, so the buttons can explain themselves.
    listProbes: async () => (await api.listProbes()).map((probe) => ({ ...probe, unavailable: READ_ONLY_REASON })),
    listLabImages: async () => [],
    runLab: async () => ({ ok: false, reason: READ_ONLY_REASON }),
    closeLab: async () => 0,
    runProbe: async (_id, probeId) => ({ refused: true, probeId, reason: READ_ONLY_REASON }),
    getHistory: (id) => api.getHistory(id),
    getHistoryVersions: (id, before, after) => api.getHistoryVersions(id, before, after),
    getDriftMarks: () => api.getDriftMarks(),
    getNotificationSettings: () => api.getNotificationSettings(),
    // A shared screen shows the mutes but does not change them for everyone else.
    setNotificationSettings: async () => {
      throw new Error('this isolens serve is read-only (--read-only): the notification mutes cannot be changed here');
    },
  };
}
