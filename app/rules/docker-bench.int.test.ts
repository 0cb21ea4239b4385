// Isolens against docker-bench-security's section 5, per control and per container, on the containers its captured verdicts judged.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerIsolation, EngineInfo } from '../model/schema.js';
import { openEngine } from '../engine/open.js';
import type { ContainerEngine } from '../engine/engine.js';
import { collectSnapshot } from '../collect/scan.js';
import { assessSnapshot } from '../assess.js';
import { removeTestContainers, startContainer, testClient } from '../../e2e/harness/engine.js';
import { BENCH_CONTAINERS, BENCH_PREFIX, benchName, cleanBenchHost, prepareBenchHost } from './fixtures/docker-bench/containers.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const client = testClient();

type Verdict = 'WARN' | 'PASS';

interface BenchResult {
  id: string;
  desc: string;
  result: 'PASS' | 'WARN' | 'INFO' | 'NOTE';
  details?: string;
  items?: string[];
}

/** docker-bench's own JSON log (-l FILE writes FILE.json), captured as described in fixtures/docker-bench/README.md. */
const verdicts = JSON.parse(readFileSync(new URL('./fixtures/docker-bench/verdicts.json', import.meta.url), 'utf8')) as {
  dockerbenchsecurity: string;
  tests: Array<{ id: string; results: BenchResult[] }>;
};
const results = new Map(verdicts.tests.flatMap((section) => section.results).map((result) => [result.id, result]));

/**
 * The automated per-container controls of CIS section 5 the issue names, plus 5.15 (restart policy), which
 * docker-bench scores and Isolens has a rule for.
 */
const COMPARED_CONTROLS = [
  '5.2', '5.3', '5.4', '5.5', '5.6', '5.7', '5.8', '5.10', '5.11', '5.12', '5.13', '5.14', '5.15',
  '5.16', '5.17', '5.20', '5.21', '5.22', '5.25', '5.26', '5.27', '5.29', '5.31', '5.32',
] as const;

const scenarios = BENCH_CONTAINERS.map((container) => container.scenario);

/** The scenarios docker-bench warned about for one control. Items are "name", "name:/path", "name:port" or "name:ip". */
function dockerBenchWarns(control: string): Set<string> {
  const result = results.get(control);
  if (!result) throw new Error(`docker-bench has no result for ${control}`);
  if (result.result === 'PASS') return new Set();
  expect(result.result, control).toBe('WARN');
  return new Set((result.items ?? []).map((item) => item.replace(/:.*$/, '').slice(BENCH_PREFIX.length)));
}

interface Disagreement {
  control: string;
  /** A scenario, or '*' for every container where the verdicts differ in this direction (host-wide reasons only). */
  container: string;
  dockerBench: Verdict;
  isolens: Verdict;
  /** Why Isolens is right; or, with knownBug, why docker-bench is. */
  why: string;
  /** Set when Isolens is wrong here: the rule needs fixing, and this entry removed with the fix. */
  knownBug?: string;
}

