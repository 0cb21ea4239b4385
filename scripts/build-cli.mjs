// Bundles the CLI (app/cli/bin.ts) into dist/cli/: one ESM entry plus chunks that each command loads when it runs, so
// `isolens --help` reads a few hundred kilobytes instead of resolving ~400 modules. Dependencies are bundled, except
// what an endpoint may never need: docker-modem's ssh transport (ssh2, for ssh:// only) and dockerode's BuildKit
// session (grpc-js + protobufjs, for sessions Isolens never opens) are loaded from node_modules on first use; what
// dockerode needs only for image builds and hijacked streams, and built-ins such as https and child_process, are
// evaluated on first use (cli-build-options.mjs; app/cli/bundle-loads.int.test.ts checks what a scan evaluates).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cliBuildOptions } from './cli-build-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

// Chunk names carry content hashes: a stale chunk of an earlier build must not linger next to the new ones.
rmSync(`${root}dist/cli`, { recursive: true, force: true });

await build(cliBuildOptions(root));
