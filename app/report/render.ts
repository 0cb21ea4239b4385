// renderReport for a one-shot command: loads only the chosen format's module (the CLI's `scan --json` never loads the
// table, HTML, Markdown or SARIF renderers); index.ts stays the synchronous entry for callers that have them all loaded.
import type { Snapshot } from '../model/schema.js';
import type { ReportFormat, ReportOptions } from './index.js';

/** renderReport(snapshot, format, options), with the format's module imported first. */
export async function renderReportLoaded(snapshot: Snapshot, format: ReportFormat, options: ReportOptions = {}): Promise<string> {
  switch (format) {
    case 'table':
      return (await import('./table.js')).renderTable(snapshot, options);
    case 'json':
      return (await import('./json.js')).renderJson(snapshot);
    case 'sarif':
      return (await import('./sarif.js')).renderSarif(snapshot);
    case 'html':
      return (await import('./html.js')).renderHtml(snapshot);
    case 'markdown':
      return (await import('./markdown.js')).renderMarkdown(snapshot, { full: options.full });
    default: {
      const unknown: never = format;
      throw new Error(`unknown report format ${String(unknown)}`);
    }
  }
}

/**
 * The report as the parts to write one after the other, the last ending in a newline. The JSON document and its newline
 * are two parts: joined, they are a string that writing flattens, a copy of the whole document (~1.4 MB of a 30-container
 * scan's ~17 MB of allocations).
 */
export async function renderReportParts(snapshot: Snapshot, format: ReportFormat, options: ReportOptions = {}): Promise<string[]> {
  if (format === 'json') return [(await import('./json.js')).jsonDocument(snapshot), '\n'];
  const report = await renderReportLoaded(snapshot, format, options);
  return [report.endsWith('\n') ? report : `${report}\n`];
}
