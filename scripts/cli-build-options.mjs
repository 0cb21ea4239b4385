// The esbuild options of the bundled CLI (used by build-cli.mjs, and by the tests that check what --help and scan load).
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, relative } from 'node:path';

/** Modules replaced by a stand-in that requires the real one (from node_modules) the first time it is called. */
const LOAD_ON_FIRST_CALL = [
  { importer: /docker-modem[/\\]lib[/\\]modem\.js$/, specifier: './ssh', real: 'docker-modem/lib/ssh.js' },
  { importer: /dockerode[/\\]lib[/\\]docker\.js$/, specifier: './session', real: 'dockerode/lib/session.js' },
  { importer: /dockerode[/\\]lib[/\\]docker\.js$/, specifier: './buildkit', real: 'dockerode/lib/buildkit.js' },
];

/**
 * CommonJS modules that stay in the bundle but are evaluated the first time they are used, not when their importer
 * loads: what dockerode and docker-modem require at the top for image builds (tar-fs, dockerignore) and for hijacked
 * exec/attach streams (http_duplex and readable-stream), which a scan never does.
 */
const EVALUATE_ON_FIRST_USE = [
  { importer: /dockerode[/\\]lib[/\\]util\.js$/, specifier: 'tar-fs' },
  { importer: /dockerode[/\\]lib[/\\]util\.js$/, specifier: '@balena/dockerignore' },
  { importer: /docker-modem[/\\]lib[/\\]modem\.js$/, specifier: './http_duplex' },
];

/**
 * Built-ins that CommonJS dependencies require at the top but use only on some paths: https and tls (a TLS endpoint),
 * child_process (commander's executable subcommands, which Isolens has none of), zlib (image builds), tty (debug's
 * colours). They load when first used; loading them all at start cost ~15 ms on a quiet machine.
 */
const LAZY_BUILTINS = new Set(['https', 'tls', 'child_process', 'zlib', 'tty']);
/** ES modules that import a lazy built-in by its default export only (`import childProcess from 'node:child_process'`). */
const DEFAULT_IMPORT_ONLY = [/commander[/\\]lib[/\\]command\.js$/];

/** A stand-in whose every use (call, `new`, property read) goes to the module `load()` returns, loaded once. */
function standIn(load) {
  return `let real;\nconst load = () => (real ??= ${load});\nmodule.exports = new Proxy(function () {}, {\n  apply: (_target, self, args) => Reflect.apply(load(), self, args),\n  construct: (_target, args, newTarget) => Reflect.construct(load(), args, newTarget === module.exports ? load() : newTarget),\n  get: (_target, key) => load()[key],\n  has: (_target, key) => key in load(),\n});\n`;
}

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
      contents: standIn(`require(${JSON.stringify(args.path)})`),
    }));
  },
};

/**
 * Resolve an import as esbuild would (marked `real`, so the plugin does not catch its own lookup) and hand the file to
 * the plugin's namespace, whose onLoad writes the stand-in module.
 */
async function intoNamespace(pluginBuild, args, namespace) {
  const real = await pluginBuild.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { real: true } });
  if (real.errors.length > 0) return { errors: real.errors };
  return { path: real.path, namespace };
}

/**
 * docker-modem's `require('debug')('modem')`: debug, its colour detection and tty load only when DEBUG is set; without
 * it every debugger is off and prints nothing, which a no-op debugger does too.
 */
const debugOnlyWhenAsked = {
  name: 'debug-only-when-asked',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^debug$/ }, async (args) => {
      if (args.namespace !== 'file' || args.pluginData?.real || !/docker-modem[/\\]lib[/\\]modem\.js$/.test(args.importer)) return undefined;
      return intoNamespace(pluginBuild, args, 'debug-only-when-asked');
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'debug-only-when-asked' }, (args) => ({
      loader: 'js',
      resolveDir: dirname(args.path),
      contents: `const off = Object.assign(function () {}, { enabled: false });
off.extend = () => off;
module.exports = process.env.DEBUG ? require(${JSON.stringify(args.path)}) : () => off;
`,
    }));
  },
};

