// The scan's classic script with its code cache, on a real script file and real cache files: the cache is written after
// a scan that ran to the end, used by the next, and one V8 refuses (made for other source or flags) changes nothing.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeCacheFile, readCodeCache, writeCodeCache } from './code-cache.js';
import { runScanScript, scanVariant } from './scan-script.js';

/** A script shaped as the build makes dist/cli/scan.cjs: one function expression that sets module.exports.runScan. */
function scriptText(result: string): string {
  return `(function (require, module, exports, __isolensImportMetaUrl) {
'use strict';
const { basename } = require('node:path');
function describe(argv) { return basename(new URL(__isolensImportMetaUrl).pathname) + ' ' + argv.join(' '); }
module.exports.runScan = async (argv) => { globalThis.__scanScriptTest = describe(argv) + ' ${result}'; return Number(argv[1] ?? 0); };
})
`;
}

describe('the scan script with its code cache', () => {
  let dir: string;
  let script: string;
  let events: string[];
  const options = () => ({ scriptHash: '00112233445566aa', cacheDirectory: join(dir, 'cache'), event: (text: string) => events.push(text) });
  const ran = () => (globalThis as { __scanScriptTest?: string }).__scanScriptTest;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'isolens-scan-script-'));
    script = join(dir, 'scan.cjs');
    writeFileSync(script, scriptText('ok'));
    events = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the script, writes its cache after a scan that ran to the end, and the next run uses it', async () => {
    expect(await runScanScript(script, ['scan', '0', '--json'], options())).toBe(0);
    expect(ran()).toBe('scan.cjs scan 0 --json ok');
    expect(await runScanScript(script, ['scan', '3', '--json'], options())).toBe(3);
    expect(events).toEqual(['no code cache (ENOENT)', expect.stringMatching(/^code cache written \(\d+ bytes\)$/), 'code cache used']);
    expect(readdirSync(join(dir, 'cache'))).toEqual(['scan-json-00112233445566aa.v8cache']);
  });

  it('writes no cache after a usage error or a failed scan, or for help', async () => {
    expect(await runScanScript(script, ['scan', '2'], options())).toBe(2);
    expect(await runScanScript(script, ['scan', '1'], options())).toBe(1);
    expect(await runScanScript(script, ['scan', '0', '--help'], options())).toBe(0);
    expect(events).toEqual(['no code cache (ENOENT)', 'no code cache (ENOENT)']);
  });

  it('a cache V8 refuses (taken from another script) is not run: the scan is the same, and the cache is made again', async () => {
    const other = join(dir, 'other.cjs');
    writeFileSync(other, scriptText('from another build, longer'));
    await runScanScript(other, ['scan', '0'], { ...options(), scriptHash: 'ffffffffffffffff' });
    // The other script's cache, under this script's name and key: only V8's own check can tell.
    const { path, key } = codeCacheFile(join(dir, 'cache'), '00112233445566aa', 'table');
    const otherFile = codeCacheFile(join(dir, 'cache'), 'ffffffffffffffff', 'table');
    writeCodeCache(join(dir, 'cache'), path, key, readCodeCache(otherFile.path, otherFile.key)!);
    events = [];
    expect(await runScanScript(script, ['scan', '0'], options())).toBe(0);
    expect(ran()).toBe('scan.cjs scan 0 ok');
    expect(events).toEqual(['code cache rejected by V8', expect.stringMatching(/^code cache written/)]);
    events = [];
    await runScanScript(script, ['scan', '0'], options());
    expect(events).toEqual(['code cache used']);
  });

  it('without a hash or a directory it runs the script and caches nothing; without the script it runs nothing', async () => {
    expect(await runScanScript(script, ['scan', '0'], { ...options(), scriptHash: null })).toBe(0);
    expect(await runScanScript(script, ['scan', '0'], { ...options(), cacheDirectory: null })).toBe(0);
    expect(events).toEqual([]);
    expect(await runScanScript(join(dir, 'missing.cjs'), ['scan', '0'], options())).toBeNull();
  });

  it('runs nothing from a script that is damaged or not the scan\'s, so the caller can scan another way', async () => {
    writeFileSync(script, '(function (require, module) { module.exports.somethingElse = 1; })');
    expect(await runScanScript(script, ['scan'], options())).toBeNull();
    writeFileSync(script, scriptText('ok').slice(0, 150));
    expect(await runScanScript(script, ['scan'], options())).toBeNull();
    expect(events).toEqual([
      'no code cache (ENOENT)',
      `scan script unusable: ${script} sets no runScan`,
      'no code cache (ENOENT)',
      expect.stringMatching(/^scan script unusable: .*(Unexpected|missing|Invalid)/),
    ]);
  });
});

describe('which cache a scan uses', () => {
  it.each([
    [['scan'], 'table'],
    [['scan', '--json'], 'json'],
    [['scan', '-f', 'sarif'], 'sarif'],
    [['scan', '--format', 'html', '-c', 'web'], 'html'],
    [['scan', '--format=markdown'], 'markdown'],
    [['scan', '-fmarkdown'], 'markdown'],
    [['scan', '-f', 'sarif', '--json'], 'json'],
    [['scan', '-f', 'sarif', '-f', 'table'], 'table'],
    [['scan', '-f', '../../etc'], 'other'],
    [['scan', '--help'], null],
    [['scan', '-c', 'web', '-h'], null],
    [['scan', '--', '--help'], 'table'],
  ])('%j → %s', (argv, variant) => {
    expect(scanVariant(argv)).toBe(variant);
  });
});
