// The live sampler on captured cgroupfs and /proc files: exact CPU %, memory against its limit, pids against their limit.
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalKernelSource, type KernelSource } from '../kernel/source.js';
import { containerId, fixturePath } from '../kernel/fixtures/load.js';
import { HISTORY_LENGTH, StatsSampler } from './stats.js';

const SCENARIO = 'container-limited-64m-half-cpu-50-pids-cpuset-0';
const PID = 4242;
const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A writable copy of the captured container: /proc/4242 and its cgroupfs. */
function capturedContainer() {
  const root = mkdtempSync(join(tmpdir(), 'stats-'));
  roots.push(root);
  cpSync(fixturePath(SCENARIO), join(root, 'proc', String(PID)), { recursive: true, dereference: true });
  const cgroup = join(root, 'proc', String(PID), 'cgroupfs');
  const id = containerId(SCENARIO);
  const file = (controller: string, name: string) => join(cgroup, controller, 'docker', id, name);
  return { source: new LocalKernelSource({ proc: join(root, 'proc'), cgroup }), id, file };
}

/** The same files without the synchronous paths, as a remote (helper) source offers them. */
function withoutSyncReads(source: KernelSource): KernelSource {
  return {
    roots: source.roots,
    description: source.description,
    hostReference: source.hostReference,
    readText: (path) => source.readText(path),
    readLink: (path) => source.readLink(path),
    listDirectory: (path) => source.listDirectory(path),
    exists: (path) => source.exists(path),
    readMany: (requests) => source.readMany(requests),
  };
}

function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

describe.each([
  ['kept-open descriptors (local source)', (s: KernelSource) => s],
  ['one batch per sample (a source without sync reads)', withoutSyncReads],
])('StatsSampler, %s', (_name, wrap) => {
  it('CPU % over the interval, memory against its limit and pids against theirs, exactly', async () => {
    const { source, id, file } = capturedContainer();
    let nowMs = 1_000_000;
    const sampler = new StatsSampler(wrap(source), { now: () => nowMs });
    const [first] = await sampler.sample([{ id, pid: PID }]);
    expect(first).toEqual({
      id,
      atMs: 1_000_000,
      cpuPercent: null, // no previous sample yet
      memoryBytes: 368640, // memory.usage_in_bytes minus total_inactive_file (0)
      memoryLimitBytes: 67108864, // --memory 64m
      pids: 1,
      pidsLimit: 50,
      networkRxBytes: 200, // eth0 only: lo is left out
      networkTxBytes: 0,
      blockReadBytes: 0,
      blockWriteBytes: 0,
      cpuThrottledPeriods: 0,
      cpuThrottledUs: 0,
      oomKills: 0,
      pidsMaxHits: 0, // pids.events "max 0"
    });

    // Half a second later: 250 ms more CPU (cpuacct.usage is in ns), half the memory limit in use, 25 of 50 pids.
    writeFileSync(file('cpuacct', 'cpuacct.usage'), `${20688096 + 250_000_000}\n`);
    writeFileSync(file('memory', 'memory.usage_in_bytes'), '33554432\n');
    writeFileSync(file('pids', 'pids.current'), '25\n');
    writeFileSync(file('pids', 'pids.events'), 'max 2\n');
    nowMs += 500;
    const [second] = await sampler.sample([{ id, pid: PID }]);
    expect(second).toMatchObject({ atMs: 1_000_500, cpuPercent: 50, memoryBytes: 33554432, memoryLimitBytes: 67108864, pids: 25, pidsLimit: 50, pidsMaxHits: 2 });
    expect(second!.memoryBytes! / second!.memoryLimitBytes!).toBe(0.5);
    expect(sampler.history(id).map((s) => s.atMs)).toEqual([1_000_000, 1_000_500]);
    sampler.close();
  });

  it('skips a process that is not the container’s (PID reused), and forgets containers that are gone', async () => {
    const { source, id } = capturedContainer();
    const sampler = new StatsSampler(wrap(source));
    expect(await sampler.sample([{ id: 'f'.repeat(64), pid: PID }])).toEqual([]);
    expect(await sampler.sample([{ id, pid: PID }])).toHaveLength(1);
    expect(await sampler.sample([{ id, pid: 999_999 }])).toEqual([]); // no such process
    await sampler.sample([]);
    expect(sampler.history(id)).toEqual([]);
  });

  it('keeps the history of a running container it does not sample this round, and its CPU % spans the longer interval', async () => {
    const { source, id, file } = capturedContainer();
    let nowMs = 1_000_000;
    const sampler = new StatsSampler(wrap(source), { now: () => nowMs });
    await sampler.sample([{ id, pid: PID }]);
    nowMs += 1000;
    expect(await sampler.sample([], new Set([id]))).toEqual([]); // running, not shown: not read this round
    expect(sampler.history(id)).toHaveLength(1);
    // Ten seconds after the first sample: 2.5 s more CPU is 25 % over the ten seconds.
    writeFileSync(file('cpuacct', 'cpuacct.usage'), `${20688096 + 2_500_000_000}\n`);
    nowMs += 9000;
    const [later] = await sampler.sample([{ id, pid: PID }], new Set([id]));
    expect(later!.cpuPercent).toBe(25);
    expect(sampler.history(id).map((s) => s.atMs)).toEqual([1_000_000, 1_010_000]);
    sampler.close();
  });

  it('holds five minutes of samples whatever the interval, and at most 300', async () => {
    const { source, id } = capturedContainer();
    let nowMs = 0;
    const sampler = new StatsSampler(wrap(source), { now: () => nowMs });
    for (let i = 0; i < 40; i++, nowMs += 10_000) await sampler.sample([{ id, pid: PID }]);
    // Every 10 s for 400 s: the samples of the last 300 s (not the 300 samples of 50 minutes).
    expect(sampler.history(id).map((s) => s.atMs)).toEqual(Array.from({ length: 30 }, (_, i) => (i + 10) * 10_000));
    for (let i = 0; i < 650; i++, nowMs += 200) await sampler.sample([{ id, pid: PID }]);
    const history = sampler.history(id);
    expect(history).toHaveLength(HISTORY_LENGTH);
    expect(history.at(-1)!.atMs).toBe(nowMs - 200);
    expect(history.every((s, i) => i === 0 || s.atMs - history[i - 1]!.atMs === 200)).toBe(true);
    sampler.close();
  });
});

describe('StatsSampler descriptors', () => {
  it('keeps about ten descriptors per container open, within its budget, and closes them when the container goes', async () => {
    const { source, id } = capturedContainer();
    const before = openDescriptors();
    const sampler = new StatsSampler(source);
    await sampler.sample([{ id, pid: PID }]);
    const kept = openDescriptors() - before;
    expect(kept).toBeGreaterThanOrEqual(8);
    expect(kept).toBeLessThanOrEqual(12);
    await sampler.sample([]);
    expect(openDescriptors()).toBe(before);

    const capped = new StatsSampler(source, { descriptorBudget: 3 });
    const [sample] = await capped.sample([{ id, pid: PID }]);
    expect(openDescriptors() - before).toBe(3);
    expect(sample?.pidsLimit).toBe(50); // read by path beyond the budget, same numbers
    capped.close();
    expect(openDescriptors()).toBe(before);
  });
});
