import { describe, expect, it } from 'vitest';
import { NAMESPACE_KINDS, SCHEMA_VERSION, type ContainerIsolation, type Snapshot } from '../model/schema.js';
import { assessSnapshot } from '../assess.js';
import { CONTAINER_RULES } from './catalogue.js';
import { baselineContainer, baselineEngine } from './fixtures/baseline.js';

const NO_SOURCE = 'no kernel source: the engine at tcp://10.0.0.5:2376 runs in a VM or on another machine, and the engine refused the helper container (--pid=host is not allowed)';

function assess(container: ContainerIsolation, ignore: string[] = []): ContainerIsolation {
  const snapshot: Snapshot = { schemaVersion: SCHEMA_VERSION, generatedAt: '2026-12-01T00:00:00Z', engine: baselineEngine(), host: { findings: [], score: null, grade: null }, containers: [container], gaps: [] };
  return assessSnapshot(snapshot, { ignore }).containers[0]!;
}

/** What the collector makes of a container when no kernel source is possible: the configuration, and a gap per kernel fact. */
function withoutKernel(container: ContainerIsolation): ContainerIsolation {
  for (const key of Object.keys(container.sources)) container.sources[key] = 'config';
  for (const kind of NAMESPACE_KINDS) container.namespaces[kind] = { ...container.namespaces[kind], inode: null, source: 'config' };
  container.gaps = ['namespaces', 'capabilities', 'seccomp', 'noNewPrivileges', 'user', 'mounts', 'cgroup', 'lsm'].map((fact) => ({ fact, reason: NO_SOURCE }));
  return container;
}

describe('checks that could not be made', () => {
  it('read from the kernel, every check was made: nothing is listed and the score stands', () => {
    const assessed = assess(baselineContainer());
    expect(assessed.notAssessable).toEqual([]);
    expect(assessed.grade).not.toBeNull();
  });

  it('with no kernel source, every kernel check that did not fire is not assessable, with the reason, and nothing is graded', () => {
    const assessed = assess(withoutKernel(baselineContainer()));
    const listed = new Set(assessed.notAssessable!.map((entry) => entry.ruleId));
    for (const family of ['capabilities', 'namespaces', 'seccomp-lsm', 'mounts', 'resources']) {
      const unfired = CONTAINER_RULES.filter((rule) => rule.family === family && !assessed.findings.some((f) => f.ruleId === rule.id));
      expect(unfired.length, family).toBeGreaterThan(0);
      for (const rule of unfired) expect(listed.has(rule.id), rule.id).toBe(true);
    }
    expect(assessed.notAssessable!.every((entry) => entry.reason === NO_SOURCE)).toBe(true);
    // A check that fired from the configuration is a finding, not "not assessable"; configuration-only checks are made.
    for (const finding of assessed.findings) expect(listed.has(finding.ruleId), finding.ruleId).toBe(false);
    expect([...listed].some((id) => id.startsWith('network/') || id === 'runtime/no-healthcheck')).toBe(false);
    expect(assessed.score).toBeNull();
    expect(assessed.grade).toBeNull();
  });

  it('one unreadable fact makes only its checks not assessable; the container keeps its score', () => {
    const container = baselineContainer();
    container.gaps.push({ fact: 'cgroup', reason: 'permission denied reading /sys/fs/cgroup/memory/docker/x/memory.limit_in_bytes: run Isolens as root to read it' });
    const assessed = assess(container);
    expect(assessed.notAssessable!.length).toBeGreaterThan(0);
    expect(assessed.notAssessable!.every((entry) => entry.fact === 'cgroup' && (entry.ruleId.startsWith('resources/') || entry.ruleId.startsWith('consistency/')))).toBe(true);
    expect(assessed.grade).not.toBeNull();
  });

  it('an accepted risk is not listed', () => {
    const assessed = assess(withoutKernel(baselineContainer()), ['resources']);
    expect(assessed.notAssessable!.some((entry) => entry.ruleId.startsWith('resources/'))).toBe(false);
  });
});
