// Effective limits on a real engine: a parent cgroup with tighter limits (through --cgroup-parent) wins over the
// container's own; the live sampler counts refused forks and OOM kills and reports the working set, as cgroupfs says.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerIsolation, Snapshot } from '../model/schema.js';
import { openEngine } from '../engine/open.js';
import { assessSnapshot } from '../assess.js';
import { collectSnapshot } from './scan.js';
import { LOCAL_HOST_SOURCE } from '../kernel/source.js';
import { parseFlatKeyed } from '../kernel/fixtures/flat-keyed.js';
import { StatsSampler } from '../poller/stats.js';
import { execIn, removeTestContainers, startContainer, testClient, type StartedContainer } from '../../e2e/harness/engine.js';
import { CGROUPFS, removeCgroupParent } from '../../e2e/harness/cgroup-parent.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-limits-';
const client = testClient();
const PARENT = `/isolens-int-limits-${process.pid}`;
const MiB = 1024 * 1024;

const scenarios: Record<string, Parameters<typeof startContainer>[1]> = {
  // Own limits looser (memory) and tighter (PIDs) than the parent's; no CPU limit of its own.
  'under-parent-own-limits': { HostConfig: { CgroupParent: PARENT, Memory: 64 * MiB, PidsLimit: 10 } },
  'under-parent-no-limits': { HostConfig: { CgroupParent: PARENT } },
  default: {},
  'pids-limit-5': { HostConfig: { PidsLimit: 5 } },
  'oom-16m': { Cmd: ['sh', '-c', 'tail /dev/zero; exec sleep 3600'], HostConfig: { Memory: 16 * MiB, MemorySwap: 16 * MiB } },
};

const cgroupV1 = existsSync(`${CGROUPFS}/memory/memory.limit_in_bytes`);
const started = new Map<string, StartedContainer>();
let snapshot: Snapshot;

function doc(scenario: string): ContainerIsolation {
  const container = snapshot.containers.find((c) => c.name === `${PREFIX}${scenario}`);
  if (!container) throw new Error(`scenario ${scenario} not in the scan`);
  return container;
}

/** A cgroup v1 file of a container, read straight from cgroupfs. */
function v1File(container: ContainerIsolation, controller: string, name: string): string {
  return readFileSync(`${CGROUPFS}/${controller}${container.cgroup.path}/${name}`, 'utf8');
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (condition()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(noEngine || !cgroupV1)('effective limits and limit counters on a real engine (cgroup v1)', () => {
  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    // The parent, made by hand as an administrator would (a slice with its own budget), before the containers join it.
    for (const controller of ['memory', 'pids', 'cpu']) mkdirSync(`${CGROUPFS}/${controller}${PARENT}`, { recursive: true });
    writeFileSync(`${CGROUPFS}/memory${PARENT}/memory.limit_in_bytes`, String(32 * MiB));
    writeFileSync(`${CGROUPFS}/pids${PARENT}/pids.max`, '20');
    writeFileSync(`${CGROUPFS}/cpu${PARENT}/cpu.cfs_quota_us`, '25000');
    for (const [scenario, options] of Object.entries(scenarios)) started.set(scenario, await startContainer(`${PREFIX}${scenario}`, options, client));
    const { engine, adapter } = await openEngine({});
    snapshot = assessSnapshot(await collectSnapshot(adapter, engine));
  });

  afterAll(async () => {
    await removeTestContainers(client, PREFIX);
    await removeCgroupParent(PARENT);
  });

  it('the tightest level wins and is named: the parent for memory and CPU, the container itself for PIDs', () => {
    const container = doc('under-parent-own-limits');
    expect(container.cgroup).toMatchObject({ path: `${PARENT}/${container.id}`, memoryLimitBytes: 64 * MiB, cpuQuotaCores: null, pidsLimit: 10 });
    expect(container.cgroup.effective).toEqual({
      memoryLimitBytes: { value: 32 * MiB, setBy: PARENT },
      cpuQuotaCores: { value: 0.25, setBy: PARENT },
      pidsLimit: { value: 10, setBy: container.cgroup.path },
    });
    // The engine's own limits are what it declared: no mismatch for a limit that is set above it.
    expect(container.mismatches).toEqual([]);
  });

  it('a container with no limits of its own under a limited parent is limited, and the rules and operations say so', () => {
    const container = doc('under-parent-no-limits');
    expect(container.cgroup).toMatchObject({ memoryLimitBytes: null, cpuQuotaCores: null, pidsLimit: null });
    expect(container.cgroup.effective).toEqual({
      memoryLimitBytes: { value: 32 * MiB, setBy: PARENT },
      cpuQuotaCores: { value: 0.25, setBy: PARENT },
      pidsLimit: { value: 20, setBy: PARENT },
    });
    const rules = container.findings.map((f) => f.ruleId);
    for (const id of ['resources/memory-unlimited', 'resources/pids-unlimited', 'resources/cpu-unlimited']) expect(rules).not.toContain(id);
    expect(rules).toContain('resources/custom-cgroup');
    const memory = container.operations!.find((o) => o.id === 'exhaust-host-memory')!;
    expect(memory.verdict).toBe('blocked');
    expect(memory.because[0]!.detail).toContain(`set by the ancestor cgroup ${PARENT}`);
    expect(container.operations!.find((o) => o.id === 'fork-bomb')!.verdict).toBe('blocked');
  });

  it('the default container: no level limits it, and the no-limit findings stand', () => {
    const container = doc('default');
    expect(container.cgroup.effective).toEqual({
      memoryLimitBytes: { value: null, setBy: null },
      cpuQuotaCores: { value: null, setBy: null },
      pidsLimit: { value: null, setBy: null },
    });
    expect(container.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['resources/memory-unlimited', 'resources/pids-unlimited']));
  });

  it('the live sampler counts forks refused at pids.max and OOM kills, and its working set is usage − total_inactive_file, exactly', async () => {
    const forks = doc('pids-limit-5');
    // The loop forks until the limit; the shell dies at the first refusal.
    await execIn(forks.id, ['sh', '-c', 'while :; do sleep 600 & done'], client);
    const oom = doc('oom-16m');
    const oomKills = () => Number(parseFlatKeyed(v1File(oom, 'memory', 'memory.oom_control')).get('oom_kill') ?? 0n);
    await until(() => oomKills() >= 1, 'the OOM kill of tail /dev/zero');

    const sampler = new StatsSampler(LOCAL_HOST_SOURCE);
    const samples = await sampler.sample([forks, oom].map((c) => ({ id: c.id, pid: c.pid! })));
    sampler.close();
    const forkSample = samples.find((s) => s.id === forks.id)!;
    const hits = Number(parseFlatKeyed(v1File(forks, 'pids', 'pids.events')).get('max'));
    expect(hits).toBeGreaterThanOrEqual(1);
    expect(forkSample).toMatchObject({ pidsLimit: 5, pidsMaxHits: hits });
    const oomSample = samples.find((s) => s.id === oom.id)!;
    expect(oomSample).toMatchObject({ memoryLimitBytes: 16 * MiB, oomKills: oomKills(), pidsMaxHits: 0 });
    // Both containers only sleep now: their memory does not move between the sample and this read.
    const usage = Number(v1File(oom, 'memory', 'memory.usage_in_bytes').trim());
    const inactive = Number(parseFlatKeyed(v1File(oom, 'memory', 'memory.stat')).get('total_inactive_file'));
    expect(oomSample.memoryBytes).toBe(usage - inactive);
  });
});