/** Every disagreement with docker-bench, named. A disagreement not listed here fails the test; an entry that no longer applies does too. */
const DISAGREEMENTS: readonly Disagreement[] = [
  {
    control: '5.2',
    container: '*',
    dockerBench: 'WARN',
    isolens: 'PASS',
    why: 'The engine has no AppArmor (docker info SecurityOptions has no name=apparmor), so no container can have a profile; docker-bench fails every container anyway. Isolens reports the host-level gap once (host/no-mandatory-access-control).',
  },
  {
    control: '5.3',
    container: '*',
    dockerBench: 'WARN',
    isolens: 'PASS',
    why: 'The engine has no SELinux; docker-bench fails every container whose SecurityOpt is empty and passes any with one — including host-pid and host-ipc, whose SecurityOpt is the label=disable Docker adds, the opposite of confinement.',
  },
  {
    control: '5.6',
    container: 'sensitive-ro',
    dockerBench: 'PASS',
    isolens: 'WARN',
    why: 'CIS 5.6 forbids mounting sensitive host directories, "especially" read-write; /etc read-only still hands over /etc/shadow and every service\'s configuration. Isolens reports it as mounts/sensitive-read-only (medium), docker-bench only matches RW=true.',
  },
  {
    control: '5.6',
    container: 'sensitive-subtree',
    dockerBench: 'PASS',
    isolens: 'WARN',
    why: '/usr/share is inside /usr; docker-bench matches the eight paths exactly, so any subdirectory (/etc/ssh, /usr/share, /dev/disk) passes.',
  },
  {
    control: '5.6',
    container: 'usr-destination',
    dockerBench: 'WARN',
    isolens: 'PASS',
    why: 'docker-bench matches the mount destination as well as the source: an empty temporary host directory mounted at /usr inside the container exposes nothing of the host.',
  },
  {
    control: '5.7',
    container: 'host-pid',
    dockerBench: 'WARN',
    isolens: 'PASS',
    why: 'docker-bench runs ps inside the container; with --pid host that lists every process on the host, here the sshd scenario\'s. The container itself runs only sleep (its own command line, from the engine).',
  },
  {
    control: '5.8',
    container: 'port-1024',
    dockerBench: 'WARN',
    isolens: 'PASS',
    why: 'docker-bench tests < 1025; ports below 1024 are the privileged ones (net.ipv4.ip_unprivileged_port_start defaults to 1024), binding 1024 needs no privilege.',
  },
  {
    control: '5.10',
    container: 'joins-host-net',
    dockerBench: 'PASS',
    isolens: 'WARN',
    why: '--network container:host-net joins a container that uses the host\'s network; docker-bench reads NetworkMode ("container:…") only, Isolens sees the host\'s net namespace inode in /proc/PID/ns/net.',
  },
  {
    control: '5.12',
    container: 'cpu-quota',
    dockerBench: 'WARN',
    isolens: 'PASS',
    why: '--cpu-quota 50000 with --cpu-period 100000 writes the same cpu.cfs_quota_us as --cpus 0.5, which docker-bench accepts; the container is capped at half a core either way.',
  },
  {
    control: '5.15',
    container: 'restart-always',
    dockerBench: 'PASS',
    isolens: 'WARN',
    why: 'CIS 5.15 asks for on-failure with at most 5 retries; docker-bench only tests MaximumRetryCount > 5, and always has a count of 0 while restarting forever.',
  },
  {
    control: '5.22',
    container: 'seccomp-custom',
    dockerBench: 'PASS',
    isolens: 'WARN',
    why: 'The custom profile allows everything but chmod, so the container can create user namespaces (unshare), which the default profile refuses without CAP_SYS_ADMIN; docker-bench only looks for seccomp=unconfined. Isolens evaluates the profile the engine reports in SecurityOpt (seccomp-lsm/seccomp-weaker-than-default).',
  },
  {
    control: '5.25',
    container: 'cgroup-parent-default',
    dockerBench: 'WARN',
    isolens: 'PASS',
    why: '--cgroup-parent /docker puts the container at /docker/<id>, exactly where the engine puts every container with the cgroupfs driver; docker-bench warns on any CgroupParent value.',
  },
  {
    control: '5.32',
    container: 'run-dir',
    dockerBench: 'PASS',
    isolens: 'WARN',
    why: '/var/run (here a symlink to /run) holds docker.sock, so mounting the directory exposes the socket; docker-bench greps the Mounts list for the string docker.sock.',
  },
];

function explains(entry: Disagreement, control: string, scenario: string, dockerBench: Verdict, isolens: Verdict): boolean {
  return entry.control === control && (entry.container === '*' || entry.container === scenario) && entry.dockerBench === dockerBench && entry.isolens === isolens;
}

describe('the captured docker-bench verdicts', () => {
  it('come from docker-bench-security for CIS 1.6.0 and judged exactly the containers in containers.ts', () => {
    expect(verdicts.dockerbenchsecurity).toBe('1.6.0');
    // 5.19 (ulimit override) lists every container without one: none of ours sets ulimits.
    expect([...dockerBenchWarnsOrInfo('5.19')].sort()).toEqual([...scenarios].sort());
    for (const result of results.values()) {
      for (const item of result.items ?? []) {
        if (result.id === '5.30') continue; // "id:name" items
        expect(scenarios, `${result.id} item ${item}`).toContain(item.replace(/:.*$/, '').slice(BENCH_PREFIX.length));
      }
    }
    for (const control of COMPARED_CONTROLS) expect(results.has(control), control).toBe(true);
  });

  it('every disagreement names its control and container, and only host-wide reasons use "*"', () => {
    for (const entry of DISAGREEMENTS) {
      expect(COMPARED_CONTROLS as readonly string[]).toContain(entry.control);
      if (entry.container === '*') expect(['5.2', '5.3']).toContain(entry.control);
      else expect(scenarios).toContain(entry.container);
      expect(entry.dockerBench).not.toBe(entry.isolens);
    }
  });
});

function dockerBenchWarnsOrInfo(control: string): Set<string> {
  return new Set((results.get(control)?.items ?? []).map((item) => item.replace(/:.*$/, '').slice(BENCH_PREFIX.length)));
}

