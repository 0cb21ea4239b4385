// The UI's export on the captured sample snapshot: each format is the CLI's own, under a name that says what it is.
import { describe, expect, it } from 'vitest';
import { ExportRequest } from '../model/export.js';
import { exportReport } from './export.js';
import { renderReport } from './index.js';
import { loadSampleSnapshot } from './fixtures/sample.js';

describe('exportReport', () => {
  const snapshot = loadSampleSnapshot();

  it('gives the CLI\'s report in each format, with a dated file name and its media type', () => {
    const sarif = exportReport(snapshot, { format: 'sarif' });
    expect(sarif.text).toBe(renderReport(snapshot, 'sarif'));
    expect(sarif.mediaType).toBe('application/sarif+json');
    expect(sarif.filename).toMatch(/^isolens-report-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.sarif$/);
    expect(exportReport(snapshot, { format: 'html' }).filename).toMatch(/\.html$/);
    expect(exportReport(snapshot, { format: 'json' }).text).toBe(renderReport(snapshot, 'json'));
  });

  it('gives the Markdown summary by default and the full report on request', () => {
    const summary = exportReport(snapshot, { format: 'markdown' });
    const full = exportReport(snapshot, { format: 'markdown', full: true });
    expect(summary.text).toBe(renderReport(snapshot, 'markdown'));
    expect(full.text).toBe(renderReport(snapshot, 'markdown', { full: true }));
    expect(full.text.length).toBeGreaterThan(summary.text.length);
    expect(full.filename).toMatch(/-full\.md$/);
    expect(summary.filename).not.toContain('-full');
  });

  it('refuses an unknown format or an extra field at the boundary', () => {
    expect(ExportRequest.safeParse({ format: 'markdown', full: true }).success).toBe(true);
    expect(ExportRequest.safeParse({ format: 'table' }).success).toBe(false);
    expect(ExportRequest.safeParse({ format: 'json', path: '/etc/passwd' }).success).toBe(false);
  });
});
