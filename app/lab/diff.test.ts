// diffContainers on documents built from captured inspect documents: rows, better side, findings split, score delta.
import { describe, expect, it } from 'vitest';
import { diffContainers, formatFactValue, type ContainerDiff } from './diff.js';
import { assessed, inspectFixture } from './fixtures/documents.js';

const weak = () => assessed(inspectFixture('weak'));
const hardened = () => assessed(inspectFixture('hardened'));
const row = (diff: ContainerDiff, fact: string) => {
  const found = diff.rows.find((r) => r.fact === fact);
  if (!found) throw new Error(`no row ${fact}`);
  return found;
};

describe('diffContainers', () => {
  it('puts every fact of a weak and a hardened container side by side and says which side isolates better', () => {
    const diff = diffContainers(weak(), hardened());
    expect(row(diff, 'readOnlyRootfs')).toMatchObject({ a: false, b: true, changed: true, better: 'b' });
    expect(row(diff, 'noNewPrivileges')).toMatchObject({ a: false, b: true, better: 'b' });
    expect(row(diff, 'privileged')).toMatchObject({ a: false, b: false, changed: false, better: null });
    expect(row(diff, 'namespaces.pid.sharedWithHost')).toMatchObject({ a: true, b: false, better: 'b' });
    expect(row(diff, 'namespaces.pid.mode')).toMatchObject({ a: 'host', b: '', better: null, changed: true });
    expect(row(diff, 'seccomp.profile')).toMatchObject({ a: 'unconfined', b: 'default', better: 'b' });
    expect(row(diff, 'seccomp.mode')).toMatchObject({ a: 'disabled', b: 'filter', better: 'b' });
    expect(row(diff, 'user.uid')).toMatchObject({ a: 0, b: 1000, better: 'b' });
    expect(row(diff, 'cgroup.memoryLimitBytes')).toMatchObject({ a: null, b: 128 * 1024 * 1024, better: 'b' });
    expect(row(diff, 'cgroup.cpuQuotaCores')).toMatchObject({ a: null, b: 0.5, better: 'b' });
    expect(row(diff, 'cgroup.pidsLimit')).toMatchObject({ a: null, b: 100, better: 'b' });
    const bounding = row(diff, 'capabilities.bounding');
    expect(bounding.a).toContain('CAP_SYS_ADMIN');
    expect(bounding.b).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(bounding.better).toBe('b');
    expect(row(diff, 'capabilities.droppedVsDefault').better).toBe('b');
    expect(row(diff, 'mounts[/var/run/docker.sock]')).toMatchObject({ b: null, better: 'b' });
    expect(String(row(diff, 'mounts[/host-etc]').a)).toMatch(/\/etc rw sensitive/);
    // A plain volume or tmpfs is not a risk: present on one side only, it changes the row but makes no side better.
    expect(row(diff, 'mounts[/data]')).toMatchObject({ changed: true, better: null });
    expect(row(diff, 'mounts[/tmp]')).toMatchObject({ a: null, changed: true, better: null });
    expect(row(diff, 'ports')).toMatchObject({ b: [], better: 'b' });
    expect(row(diff, 'ports').a).toEqual(expect.arrayContaining(['0.0.0.0:18090->80/tcp', '127.0.0.1:18091->443/tcp']));
  });

  it('splits the findings by side and reports the score delta as b − a', () => {
    const a = weak();
    const b = hardened();
    const diff = diffContainers(a, b);
    const onlyA = diff.findings.onlyInA.map((f) => f.ruleId);
    expect(onlyA).toEqual(expect.arrayContaining(['mounts/engine-socket', 'seccomp-lsm/seccomp-disabled', 'capabilities/sys-admin', 'namespaces/host-pid', 'network/all-interfaces']));
    for (const finding of diff.findings.onlyInB) expect(a.findings.map((f) => f.ruleId)).not.toContain(finding.ruleId);
    for (const pair of diff.findings.inBoth) {
      expect(a.findings.map((f) => f.ruleId)).toContain(pair.ruleId);
      expect(b.findings.map((f) => f.ruleId)).toContain(pair.ruleId);
    }
    expect(diff.findings.onlyInA.length + diff.findings.inBoth.length).toBe(a.findings.length);
    expect(diff.findings.onlyInB.length + diff.findings.inBoth.length).toBe(b.findings.length);
    expect(diff.scoreDelta).toBe(b.score! - a.score!);
    expect(diff.scoreDelta).toBeGreaterThan(0);
    expect(diff.a).toMatchObject({ name: 'isolens-int-lab-fixture-weak', grade: a.grade });
  });

  it('is symmetric: swapping the sides swaps every judgement', () => {
    const forward = diffContainers(weak(), hardened());
    const backward = diffContainers(hardened(), weak());
    expect(backward.scoreDelta).toBe(-forward.scoreDelta!);
    for (const r of forward.rows) {
      const mirrored = backward.rows.find((m) => m.fact === r.fact)!;
      expect(mirrored.a).toEqual(r.b);
      expect(mirrored.better).toBe(r.better === 'a' ? 'b' : r.better === 'b' ? 'a' : null);
    }
  });

  it('finds nothing changed between a container and itself', () => {
    const diff = diffContainers(hardened(), hardened());
    expect(diff.rows.filter((r) => r.changed)).toEqual([]);
    expect(diff.findings.onlyInA).toEqual([]);
    expect(diff.findings.onlyInB).toEqual([]);
    expect(diff.scoreDelta).toBe(0);
  });

  it('prefers any limit to none and the smaller of two limits', () => {
    const a = hardened();
    const b = hardened();
    b.cgroup.pidsLimit = 50;
    b.cgroup.memoryLimitBytes = null;
    const diff = diffContainers(a, b);
    expect(row(diff, 'cgroup.pidsLimit')).toMatchObject({ a: 100, b: 50, better: 'b' });
    expect(row(diff, 'cgroup.memoryLimitBytes').better).toBe('a');
  });

  it('has no score delta when a side is not assessed', () => {
    const b = hardened();
    b.score = null;
    expect(diffContainers(weak(), b).scoreDelta).toBeNull();
  });

  it('formats values as plain text', () => {
    expect(formatFactValue(null)).toBe('—');
    expect(formatFactValue([])).toBe('(none)');
    expect(formatFactValue(['CAP_CHOWN', 'CAP_KILL'])).toBe('CAP_CHOWN, CAP_KILL');
    expect(formatFactValue(0.5)).toBe('0.5');
  });
});
