#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm install`). CommonJS (see
// bin/package.json): `isolens scan` then runs without Node's ES loader, the other commands load the ES module bundle.
'use strict';
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  console.error(`isolens: needs Node.js 22.13 or later (this is ${process.version})`);
  process.exit(1);
}
// Built-ins through getBuiltinModule: the same objects require() returns, without its resolution.
const { existsSync } = process.getBuiltinModule('node:fs');
const { join } = process.getBuiltinModule('node:path');
const { pathToFileURL } = process.getBuiltinModule('node:url');

const dist = join(__dirname, '..', 'dist');
// `isolens scan` runs from a classic script with a V8 code cache of its own (app/cli/scan-script.ts), when it is built.
const scanLauncher = join(dist, 'cli', 'scan-launch.cjs');

/** The whole CLI: the bundle (scripts/build-cli.mjs) starts fastest; the tsc output is the fallback of a partial build. */
function runCli() {
  // Node 22's on-disk compile cache: later starts skip parsing and compiling the CLI's modules.
  process.getBuiltinModule('node:module').enableCompileCache?.();
  const bundled = join(dist, 'cli', 'isolens.mjs');
  const entry = existsSync(bundled) ? bundled : join(dist, 'app', 'cli', 'bin.js');
  if (!existsSync(entry)) {
    console.error('isolens: the CLI is not built yet; run `npm run build` in the isolens folder first');
    process.exit(1);
  }
  return import(pathToFileURL(entry).href);
}

if (process.argv[2] === 'scan' && existsSync(scanLauncher)) {
  require(scanLauncher)
    .launchScan(join(dist, 'cli'), process.argv.slice(2))
    .then((code) => {
      if (code === null) return runCli();
      process.exitCode = code;
    });
} else {
  runCli();
}
