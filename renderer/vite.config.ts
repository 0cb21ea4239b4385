// Vite build of the React renderer: relative asset paths (loaded from file:// by Electron and from / by `isolens serve`), no inline scripts (CSP).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY_META } from '../app/serve/security.js';

/**
 * The built page carries the CSP as a meta tag too: Electron loads it from file://, where response headers may not
 * apply. Build only — the dev server injects inline scripts that the policy (rightly) refuses.
 */
const cspMeta = (): Plugin => ({
  name: 'isolens-csp-meta',
  apply: 'build',
  transformIndexHtml: () => [
    { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY_META }, injectTo: 'head-prepend' },
  ],
});

/** The app icon (assets/icon.svg, the one source) as the page's favicon: emitted into the build, served by the dev server. */
const iconPath = fileURLToPath(new URL('../assets/icon.svg', import.meta.url));
const favicon = (): Plugin => ({
  name: 'isolens-favicon',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'favicon.svg', source: readFileSync(iconPath) });
  },
  configureServer(server) {
    server.middlewares.use('/favicon.svg', (_request, response) => {
      response.setHeader('Content-Type', 'image/svg+xml');
      response.end(readFileSync(iconPath));
    });
  },
});

const rendererRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [react(), cspMeta(), favicon()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // The polyfill is a tiny script; CSP `script-src 'self'` allows it only as a file, and every target browser has modulepreload.
    modulePreload: { polyfill: false },
    // Never inline assets as data: scripts or styles; images as data: are allowed by the CSP but keep everything as files.
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'chrome130',
    chunkSizeWarningLimit: 1500,
  },
  server: { host: '127.0.0.1', strictPort: false },
});
