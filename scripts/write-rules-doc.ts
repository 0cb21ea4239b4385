// `npm run rules:doc`: rewrite the rule reference table in docs/rules.md from the catalogue (a test fails when it drifts).
import { readFileSync, writeFileSync } from 'node:fs';
import { rulesReferenceTable } from '../app/rules/reference.js';

const path = new URL('../docs/rules.md', import.meta.url);
const doc = readFileSync(path, 'utf8');
const start = doc.indexOf('| Rule id |');
if (start < 0) throw new Error('docs/rules.md has no reference table ("| Rule id |")');
const rest = doc.slice(start);
const end = rest.search(/\n(?!\|)/);
const table = rulesReferenceTable().trimEnd();
writeFileSync(path, `${doc.slice(0, start)}${table}${end < 0 ? '\n' : rest.slice(end)}`);
console.log('rewrote the rule table in docs/rules.md');
