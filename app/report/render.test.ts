// What a one-shot command writes, in parts, is byte for byte the report renderReport makes, ending in one newline.
import { describe, expect, it } from 'vitest';
import { renderReport, type ReportFormat } from './index.js';
import { renderReportParts } from './render.js';
import { loadSampleSnapshot } from './fixtures/sample.js';

describe('renderReportParts', () => {
  it.each<ReportFormat>(['json', 'table', 'sarif', 'html', 'markdown'])('%s: the parts joined are renderReport\'s text, with one final newline', async (format) => {
    const snapshot = loadSampleSnapshot();
    const parts = await renderReportParts(snapshot, format, { width: 100 });
    const whole = renderReport(snapshot, format, { width: 100 });
    expect(parts.join('')).toBe(whole.endsWith('\n') ? whole : `${whole}\n`);
    expect(parts.join('')).toMatch(/[^\n]\n$/);
  });

  it('json: the document and its newline are separate parts, so writing them copies neither', async () => {
    const parts = await renderReportParts(loadSampleSnapshot(), 'json');
    expect(parts).toHaveLength(2);
    expect(parts[1]).toBe('\n');
    expect(JSON.parse(parts[0]!)).toEqual(JSON.parse(renderReport(loadSampleSnapshot(), 'json')));
  });
});
