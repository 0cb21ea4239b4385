import { describe, expect, it } from 'vitest';
import { renderReport } from './index.js';
import { loadSampleSnapshot } from './fixtures/sample.js';

/** Cells of a GFM table row: split on pipes that are not backslash-escaped. */
function cells(row: string): string[] {
  return row.replace(/^\|\s?|\s?\|$/g, '').split(/(?<!\\)\|/);
}

describe('markdown report', () => {
  const snapshot = loadSampleSnapshot();
  const markdown = renderReport(snapshot, 'markdown');
  const lines = markdown.split('\n');

  it('opens with a summary table, worst first, with counts by severity', () => {
    const header = lines.indexOf('| Container | Grade | Score | Critical | High | Medium | Low |');
    expect(header).toBeGreaterThan(0);
    const rows = lines.slice(header + 2, header + 6);
    expect(rows[0]).toBe('| isolens\\-report\\-dangerous | F | 0 | **2** | **3** | **5** | **5** |'.replace(/\\-/g, '-'));
    expect(rows[3]).toContain('isolens-report-hardened | A | 97');
  });

  it('escapes pipes and markup in container names so table rows keep their cells', () => {
    const row = lines.find((line) => line.includes('img src=x') && line.startsWith('|'))!;
    expect(cells(row)).toHaveLength(7);
    expect(row).toContain('\\|evil');
    expect(row).toContain('\\<img src=x onerror=alert(1)\\>');
    expect(markdown).not.toMatch(/(?<!\\)<img/);
    expect(markdown).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202a-\u202e]/);
  });

  it('groups findings per container, fixes in code spans, every finding row with four cells', () => {
    expect(markdown).toContain('### isolens-report-dangerous · grade F (0)');
    expect(markdown).toContain('docker run: `--security-opt no-new-privileges`');
    expect(markdown).toContain('compose: `security_opt: ["no-new-privileges:true"]`');
    const findingRows = lines.filter((line) => line.startsWith('| **'));
    expect(findingRows).toHaveLength(snapshot.host.findings.length + snapshot.containers.reduce((n, c) => n + c.findings.length, 0));
    for (const row of findingRows) expect(cells(row)).toHaveLength(4);
  });

  it('escapes pipes inside code spans in table cells', () => {
    const changed = loadSampleSnapshot();
    changed.containers[0]!.findings[0]!.remediation.dockerRun = '--label a|b';
    const row = renderReport(changed, 'markdown').split('\n').find((line) => line.includes('--label a'))!;
    expect(row).toContain('`--label a\\|b`');
    expect(cells(row)).toHaveLength(4);
  });

  it('lists host findings and gaps', () => {
    expect(markdown).toContain('### Host');
    expect(markdown).toContain('host/icc\\-default\\-bridge'.replace(/\\-/g, '-'));
    expect(markdown).toContain('### Not read');
    expect(markdown).toContain('its process 23117 vanished');
  });
});
