// The many-file framing of the helper protocol (r…g: one head over many files, each followed by a nonce separator),
// held by property: whatever the files hold and however the stream is cut into chunks, the parser gives each file's
// bytes back exactly, and file content that imitates the protocol (separators with other nonces, status lines, a
// nonce's prefix) cannot end, add or forge a file. Then the same against the real script under busybox sh.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeMany, HELPER_FILE_LIMIT_BYTES, HelperPathTable, HELPER_MANY_LIMIT, HELPER_SCRIPT, HelperAnswerParser, HelperProtocolError, manyNonce, type HelperAnswer } from './helper-protocol.js';
import { HelperKernelSource } from './helper-source.js';
import { LOCAL_HOST_SOURCE } from './source.js';
import { recordHelperRequests } from './fixtures/helper-requests.js';

/** The bytes the script writes for a g over these files (null: head could not open it, one error line). */
function wire(nonce: string, files: ReadonlyArray<Buffer | null>, extraErrors = 0): Buffer {
  const separator = Buffer.from(`\n${nonce}s`);
  const errors = files.filter((file) => file === null).length + extraErrors;
  return Buffer.concat([
    Buffer.from(`R ${files.length}\n`),
    ...files.flatMap((file) => [file ?? Buffer.alloc(0), separator]),
    Buffer.from(`\n${nonce}e${errors}\n`),
  ]);
}

/** Parse with the stream cut at the given offsets; the answers, or the protocol error. */
function parseCut(nonces: string[], stream: Buffer, cuts: number[]): HelperAnswer[] | HelperProtocolError {
  const answers: HelperAnswer[] = [];
  const parser = new HelperAnswerParser(() => undefined, (answer) => answers.push(answer));
  for (const nonce of nonces) parser.expectMany(nonce);
  const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b);
  try {
    let from = 0;
    for (const point of [...points, stream.length]) {
      parser.push(stream.subarray(from, point));
      from = point;
    }
  } catch (error) {
    if (error instanceof HelperProtocolError) return error;
    throw error;
  }
  return answers;
}

const hex = fc.stringMatching(/^[0-9a-f]{32}$/);

/** File content that imitates the protocol: other nonces with marks, a prefix of the real one, status lines, bytes. */
function hostileContent(nonce: string): fc.Arbitrary<Buffer> {
  const piece = fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    hex.map((other) => Buffer.from(`\n${other}s`)),
    hex.map((other) => Buffer.from(`${other}s`)),
    hex.map((other) => Buffer.from(`${other}e0\n`)),
    fc.integer({ min: 0, max: 31 }).map((length) => Buffer.from(nonce.slice(0, length))),
    fc.integer({ min: 1, max: 31 }).map((length) => Buffer.from(`\n${nonce.slice(0, length)}s`)),
    fc.integer({ min: 1, max: 32 }).map((length) => Buffer.from(nonce.slice(-length))),
    fc.constantFrom('R 1\n', 'U 2\n', 'E -\n', 'B 1\n', 'T\n', ' 41 42\n', '\n', '\0').map((text) => Buffer.from(text)),
  );
  return fc.array(piece, { maxLength: 12 }).map((pieces) => Buffer.concat(pieces));
}

