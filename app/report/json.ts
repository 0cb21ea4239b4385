// The JSON report: the snapshot, validated against the public document schema, pretty-printed.
import { Snapshot } from '../model/schema.js';

/**
 * The document exactly as docs/isolens.schema.json describes it. Validation strips anything the schema does not
 * define and throws on a malformed snapshot: printing a document that breaks the public contract would be a bug.
 */
export function renderJson(snapshot: Snapshot): string {
  return `${JSON.stringify(Snapshot.parse(snapshot), null, 2)}\n`;
}
