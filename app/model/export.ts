// What the UI's Export menu asks for and gets back: a report of the current snapshot as a file to save.
import * as z from 'zod';

export const EXPORT_FORMATS = ['html', 'sarif', 'markdown', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A format, and for Markdown `full` for every finding instead of the summary that fits a pull-request comment. */
export const ExportRequest = z.object({ format: z.enum(EXPORT_FORMATS), full: z.boolean().optional() }).strict();
export type ExportRequest = z.infer<typeof ExportRequest>;

export interface ExportedReport {
  /** A plain file name to offer: isolens-report-2026-12-01T15-20-00Z.sarif */
  filename: string;
  /** The media type of the text (the Blob's type). */
  mediaType: string;
  text: string;
}
