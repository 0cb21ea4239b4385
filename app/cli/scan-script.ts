// Runs `isolens scan` from its classic-script bundle (dist/cli/scan.cjs) with the V8 code cache an earlier scan left: a
// code cache taken after a run holds every function the run compiled, where Node's compile cache for ES modules holds
// only what is compiled before a module runs, so every function a scan calls used to be parsed and compiled again.
import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { codeCacheFile, readCodeCache, writeCodeCache, type CacheEvent } from './code-cache.js';
import { EXIT } from './exit.js';

/** What the script's function sets on module.exports (app/cli/scan-main.ts). */
interface ScanScriptExports {
  runScan?: (argv: string[]) => Promise<number>;
}

/**
 * Which cache a run uses: the format it prints (`--json`, `-f sarif`, `--format=html`; the last one, as commander takes
 * it, and --json over any), since each format runs functions the others do not. None for help, which runs no scan.
 */
export function scanVariant(argv: string[]): string | null {
  let format = 'table';
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === '-h' || arg === '--help') return null;
    if (arg === '--json') json = true;
    else if (arg === '-f' || arg === '--format') format = argv[++i] ?? format;
    else if (arg.startsWith('--format=')) format = arg.slice('--format='.length);
    else if (/^-f[^-]/.test(arg)) format = arg.slice(2);
  }
  if (json) return 'json';
  return /^[a-z]{1,16}$/.test(format) ? format : 'other';
}

export interface ScanScriptOptions {
  /** The script's content hash (from the build), which names its cache; null: no cache. */
  scriptHash: string | null;
  /** Where caches live (codeCacheDirectory); null: no cache. */
  cacheDirectory: string | null;
  event?: CacheEvent;
}

/** Scans with the script; null when the script cannot be read or run (a partial or damaged build), and nothing ran. */
export async function runScanScript(scriptPath: string, argv: string[], options: ScanScriptOptions): Promise<number | null> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(scriptPath);
  } catch {
    return null;
  }
  const event = options.event ?? (() => undefined);
  const variant = scanVariant(argv);
  const cache = options.scriptHash && options.cacheDirectory && variant ? codeCacheFile(options.cacheDirectory, options.scriptHash, variant) : null;
  const cachedData = cache ? readCodeCache(cache.path, cache.key, event) : undefined;
  // The build's output is ASCII (esbuild escapes the rest), and then Latin-1 is the same text at a copy's cost, where
  // UTF-8 decoding a megabyte took ~40 M instructions.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const url = pathToFileURL(scriptPath).href;
  let script: Script;
  const module: { exports: ScanScriptExports } = { exports: {} };
  try {
    script = new Script(source, { filename: url, cachedData });
    (script.runInThisContext() as (...args: unknown[]) => void)(createRequire(scriptPath), module, module.exports, url);
  } catch (error) {
    // A damaged install (a truncated file): nothing has run yet, so the whole CLI can scan instead.
    event(`scan script unusable: ${(error as Error).message}`);
    return null;
  }
  if (cachedData) event(script.cachedDataRejected ? 'code cache rejected by V8' : 'code cache used');
  if (typeof module.exports.runScan !== 'function') {
    event(`scan script unusable: ${scriptPath} sets no runScan`);
    return null;
  }
  const code = await module.exports.runScan(argv);
  // Taken once the scan has run, so it holds what the scan compiled; only after a scan that ran to the end (a usage
  // error or an unreachable engine compiles too little to be worth keeping).
  const ranToEnd = code === EXIT.ok || code === EXIT.findings || code === EXIT.drift;
  if (cache && options.cacheDirectory && ranToEnd && (!cachedData || script.cachedDataRejected)) {
    writeCodeCache(options.cacheDirectory, cache.path, cache.key, script.createCachedData(), event);
  }
  return code;
}