describe.skipIf(noEngine)('Isolens and docker-bench-security agree per control and per container', () => {
  let engine: EngineInfo;
  let adapter: ContainerEngine;
  const assessed = new Map<string, ContainerIsolation>();

  beforeAll(async () => {
    await removeTestContainers(client, BENCH_PREFIX);
    prepareBenchHost();
    for (const container of BENCH_CONTAINERS) await startContainer(benchName(container.scenario), container.options, client);
    ({ engine, adapter } = await openEngine({}));
    const snapshot = assessSnapshot(await collectSnapshot(adapter, engine));
    for (const container of snapshot.containers) {
      if (container.name.startsWith(BENCH_PREFIX)) assessed.set(container.name.slice(BENCH_PREFIX.length), container);
    }
  });

  afterAll(async () => {
    await removeTestContainers(client, BENCH_PREFIX);
    cleanBenchHost();
  });

  const isolensWarns = (control: string): Set<string> =>
    new Set([...assessed].filter(([, container]) => container.findings.some((finding) => finding.cis === control)).map(([scenario]) => scenario));

  it('every recreated container was scanned, with kernel facts', () => {
    expect([...assessed.keys()].sort()).toEqual([...scenarios].sort());
    for (const [scenario, container] of assessed) {
      expect(container.state, scenario).toBe('running');
      expect(container.sources.capabilities, scenario).toBe('kernel');
    }
  });

  it('each control gives the same verdict on each container, except the disagreements named in DISAGREEMENTS', () => {
    const unexplained: string[] = [];
    const used = new Set<Disagreement>();
    const summary: Array<{ control: string; agree: number; justified: number; knownBug: number; dockerBenchWarns: string; isolensWarns: string }> = [];
    for (const control of COMPARED_CONTROLS) {
      const bench = dockerBenchWarns(control);
      const ours = isolensWarns(control);
      let agree = 0;
      let justified = 0;
      let knownBug = 0;
      for (const scenario of scenarios) {
        const dockerBench: Verdict = bench.has(scenario) ? 'WARN' : 'PASS';
        const isolens: Verdict = ours.has(scenario) ? 'WARN' : 'PASS';
        if (dockerBench === isolens) {
          agree++;
          continue;
        }
        const entry = DISAGREEMENTS.find((candidate) => explains(candidate, control, scenario, dockerBench, isolens));
        if (!entry) {
          unexplained.push(`${control} ${scenario}: docker-bench ${dockerBench}, Isolens ${isolens}`);
          continue;
        }
        used.add(entry);
        if (entry.knownBug) knownBug++;
        else justified++;
      }
      summary.push({ control, agree, justified, knownBug, dockerBenchWarns: [...bench].sort().join(' '), isolensWarns: [...ours].sort().join(' ') });
    }
    console.table(summary.map(({ control, agree, justified, knownBug }) => ({ control, agree, justified, knownBug })));
    expect(unexplained).toEqual([]);
    // A justification whose disagreement no longer happens is stale: remove it (or, for a known bug, celebrate the fix).
    expect(DISAGREEMENTS.filter((entry) => !used.has(entry)).map((entry) => `${entry.control} ${entry.container}`)).toEqual([]);
  });

  it('where both warn, Isolens cites the fact it judged and where it came from', () => {
    const cites = (scenario: string, control: string) =>
      assessed.get(scenario)!.findings.filter((finding) => finding.cis === control).flatMap((finding) => finding.evidence);
    expect(cites('host-pid', '5.16')).toContainEqual(expect.objectContaining({ fact: 'namespaces.pid.sharedWithHost', source: 'kernel', value: true }));
    expect(cites('joins-host-net', '5.10')).toContainEqual(expect.objectContaining({ fact: 'namespaces.net.sharedWithHost', source: 'kernel', value: true }));
    expect(cites('seccomp-unconfined', '5.22')).toContainEqual(expect.objectContaining({ fact: 'seccomp.mode', source: 'kernel', value: 'disabled' }));
    expect(cites('default', '5.26')).toContainEqual(expect.objectContaining({ fact: 'noNewPrivileges', source: 'kernel', value: false }));
    expect(cites('shared-propagation', '5.20')).toContainEqual(expect.objectContaining({ fact: 'mounts[/shared].propagation', source: 'kernel', value: 'shared' }));
    expect(cites('sensitive-rw', '5.6')).toContainEqual(expect.objectContaining({ fact: 'mounts[/host-etc].readOnly', source: 'kernel', value: false }));
    expect(cites('default', '5.29')).toContainEqual(expect.objectContaining({ fact: 'cgroup.pidsLimit', source: 'kernel', value: null }));
    expect(cites('cgroup-parent', '5.25')).toContainEqual(expect.objectContaining({ fact: 'cgroup.path', source: 'kernel' }));
  });
});
