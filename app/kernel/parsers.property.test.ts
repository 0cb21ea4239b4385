// Property tests (fast-check) of every parser, on generated, truncated, mutated and oversized text built from real
// captured files: a pure parser returns its typed value or throws a plain Error with a message (never a TypeError of
// its own making), and the readers above them never throw: a bad file is a typed gap.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseBlkioServiceBytes,
  parseCpuList,
  parseCpuMax,
  flatKeyedValue,
  parseIoStat,
  parseMaxOrNumber,
  parseProcCgroup,
  parseSingleNumber,
  parseV1CpuQuotaCores,
  parseV1MemoryLimit,
  readCgroupLimits,
  readCgroupUsage,
} from './cgroup.js';
import { readKernelFacts } from './facts.js';
import { flatKeyedNumber, parseFlatKeyed } from './fixtures/flat-keyed.js';
import { parseAppArmorLabel, parseLsmList } from './lsm.js';
import { parseMountinfo } from './mountinfo.js';
import { parseNamespaceLink } from './namespaces.js';
import { parseNetDev, readNetDev } from './netdev.js';
import { failureFor, type ReadResult } from './read.js';
import { processOf, readEach, type KernelAnswer, type KernelRequest, type KernelSource } from './source.js';
import { parseCapabilityMask, parseStatus } from './status.js';
import { parseIdMap } from './userns.js';
import { ContainerInspect } from '../engine/schemas.js';
import { parseEventLine } from '../engine/events.js';
import { describeFromConfig, type InspectDocument } from '../collect/config.js';
import { capturedDockerEngine } from '../collect/fixtures/engine.js';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
const SCENARIO = join(FIXTURES, 'container-default');
const PID = 4242;
const REASONS = ['vanished', 'permission', 'missing', 'unsupported', 'other'];
const RUNS = { numRuns: 150 };

/** Every file of a captured fixture tree, by path relative to it. */
function filesUnder(root: string, prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(join(root, prefix))) {
    const relative = prefix ? `${prefix}/${name}` : name;
    const stats = lstatSync(join(root, relative));
    if (stats.isDirectory()) for (const [path, text] of filesUnder(root, relative)) files.set(path, text);
    // ns/* are captured as symlinks to their targets ("pid:[4026532300]"), as /proc shows them.
    else if (stats.isSymbolicLink()) files.set(relative, readlinkSync(join(root, relative)));
    else files.set(relative, readFileSync(join(root, relative), 'utf8'));
  }
  return files;
}

const captured = filesUnder(SCENARIO);
const capturedText = (name: string) => captured.get(name)!;

/**
 * A KernelSource over files in memory (the captured container, with some files replaced): what a real source answers
 * for a missing file, and nothing else special.
 */
function memorySource(files: Map<string, string>): KernelSource {
  const roots = { proc: '/proc', cgroup: '/sys/fs/cgroup', sys: '/sys' };
  const text = (path: string): string | undefined => {
    if (path.startsWith(`/proc/${PID}/`)) return files.get(path.slice(`/proc/${PID}/`.length));
    if (path.startsWith('/sys/fs/cgroup/')) return files.get(`cgroupfs/${path.slice('/sys/fs/cgroup/'.length)}`);
    return undefined;
  };
  const source: KernelSource = {
    roots,
    description: { kind: 'local', detail: 'memory' },
    hostReference: 'reader',
    readText: async (path): Promise<ReadResult<string>> => {
      const value = text(path);
      return value === undefined ? failureFor('ENOENT', path, true) : { ok: true, value };
    },
    readLink: async (path): Promise<ReadResult<string>> => {
      const value = text(path);
      return value === undefined ? failureFor('ENOENT', path, true) : { ok: true, value: value.trim() };
    },
    listDirectory: async (path) => failureFor('ENOENT', path, true),
    exists: async (path) => text(path) !== undefined,
    readMany: (requests: readonly KernelRequest[]): Promise<KernelAnswer[]> => readEach(source, requests),
  };
  return source;
}

/** Text a hostile or broken file could hold: random text, truncations and line mutations of the real file, huge text. */
function hostileVariantsOf(real: string): fc.Arbitrary<string> {
  const lines = real.split('\n');
  return fc.oneof(
    fc.string({ maxLength: 400, unit: 'binary' }),
    fc.string({ maxLength: 200, unit: fc.constantFrom('0', '1', '9', 'f', 'x', '-', ':', ' ', '\t', '\n', '/', ',', 'max', '\0') }),
    fc.nat({ max: real.length }).map((cut) => real.slice(0, cut)),
    fc.tuple(fc.nat({ max: Math.max(0, lines.length - 1) }), fc.string({ maxLength: 80, unit: 'binary' })).map(([index, junk]) =>
      lines.map((line, i) => (i === index ? junk : line)).join('\n'),
    ),
    fc.tuple(fc.nat({ max: Math.max(0, lines.length - 1) }), fc.nat({ max: 120 })).map(([index, cut]) =>
      lines.map((line, i) => (i === index ? line.slice(0, cut) : line)).join('\n'),
    ),
    fc.constantFrom('', '\n', '\0\0\0', ' '.repeat(10_000), `${'9'.repeat(400)}\n`, real.repeat(200), `${'x'.repeat(1 << 20)}\n${real}`),
  );
}

