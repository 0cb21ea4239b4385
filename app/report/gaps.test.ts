import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Snapshot } from '../model/schema.js';
import { describeGroupContainers, describeGroupFacts, groupGaps, permissionHeadline } from './gaps.js';
import { loadSampleSnapshot } from './fixtures/sample.js';

const nonroot = Snapshot.parse(JSON.parse(readFileSync(new URL('./fixtures/nonroot-scan.json', import.meta.url), 'utf8')));

describe('grouped gaps', () => {
  it('a non-root scan: 24 permission gaps on 3 containers are one group naming the eight namespaces', () => {
    expect(nonroot.containers.flatMap((c) => c.gaps)).toHaveLength(24);
    const groups = groupGaps(nonroot);
    expect(groups).toHaveLength(1);
    const [group] = groups;
    expect(group!.count).toBe(24);
    expect(group!.containers).toEqual(nonroot.containers.map((c) => c.name));
    expect(describeGroupFacts(group!)).toBe('namespaces pid, net, ipc, uts, mnt, user, cgroup, time');
    expect(group!.reason).toBe("permission denied reading /proc/PID/ns/*: run Isolens as root or with CAP_SYS_PTRACE to read /proc/PID/ns/* of another user's process");
  });

  it('different hazards stay apart, and a gap of its own keeps its exact reason', () => {
    const sample = loadSampleSnapshot();
    const groups = groupGaps(sample);
    const all = sample.containers.flatMap((c) => c.gaps).length + sample.gaps.length;
    expect(groups.reduce((n, g) => n + g.count, 0)).toBe(all);
    const vanished = groups.find((g) => g.reason.includes('vanished'))!;
    expect(vanished.count).toBe(1);
    expect(vanished.reason).toMatch(/process 23117/);
    // No gap of the scan is merged into a container's.
    for (const group of groups) expect(group.scan ? group.containers.length === 0 : group.containers.length > 0).toBe(true);
  });

  it('one reason over several families is one group: "no kernel source" for every kernel fact', () => {
    const reason = 'no kernel source: the helper image could not be pulled; kernel facts come from the engine configuration';
    const facts = ['namespaces', 'capabilities', 'seccomp', 'cgroup'];
    const snapshot = { gaps: [], containers: ['a', 'b'].map((name) => ({ name, gaps: facts.map((fact) => ({ fact, reason })) })) };
    const groups = groupGaps(snapshot);
    expect(groups).toHaveLength(1);
    expect(describeGroupFacts(groups[0]!)).toBe('namespaces; capabilities; seccomp; cgroup');
    expect(permissionHeadline(snapshot)).toMatch(/^no kernel source for 2 of 2 containers \(namespaces, capabilities, seccomp, cgroup\)/);
  });

  it('lists a bounded number of names', () => {
    const names = Array.from({ length: 30 }, (_, i) => `web-${i}`);
    expect(describeGroupContainers(names)).toBe('web-0, web-1, web-2, web-3, web-4 and 25 more');
    expect(describeGroupContainers(names.slice(0, 2))).toBe('web-0, web-1');
  });
});

describe('the permission headline', () => {
  it('says what is limited and what to do, once', () => {
    expect(permissionHeadline(nonroot)).toBe(
      "permission denied reading the kernel's view of 3 of 3 containers (namespaces): those facts come from the engine's configuration, unverified; run Isolens as root (sudo isolens scan), or with --kernel-source helper (a short-lived helper container on the engine reads them), or with CAP_SYS_PTRACE",
    );
  });

  it('is absent when nothing was denied', () => {
    expect(permissionHeadline(loadSampleSnapshot())).toBeNull();
  });
});

describe('a non-root scan in the reports', () => {
  it('the table leads with one Limited line and prints the 24 gaps as one entry', async () => {
    const { renderReport } = await import('./index.js');
    const table = renderReport(nonroot, 'table', { width: 120 });
    const lines = table.split('\n');
    const limited = lines.filter((line) => line.startsWith('Limited'));
    expect(limited).toHaveLength(1);
    expect(lines.indexOf(limited[0]!)).toBeLessThan(lines.findIndex((line) => line.startsWith('GRADE')));
    const gapSection = lines.slice(lines.findIndex((line) => line.startsWith('Not read (gaps)')), lines.findIndex((line) => line.startsWith('Host findings')));
    expect(gapSection.filter((line) => /permission denied/.test(line))).toHaveLength(1);
    expect(gapSection.join('\n')).toContain('3 containers  namespaces pid, net, ipc, uts, mnt, user, cgroup, time:');
    expect(gapSection.join('\n')).toContain('on isolens-report-nonroot-a, isolens-report-nonroot-b, isolens-report-nonroot-c');
    expect(gapSection.length).toBeLessThan(10);
  });

  it('the full Markdown report groups them the same way', async () => {
    const { renderReport } = await import('./index.js');
    const markdown = renderReport(nonroot, 'markdown', { full: true });
    const notRead = markdown.slice(markdown.indexOf('### Not read'));
    expect(notRead).toContain('**Limited:** permission denied');
    expect(notRead.split('\n').filter((line) => line.startsWith('- '))).toHaveLength(1);
    expect(notRead).toContain('- 3 containers (isolens-report-nonroot-a, isolens-report-nonroot-b, isolens-report-nonroot-c): `namespaces pid, net, ipc, uts, mnt, user, cgroup, time`');
  });
});

describe('a non-root scan in the HTML report', () => {
  it('one Limited paragraph and one row for the 24 gaps, every container linked', async () => {
    const { renderReport } = await import('./index.js');
    const page = renderReport(nonroot, 'html');
    const section = page.slice(page.indexOf('id="gaps-heading"'), page.indexOf('</section>', page.indexOf('id="gaps-heading"')));
    expect(section).toContain('<strong>Limited:</strong> permission denied');
    expect(section.match(/<tr><td>/g)).toHaveLength(1);
    for (const container of nonroot.containers) expect(section).toContain(`>${container.name}</a>`);
  });
});
