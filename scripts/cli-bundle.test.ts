import { build, type Metafile } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, without type declarations
import { cliBuildOptions } from './cli-build-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The source files an output loads before any of its code runs: its own and those of every chunk it imports statically. */
function staticallyLoaded(metafile: Metafile, output: string): Set<string> {
  const inputs = new Set<string>();
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const out = metafile.outputs[name]!;
    for (const input of Object.keys(out.inputs)) inputs.add(input);
    for (const imported of out.imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(output);
  return inputs;
}

describe('the CLI bundle', () => {
  it('loads each command when it runs: the entry (what --help runs) has no engine client, zod, rules or React', async () => {
    const result = await build({ ...cliBuildOptions(root), write: false, metafile: true, sourcemap: false, logLevel: 'silent' });
    const metafile = result.metafile!;
    const outputs = Object.entries(metafile.outputs);
    const entry = outputs.find(([, out]) => out.entryPoint === 'app/cli/bin.ts')![0];
    const atStart = [...staticallyLoaded(metafile, entry)];
    const heavy = /node_modules\/(dockerode|docker-modem|zod|react|react-dom|prom-client|ws)\/|^app\/(rules|collect|engine|kernel|poller|lab|report\/index)/;
    expect(atStart.filter((input) => heavy.test(input))).toEqual([]);
    expect(atStart).toContain('node_modules/commander/index.js');
    // The scan loads the engine connection when it runs (so the pattern above names what a command really pulls in), and
    // dockerode only when it is asked for (events, exec, attach, ssh://): it is in the bundle, in a chunk of its own.
    const scan = outputs.find(([, out]) => Object.keys(out.inputs).includes('app/cli/scan.ts'))![0];
    const forScan = [...staticallyLoaded(metafile, scan)];
    expect(forScan).toEqual(expect.arrayContaining(['app/engine/connection.ts', 'app/collect/inspect.ts']));
    expect(forScan.filter((input) => /node_modules\/(dockerode|docker-modem|zod)\//.test(input))).toEqual([]);
    expect(outputs.some(([, out]) => Object.keys(out.inputs).includes('node_modules/dockerode/lib/docker.js'))).toBe(true);
  });
});
