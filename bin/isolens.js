#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm install`).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  console.error(`isolens: needs Node.js 22.13 or later (this is ${process.version})`);
  process.exit(1);
}
// Built-ins through getBuiltinModule, not `import`: an ES module facade of node:fs alone costs milliseconds at start.
const { existsSync } = process.getBuiltinModule('node:fs');
// Node 22's on-disk compile cache: later starts skip parsing and compiling the CLI's modules.
process.getBuiltinModule('node:module').enableCompileCache?.();

// `isolens scan` runs from a classic script with a V8 code cache of its own (app/cli/scan-script.ts), when it is built.
const scanLauncher = new URL('../dist/cli/scan-launch.mjs', import.meta.url);
// The bundled CLI (scripts/build-cli.mjs) starts fastest; the tsc output is the fallback of a partial build.
const bundled = new URL('../dist/cli/isolens.mjs', import.meta.url);
const entry = existsSync(bundled) ? bundled : new URL('../dist/app/cli/bin.js', import.meta.url);
if (process.argv[2] === 'scan' && existsSync(scanLauncher)) {
  await import(scanLauncher.href);
} else if (!existsSync(entry)) {
  console.error('isolens: the CLI is not built yet; run `npm run build` in the isolens folder first');
  process.exit(1);
} else {
  await import(entry.href);
}
