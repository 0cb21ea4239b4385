// Dev tool: start the Vite dev server for the fixture (`?fixture=1`), standing in for renderer/transport while it does not exist yet.
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, createServer, type Plugin, type ViteDevServer } from 'vite';

const configFile = fileURLToPath(new URL('../vite.config.ts', import.meta.url));
const transportEntry = fileURLToPath(new URL('../transport/index.ts', import.meta.url));
const STUB_ID = '\0isolens-missing-transport';

/** Resolves ./transport/index.js to a stub that throws, only when the real transport is absent. */
function missingTransportStub(): Plugin {
  return {
    name: 'isolens-missing-transport',
    enforce: 'pre',
    resolveId(source) {
      if (source === './transport/index.js' && !existsSync(transportEntry)) return STUB_ID;
      return null;
    },
    load(id) {
      if (id !== STUB_ID) return null;
      return "export function createApi() { throw new Error('renderer/transport is not written yet: open the page with ?fixture=1'); }";
    },
  };
}

export async function startDevServer(port: number): Promise<{ url: string; server: ViteDevServer }> {
  const server = await createServer({ configFile, plugins: [missingTransportStub()], server: { port, host: '127.0.0.1', strictPort: true }, logLevel: 'warn' });
  await server.listen();
  return { url: `http://127.0.0.1:${port}/`, server };
}

/** The Content-Security-Policy the Electron window and `isolens serve` apply (issue 4); the renderer must run under it unchanged. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*";

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

/**
 * Build the renderer as the production build does (no inline scripts), but in development mode so the fixture is kept,
 * and serve it with the real CSP header: a CSP violation then shows up in the browser exactly as it would in the app.
 */
export async function startCspServer(port: number, outDir: string, options: { reactProduction?: boolean; minify?: boolean } = {}): Promise<{ url: string; server: Server }> {
  // reactProduction: React's production build under the fixture (bench:ui times what users run, not React's dev checks).
  const define = options.reactProduction ? { 'process.env.NODE_ENV': JSON.stringify('production'), 'import.meta.env.DEV': 'true' } : {};
  await build({ configFile, mode: 'development', define, plugins: [missingTransportStub()], logLevel: 'warn', build: { outDir, emptyOutDir: true, minify: options.minify ?? true } });
  const server = createHttpServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(outDir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(outDir) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': CONTENT_SECURITY_POLICY });
    response.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/`, server };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const port = Number(process.argv[2] ?? 5173);
  const { url } = await startDevServer(port);
  console.log(`fixture UI at ${url}?fixture=1 (rows=1000, engine=unreachable, empty, loading are further options)`);
}
