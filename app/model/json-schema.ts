// The public JSON Schema of the Isolens document, generated from the zod model (docs/isolens.schema.json is its copy).
import * as z from 'zod';
import { SCHEMA_VERSION, Snapshot } from './schema.js';

export function snapshotJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Snapshot, { target: 'draft-2020-12', io: 'output' }) as Record<string, unknown>;
  return {
    $id: `https://isolens.dev/schema/v${SCHEMA_VERSION}/snapshot.json`,
    title: 'Isolens snapshot',
    description: 'How isolated each running container is, as read from the engine and the kernel. Produced by `isolens scan --json`.',
    ...schema,
  };
}
