// The JSON report: the snapshot as docs/isolens.schema.json describes it, pretty-printed.
import type { Snapshot } from '../model/schema.js';

/**
 * The document as it is. It is not re-validated on every run (that cost a one-shot scan ~20 ms): the snapshot is built
 * from validated engine answers by typed code, and tests check real scans' output against the schema, field for field.
 */
export function renderJson(snapshot: Snapshot): string {
  return `${jsonDocument(snapshot)}\n`;
}

/** The document's text without the newline renderJson ends it with (what a caller writing it in parts wants). */
export function jsonDocument(snapshot: Snapshot): string {
  return JSON.stringify(snapshot, null, 2);
}