/** The one statement of docker-modem's request path that works for a debugger that is off. */
const MODEM_SENDING = "debug('Sending: %s', util.inspect(options, {";

/**
 * docker-modem formats every request's options with util.inspect (showHidden, unlimited depth, the agent included) to
 * pass them to a debugger that prints nothing unless DEBUG is set: that statement runs only when its debugger is on.
 * The build fails if docker-modem no longer has the statement, so the patch cannot go stale unnoticed.
 */
const modemInspectsOnlyWhenDebugging = {
  name: 'modem-inspects-only-when-debugging',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /docker-modem[/\\]lib[/\\]modem\.js$/, namespace: 'file' }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes(MODEM_SENDING)) {
        throw new Error(`${args.path} no longer has ${MODEM_SENDING}…: update modemInspectsOnlyWhenDebugging in scripts/cli-build-options.mjs`);
      }
      return { loader: 'js', resolveDir: dirname(args.path), contents: text.replace(MODEM_SENDING, `debug.enabled && ${MODEM_SENDING}`) };
    });
  },
};

const evaluateOnFirstUse = {
  name: 'evaluate-on-first-use',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(tar-fs|@balena\/dockerignore|\.\/http_duplex)$/ }, async (args) => {
      if (args.namespace !== 'file' || args.pluginData?.real) return undefined;
      if (!EVALUATE_ON_FIRST_USE.some((e) => e.specifier === args.path && e.importer.test(args.importer))) return undefined;
      return intoNamespace(pluginBuild, args, 'evaluate-on-first-use');
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'evaluate-on-first-use' }, (args) => ({
      loader: 'js',
      resolveDir: dirname(args.path),
      // esbuild wraps each bundled CommonJS module in a function run at its first require(): this defers that call.
      contents: standIn(`require(${JSON.stringify(args.path)})`),
    }));
  },
};

