// A report as a file to save from the UI (serve or the desktop app): the same renderReport the CLI's --format uses.
import type { ExportedReport, ExportFormat, ExportRequest } from '../model/export.js';
import type { Snapshot } from '../model/schema.js';
import { renderReport } from './index.js';

const FILE: Record<ExportFormat, { extension: string; mediaType: string }> = {
  html: { extension: 'html', mediaType: 'text/html' },
  // .sarif is the extension GitHub code scanning's upload and the SARIF viewers look for.
  sarif: { extension: 'sarif', mediaType: 'application/sarif+json' },
  markdown: { extension: 'md', mediaType: 'text/markdown' },
  json: { extension: 'json', mediaType: 'application/json' },
};

/** The report of this snapshot as a file. Pure; the name carries the scan's time, so two exports do not overwrite. */
export function exportReport(snapshot: Snapshot, request: ExportRequest): ExportedReport {
  const { extension, mediaType } = FILE[request.format];
  const generated = new Date(snapshot.generatedAt);
  const stamp = (Number.isNaN(generated.getTime()) ? new Date() : generated).toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const full = request.format === 'markdown' && request.full === true;
  return { filename: `isolens-report-${stamp}${full ? '-full' : ''}.${extension}`, mediaType, text: renderReport(snapshot, request.format, { full }) };
}
