// The helper protocol end to end against the real script, run by this machine's busybox sh and applets (the default
// helper image's) and by dash with GNU coreutils (a Debian-based image's), over this machine's files: hostile bytes,
// sizes, missing and vanished paths, a helper that dies or hangs mid-batch.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLinks, encodeRequest, HelperPathTable, HELPER_FILE_LIMIT_BYTES, linksFromListing, manyNonce, HELPER_SCRIPT, HelperAnswerParser, HelperProtocolError, type HelperAnswer } from './helper-protocol.js';
import { HelperKernelSource, type HelperConnection } from './helper-source.js';
import { LOCAL_HOST_SOURCE, LocalKernelSource } from './source.js';
import { recordHelperRequests } from './fixtures/helper-requests.js';

const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((path) => existsSync(path));
const APPLETS = ['sh', 'od', 'head', 'ls', 'readlink'] as const;
/** Where each tool the script uses comes from: busybox's applets, or dash and GNU coreutils (Debian's paths). */
type Toolset = { name: string; tools: Record<(typeof APPLETS)[number], string> | null };
const gnu = { sh: '/bin/dash', od: '/usr/bin/od', head: '/usr/bin/head', ls: '/bin/ls', readlink: '/usr/bin/readlink' };
const TOOLSETS: Toolset[] = [
  { name: 'busybox sh', tools: busybox ? { sh: busybox, od: busybox, head: busybox, ls: busybox, readlink: busybox } : null },
  { name: 'dash and GNU coreutils', tools: Object.values(gnu).every((path) => existsSync(path)) ? gnu : null },
];
/** The toolset the script runs under in the describe block now running. */
let active: Toolset = TOOLSETS[0]!;
const dir = mkdtempSync(join(tmpdir(), 'isolens-helper-proto-'));
const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** The script under the active toolset's sh, as the helper container runs it, with PATH limited to that toolset. */
function shell(script = HELPER_SCRIPT, scratchDir?: string, env: Record<string, string> = { LC_ALL: 'C' }): { connection: HelperConnection; child: ChildProcessWithoutNullStreams } {
  const bin = join(dir, `bin-${TOOLSETS.indexOf(active)}`);
  if (!existsSync(bin)) {
    mkdirSync(bin);
    for (const applet of APPLETS) symlinkSync(active.tools![applet], join(bin, applet));
  }
  const scratch = scratchDir ?? mkdtempSync(join(dir, 'scratch-'));
  const child = spawn(join(bin, 'sh'), ['-c', script, 'isolens-helper', scratch], { env: { PATH: bin, ...env } });
  children.push(child);
  return {
    child,
    connection: {
      input: child.stdin,
      output: child.stdout,
      close: async () => void child.kill('SIGKILL'),
    },
  };
}

function parse(text: string | Buffer): HelperAnswer[] {
  const answers: HelperAnswer[] = [];
  new HelperAnswerParser(() => undefined, (answer) => answers.push(answer)).push(Buffer.isBuffer(text) ? text : Buffer.from(text));
  return answers;
}

describe('the answer parser', () => {
  it('decodes od lines into bytes and ends an answer only at its status line', () => {
    expect(parse('T\n 45 20 2d 0a 54\nE -\nL net:[4026531833]\nX 0\nE ENOENT\n')).toEqual([
      { kind: 'bytes', bytes: Buffer.from('E -\nT') },
      { kind: 'link', target: 'net:[4026531833]' },
      { kind: 'exists', value: false },
      { kind: 'error', code: 'ENOENT' },
    ]);
  });

  it('refuses what the protocol does not allow: text in a body, unknown lines, over-long lines, odd status words', () => {
    expect(() => parse('T\nE -x\n')).toThrow(HelperProtocolError);
    expect(() => parse('T\nhello\n')).toThrow(HelperProtocolError);
    expect(() => parse('HELLO\n')).toThrow(HelperProtocolError);
    expect(() => parse(`L ${'x'.repeat(5000)}\n`)).toThrow(HelperProtocolError);
    expect(() => parse(`T\n${' 41'.repeat(2000)}`)).toThrow(HelperProtocolError); // no newline yet, already too long
  });

  it('refuses an answer larger than the file limit, however it is split into lines', () => {
    const line = `${' 41'.repeat(16)}\n`;
    const parser = new HelperAnswerParser(() => undefined, () => undefined);
    parser.push(Buffer.from('T\n'));
    const chunk = Buffer.from(line.repeat(4096)); // 64 KiB of content per chunk
    expect(() => {
      for (let i = 0; i <= HELPER_FILE_LIMIT_BYTES / 65536; i++) parser.push(chunk);
    }).toThrow(/more than/);
  });

  it('sends only paths sh reads back unchanged', () => {
    expect(encodeRequest({ op: 'text', path: '/proc/1/status' })).toBe('t /proc/1/status\n');
    expect(encodeRequest({ op: 'text', path: '/sys/fs/cgroup/a b/x' })).toBe('t /sys/fs/cgroup/a b/x\n');
    for (const path of ['relative', '/a\nb', '/a ', '/é', '/a\0b', ' /a']) expect(encodeRequest({ op: 'text', path })).toBeNull();
  });
});

