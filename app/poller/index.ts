// The live side of Isolens: the engine session that emits (session.ts), the live API that subscribes to it (live.ts), stats.
export { EngineSession, openSession, type SessionEvent, type SessionListener, type SessionOptions, type SnapshotChanges } from './session.js';
export { LiveApi, createLiveApi, redactInspect, type LiveApiOptions } from './live.js';
export { StatsSampler, HISTORY_LENGTH } from './stats.js';
