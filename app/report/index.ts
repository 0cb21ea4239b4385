// One entry point for every report format: `isolens scan --format …` and the UI's export call renderReport.
import type { Snapshot } from '../model/schema.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'html', 'markdown'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportOptions {
  /** ANSI colours in the table (only when stdout is a terminal). Other formats ignore it. */
  color?: boolean;
  /** Terminal columns for the table; default 120. */
  width?: number;
  /** The table lists every finding with evidence and fix, not only the worst few. */
  verbose?: boolean;
  /** Markdown: every container's findings with evidence and fixes, instead of the summary that fits a pull-request comment. */
  full?: boolean;
}

/** Render a snapshot in one format. Pure: no I/O; the caller writes the string where it belongs. */
export function renderReport(snapshot: Snapshot, format: ReportFormat, options: ReportOptions = {}): string {
  switch (format) {
    case 'table':
      return renderTable(snapshot, options);
    case 'json':
      return renderJson(snapshot);
    case 'sarif':
      return renderSarif(snapshot);
    case 'html':
      return renderHtml(snapshot);
    case 'markdown':
      return renderMarkdown(snapshot, { full: options.full });
    default: {
      const unknown: never = format;
      throw new Error(`unknown report format ${String(unknown)}`);
    }
  }
}

export { renderTable, renderJson, renderSarif, renderHtml, renderMarkdown };
export { buildSarifLog } from './sarif.js';
export { escapeHtml, neutralizeText } from './text.js';