/** A pure parser's outcome: its value, or a plain Error (its own "malformed" report). TypeError & co. are bugs. */
function outcome<T>(parse: () => T): { value: T } | { error: Error } {
  try {
    return { value: parse() };
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).constructor, `${(error as Error).name}: ${(error as Error).message}`).toBe(Error);
    expect((error as Error).message.length).toBeGreaterThan(0);
    // Its message quotes at most an excerpt of the input, so a 1 MiB file cannot become a 1 MiB gap reason.
    expect((error as Error).message.length).toBeLessThan(400);
    return { error: error as Error };
  }
}

function expectGapOrValue(result: ReadResult<unknown>): void {
  if (!result.ok) {
    expect(REASONS).toContain(result.reason);
    expect(typeof result.message).toBe('string');
    expect(result.message.length).toBeLessThan(2000);
  }
}

describe('pure parsers on hostile text', () => {
  it('/proc/PID/status: a ProcStatus with bigint masks, or an Error', () => {
    fc.assert(
      fc.property(hostileVariantsOf(capturedText('status')), (text) => {
        const result = outcome(() => parseStatus(text));
        if ('value' in result) {
          expect(typeof result.value.capEffective).toBe('bigint');
          expect(Number.isSafeInteger(result.value.pid)).toBe(true);
        }
      }),
      RUNS,
    );
    fc.assert(fc.property(fc.string({ maxLength: 40, unit: 'binary' }), (hex) => void outcome(() => parseCapabilityMask(hex))), RUNS);
  });

  it('/proc/PID/mountinfo: entries with string fields, never a throw for a bad line', () => {
    fc.assert(
      fc.property(hostileVariantsOf(capturedText('mountinfo')), (text) => {
        const result = outcome(() => parseMountinfo(text));
        if ('value' in result) for (const entry of result.value) expect(typeof entry.mountPoint).toBe('string');
      }),
      RUNS,
    );
  });

  it('/proc/PID/cgroup and every cgroup file format', () => {
    fc.assert(fc.property(hostileVariantsOf(capturedText('cgroup')), (text) => void outcome(() => parseProcCgroup(text))), RUNS);
    const single = hostileVariantsOf('9223372036854771712\n');
    fc.assert(
      fc.property(single, single, (a, b) => {
        for (const parse of [parseSingleNumber, parseMaxOrNumber, parseV1MemoryLimit, parseCpuList, parseCpuMax] as Array<(t: string) => unknown>) outcome(() => parse(a));
        outcome(() => parseV1CpuQuotaCores(a, b));
      }),
      RUNS,
    );
    fc.assert(fc.property(hostileVariantsOf('usage_usec 1234\nuser_usec 1000\nnr_throttled 0\n'), (text) => void outcome(() => flatKeyedValue(text, 'usage_usec', 1000))), RUNS);
    // The sampler's one-key reader agrees with the test oracle that parses every key as BigInts, exactly, on captured memory.stat and hostile text.
    const memoryStat = [...captured.entries()].find(([path]) => path.endsWith('memory.stat'))![1];
    const keys = ['total_inactive_file', 'usage_usec', 'throttled_time', 'nr_throttled', 'max', 'cache'];
    for (const base of [memoryStat, 'usage_usec 1234\nthrottled_time 9223372036854775807\nnr_throttled -3\nmax 12\nmax 13\n']) {
      fc.assert(
        fc.property(hostileVariantsOf(base), fc.constantFrom(...keys), fc.constantFrom(1, 1000), (text, key, divisor) => {
          expect(flatKeyedValue(text, key, divisor)).toBe(flatKeyedNumber(parseFlatKeyed(text), key, BigInt(divisor)));
        }),
        RUNS,
      );
    }
    expect(flatKeyedValue(memoryStat, 'total_inactive_file')).toBe(flatKeyedNumber(parseFlatKeyed(memoryStat), 'total_inactive_file'));
    expect(flatKeyedValue('throttled_time 9223372036854775807\n', 'throttled_time', 1000)).toBe(Number(9223372036854775807n / 1000n));
    fc.assert(fc.property(hostileVariantsOf('8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n'), (text) => void outcome(() => parseIoStat(text))), RUNS);
    const blkio = [...captured.entries()].find(([path]) => path.endsWith('blkio.throttle.io_service_bytes'))![1];
    fc.assert(fc.property(hostileVariantsOf(blkio), (text) => void outcome(() => parseBlkioServiceBytes(text))), RUNS);
  });

  it('uid_map / gid_map: only safe-integer ranges, never a throw', () => {
    fc.assert(
      fc.property(hostileVariantsOf(capturedText('uid_map')), (text) => {
        for (const entry of parseIdMap(text)) for (const n of [entry.insideId, entry.outsideId, entry.count]) expect(Number.isSafeInteger(n)).toBe(true);
      }),
      RUNS,
    );
  });

  it('/proc/PID/net/dev: only finite counters, never a throw', () => {
    fc.assert(
      fc.property(hostileVariantsOf(capturedText('net/dev')), (text) => {
        for (const counters of parseNetDev(text)) for (const n of [counters.receiveBytes, counters.transmitBytes, counters.receivePackets]) expect(Number.isFinite(n)).toBe(true);
      }),
      RUNS,
    );
  });

  it('LSM list, AppArmor labels, namespace links, engine event lines', () => {
    fc.assert(
      fc.property(hostileVariantsOf('lockdown,capability,landlock,apparmor\n'), hostileVariantsOf('docker-default (enforce)\n'), hostileVariantsOf('pid:[4026531836]'), (lsm, label, link) => {
        outcome(() => parseLsmList(lsm));
        outcome(() => parseAppArmorLabel(label));
        outcome(() => parseNamespaceLink(link));
      }),
      RUNS,
    );
    const eventLine = readFileSync(new URL('../engine/fixtures/docker-events-run-exec-stop-rm.ndjson', import.meta.url), 'utf8').split('\n')[0]!;
    fc.assert(fc.property(fc.oneof(hostileVariantsOf(eventLine), fc.json()), (line) => void outcome(() => parseEventLine(line))), RUNS);
  });
});

