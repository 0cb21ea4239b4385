import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOST_ROOTS, LOCAL_HOST_SOURCE, LocalKernelSource, localSource, processOf } from './source.js';
import { fixturePath } from './fixtures/load.js';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function tree(files: Record<string, string>, links: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'kern-source-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  for (const [path, target] of Object.entries(links)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    symlinkSync(target, join(root, path));
  }
  return root;
}

describe('LocalKernelSource', () => {
  it('reads text, links, directories and existence under its roots, through a process view', async () => {
    const proc = tree({ '42/status': 'Name:\tsh\n', '42/net/dev': 'x' }, { '42/ns/net': 'net:[4026532008]' });
    const source = new LocalKernelSource({ proc });
    const process = processOf(source, 42);
    expect(process.path('cgroup')).toBe(`${proc}/42/cgroup`);
    expect(await process.readText('status')).toEqual({ ok: true, value: 'Name:\tsh\n' });
    expect(await process.readLink('ns/net')).toEqual({ ok: true, value: 'net:[4026532008]' });
    expect(await process.listDirectory('.')).toEqual({ ok: true, value: ['net', 'ns', 'status'] });
    expect(await source.exists(process.path('status'))).toBe(true);
    expect(await source.exists(process.path('nothing'))).toBe(false);
    expect(source.roots).toEqual({ ...HOST_ROOTS, proc });
  });

  it('failures are values with the same reasons as before: vanished process, missing file, not a directory', async () => {
    const proc = tree({ '42/status': 'x' });
    const source = localSource({ procRoot: proc });
    expect(await processOf(source, 43).readText('status')).toMatchObject({ ok: false, reason: 'vanished' });
    expect(await processOf(source, 42).readText('uid_map')).toMatchObject({ ok: false, reason: 'missing' });
    expect(await source.listDirectory(`${proc}/42/status`)).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('readMany answers every kind of request in request order', async () => {
    const proc = tree({ '7/a': 'A', '7/b': 'B' }, { '7/l': 'pid:[1]' });
    const source = localSource({ procRoot: proc });
    const answers = await source.readMany([
      { op: 'text', path: `${proc}/7/b` },
      { op: 'link', path: `${proc}/7/l` },
      { op: 'exists', path: `${proc}/7/zz` },
      { op: 'list', path: `${proc}/7` },
      { op: 'text', path: `${proc}/7/a` },
      { op: 'text', path: `${proc}/8/a` },
    ]);
    expect(answers.slice(0, 5)).toEqual([
      { ok: true, value: 'B' },
      { ok: true, value: 'pid:[1]' },
      { ok: true, value: false },
      { ok: true, value: ['a', 'b', 'l'] },
      { ok: true, value: 'A' },
    ]);
    expect(answers[5]).toMatchObject({ ok: false, reason: 'vanished' });
  });

  it('readTextSync gives what readText gives, failures included', async () => {
    const source = LOCAL_HOST_SOURCE;
    expect(source.readTextSync).toBeDefined();
    const sync = source.readTextSync!('/proc/self/cgroup');
    expect(sync).toEqual({ ok: true, value: readFileSync('/proc/self/cgroup', 'utf8') });
    expect(source.readTextSync!('/proc/4194305/status')).toEqual(await source.readText('/proc/4194305/status'));
    expect(source.readTextSync!(fixturePath('no-such-file'))).toEqual(await source.readText(fixturePath('no-such-file')));
  });

  it('localSource() with no roots is the host itself', () => {
    expect(localSource()).toBe(LOCAL_HOST_SOURCE);
    expect(LOCAL_HOST_SOURCE.description.kind).toBe('local');
    expect(LOCAL_HOST_SOURCE.hostReference).toBe('reader');
  });
});

describe('the seam holds', () => {
  it('no kernel reader touches node:fs: only source.ts (and test helpers) do', () => {
    const directory = fixturePath('..');
    const offenders = readdirSync(directory)
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && name !== 'source.ts')
      .filter((name) => /from 'node:fs(\/promises)?'/.test(readFileSync(join(directory, name), 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('LocalKernelSource.openSync', () => {
  it('reads a kept-open file from its start each time, sees rewrites, and grows past its buffer', () => {
    const root = tree({ 'cpuacct.usage': '88808585\n' });
    const opened = new LocalKernelSource().openSync(join(root, 'cpuacct.usage'));
    if (!opened.ok) throw new Error(opened.message);
    const file = opened.value;
    expect(file.read()).toEqual({ ok: true, value: '88808585\n' });
    writeFileSync(join(root, 'cpuacct.usage'), '99000000\n');
    expect(file.read()).toEqual({ ok: true, value: '99000000\n' });
    const big = `${'x'.repeat(40_000)}\n`;
    writeFileSync(join(root, 'cpuacct.usage'), big);
    expect(file.read()).toEqual({ ok: true, value: big });
    file.close();
    file.close();
    expect(file.read().ok).toBe(false);
  });

  it('reads procfs through a kept descriptor, and says why it cannot open a missing file', () => {
    const opened = LOCAL_HOST_SOURCE.openSync!('/proc/self/status');
    if (!opened.ok) throw new Error(opened.message);
    expect(opened.value.read()).toMatchObject({ ok: true, value: expect.stringMatching(/^Name:/) });
    opened.value.close();
    expect(LOCAL_HOST_SOURCE.openSync!('/nonexistent/cpuacct.usage')).toMatchObject({ ok: false, reason: 'missing' });
  });
});
