// `isolens serve`: the live API behind the token-protected loopback server, until interrupted.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLiveApi } from '../poller/index.js';
import type { KernelSourceMode } from '../kernel-source.js';
import { startServer, type RunningServer } from '../serve/server.js';
import { readOnlyApi } from '../serve/read-only.js';
import { openHistoryForServer, withHistory, type ServerHistoryFlags } from '../history/api.js';

/** The built renderer: dist/renderer, whether we run from dist/ or from source. */
export function rendererDirectory(): string | null {
  // From dist/app/cli that is dist/renderer; from source (tsx app/cli) the repository's dist/renderer. The source
  // folder renderer/ also has an index.html, but an unbuilt one: a build has assets/.
  const candidates = [new URL('../../renderer/', import.meta.url), new URL('../../dist/renderer/', import.meta.url)];
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (existsSync(`${dir}index.html`) && existsSync(`${dir}assets`)) return dir;
  }
  return null;
}

export interface ServeFlags extends ServerHistoryFlags {
  host?: string;
  port: number;
  readOnly?: boolean;
  /** --kernel-source: a helper container, when chosen, is kept while serve runs and removed when it stops. */
  kernelSource?: KernelSourceMode;
  helperImage?: string;
}

export async function serveCommand(
  options: ServeFlags,
  io: { stdout: (text: string) => void; stderr: (text: string) => void },
): Promise<number> {
  const staticDir = rendererDirectory();
  if (!staticDir) {
    io.stderr('isolens: the UI is not built (dist/renderer is missing); run `npm run build` first\n');
    return 1;
  }
  const store = openHistoryForServer(options, (text) => io.stderr(`isolens: ${text}\n`));
  const api = withHistory(await createLiveApi({
    host: options.host,
    kernel: { mode: options.kernelSource ?? 'auto', helperImage: options.helperImage, onNotice: (text) => io.stderr(`isolens: ${text}\n`) },
  }), {
    store,
    onError: (error) => io.stderr(`isolens: recording history failed: ${error.message}\n`),
  });
  const state = await api.getEngineState();
  if (state.status !== 'connected') io.stderr(`isolens: engine not reachable yet (${state.error}); retrying in the background\n`);
  let server: RunningServer;
  try {
    server = await startServer({ api: options.readOnly ? readOnlyApi(api) : api, port: options.port, staticDir });
  } catch (error) {
    // Without the live API closed, its engine session and timers would keep the process running after the error.
    await api.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') io.stderr(`isolens: port ${options.port} on 127.0.0.1 is already in use (another isolens serve?); choose another with --port, or --port 0 for any free port\n`);
    else if (code === 'EACCES') io.stderr(`isolens: may not listen on port ${options.port} (ports below 1024 need privileges); choose another with --port\n`);
    else io.stderr(`isolens: cannot listen on 127.0.0.1:${options.port}: ${(error as Error).message}\n`);
    return 1;
  }
  const mode = options.readOnly ? 'Read-only: the lab and probes are off. ' : '';
  io.stdout(`Isolens is serving on 127.0.0.1 only. Open:\n\n  ${server.url}\n\n${mode}The token in that address is required for every request. Ctrl+C stops.\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await api.close();
  return 0;
}
