// Bundles the Electron main process (ESM, like app/) and the preload (CommonJS: sandboxed preloads cannot be ESM) into dist/main/.
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = `${root}dist/main`;

/** Electron 45 ships Node 22 and Chromium 140. */
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  external: ['electron'],
};

/**
 * The preload needs only channel names. app/api.ts builds zod schemas at load time, which esbuild must otherwise keep
 * as side effects; declaring the module side-effect free lets the unused import drop, and zod (~700 KiB) with it.
 */
const apiWithoutSideEffects = {
  name: 'api-without-side-effects',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\/app\/api\.js$/ }, async (args) => {
      const resolved = await pluginBuild.resolve(args.path.replace(/\.js$/, '.ts'), { resolveDir: args.resolveDir, kind: args.kind });
      return { path: resolved.path, sideEffects: false };
    });
  },
};

/** A preload that grew past this has started bundling something it should not (a schema library, app code). */
const PRELOAD_MAX_BYTES = 16 * 1024;

await Promise.all([
  build({
    ...common,
    entryPoints: ['main/main.ts'],
    outfile: `${outDir}/main.js`,
    format: 'esm',
    // Dependencies (dockerode, ws, zod…) stay in node_modules, where electron-builder packs them; app/ code is bundled.
    packages: 'external',
  }),
  build({
    ...common,
    entryPoints: ['main/preload.ts'],
    outfile: `${outDir}/preload.cjs`,
    format: 'cjs',
    // A sandboxed preload can require only 'electron' and a few built-ins: everything else is inlined.
    plugins: [apiWithoutSideEffects],
  }),
]);

const preloadBytes = statSync(`${outDir}/preload.cjs`).size;
if (preloadBytes > PRELOAD_MAX_BYTES) {
  console.error(`main/build.mjs: dist/main/preload.cjs is ${preloadBytes} bytes, over ${PRELOAD_MAX_BYTES}: check what it imports`);
  process.exit(1);
}

for (const file of ['main.js', 'preload.cjs']) {
  const { size } = statSync(`${outDir}/${file}`);
  console.log(`dist/main/${file}  ${(size / 1024).toFixed(1)} KiB`);
}
