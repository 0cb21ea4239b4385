// `npm test`: type-check, build, unit, integration (real engine) and e2e (real engine + Chromium), then one summary line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const results = '.isolens-tmp/test-results';
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const steps = [
  { name: 'typecheck', cmd: ['npm', 'run', '-s', 'typecheck'] },
  { name: 'build', cmd: ['npm', 'run', '-s', 'build'] },
  { name: 'unit', cmd: ['npx', 'vitest', 'run', '--project', 'unit', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/unit.json`], counts: `${results}/unit.json` },
  { name: 'integration', cmd: ['npx', 'vitest', 'run', '--project', 'integration', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/integration.json`], counts: `${results}/integration.json` },
  { name: 'e2e', cmd: ['npx', 'playwright', 'test', '--reporter=list,json'], env: { PLAYWRIGHT_JSON_OUTPUT_NAME: `${results}/e2e.json` }, counts: `${results}/e2e.json`, playwright: true },
];

/** Why Playwright tests were skipped (e.g. no Electron binary), counted by reason, from its JSON report. */
function skipReasons(report) {
  const reasons = new Map();
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status !== 'skipped') continue;
        const annotations = [...(test.annotations ?? []), ...(test.results ?? []).flatMap((r) => r.annotations ?? [])];
        const reason = annotations.find((a) => a.type === 'skip')?.description ?? 'no reason given';
        reasons.set(`[${test.projectName}] ${reason}`, (reasons.get(`[${test.projectName}] ${reason}`) ?? 0) + 1);
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of report.suites ?? []) walk(suite);
  return reasons;
}

const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
for (const step of steps) {
  if (only.length > 0 && !only.includes(step.name)) continue;
  console.log(`\n=== ${step.name}: ${step.cmd.join(' ')}`);
  const started = Date.now();
  const run = spawnSync(step.cmd[0], step.cmd.slice(1), { stdio: 'inherit', env: { ...process.env, ...step.env } });
  console.log(`=== ${step.name}: exit ${run.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (step.counts && existsSync(step.counts)) {
    const report = JSON.parse(readFileSync(step.counts, 'utf8'));
    if (step.playwright) {
      for (const [reason, count] of skipReasons(report)) console.log(`=== e2e: ${count} skipped: ${reason}`);
      passed += report.stats?.expected ?? 0;
      failed += (report.stats?.unexpected ?? 0) + (report.stats?.flaky ?? 0);
      skipped += report.stats?.skipped ?? 0;
    } else {
      passed += report.numPassedTests ?? 0;
      failed += report.numFailedTests ?? 0;
      skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    }
  }
  if (run.status !== 0) {
    failures.push(step.name);
    if (step.name === 'build' || step.name === 'typecheck') break;
  }
}
if (failures.length > 0) console.log(`\nfailed steps: ${failures.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failures.length > 0 || failed > 0 ? 1 : 0);