describe('readers never throw: a bad or vanishing file is a typed gap', () => {
  const replaceable = ['status', 'mountinfo', 'cgroup', 'uid_map', 'net/dev', ...[...captured.keys()].filter((path) => path.startsWith('cgroupfs/'))];

  it('readKernelFacts with any one file replaced by hostile text or removed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...replaceable), fc.option(fc.string({ maxLength: 300, unit: 'binary' }), { nil: undefined }), fc.boolean(), async (path, junk, truncate) => {
        const files = new Map(captured);
        const real = files.get(path)!;
        if (junk === undefined) files.delete(path);
        else files.set(path, truncate ? real.slice(0, junk.length % (real.length + 1)) : junk);
        const facts = await readKernelFacts(memorySource(files), PID);
        for (const part of [facts.procCgroup, facts.status, facts.mountinfo, facts.lsm, facts.uidMap, ...Object.values(facts.namespaces)]) expectGapOrValue(part);
        if (facts.cgroup.ok) for (const gap of facts.cgroup.value.gaps ?? []) expect(typeof gap.reason).toBe('string');
        else expectGapOrValue(facts.cgroup);
      }),
      { numRuns: 200 },
    );
  });

  it('cgroup limits and usage from any /proc/PID/cgroup text and any cgroupfs contents', async () => {
    const cgroupFiles = [...captured.keys()].filter((path) => path.startsWith('cgroupfs/'));
    await fc.assert(
      fc.asyncProperty(hostileVariantsOf(capturedText('cgroup')), fc.constantFrom(...cgroupFiles), fc.string({ maxLength: 100, unit: 'binary' }), async (procCgroup, path, junk) => {
        const files = new Map(captured);
        files.set(path, junk);
        const source = memorySource(files);
        await readCgroupLimits(procCgroup, source);
        await readCgroupUsage(procCgroup, source);
      }),
      RUNS,
    );
  });

  it('readNetDev of hostile or vanished text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(hostileVariantsOf(capturedText('net/dev')), { nil: undefined }), async (text) => {
        const files = new Map(captured);
        if (text === undefined) files.delete('net/dev');
        else files.set('net/dev', text);
        expectGapOrValue(await readNetDev(processOf(memorySource(files), PID)));
      }),
      RUNS,
    );
  });
});

describe('inspect documents', () => {
  const real = JSON.parse(readFileSync(new URL('../engine/fixtures/docker-inspect-hardened-busybox.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  const privileged = JSON.parse(readFileSync(new URL('../collect/fixtures/privileged/inspect.json', import.meta.url), 'utf8')) as Record<string, unknown>;

  /** A real document with one top-level or HostConfig/Config field replaced by any JSON value (or removed). */
  const mutated = fc
    .tuple(fc.constantFrom(real, privileged), fc.constantFrom('', 'HostConfig', 'Config', 'State', 'NetworkSettings'), fc.string({ maxLength: 20 }), fc.option(fc.jsonValue(), { nil: undefined }))
    .map(([base, section, key, value]) => {
      const document = structuredClone(base);
      const target = (section ? document[section] : document) as Record<string, unknown> | null;
      if (target && typeof target === 'object') {
        const keys = Object.keys(target);
        const field = keys.length > 0 && key.length % 2 === 0 ? keys[key.length % keys.length]! : key;
        if (value === undefined) delete target[field];
        else target[field] = value;
      }
      return document;
    });

  it('the schema accepts or rejects (never throws), and what it accepts collects without a throw', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, fc.jsonValue()), (document) => {
        const parsed = ContainerInspect.safeParse(document);
        if (parsed.success) {
          const container = describeFromConfig(parsed.data as unknown as InspectDocument, capturedDockerEngine());
          expect(typeof container.name).toBe('string');
        }
      }),
      { numRuns: 300 },
    );
  });
});
