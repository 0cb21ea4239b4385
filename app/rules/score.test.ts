import { describe, expect, it } from 'vitest';
import type { Severity } from '../model/schema.js';
import { SEVERITIES } from '../model/schema.js';
import { gradeFor, scoreFindings, severityAtLeast, SCORE_MODEL_TEXT } from './score.js';

const findings = (...severities: Severity[]) => severities.map((severity) => ({ severity }));
const times = (n: number, severity: Severity) => Array.from({ length: n }, () => severity);

/** A small deterministic PRNG, so a failing list can be reproduced from its seed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('score model', () => {
  it('is monotone: adding a finding never raises the score, removing one never lowers it (2000 random lists)', () => {
    const next = random(20261123);
    for (let trial = 0; trial < 2000; trial++) {
      const list = times(Math.floor(next() * 25), 'info').map(() => SEVERITIES[Math.floor(next() * SEVERITIES.length)]!);
      const before = scoreFindings(findings(...list));
      const added = SEVERITIES[Math.floor(next() * SEVERITIES.length)]!;
      const after = scoreFindings(findings(...list, added));
      expect(after.score, `${list.join(',')} + ${added}`).toBeLessThanOrEqual(before.score);
      expect(after.grade >= before.grade, `${list.join(',')} + ${added}`).toBe(true);
      if (list.length > 0) {
        const removed = list.filter((_, index) => index !== Math.floor(next() * list.length));
        expect(scoreFindings(findings(...removed)).score).toBeGreaterThanOrEqual(before.score);
      }
    }
  });

  it('scores no findings 100 / A and info findings cost nothing', () => {
    expect(scoreFindings([])).toEqual({ score: 100, grade: 'A' });
    expect(scoreFindings(findings(...times(10, 'info')))).toEqual({ score: 100, grade: 'A' });
  });

  it('fails any container with a critical finding, however clean the rest', () => {
    expect(scoreFindings(findings('critical'))).toEqual({ score: 49, grade: 'F' });
    expect(scoreFindings(findings('critical', 'critical', 'critical')).score).toBe(Math.round(100 * Math.pow(55 / 100, 3)));
  });

  it('never grades a container with a high finding above D', () => {
    expect(scoreFindings(findings('high'))).toEqual({ score: 69, grade: 'D' });
    // two highs: 100 − 50 × (1 − 0.6²) = 68
    expect(scoreFindings(findings('high', 'high'))).toEqual({ score: 68, grade: 'D' });
  });

  it('gives diminishing but non-zero weight to repeated findings of one severity', () => {
    // medium: 8 for the first, 30 at most: 1 → 92, 2 → 86.1 ≈ 86, 4 → 78.7 ≈ 79
    expect(scoreFindings(findings('medium')).score).toBe(92);
    expect(scoreFindings(findings('medium', 'medium')).score).toBe(86);
    expect(scoreFindings(findings(...times(4, 'medium'))).score).toBe(79);
    expect(scoreFindings(findings(...times(50, 'medium'))).score).toBe(70);
    expect(scoreFindings(findings(...times(50, 'low'))).score).toBe(88);
  });

  it('uses all six grades at the documented thresholds', () => {
    expect([90, 89, 80, 79, 70, 69, 60, 59, 50, 49, 0].map(gradeFor)).toEqual(['A', 'B', 'B', 'C', 'C', 'D', 'D', 'E', 'E', 'F', 'F']);
    expect(scoreFindings(findings('low')).grade).toBe('A');
    expect(scoreFindings(findings('medium', 'medium')).grade).toBe('B');
    expect(scoreFindings(findings(...times(4, 'medium'), 'low')).grade).toBe('C');
    // three highs: 100 − 39.2 = 60.8 → D; and a medium: 52.8 → E
    expect(scoreFindings(findings('high', 'high', 'high')).grade).toBe('D');
    expect(scoreFindings(findings('high', 'high', 'high', 'medium')).grade).toBe('E');
  });

  it('orders severities for --fail-on', () => {
    expect(severityAtLeast('critical', 'high')).toBe(true);
    expect(severityAtLeast('high', 'high')).toBe(true);
    expect(severityAtLeast('medium', 'high')).toBe(false);
    expect(severityAtLeast('info', 'info')).toBe(true);
    expect(severityAtLeast('info', 'low')).toBe(false);
  });

  it('explains itself in five lines', () => {
    expect(SCORE_MODEL_TEXT.split('\n')).toHaveLength(5);
    expect(SCORE_MODEL_TEXT).toContain('monotone');
  });
});
