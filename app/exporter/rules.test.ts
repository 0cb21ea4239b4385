// deploy/prometheus/isolens.rules.yml checked and unit-tested by Prometheus' own promtool, and held to the house rules.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderMetrics } from './metrics.js';
import { loadSampleSnapshot } from '../report/fixtures/sample.js';

const RULES = fileURLToPath(new URL('../../deploy/prometheus/isolens.rules.yml', import.meta.url));
const RULE_TESTS = fileURLToPath(new URL('../../deploy/prometheus/isolens.rules.test.yml', import.meta.url));
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const missing = promtool.error ? 'promtool is not installed (Debian package prometheus; .ci/run installs it)' : null;
if (missing && process.env.CI) throw new Error(missing);

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

describe('alert rules', () => {
  const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: AlertRule[] }> }).groups.flatMap((g) => g.rules);

  it('every alert has for, a severity label, a summary and the command that shows the evidence', () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['IsolensContainerCriticalFinding', 'IsolensContainerSharesHostNamespace', 'IsolensEngineSocketMounted', 'IsolensHostScoreFalling', 'IsolensContainerWeakerThanLastVersion']),
    );
    for (const rule of rules) {
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['critical', 'high', 'warning'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.command, rule.alert).toMatch(/^isolens scan/);
    }
  });

  it('every metric a rule uses is one the exporter writes', async () => {
    const exposition = await renderMetrics({ snapshot: loadSampleSnapshot(), engineUp: true, scanDurationSeconds: 1, scrapeErrorsTotal: 0 });
    for (const rule of rules) {
      for (const name of rule.expr.match(/isolens_[a-z_]+/g) ?? []) expect(exposition, `${rule.alert}: ${name}`).toContain(`# TYPE ${name} `);
    }
  });

  it.skipIf(missing)('promtool check rules accepts the file', () => {
    const result = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toContain('SUCCESS: 6 rules found');
    expect(result.status).toBe(0);
  });

  it.skipIf(missing)('promtool test rules: each alert fires when it should, not before its for, with its labels and annotations', () => {
    const result = spawnSync('promtool', ['test', 'rules', RULE_TESTS], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });
});
