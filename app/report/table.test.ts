import { describe, expect, it } from 'vitest';
import { renderReport } from './index.js';
import { columnWidth } from './text.js';
import { hostileContainer, loadSampleSnapshot } from './fixtures/sample.js';

const ANSI_OR_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('table report', () => {
  const snapshot = loadSampleSnapshot();
  const table = renderReport(snapshot, 'table', { width: 120 });

  it('shows the engine line', () => {
    const engineLine = table.split('\n').find((line) => line.startsWith('Engine'))!;
    expect(engineLine).toContain('docker 20.10.24+dfsg1');
    expect(engineLine).toContain('API 1.41');
    expect(engineLine).toContain('unix:///var/run/docker.sock');
    expect(table).toContain('userns-remap off');
    expect(table).toContain('cgroup v1 (cgroupfs)');
  });

  it('lists every container worst first', () => {
    const rows = table.split('\n');
    const rowOf = (name: string) => rows.findIndex((line) => /^[A-F-] /.test(line) && line.includes(name));
    const order = ['isolens-report-dangerous', 'isolens-report-default', 'img src=x', 'isolens-report-hardened'].map(rowOf);
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(rows[order[0]!]).toMatch(/^F\s+0\s/);
    expect(rows[order[3]!]).toMatch(/^A\s+97\s/);
  });

  it('shows the isolation flags of the dangerous container', () => {
    const rows = table.split('\n');
    const index = rows.findIndex((line) => line.startsWith('F ') && line.includes('isolens-report-dangerous'));
    const flags = `${rows[index + 1]} ${rows[index + 2]}`;
    expect(flags).toContain('host:pid');
    expect(flags).toContain('caps bounding +SYS_ADMIN, effective all');
    expect(flags).toContain('seccomp unconfined');
    expect(flags).toContain('nnp off');
    // A writable host /etc is host root one step away: named in the flags as loudly as PRIVILEGED.
    expect(flags).toContain('HOST MOUNT /etc→/host-etc rw');
    expect(flags).toContain('ports *:80→8080/tcp');
    expect(rows[index]).toContain('0 (root)');
  });

  it('lists top findings, gaps with their reasons and host findings', () => {
    expect(table).toMatch(/CRITICAL\s+mounts\/engine-socket\s+The Docker engine socket is mounted/);
    expect(table).toContain('… and 10 more');
    expect(table).toContain('containers[isolens-report-exited]');
    expect(table).toContain('its process 23117 vanished');
    expect(table).toMatch(/MEDIUM\s+host\/icc-default-bridge/);
  });

  it('neutralizes control characters and ANSI escapes from container text', () => {
    expect(table).not.toMatch(ANSI_OR_CONTROL);
    expect(table).toContain('\\x1b[2J');
    // The hostile name's CR LF must not split the row: the row still carries its score and counts.
    const row = table.split('\n').find((line) => line.includes('img src=x') && /^E\s/.test(line))!;
    expect(row).toMatch(/^E\s+59\s/);
  });

  it('uses ANSI colour only when asked', () => {
    expect(table).not.toContain('\u001b[');
    const coloured = renderReport(snapshot, 'table', { color: true });
    expect(coloured).toContain('\u001b[1;31mF');
    // Colours come from the renderer only; the hostile name's own escape stays neutralized.
    expect(coloured).not.toContain('\u001b[2J');
  });

  it('keeps every line within the terminal width', () => {
    for (const width of [80, 120, 160]) {
      const lines = renderReport(snapshot, 'table', { width }).split('\n');
      const tooLong = lines.filter((line) => columnWidth(line) > width);
      expect(tooLong).toEqual([]);
    }
  });

  it('verbose lists every finding with evidence and the fix', () => {
    const verbose = renderReport(snapshot, 'table', { verbose: true, width: 120 });
    expect(verbose).not.toContain('… and');
    expect(verbose).toContain('evidence: namespaces.pid.sharedWithHost = true (kernel)');
    expect(verbose).toContain('docker run: --security-opt no-new-privileges');
  });

  it('still shows the facts when the risk engine did not run', () => {
    const facts = loadSampleSnapshot();
    facts.host = { findings: [], score: null, grade: null };
    for (const container of facts.containers) Object.assign(container, { findings: [], score: null, grade: null });
    const text = renderReport(facts, 'table');
    expect(text).toContain('not assessed');
    expect(text).toContain('isolens-report-dangerous');
    expect(text).toContain('host:pid');
    expect(text).not.toContain('Top findings');
    expect(hostileContainer(facts).name).toContain('\u001b');
  });

  it('says so when nothing runs', () => {
    const empty = loadSampleSnapshot();
    empty.containers = [];
    expect(renderReport(empty, 'table')).toContain('No running containers.');
  });
});