// Node's built-in modules come from process.getBuiltinModule() (Node 22.3+), not from `import 'node:fs'`: an ESM import
// of a built-in builds its ES module facade, which reads every export (node:fs's lazy streams among them) and cost the
// CLI's start ~30 ms before any of our code ran. Each importer gets its own one-line stand-in (the path carries the
// importer), so the stand-ins sit in their importers' chunks instead of a dozen shared chunks of a few bytes each, every
// one a module the ES loader resolves, reads and links at start.
const builtinsWithoutFacade = {
  name: 'builtins-without-facade',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!builtinModules.includes(name)) return undefined;
      // A require() or a default import can be given a stand-in; a named import copies every export at once.
      const lazy = LAZY_BUILTINS.has(name) && (args.kind === 'require-call' || DEFAULT_IMPORT_ONLY.some((re) => re.test(args.importer)));
      const from = relative(pluginBuild.initialOptions.absWorkingDir ?? process.cwd(), args.importer).replaceAll('\\', '/');
      const namespace = lazy
        ? 'lazy-builtin'
        : args.kind === 'import-statement' && from.startsWith('app/')
          ? 'builtin-named'
          : name === 'util' && args.kind === 'import-statement'
            ? 'builtin-facade'
            : 'builtin';
      return { path: `node:${name}?from=${from}`, namespace };
    });
    const builtinOf = (path) => path.slice(0, path.indexOf('?from='));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      loader: 'js',
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(builtinOf(args.path))});\n`,
    }));
    // An ES module's import of node:util (commander's) goes through esbuild's __toESM, which copies every property's
    // descriptor: that materialises util's lazy members (its diff, parseArgs, worker and stream modules, stderr), ~3 ms
    // at start. This stand-in has a getter per name instead, each reading util's member only when used.
    pluginBuild.onLoad({ filter: /.*/, namespace: 'builtin-facade' }, (args) => ({
      loader: 'js',
      contents: `const real = process.getBuiltinModule(${JSON.stringify(builtinOf(args.path))});\nconst facade = {};\nfor (const key of Object.getOwnPropertyNames(real)) Object.defineProperty(facade, key, { get: () => real[key], enumerable: true });\nmodule.exports = facade;\n`,
    }));
    // Our own modules' named imports (`import { readFileSync } from 'node:fs'`): esbuild's __toESM of a CommonJS stand-in
    // defines a getter for every export of the built-in, for each importer (~3 ms of a scan, ~20 importers). This
    // stand-in is an ES module with one export per name, each a pure read esbuild drops unless the importer uses it.
    pluginBuild.onLoad({ filter: /.*/, namespace: 'builtin-named' }, (args) => {
      const specifier = builtinOf(args.path);
      const names = Object.keys(process.getBuiltinModule(specifier)).filter((key) => key !== 'default');
      return {
        loader: 'js',
        contents: [
          `const real = process.getBuiltinModule(${JSON.stringify(specifier)});`,
          'const member = (key) => real[key];',
          'export default real;',
          ...names.map((key, i) => `const $${i} = /* @__PURE__ */ member(${JSON.stringify(key)});`),
          `export { ${names.map((key, i) => `$${i} as ${JSON.stringify(key)}`).join(', ')} };`,
          '',
        ].join('\n'),
      };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      loader: 'js',
      contents: standIn(`process.getBuiltinModule(${JSON.stringify(builtinOf(args.path))})`),
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
    plugins: [loadOnFirstCall, evaluateOnFirstUse, debugOnlyWhenAsked, modemInspectsOnlyWhenDebugging, builtinsWithoutFacade],
  };
}

/** What the scan's two CommonJS files (its launcher and its classic script) are built as, next to the ESM bundle. */
const COMMONJS_IN_DIST_CLI = {
  outdir: 'dist/cli',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  sourcemap: 'linked',
  logLevel: 'warning',
};

/**
 * esbuild's options for the scan's launcher (dist/cli/scan-launch.cjs, which bin/isolens.js requires for `isolens scan`):
 * CommonJS, so a scan loads no ES module; `define` carries the scan script's content hash (build-cli.mjs).
 */
export function scanLauncherBuildOptions(root, define) {
  return {
    absWorkingDir: root,
    entryPoints: { 'scan-launch': 'app/cli/scan-launch.ts' },
    ...COMMONJS_IN_DIST_CLI,
    define,
    plugins: [builtinsWithoutFacade],
  };
}

/** The parameters the scan script's wrapper function takes (app/cli/scan-script.ts passes them, in this order). */
export const SCAN_SCRIPT_PARAMETERS = ['require', 'module', 'exports', '__isolensImportMetaUrl'];

/**
 * esbuild's options for the scan's classic script (dist/cli/scan.cjs): `isolens scan` as one CommonJS bundle, whose
 * text is a single function expression, so the launcher compiles it with vm.Script and hands V8 the code cache it took
 * after an earlier scan (which holds the lazily compiled functions an ES module's compile cache never does). Strict mode
 * throughout, as the ES modules it is built from (and the ESM bundle) run. The modules a scan loads on some paths only
 * (the other formats, --record's history store, the helper's dockerode) stay in wrappers esbuild runs on first use, so a
 * JSON scan evaluates what the ESM bundle's scan does (bundle-loads.int checks both).
 */
export function scanScriptBuildOptions(root) {
  return {
    absWorkingDir: root,
    entryPoints: { scan: 'app/cli/scan-main.ts' },
    ...COMMONJS_IN_DIST_CLI,
    external: LOAD_ON_FIRST_CALL.map((entry) => entry.real),
    // A classic script has no import.meta: the launcher passes the script's URL (node:sqlite's createRequire uses it).
    define: { 'import.meta.url': '__isolensImportMetaUrl' },
    // Template literals as strings, which esbuild writes in ASCII (it escapes the rest; a template's text it cannot), so
    // the launcher reads the script as Latin-1. Tagged templates keep their strings and raw strings (esbuild's __template).
    supported: { 'template-literal': false },
    banner: { js: `(function (${SCAN_SCRIPT_PARAMETERS.join(', ')}) {\n'use strict';` },
    footer: { js: '})' },
    plugins: [loadOnFirstCall, evaluateOnFirstUse, debugOnlyWhenAsked, modemInspectsOnlyWhenDebugging, builtinsWithoutFacade],
  };
}
