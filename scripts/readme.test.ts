// Keeps README.md true where it quotes the code: the score model and the exit codes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCORE_MODEL_TEXT } from '../app/rules/score.js';
import { EXIT } from '../app/cli/main.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('quotes the score model exactly as app/rules/score.ts states it', () => {
    for (const line of SCORE_MODEL_TEXT.split('\n')) expect(readme).toContain(line);
  });
  it('documents every exit code', () => {
    for (const code of Object.values(EXIT)) expect(readme).toMatch(new RegExp('`' + code + '`'));
  });
  it('has exactly two set-up commands, and the second runs npm test', () => {
    const setup = readme.split('## Set up')[1]!.split('```sh')[1]!.split('```')[0]!.trim().split('\n');
    expect(setup).toHaveLength(2);
    expect(setup[1]).toMatch(/npm test/);
  });
});
