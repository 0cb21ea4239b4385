// `npm run schema`: regenerate docs/isolens.schema.json from the zod model.
import { writeFileSync } from 'node:fs';
import { snapshotJsonSchema } from '../app/model/json-schema.js';

writeFileSync(new URL('../docs/isolens.schema.json', import.meta.url), `${JSON.stringify(snapshotJsonSchema(), null, 2)}\n`);
console.log('wrote docs/isolens.schema.json');
