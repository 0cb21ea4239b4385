import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { snapshotJsonSchema } from './json-schema.js';

describe('docs/isolens.schema.json', () => {
  it('is the schema generated from the model (run `npm run schema` after changing app/model/schema.ts)', () => {
    const published = JSON.parse(readFileSync(new URL('../../docs/isolens.schema.json', import.meta.url), 'utf8'));
    expect(published).toEqual(snapshotJsonSchema());
  });

  it('requires the fields the contract promises', () => {
    const schema = snapshotJsonSchema() as { required: string[]; properties: Record<string, { items?: { required?: string[] } }> };
    expect(schema.required).toEqual(expect.arrayContaining(['schemaVersion', 'generatedAt', 'engine', 'containers']));
    expect(schema.properties.containers?.items?.required).toEqual(
      expect.arrayContaining(['id', 'name', 'namespaces', 'capabilities', 'seccomp', 'noNewPrivileges', 'lsm', 'cgroup', 'mounts', 'ports', 'devices', 'gaps']),
    );
  });
});
