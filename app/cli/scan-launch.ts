// The entry bin/isolens.js runs for `isolens scan …`: the scan's classic script with its code cache (scan-script.ts), or
// the whole CLI when the script is missing (a partial build).
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { codeCacheDirectory } from './code-cache.js';
import { runScanScript } from './scan-script.js';

/** The scan script's content hash, set by scripts/build-cli.mjs (esbuild's define). */
declare const __ISOLENS_SCAN_SCRIPT_HASH__: string | undefined;

const argv = process.argv.slice(2);
const code = await runScanScript(fileURLToPath(new URL('./scan.cjs', import.meta.url)), argv, {
  scriptHash: typeof __ISOLENS_SCAN_SCRIPT_HASH__ === 'string' ? __ISOLENS_SCAN_SCRIPT_HASH__ : null,
  cacheDirectory: codeCacheDirectory(process.env, process.platform, homedir()),
  event: process.env.ISOLENS_DEBUG ? (text) => process.stderr.write(`isolens: ${text}\n`) : undefined,
});
if (code === null) await import('./bin.js');
else process.exitCode = code;
