import { describe, expect, it } from 'vitest';
import type { Severity } from '../model/schema.js';
import { SEVERITIES } from '../model/schema.js';
import { gradeFor, scoreFindings, severityAtLeast, SCORE_MODEL_TEXT, SEVERITY_WEIGHTS } from './score.js';

/** Findings each in a family of its own (the default), or all in one family. */
const findings = (...severities: Severity[]) => severities.map((severity, index) => ({ severity, family: `family-${index}` }));
const sameFamily = (...severities: Severity[]) => severities.map((severity) => ({ severity, family: 'mounts' }));
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
  it('is monotone: adding a finding never raises the score, removing one never lowers it (2000 random lists over 3 families)', () => {
    const next = random(20261123);
    const pick = () => ({ severity: SEVERITIES[Math.floor(next() * SEVERITIES.length)]!, family: ['a', 'b', 'c'][Math.floor(next() * 3)]! });
    for (let trial = 0; trial < 2000; trial++) {
      const list = Array.from({ length: Math.floor(next() * 25) }, pick);
      const before = scoreFindings(list);
      const added = pick();
      const after = scoreFindings([...list, added]);
      const label = `${list.map((f) => `${f.family}:${f.severity}`).join(',')} + ${added.family}:${added.severity}`;
      expect(after.score, label).toBeLessThanOrEqual(before.score);
      expect(after.grade >= before.grade, label).toBe(true);
      if (list.length > 0) {
        const removed = list.filter((_, index) => index !== Math.floor(next() * list.length));
        expect(scoreFindings(removed).score).toBeGreaterThanOrEqual(before.score);
      }
    }
  });

  it('scores no findings 100 / A and info findings cost nothing', () => {
    expect(scoreFindings([])).toEqual({ score: 100, grade: 'A' });
    expect(scoreFindings(findings(...times(10, 'info')))).toEqual({ score: 100, grade: 'A' });
  });

  it('fails any container with a critical finding, however clean the rest', () => {
    expect(scoreFindings(findings('critical'))).toEqual({ score: 49, grade: 'F' });
    expect(scoreFindings(findings('critical', 'low', 'low')).score).toBe(40);
    expect(scoreFindings(findings('critical', 'critical')).score).toBe(0);
  });

  it('never grades a container with a high finding above D, nor below E without a critical one', () => {
    expect(scoreFindings(findings('high'))).toEqual({ score: 69, grade: 'D' });
    expect(scoreFindings(findings('high', 'medium', 'medium'))).toEqual({ score: 69, grade: 'D' });
    expect(scoreFindings(findings('high', 'high', 'medium', 'low'))).toEqual({ score: 57, grade: 'E' });
    // Ten highs watch and disturb the host ten ways; they still rank above any host-root case.
    expect(scoreFindings(findings(...times(10, 'high')))).toEqual({ score: 50, grade: 'E' });
    expect(scoreFindings(findings(...times(10, 'high'), 'critical')).score).toBeLessThan(50);
  });

  it('costs each finding its weight, and further findings of one family half', () => {
    expect(SEVERITY_WEIGHTS).toEqual({ critical: 50, high: 15, medium: 8, low: 5, info: 0 });
    expect(scoreFindings(findings('medium')).score).toBe(92);
    expect(scoreFindings(findings('low')).score).toBe(95);
    expect(scoreFindings(findings('medium', 'medium')).score).toBe(84);
    // One family: 8 + 8/2.
    expect(scoreFindings(sameFamily('medium', 'medium')).score).toBe(88);
    // The worst counts in full whatever the order: 8 + 5/2 + 8/2.
    expect(scoreFindings(sameFamily('low', 'medium', 'medium')).score).toBe(86);
    expect(scoreFindings(sameFamily('critical', 'critical')).score).toBe(25);
  });

  it('uses all six grades at the documented thresholds', () => {
    expect([90, 89, 80, 79, 70, 69, 60, 59, 50, 49, 0].map(gradeFor)).toEqual(['A', 'B', 'B', 'C', 'C', 'D', 'D', 'E', 'E', 'F', 'F']);
    expect(scoreFindings(findings('low', 'low')).grade).toBe('A');
    expect(scoreFindings(findings('medium', 'medium')).grade).toBe('B');
    expect(scoreFindings(findings(...times(3, 'medium'), 'low')).grade).toBe('C');
    expect(scoreFindings(findings(...times(4, 'medium'), 'low')).grade).toBe('D');
    expect(scoreFindings(findings('high', 'high', 'high')).grade).toBe('E');
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
