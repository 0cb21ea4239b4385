// The diff table's words and units, on the diff of two containers assessed from captured inspect documents.
import { describe, expect, it } from 'vitest';
import { diffContainers } from '../../../app/lab/diff.js';
import { assessed, inspectFixture } from '../../../app/lab/fixtures/documents.js';
import { factText, GROUP_LABELS } from './fact-text.js';

const diff = diffContainers(assessed(inspectFixture('weak')), assessed(inspectFixture('hardened')));
const shown = (fact: string) => {
  const row = diff.rows.find((r) => r.fact === fact);
  if (!row) throw new Error(`no row ${fact}`);
  const text = factText(fact);
  return [text.label, text.format(row.a), text.format(row.b)];
};

describe('factText', () => {
  it('names limits in units, "no limit" where there is none', () => {
    expect(shown('cgroup.memoryLimitBytes')).toEqual(['Memory limit', 'no limit', '128 MiB']);
    expect(shown('cgroup.cpuQuotaCores')).toEqual(['CPU limit', 'no limit', '0.5 CPUs']);
    expect(shown('cgroup.pidsLimit')).toEqual(['Process limit (pids)', 'no limit', '100 processes']);
    expect(factText('cgroup.memoryLimitBytes').format(64 * 1024 * 1024)).toBe('64 MiB');
    expect(factText('cgroup.memoryLimitBytes').format(1.5 * 1024 ** 3)).toBe('1.5 GiB');
  });

  it('reads booleans, root and the engine default in words', () => {
    expect(shown('readOnlyRootfs')).toEqual(['Read-only root filesystem', 'no', 'yes']);
    expect(shown('user.uid')).toEqual(['User id', '0 (root)', '1000']);
    expect(shown('namespaces.pid.sharedWithHost')).toEqual(["Shares the host's PID namespace", 'yes', 'no']);
    expect(shown('namespaces.pid.mode')).toEqual(['PID namespace mode', 'host', 'engine default']);
    expect(shown('capabilities.bounding')[2]).toBe('1: CAP_NET_BIND_SERVICE');
  });

  it('labels every row and group the diff makes (no raw fact path left as a label)', () => {
    const unlabelled = diff.rows.filter((row) => factText(row.fact).label === row.fact).map((row) => row.fact);
    expect(unlabelled).toEqual([]);
    expect(diff.rows.filter((row) => GROUP_LABELS[row.group] === undefined)).toEqual([]);
    expect(factText('mounts[/data]').label).toBe('Mount at /data');
  });
});