describe('the many-file framing', () => {
  it('gives every file back exactly, however the stream is cut, whatever the files hold', () => {
    fc.assert(
      fc.property(
        hex.chain((nonce) => fc.tuple(fc.constant(nonce), fc.array(fc.option(hostileContent(nonce), { freq: 6 }), { minLength: 1, maxLength: 20 }))),
        fc.array(fc.nat(), { maxLength: 12 }),
        ([nonce, files], cuts) => {
          // The real separator never occurs in content: that is what the random 128 bits give.
          fc.pre(files.every((file) => file === null || !file.includes(`\n${nonce}`)));
          const answers = parseCut([nonce], wire(nonce, files), cuts);
          expect(answers).toEqual([{ kind: 'many', segments: files.map((file) => (file === null || file.length === 0 ? null : file)) }]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('is followed by ordinary answers, and two reads in a row use their own nonces', () => {
    const [a, b] = [manyNonce(), manyNonce()];
    const stream = Buffer.concat([wire(a, [Buffer.from(`${b}s`)]), Buffer.from('X 1\n'), wire(b, [Buffer.from(`${a}s`), Buffer.from('x')]), Buffer.from('L net:[1]\n')]);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 8 }), (cuts) => {
        expect(parseCut([a, b], stream, cuts)).toEqual([
          { kind: 'many', segments: [Buffer.from(`${b}s`)] },
          { kind: 'exists', value: true },
          { kind: 'many', segments: [Buffer.from(`${a}s`), Buffer.from('x')] },
          { kind: 'link', target: 'net:[1]' },
        ]);
      }),
    );
  });

  it('asks every file again when head reported more errors than it left empty files (a read failing half-way)', () => {
    const nonce = manyNonce();
    expect(parseCut([nonce], wire(nonce, [Buffer.from('a'), null]), [])).toEqual([{ kind: 'many', segments: [Buffer.from('a'), null] }]);
    expect(parseCut([nonce], wire(nonce, [Buffer.from('a'), null], 1), [])).toEqual([{ kind: 'many', segments: [null, null] }]);
    // head killed half-way: the files it finished stand, the rest are asked again; head missing: all of them.
    expect(parseCut([nonce], Buffer.from(`R 3\na\n${nonce}s\n${nonce}e1\n`), [])).toEqual([{ kind: 'many', segments: [Buffer.from('a'), null, null] }]);
    expect(parseCut([nonce], Buffer.from(`R 2\n\n${nonce}e1\n`), [])).toEqual([{ kind: 'many', segments: [null, null] }]);
    // No scratch to write the separator to.
    expect(parseCut([nonce], Buffer.from('U 2\n'), [])).toEqual([{ kind: 'many', segments: [null, null], unavailable: true }]);
  });

  it('refuses what the script cannot send: more files than asked, bytes after the end, unknown marks, oversize, unasked reads', () => {
    const nonce = manyNonce();
    const refused = [
      wire(nonce, [Buffer.from('a'), Buffer.from('b')]).toString('latin1').replace('R 2', 'R 1'),
      `R 1\na\n${nonce}sb\n${nonce}e0\n`,
      `R 1\na\n${nonce}x`,
      `R 1\na\n${nonce}s\n${nonce}e0 junk\n`,
      `R 0\n`,
      `R ${HELPER_MANY_LIMIT + 1}\n`,
    ];
    for (const text of refused) expect(parseCut([nonce], Buffer.from(text, 'latin1'), [])).toBeInstanceOf(HelperProtocolError);
    expect(parseCut([], wire(nonce, [Buffer.from('a')]), [])).toBeInstanceOf(HelperProtocolError);
    const big = Buffer.concat([Buffer.from('R 1\n'), Buffer.alloc(HELPER_FILE_LIMIT_BYTES + 64, 0x41)]);
    expect(parseCut([nonce], big, [65536, 131072])).toBeInstanceOf(HelperProtocolError);
    // Exactly the limit is what head -c sends for a larger file: accepted here, refused as too large by the source.
    const full = wire(nonce, [Buffer.alloc(HELPER_FILE_LIMIT_BYTES, 0x41)]);
    expect(parseCut([nonce], full, [4096])).toMatchObject([{ kind: 'many' }]);
  });

  it('encodes only what sh reads back unchanged, and never more files than one head takes', () => {
    const nonce = manyNonce();
    const table = new HelperPathTable();
    expect(encodeMany(table, ['/proc/1/stat', '/sys/fs/cgroup/a b/x'], nonce)).toBe(`p 0 /proc/1/stat\np 1 /sys/fs/cgroup/a b/x\ng ${nonce} 0 1\n`);
    // Known paths go by their tokens alone.
    expect(encodeMany(table, ['/sys/fs/cgroup/a b/x', '/proc/2/stat', '/proc/1/stat'], nonce)).toBe(`p 2 /proc/2/stat\ng ${nonce} 1 2 0\n`);
    expect(encodeMany(table, ['/a\nb'], nonce)).toBeNull();
    expect(encodeMany(table, ['/a'], 'not-a-nonce')).toBeNull();
    expect(encodeMany(table, Array.from({ length: HELPER_MANY_LIMIT + 1 }, () => '/a'), nonce)).toBeNull();
    expect(new Set(Array.from({ length: 50 }, manyNonce)).size).toBe(50);
  });

  it('names at most its capacity of paths: the one used longest ago gives its token to the next, never one of the same read', () => {
    const table = new HelperPathTable(HELPER_MANY_LIMIT + 1);
    const first = table.name(Array.from({ length: HELPER_MANY_LIMIT + 1 }, (_, i) => `/f${i}`))!;
    expect(first.tokens[0]).toBe('0');
    table.name(['/f0']); // used again: now /f1 is the oldest
    const next = table.name(['/g'])!;
    expect(next.definitions).toBe(`p ${first.tokens[1]} /g\n`);
    expect(table.size).toBe(HELPER_MANY_LIMIT + 1);
    expect(table.name(['/f1'])!.definitions).toMatch(/^p [0-9a-z]+ \/f1\n$/);
    expect(() => new HelperPathTable(HELPER_MANY_LIMIT)).toThrow(RangeError);
  });
});

const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((path) => existsSync(path));
const dir = mkdtempSync(join(tmpdir(), 'isolens-helper-many-'));
const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!busybox)('many-file reads through the real script (busybox sh)', () => {
  it('give what local reads give for any file contents, missing files and empty ones mixed in', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const applet of ['sh', 'od', 'head', 'ls', 'readlink']) symlinkSync(busybox!, join(bin, applet));
    const scratch = mkdtempSync(join(dir, 'scratch-'));
    const child = spawn(join(bin, 'sh'), ['-c', HELPER_SCRIPT, 'isolens-helper', scratch], { env: { PATH: bin, LC_ALL: 'C' } });
    children.push(child);
    const sent = recordHelperRequests(child.stdin);
    // A table just over one read's worth, so later rounds reuse the tokens of earlier rounds' paths.
    const source = new HelperKernelSource(
      { input: child.stdin, output: child.stdout, close: async () => void child.kill('SIGKILL') },
      { detail: 'test', pathTableCapacity: HELPER_MANY_LIMIT + 1 },
    );
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(fc.uint8Array({ maxLength: 300 }), { freq: 5 }), { minLength: 1, maxLength: 40 }), async (contents) => {
        // Paths of earlier rounds come back (rewritten) as well as new ones.
        const paths = contents.map((content, index) => {
          const path = join(dir, `f${index % 3 === 0 ? round % 7 : round}-${index}`);
          if (content !== null) writeFileSync(path, content);
          return path;
        });
        round++;
        const before = sent.count('g');
        const helper = await source.readMany(paths.map((path) => ({ op: 'text' as const, path })));
        expect(helper).toEqual(await LOCAL_HOST_SOURCE.readMany(paths.map((path) => ({ op: 'text' as const, path }))));
        expect(sent.count('g') - before).toBe(1); // all of them in one head
      }),
      { numRuns: 40 },
    );
    await source.close();
  });
});
