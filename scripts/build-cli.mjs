// Bundles the CLI (app/cli/bin.ts) into dist/cli/: one ESM entry plus chunks that each command loads when it runs, so
// `isolens --help` reads a few hundred kilobytes instead of resolving ~400 modules. Dependencies are bundled, except
// what an endpoint may never need: docker-modem's ssh transport (ssh2, for ssh:// only) and dockerode's BuildKit
// session (grpc-js + protobufjs, for sessions Isolens never opens) are loaded from node_modules on first use; what
// dockerode needs only for image builds and hijacked streams, and built-ins such as https and child_process, are
// evaluated on first use (cli-build-options.mjs; app/cli/bundle-loads.int.test.ts checks what a scan evaluates).
//
// `isolens scan` runs from a classic script of its own (dist/cli/scan.cjs, through dist/cli/scan-launch.cjs) so it can use
// a V8 code cache taken after a run; its content hash goes into the launcher, and names the cache (app/cli/code-cache.ts).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliBuildOptions, scanLauncherBuildOptions, scanScriptBuildOptions } from './cli-build-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

// Chunk names carry content hashes: a stale chunk of an earlier build must not linger next to the new ones.
rmSync(`${root}dist/cli`, { recursive: true, force: true });

const scanScript = await build({ ...scanScriptBuildOptions(root), write: false });
const scriptFile = scanScript.outputFiles.find((file) => file.path.endsWith('.cjs'));
// A classic script compiled by vm.Script has no loader for import(): every module must be in it (or required).
if (/\bimport\(/.test(scriptFile.text)) throw new Error('dist/cli/scan.cjs calls import(): a classic script cannot; bundle or require that module');
// ASCII, so the launcher reads it as Latin-1 at a copy's cost (app/cli/scan-script.ts). esbuild escapes strings, regular
// expressions and names, and templates are lowered to strings (scanScriptBuildOptions): what is left is in comments (a
// "—" in zod's), where an escape is as good; in a string or a pattern it would mean the same character.
const script = scriptFile.text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
mkdirSync(dirname(scriptFile.path), { recursive: true });
writeFileSync(scriptFile.path, script);
for (const file of scanScript.outputFiles) if (file !== scriptFile) writeFileSync(file.path, file.contents);
const scanScriptHash = createHash('sha256').update(script).digest('hex').slice(0, 16);
await build(scanLauncherBuildOptions(root, { __ISOLENS_SCAN_SCRIPT_HASH__: JSON.stringify(scanScriptHash) }));
await build(cliBuildOptions(root));
