#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm install`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/app/cli/bin.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('isolens: the CLI is not built yet; run `npm run build` in the isolens folder first');
  process.exit(1);
}
await import(entry.href);
