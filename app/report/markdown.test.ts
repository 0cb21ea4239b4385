import { describe, expect, it } from 'vitest';
import { renderReport } from './index.js';
import { GITHUB_COMMENT_LIMIT, renderMarkdownSummary } from './markdown.js';
import { loadSampleSnapshot } from './fixtures/sample.js';

/** Cells of a GFM table row: split on pipes that are not backslash-escaped. */
function cells(row: string): string[] {
  return row.replace(/^\|\s?|\s?\|$/g, '').split(/(?<!\\)\|/);
}

describe('markdown report, full', () => {
  const snapshot = loadSampleSnapshot();
  const markdown = renderReport(snapshot, 'markdown', { full: true });
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
    const row = renderReport(changed, 'markdown', { full: true }).split('\n').find((line) => line.includes('--label a'))!;
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

describe('markdown report, summary (the default)', () => {
  /** The sample's containers copied to `count`, each with a 64-character name, as a fleet of compose projects would be. */
  function fleet(count: number) {
    const snapshot = loadSampleSnapshot();
    const base = snapshot.containers;
    snapshot.containers = Array.from({ length: count }, (_, index) => {
      const source = structuredClone(base[index % base.length]!);
      source.id = index.toString(16).padStart(64, '0');
      source.name = `${'project-with-a-long-name_service-with-a-long-name-'.padEnd(58, 'x')}-${String(index).padStart(5, '0')}`;
      return source;
    });
    return snapshot;
  }

  it('fits a GitHub comment at 500 containers with 64-character names, and says what it left out', () => {
    const snapshot = fleet(500);
    expect(snapshot.containers[0]!.name).toHaveLength(64);
    const markdown = renderReport(snapshot, 'markdown');
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(markdown).toContain('(25 of 500)');
    expect(markdown).toContain('475 more containers not listed.');
    expect(markdown).toContain('isolens scan --format markdown --full');
    // The full report of the same fleet would not fit: the summary is what makes a comment possible.
    expect(renderReport(snapshot, 'markdown', { full: true }).length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
  });

  it('leads with counts and the findings grouped by rule, worst first, each naming its containers', () => {
    const snapshot = loadSampleSnapshot();
    const markdown = renderReport(snapshot, 'markdown');
    const lines = markdown.split('\n');
    expect(markdown).toMatch(/\*\*Containers with a finding:\*\* \*\*\d+\*\* critical/);
    const top = lines.indexOf('| Severity | Finding | Containers | Fix |');
    expect(top).toBeGreaterThan(0);
    const severities = lines.slice(top + 2).filter((l) => l.startsWith('| **')).map((l) => cells(l)[0]!.replace(/\*/g, '').trim());
    const order = ['critical', 'high', 'medium', 'low'];
    expect(severities.map((s) => order.indexOf(s))).toEqual([...severities.map((s) => order.indexOf(s))].sort((a, b) => a - b));
    expect(severities.length).toBeLessThanOrEqual(15);
    // No per-finding evidence and no links in the summary.
    expect(markdown).not.toContain('### Host');
    expect(markdown).not.toMatch(/\]\(http/);
    expect(markdown).not.toMatch(/(?<!\\)<img/);
  });

  it('shrinks its lists rather than exceed the budget it is given', () => {
    const markdown = renderMarkdownSummary(fleet(60), 4000);
    expect(markdown.length).toBeLessThanOrEqual(4000);
    expect(markdown).toMatch(/more containers not listed/);
  });
});
