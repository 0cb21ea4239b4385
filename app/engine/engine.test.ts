import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const APP = fileURLToPath(new URL('..', import.meta.url));

function sources(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the engine adapter holds', () => {
  it('only app/engine/ talks to dockerode: collect, rules, poller, lab, cli and the rest take the ContainerEngine', () => {
    const offenders = sources(APP)
      .filter((path) => !relative(APP, path).startsWith('engine/'))
      .filter((path) => /from 'dockerode'/.test(readFileSync(path, 'utf8')))
      .map((path) => relative(APP, path));
    expect(offenders).toEqual([]);
  });
});
