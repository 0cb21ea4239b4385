// The first snapshot's request, sent as the page's script starts: main.tsx imports this module first, so the request
// leaves before React and the app are evaluated, and serve answers while they are (createApi hands it to the transport).
import { requestSnapshot } from './http.js';

/** Under `isolens serve` only: Electron has its bridge, and the dev server's fixture has no /api. */
function servedByIsolens(): boolean {
  if (window.isolens || !location.protocol.startsWith('http')) return false;
  return !(import.meta.env.DEV && new URLSearchParams(location.search).has('fixture'));
}

let pending: Promise<Response> | null = servedByIsolens() ? requestSnapshot(globalThis.fetch.bind(globalThis), location.origin) : null;
// A failure is the transport's to report when it takes the request; until then it must not count as unhandled.
pending?.catch(() => undefined);

/** The request sent at start, once: whoever takes it answers the page's first getSnapshot with it. */
export function takeFirstSnapshot(): Promise<Response> | null {
  const taken = pending;
  pending = null;
  return taken;
}
