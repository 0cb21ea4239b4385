// A complete IsolensApi whose every method rejects: unit tests spread it and implement only what they exercise.
import type { IsolensApi } from '../../app/api.js';

export function apiDouble(): IsolensApi {
  const missing = (method: string) => () => Promise.reject(new Error(`${method} is not part of this test`));
  return {
    getSnapshot: missing('getSnapshot'),
    getInspect: missing('getInspect'),
    getStatsHistory: missing('getStatsHistory'),
    setVisibleContainers: missing('setVisibleContainers'),
    getEngineState: missing('getEngineState'),
    retryEngine: missing('retryEngine'),
    diffContainers: missing('diffContainers'),
    generateFix: missing('generateFix'),
    generateComposeOverride: missing('generateComposeOverride'),
    exportReport: missing('exportReport'),
    listLabImages: missing('listLabImages'),
    listProbes: missing('listProbes'),
    runLab: missing('runLab'),
    closeLab: missing('closeLab'),
    runProbe: missing('runProbe'),
    getHistory: missing('getHistory'),
    getHistoryVersions: missing('getHistoryVersions'),
    getDriftMarks: missing('getDriftMarks'),
    getNotificationSettings: missing('getNotificationSettings'),
    setNotificationSettings: missing('setNotificationSettings'),
    subscribe: () => () => undefined,
  };
}