describe.each(TOOLSETS)('HelperKernelSource over the real script ($name)', (toolset) => {
  beforeAll(() => {
    active = toolset;
  });
  if (toolset.tools === null) {
    it.skip(`needs ${toolset.name} on this machine`, () => undefined);
    return;
  }
  it('reads exactly what a local read gives, for every byte value, links, directories and existence', async () => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const hostile = Buffer.concat([Buffer.from('E -\nB 1\nT\n\\x00 '), every, Buffer.from('\n\n')]);
    writeFileSync(join(dir, 'hostile'), hostile);
    writeFileSync(join(dir, 'empty'), '');
    rmSync(join(dir, 'link'), { force: true });
    symlinkSync('net:[4026531833]', join(dir, 'link'));
    const source = new HelperKernelSource(shell().connection, { detail: 'test' });
    const [text, empty, link, list, yes, no] = await source.readMany([
      { op: 'text', path: join(dir, 'hostile') },
      { op: 'text', path: join(dir, 'empty') },
      { op: 'link', path: join(dir, 'link') },
      { op: 'list', path: dir },
      { op: 'exists', path: join(dir, 'hostile') },
      { op: 'exists', path: join(dir, 'nothing') },
    ]);
    expect(text).toEqual(await LOCAL_HOST_SOURCE.readText(join(dir, 'hostile')));
    expect(text).toEqual({ ok: true, value: hostile.toString('utf8') });
    expect(empty).toEqual({ ok: true, value: '' });
    expect(link).toEqual({ ok: true, value: 'net:[4026531833]' });
    expect(list).toEqual(await LOCAL_HOST_SOURCE.listDirectory(dir));
    expect([yes, no]).toEqual([{ ok: true, value: true }, { ok: true, value: false }]);
    await source.close();
  });

  it('reads right when the engine put bytes of its own on stdin first (Podman passes the attach request\'s body)', async () => {
    const { child, connection } = shell();
    // What Podman 4.3's compatible API wrote to the helper's stdin before Isolens' first byte: docker-modem's options.
    child.stdin.write('{"stream":true,"stdin":true,"stdout":true,"stderr":true,"hijack":true}');
    const source = new HelperKernelSource(connection, { detail: 'test' });
    const path = join(dir, 'preamble');
    writeFileSync(path, 'after the preamble\n');
    expect(await source.readText(path)).toEqual({ ok: true, value: 'after the preamble\n' });
    expect(await source.exists(path)).toBe(true);
    expect(source.failure).toBeNull();
    await source.close();
  });

  it('names errors right whatever locale the image sets (GNU tools translate their messages)', async () => {
    const { connection } = shell(HELPER_SCRIPT, undefined, { LANG: 'C.UTF-8', LANGUAGE: 'de' });
    const source = new HelperKernelSource(connection, { detail: 'test' });
    const paths = [join(dir, 'nothing'), join(dir, 'empty', 'below')];
    expect(await source.readMany(paths.map((path) => ({ op: 'text' as const, path })))).toEqual(
      await LOCAL_HOST_SOURCE.readMany(paths.map((path) => ({ op: 'text' as const, path }))),
    );
    await source.close();
  });

  it('gives the same failures as local reads: missing file, vanished process, not a directory', async () => {
    const source = new HelperKernelSource(shell().connection, { detail: 'test' });
    const paths = [join(dir, 'nothing'), '/proc/999999999/status', join(dir, 'empty', 'below')];
    const helper = await source.readMany(paths.map((path) => ({ op: 'text' as const, path })));
    const local = await LOCAL_HOST_SOURCE.readMany(paths.map((path) => ({ op: 'text' as const, path })));
    expect(helper.map((answer) => !answer.ok && answer.reason)).toEqual(['missing', 'vanished', 'missing']);
    expect(helper).toEqual(local);
    expect(await source.readLink('/proc/999999999/ns/net')).toEqual(await LOCAL_HOST_SOURCE.readLink('/proc/999999999/ns/net'));
    // Under cgroupfs, a file missing because its cgroup directory is gone means the container stopped.
    const cgroupRoot = join(dir, 'cgroup');
    mkdirSync(join(cgroupRoot, 'memory', 'kept'), { recursive: true });
    const rooted = new HelperKernelSource(shell().connection, { detail: 'test', roots: { proc: '/proc', cgroup: cgroupRoot, sys: '/sys' } });
    const localRooted = new LocalKernelSource({ cgroup: cgroupRoot });
    for (const path of [join(cgroupRoot, 'memory', 'gone', 'memory.max'), join(cgroupRoot, 'memory', 'kept', 'memory.max')]) {
      expect(await rooted.readText(path)).toEqual(await localRooted.readText(path));
    }
    expect(await rooted.readText(join(cgroupRoot, 'memory', 'gone', 'memory.max'))).toMatchObject({ reason: 'vanished' });
    await rooted.close();
    await source.close();
  });

  it('reads made together travel as one batch, and a large file is refused, not truncated silently', async () => {
    const big = join(dir, 'big');
    writeFileSync(big, Buffer.alloc(HELPER_FILE_LIMIT_BYTES + 10, 0x41));
    const { connection } = shell();
    const requests = recordHelperRequests(connection.input);
    const source = new HelperKernelSource(connection, { detail: 'test' });
    const answers = await Promise.all([source.readText('/proc/self/status'), source.readText('/proc/self/cgroup'), source.readText(big)]);
    expect(requests.count('b')).toBe(1);
    expect(answers[0]!.ok && answers[1]!.ok).toBe(true);
    expect(answers[2]).toMatchObject({ ok: false, reason: 'other', message: expect.stringMatching(/larger than/) });
    await source.close();
  });

  it('reads many namespace links with one ls, and gives what readlink gives for each, denied and vanished ones too', async () => {
    const { connection } = shell();
    const requests = recordHelperRequests(connection.input);
    const source = new HelperKernelSource(connection, { detail: 'test' });
    const names = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'pid_for_children', 'user', 'uts'];
    const paths = [...names.map((name) => `/proc/self/ns/${name}`), ...names.map((name) => `/proc/1/ns/${name}`), '/proc/999999999/ns/net', '/proc/self/ns/nothing'];
    const helper = await source.readMany(paths.map((path) => ({ op: 'link' as const, path })));
    expect(requests.count('j')).toBe(1);
    // /proc/self is the helper's shell here and this test's process for the local read: compare the kinds, and /proc/1 exactly.
    const local = await LOCAL_HOST_SOURCE.readMany(paths.map((path) => ({ op: 'link' as const, path })));
    expect(helper.slice(names.length)).toEqual(local.slice(names.length));
    helper.slice(0, names.length).forEach((answer, index) => expect(answer).toMatchObject({ ok: true, value: expect.stringMatching(new RegExp(`^${names[index]!.replace('_for_children', '')}:\\[\\d+\\]$`)) }));
    expect(helper.at(-2)).toMatchObject({ ok: false, reason: 'vanished' });
    await source.close();
  });

  it('takes from an ls listing only the asked namespace links it shows once with a namespace target', () => {
    const busyboxListing = [
      'lrwxrwxrwx    1 root     root             0 Dec  1 12:14 /proc/1/ns/user',
      'lrwxrwxrwx    1 root     root             0 Dec  1 21:13 /proc/17574/ns/pid_for_children -> pid:[4026531836]',
      'lrwxrwxrwx    1 root     root             0 Dec  1 21:13 /proc/self/ns/net -> net:[4026531833]',
    ].join('\n');
    const gnuListing = 'lrwxrwxrwx 1 root root 0 Dec  1 21:13 /proc/self/ns/net -> net:[4026531833]\n';
    const asked = ['/proc/1/ns/user', '/proc/17574/ns/pid_for_children', '/proc/self/ns/net', '/proc/2/ns/net'];
    expect(Object.fromEntries(linksFromListing(busyboxListing, asked))).toEqual({ '/proc/17574/ns/pid_for_children': 'pid:[4026531836]', '/proc/self/ns/net': 'net:[4026531833]' });
    expect(Object.fromEntries(linksFromListing(gnuListing, asked))).toEqual({ '/proc/self/ns/net': 'net:[4026531833]' });
    // Listed twice, a target that is not a namespace's, a path not asked for: left to readlink.
    expect(linksFromListing(`${gnuListing}${gnuListing}`, asked).size).toBe(0);
    expect(linksFromListing('l 1 /proc/2/ns/net -> /etc/passwd\nl 1 /proc/3/ns/net -> net:[1]\n', asked).size).toBe(0);
    const table = new HelperPathTable();
    expect(encodeLinks(table, ['/proc/1/ns/net', '/proc/self/ns/pid_for_children'], manyNonce())).toMatch(/^p 0 \/proc\/1\/ns\/net\np 1 \/proc\/self\/ns\/pid_for_children\nj [0-9a-f]{32} 0 1\n$/);
    for (const path of ['/proc/1/root', '/proc/1/ns/../exe', '/tmp/ns/net', '/proc/1/ns/net x']) expect(encodeLinks(table, [path], manyNonce())).toBeNull();
  });

  it('without a writable scratch (no separator) and without head, text reads still come back right, one od a file', async () => {
    const paths = ['/proc/self/cgroup', '/proc/999999999/status', join(dir, 'nothing'), '/proc/1/ns/net'];
    const requests = paths.map((path) => ({ op: path.includes('/ns/') ? ('link' as const) : ('text' as const), path }));
    const local = await LOCAL_HOST_SOURCE.readMany(requests);
    for (const variant of ['no scratch', 'no head'] as const) {
      const { connection } = variant === 'no scratch' ? shell(HELPER_SCRIPT, '/proc/no-such-dir') : shell(HELPER_SCRIPT.replaceAll('head -q', 'no-such-head -q'));
      const sent = recordHelperRequests(connection.input);
      const source = new HelperKernelSource(connection, { detail: 'test' });
      for (let round = 0; round < 2; round++) {
        const answers = await source.readMany(requests);
        // /proc/self/cgroup is the shell's here and this process's locally: the same file of the same cgroup tree.
        expect(answers.slice(1), variant).toEqual(local.slice(1));
        expect(answers[0], variant).toMatchObject({ ok: true });
      }
      // Without a scratch the helper says so once and later batches no longer try; without head each batch tries again.
      expect(sent.count('g'), variant).toBe(variant === 'no scratch' ? 1 : 2);
      await source.close();
    }
  });

  it('a helper that dies mid-batch gives typed gaps, at once, and every later read the same reason', async () => {
    // The script reads the preamble line and the batch start, answers one request, then exits: the batch is cut half-way.
    const { connection } = shell('read -r l; read -r l; printf "B 1\\nX 1\\n"; exit 0');
    const source = new HelperKernelSource(connection, { detail: 'test' });
    const answers = await source.readMany([{ op: 'exists', path: '/proc' }, { op: 'text', path: '/proc/self/status' }]);
    expect(answers[0]).toEqual({ ok: true, value: true });
    expect(answers[1]).toMatchObject({ ok: false, reason: 'other', message: expect.stringMatching(/exited/) });
    expect(await source.readText('/proc/self/status')).toMatchObject({ ok: false, message: expect.stringMatching(/exited/) });
  });

  it('a helper that hangs mid-batch is stopped after the timeout, with typed gaps, not a hang', async () => {
    const { connection, child } = shell('read -r l; read -r l; printf "B 1\\n"; while read -r l; do :; done');
    const source = new HelperKernelSource(connection, { detail: 'test', batchTimeoutMs: 300, perRequestMs: 0 });
    const answers = await source.readMany([{ op: 'text', path: '/proc/self/status' }]);
    expect(answers[0]).toMatchObject({ ok: false, reason: 'other', message: expect.stringMatching(/did not answer/) });
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
  });

  it('a helper that breaks the protocol is stopped and its reads fail', async () => {
    const { connection } = shell('read -r l; read -r l; printf "B 1\\nT\\nnot hex\\n"; while read -r l; do :; done');
    const source = new HelperKernelSource(connection, { detail: 'test' });
    expect(await source.readText('/proc/self/status')).toMatchObject({ ok: false, message: expect.stringMatching(/broke the protocol/) });
  });
});
