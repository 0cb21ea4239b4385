import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import { renderReport } from './index.js';
import { hostileContainer, loadSampleSnapshot } from './fixtures/sample.js';

/**
 * The official SARIF 2.1.0 schema as Microsoft's SARIF SDK ships it in the Multitool's platform package
 * (devDependency `@microsoft/sarif-multitool`, which installs the one for this platform).
 * ISOLENS_SARIF_SCHEMA points at another copy of the same file.
 */
function officialSarifSchema(): object {
  const packagePath = `@microsoft/sarif-multitool-${process.platform}/sarif-2.1.0.json`;
  let path = process.env.ISOLENS_SARIF_SCHEMA;
  if (!path) {
    try {
      path = createRequire(import.meta.url).resolve(packagePath);
    } catch {
      throw new Error(`the official SARIF schema ${packagePath} is missing: npm install (devDependency @microsoft/sarif-multitool)`);
    }
  }
  return JSON.parse(readFileSync(path, 'utf8')) as object;
}

describe('sarif report', () => {
  const snapshot = loadSampleSnapshot();
  const text = renderReport(snapshot, 'sarif');
  const log = JSON.parse(text) as Sarif.Log;
  const run = log.runs[0]!;
  const findingCount = snapshot.host.findings.length + snapshot.containers.reduce((n, c) => n + c.findings.length, 0);

  it('validates against the official SARIF 2.1.0 schema', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(officialSarifSchema());
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    // The validator does reject a broken log (guards against a schema that accepts anything).
    const broken = structuredClone(log) as unknown as { runs: { results: { level: string }[] }[] };
    broken.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(broken)).toBe(false);
  });

  it('has one run by Isolens with one result per finding, host included', () => {
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(run.tool.driver.name).toBe('Isolens');
    expect(run.tool.driver.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(run.results).toHaveLength(findingCount);
    expect(run.results!.filter((r) => r.locations?.[0]?.logicalLocations?.[0]?.fullyQualifiedName?.startsWith('host/'))).toHaveLength(
      snapshot.host.findings.length,
    );
  });

  it('describes each rule once, with CIS and ATT&CK tags, levels and security-severity', () => {
    const rules = run.tool.driver.rules!;
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set([...snapshot.host.findings, ...snapshot.containers.flatMap((c) => c.findings)].map((f) => f.ruleId)));
    const socket = rules.find((r) => r.id === 'mounts/engine-socket')!;
    expect(socket.defaultConfiguration?.level).toBe('error');
    expect(socket.properties?.tags).toEqual(expect.arrayContaining(['external/cis-docker-benchmark-v1.6.0/5.32', 'external/mitre-attack/T1610', 'external/mitre-attack/T1611']));
    expect(Number(socket.properties?.['security-severity'])).toBeGreaterThanOrEqual(9);
    expect(socket.fullDescription?.text).toContain('equivalent to root on the host');
    expect(socket.help?.markdown).toContain('`remove -v /var/run/docker.sock:/var/run/docker.sock`');
    expect(rules.find((r) => r.id === 'resources/memory-unlimited')!.defaultConfiguration?.level).toBe('warning');
    expect(rules.find((r) => r.id === 'resources/cpu-unlimited')!.defaultConfiguration?.level).toBe('note');
    for (const result of run.results!) expect(rules[result.ruleIndex!]!.id).toBe(result.ruleId);
  });

  it('names the container and the evidence in each message, at a logical container location', () => {
    const result = run.results!.find((r) => r.ruleId === 'namespaces/host-pid')!;
    expect(result.level).toBe('error');
    expect(result.message.text).toContain('isolens-report-dangerous');
    expect(result.message.text).toContain('namespaces.pid.sharedWithHost = true (kernel)');
    expect(result.locations![0]!.logicalLocations![0]!.fullyQualifiedName).toBe('container/isolens-report-dangerous');
  });

  it('fingerprints results stably per container and rule, and distinctly across them', () => {
    const again = JSON.parse(renderReport(loadSampleSnapshot(), 'sarif')) as Sarif.Log;
    const prints = run.results!.map((r) => r.partialFingerprints!['isolensFinding/v1']);
    expect(again.runs[0]!.results!.map((r) => r.partialFingerprints!['isolensFinding/v1'])).toEqual(prints);
    expect(new Set(prints).size).toBe(prints.length);
  });

  it('reports gaps as tool notifications and keeps hostile names inert', () => {
    const notifications = run.invocations![0]!.toolExecutionNotifications!;
    expect(notifications.some((n) => n.message.text!.includes('its process 23117 vanished'))).toBe(true);
    expect(text).not.toContain('\\u001b');
    const hostileName = hostileContainer(snapshot).name;
    expect(run.results!.some((r) => r.message.text!.includes(hostileName))).toBe(false);
    expect(run.results!.some((r) => r.message.text!.includes('\\x1b[2J'))).toBe(true);
  });
});
