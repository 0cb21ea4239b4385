// The esbuild options of the bundled CLI (used by build-cli.mjs, and by the test that checks what --help loads).
import { builtinModules } from 'node:module';

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

// Node's built-in modules come from process.getBuiltinModule() (Node 22.3+), not from `import 'node:fs'`: an ESM import
// of a built-in builds its ES module facade, which reads every export (node:fs's lazy streams among them) and cost the
// CLI's start ~30 ms before any of our code ran.
const builtinsWithoutFacade = {
  name: 'builtins-without-facade',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      return builtinModules.includes(name) ? { path: `node:${name}`, namespace: 'builtin' } : undefined;
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      loader: 'js',
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});\n`,
    }));
  },
};

/** esbuild's options for the CLI bundle, from the repository root. */
export function cliBuildOptions(root) {
  return {
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
    banner: { js: "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);" },
    plugins: [loadOnFirstCall, builtinsWithoutFacade],
  };
}
