// Bundles the CLI (app/cli/bin.ts) into dist/cli/: one ESM entry plus chunks that each command loads when it runs, so
// `isolens --help` reads a few hundred kilobytes instead of resolving ~400 modules. Dependencies are bundled, except
// what an endpoint may never need: docker-modem's ssh transport (ssh2, for ssh:// only) and dockerode's BuildKit
// session (grpc-js + protobufjs, for sessions Isolens never opens) are loaded from node_modules on first use.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Modules replaced by a stand-in that requires the real one (from node_modules) the first time it is called. */
const LOAD_ON_FIRST_CALL = [
  { importer: /docker-modem[/\\]lib[/\\]modem\.js$/, specifier: './ssh', real: 'docker-modem/lib/ssh.js' },
  { importer: /dockerode[/\\]lib[/\\]docker\.js$/, specifier: './session', real: 'dockerode/lib/session.js' },
  { importer: /dockerode[/\\]lib[/\\]docker\.js$/, specifier: './buildkit', real: 'dockerode/lib/buildkit.js' },
];

const loadOnFirstCall = {
  name: 'load-on-first-call',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/(ssh|session|buildkit)$/ }, (args) => {
      const entry = LOAD_ON_FIRST_CALL.find((e) => e.specifier === args.path && e.importer.test(args.importer));
      return entry ? { path: entry.real, namespace: 'load-on-first-call' } : undefined;
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'load-on-first-call' }, (args) => ({
      loader: 'js',
      // A stand-in that is called (ssh, session) or read (buildkit.followProgress) like the real module, which it loads then.
      contents: `let real;\nconst load = () => (real ??= require(${JSON.stringify(args.path)}));\nmodule.exports = new Proxy(function () {}, {\n  apply: (_target, self, args) => load().apply(self, args),\n  get: (_target, key) => load()[key],\n});\n`,
    }));
  },
};

// Chunk names carry content hashes: a stale chunk of an earlier build must not linger next to the new ones.
rmSync(`${root}dist/cli`, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { isolens: 'app/cli/bin.ts' },
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunk-[hash]',
  sourcemap: 'linked',
  logLevel: 'warning',
  // The real ssh and session modules (and what they need) come from node_modules when first called.
  external: LOAD_ON_FIRST_CALL.map((entry) => entry.real),
  // CommonJS dependencies call require(); an ESM bundle has none of its own.
  banner: { js: "import { createRequire as __isolensCreateRequire } from 'node:module';\nconst require = __isolensCreateRequire(import.meta.url);" },
  plugins: [loadOnFirstCall],
});
