// Doyensec's Electronegativity on main/: any finding fails the test; the reviewed false positives are the listed ones.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../app/serve/security.js';

interface EngIssue {
  id: string;
  file: string;
  location: { line: number; column: number };
  description: string;
  severity: { name: string };
  confidence: { name: string };
}
interface EngResult {
  issues: EngIssue[];
  errors: { file: string; message: string }[];
  atomicChecks: number;
  globalChecks: number;
}
interface CspFinding {
  type: number;
  directive: string;
  value?: string;
  severity: number;
  description: string;
}

const require = createRequire(import.meta.url);
const runElectronegativity = require('@doyensec/electronegativity') as (options: Record<string, unknown>) => Promise<EngResult>;
// The CSP evaluator Electronegativity itself uses, resolved from its own folder.
const csp = createRequire(require.resolve('@doyensec/electronegativity'))('@doyensec/csp-evaluator') as {
  CspParser: new (policy: string) => { csp: unknown };
  CspEvaluator: new (policy: unknown, version: unknown) => { evaluate(): CspFinding[] };
  Version: { CSP3: unknown };
};

const MAIN_DIR = new URL('.', import.meta.url).pathname;
const ELECTRON_VERSION = (require('electron/package.json') as { version: string }).version;

/**
 * Each suppression was reviewed: the reason is written beside it in main/. A new `eng-disable` must be added here too,
 * so it cannot slip in unreviewed.
 */
const REVIEWED_SUPPRESSIONS = ['main.ts: CSP_GLOBAL_CHECK', 'main.ts: OPEN_EXTERNAL_JS_CHECK', 'main.ts: PRELOAD_JS_CHECK'];

function scan(input: string): Promise<EngResult> {
  return runElectronegativity({
    input,
    isRelative: true,
    // Without it, Electronegativity assumes Electron 0.1.0 and reports checks long fixed (the remote module).
    electronVersionOverride: ELECTRON_VERSION,
    // This one downloads Electron's release list to say whether a newer Electron exists: that is the dependency
    // updater's job, and a test must not depend on the network.
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
  });
}

function sourceFiles(): string[] {
  return readdirSync(MAIN_DIR).filter((name) => /\.(ts|mjs|js)$/.test(name) && !name.endsWith('.test.ts'));
}

/** The Electron window's CSP header as written in main.ts (a literal, so Electronegativity can read it). */
function windowCsp(): string {
  const source = readFileSync(join(MAIN_DIR, 'main.ts'), 'utf8');
  const match = /'Content-Security-Policy': \[\s*"([^"]+)"/.exec(source);
  if (!match?.[1]) throw new Error('main.ts: no literal Content-Security-Policy header found');
  return match[1];
}

describe('Electronegativity on main/', () => {
  it('reports nothing, and reads every file', { timeout: 60_000 }, async () => {
    const result = await scan(MAIN_DIR);
    expect(result.errors).toEqual([]);
    expect(result.atomicChecks).toBeGreaterThan(30);
    const described = result.issues.map((issue) => `${issue.id} ${issue.file}:${issue.location.line} ${issue.severity.name}: ${issue.description}`);
    expect(described).toEqual([]);
  });

  it('would report a window that turns the protections off (the scan can fail)', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isolens-eng-'));
    try {
      writeFileSync(
        join(dir, 'bad.ts'),
        "import { BrowserWindow } from 'electron';\nnew BrowserWindow({ webPreferences: { contextIsolation: false, sandbox: false } });\n",
      );
      const ids = new Set((await scan(dir)).issues.map((issue) => issue.id));
      for (const id of ['CONTEXT_ISOLATION_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK', 'SANDBOX_JS_CHECK', 'AUXCLICK_JS_CHECK', 'CSP_GLOBAL_CHECK']) expect(ids).toContain(id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has only the reviewed eng-disable annotations', () => {
    const found = sourceFiles().flatMap((file) =>
      [...readFileSync(join(MAIN_DIR, file), 'utf8').matchAll(/eng-disable[ \t]+([A-Z_]+)/g)].map((match) => `${file}: ${match[1]}`),
    );
    expect(found.sort()).toEqual(REVIEWED_SUPPRESSIONS);
  });
});

describe("the Electron window's CSP", () => {
  it("is the shared policy with connect-src 'none' (data comes over IPC, never a socket)", () => {
    const expected = CONTENT_SECURITY_POLICY.split('; ')
      .map((directive) => (directive.startsWith('connect-src ') ? "connect-src 'none'" : directive))
      .join('; ');
    expect(windowCsp()).toBe(expected);
  });

  it("draws one remark from the CSP evaluator, script-src 'self', the one CSP_GLOBAL_CHECK suppression covers", () => {
    const findings = new csp.CspEvaluator(new csp.CspParser(windowCsp()).csp, csp.Version.CSP3).evaluate();
    expect(findings.map((finding) => `${finding.directive} ${finding.value ?? ''}: ${finding.description}`)).toEqual([
      "script-src 'self': 'self' can be problematic if you host JSONP, Angular or user uploaded files.",
    ]);
    // And it would see a weak one: the evaluator is not silent.
    const weak = new csp.CspEvaluator(new csp.CspParser("script-src 'unsafe-inline' *").csp, csp.Version.CSP3).evaluate();
    expect(weak.length).toBeGreaterThan(1);
  });
});
