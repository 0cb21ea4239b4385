// What bin/isolens.js calls for `isolens scan …` (built to dist/cli/scan-launch.cjs, CommonJS like the launcher, so a scan
// loads no ES module at all): the scan's classic script with its code cache (scan-script.ts).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { codeCacheDirectory } from './code-cache.js';
import { runScanScript } from './scan-script.js';

/** The scan script's content hash, set by scripts/build-cli.mjs (esbuild's define). */
declare const __ISOLENS_SCAN_SCRIPT_HASH__: string | undefined;

/** Scan with dist/cli/scan.cjs (in `directory`); null when it is missing or damaged (a partial build) and nothing ran. */
export function launchScan(directory: string, argv: string[]): Promise<number | null> {
  return runScanScript(join(directory, 'scan.cjs'), argv, {
    scriptHash: typeof __ISOLENS_SCAN_SCRIPT_HASH__ === 'string' ? __ISOLENS_SCAN_SCRIPT_HASH__ : null,
    cacheDirectory: codeCacheDirectory(process.env, process.platform, homedir()),
    event: process.env.ISOLENS_DEBUG ? (text) => process.stderr.write(`isolens: ${text}\n`) : undefined,
  });
}
