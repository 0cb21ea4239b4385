// `isolens scan …` parses, helps and fails the same from the scan's own entry (its classic-script bundle) as from the
// whole program: the same options, the same help, the same one-line errors and exit codes.
import { describe, expect, it } from 'vitest';
import { runCaptured } from './captured.js';
import { runScan } from './scan-main.js';

// Nothing listens here: a scan that got as far as the engine exits 1 with this path in its message.
const NO_ENGINE = 'unix:///nonexistent/isolens-scan-main-test.sock';

async function scanOnly(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runScan(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

describe('scan from its own entry and from the whole program', () => {
  it.each([
    [['scan', '--help']],
    [['scan', '-h', '--json']],
    [['scan', '--colour']],
    [['scan', '-f', 'yaml']],
    [['scan', '--fail-on', 'severe']],
    [['scan', '--retention', '7 days', '--record']],
    [['scan', '--fail-on-drift']],
    [['scan', '-c', '']],
    [['scan', 'extra-argument']],
    [['scan', '--version']],
    [['scan', '--ignore', 'no-such-rule', '-H', NO_ENGINE]],
    [['scan', '--json', '-H', NO_ENGINE]],
    [['scan', '-H', 'ftp://nowhere']],
  ])('%j', async (args) => {
    const whole = await runCaptured(args);
    expect(await scanOnly(args)).toEqual(whole);
    // Each case says something (a help, an error), so an empty match would not pass unnoticed.
    expect(whole.stdout + whole.stderr).not.toBe('');
  });
});
