// Fails when an import crosses a layer (DESIGN.md): app/ is Electron- and React-free, renderer/ is Node-free.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir))) {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry === 'fixtures' || entry === 'dist') continue;
    if (statSync(join(root, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts|mjs)$/.test(entry) && !/\.test\.tsx?$/.test(entry)) out.push(path);
  }
  return out;
}

interface Import { specifier: string; typeOnly: boolean; file: string }

export function importsOf(file: string, text: string): Import[] {
  const found: Import[] = [];
  const pattern = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const match of text.matchAll(pattern)) {
    const specifier = match[3] ?? match[4]!;
    found.push({ specifier, typeOnly: Boolean(match[2]), file });
  }
  return found;
}

function resolvedLayer(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  return relative(root, resolve(root, dirname(file), specifier)).split('/')[0] ?? null;
}

const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

function violations(layer: string, check: (imp: Import) => string | null): string[] {
  return sourceFiles(layer).flatMap((file) =>
    importsOf(file, readFileSync(join(root, file), 'utf8')).map(check).filter((v): v is string => v !== null),
  );
}

describe('layers', () => {
  it('the import scanner sees static, type-only and dynamic imports', () => {
    const imports = importsOf('x.ts', "import a from 'electron';\nimport type { B } from '../app/api.js';\nconst c = await import('node:fs');");
    expect(imports).toEqual([
      { specifier: 'electron', typeOnly: false, file: 'x.ts' },
      { specifier: '../app/api.js', typeOnly: true, file: 'x.ts' },
      { specifier: 'node:fs', typeOnly: false, file: 'x.ts' },
    ]);
  });

  it('app/ never imports electron, react, main/ or renderer/', () => {
    const bad = violations('app', (imp) => {
      if (/^(electron|react|react-dom|recharts|@tanstack\/react)/.test(imp.specifier)) return `${imp.file}: ${imp.specifier}`;
      const layer = resolvedLayer(imp.file, imp.specifier);
      return layer === 'main' || layer === 'renderer' ? `${imp.file}: ${imp.specifier}` : null;
    });
    expect(bad).toEqual([]);
  });

  it('renderer/ never imports Node built-ins, dockerode or electron, and takes only types from app/ (but app/model)', () => {
    const bad = violations('renderer', (imp) => {
      if (imp.file.endsWith('vite.config.ts') || imp.file.startsWith('renderer/dev/')) return null; // build and dev tooling run in Node
      if (nodeBuiltins.has(imp.specifier) || /^(dockerode|electron|ws)$/.test(imp.specifier)) return `${imp.file}: ${imp.specifier}`;
      const layer = resolvedLayer(imp.file, imp.specifier);
      if (layer === 'main') return `${imp.file}: ${imp.specifier}`;
      if (layer === 'app' && !imp.typeOnly && !/\/app\/model\//.test(imp.specifier)) return `${imp.file}: ${imp.specifier} (value import from app/ outside app/model)`;
      return null;
    });
    expect(bad).toEqual([]);
  });

  it('renderer/ loads no zod: what it takes from app/model at run time imports no schema, however indirectly', () => {
    // zod and the document's schemas were a tenth of the page's script, built at every start before the first request.
    const seen = new Map<string, string | null>();
    const reachesZod = (file: string): string | null => {
      if (seen.has(file)) return seen.get(file)!;
      seen.set(file, null);
      const path = join(root, file.replace(/\.js$/, '.ts'));
      let found: string | null = null;
      for (const imp of importsOf(file, readFileSync(path, 'utf8'))) {
        if (imp.typeOnly) continue;
        if (imp.specifier === 'zod') found = file;
        else if (imp.specifier.startsWith('.')) found = reachesZod(relative(root, resolve(root, dirname(file), imp.specifier)));
        if (found) break;
      }
      seen.set(file, found);
      return found;
    };
    const bad = violations('renderer', (imp) => {
      if (imp.file.endsWith('vite.config.ts') || imp.file.startsWith('renderer/dev/') || imp.typeOnly || resolvedLayer(imp.file, imp.specifier) !== 'app') return null;
      const zod = reachesZod(relative(root, resolve(root, dirname(imp.file), imp.specifier)));
      return zod ? `${imp.file}: ${imp.specifier} loads zod (through ${zod})` : null;
    });
    expect(bad).toEqual([]);
  });

  it('main/ never imports renderer/', () => {
    const bad = violations('main', (imp) => (resolvedLayer(imp.file, imp.specifier) === 'renderer' ? `${imp.file}: ${imp.specifier}` : null));
    expect(bad).toEqual([]);
  });
});
