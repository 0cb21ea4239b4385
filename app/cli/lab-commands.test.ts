// The lab subcommands' parsing and printing, without an engine: flags → LabOptions, safe terminal and shell-comment text.
import { execFileSync } from 'node:child_process';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { LabOptions } from '../lab/lab.js';
import { generateFix } from '../lab/fix.js';
import { assessed, inspectFixture } from '../lab/fixtures/documents.js';
import { labOptionsFromFlags, parseMemory, registerLabCommands, terminalText } from './lab-commands.js';
import { renderFix } from './lab-run.js';

const silentIo = { stdout: () => undefined, stderr: () => undefined, setExitCode: () => undefined };

/** The options commander hands the `lab` action for these arguments (the action itself, which needs an engine, never runs). */
async function labFlags(args: string[]): Promise<Record<string, unknown>> {
  const program = new Command().exitOverride();
  registerLabCommands(program, silentIo);
  let captured: Record<string, unknown> | null = null;
  program.hook('preAction', (_program, action) => {
    captured = action.opts();
    throw new Error('stop before the action');
  });
  await program.parseAsync(['lab', ...args], { from: 'user' }).catch(() => undefined);
  if (!captured) throw new Error('commander did not reach the action');
  return captured;
}

describe('isolens lab flags', () => {
  it('turn into validated LabOptions, --no-new-privileges included', async () => {
    const flags = await labFlags([
      '--image', 'isolens-test/busybox:latest', '--cap-drop-all', '--cap-add', 'NET_BIND_SERVICE', '--cap-add', 'chown',
      '--read-only', '--no-new-privileges', '--seccomp', 'profiles/deny.json', '--user', '1000:1000',
      '--memory', '64m', '--cpus', '0.5', '--pids-limit', '50', '--network-none',
    ]);
    const options = LabOptions.parse(labOptionsFromFlags(flags as never, '/work'));
    expect(options).toEqual({
      image: 'isolens-test/busybox:latest',
      dropAllCapabilities: true,
      addCapabilities: ['CAP_NET_BIND_SERVICE', 'CAP_CHOWN'],
      readOnly: true,
      tmpfs: ['/tmp'],
      noNewPrivileges: true,
      seccomp: { profilePath: '/work/profiles/deny.json' },
      user: '1000:1000',
      memoryBytes: 64 * 1024 * 1024,
      cpus: 0.5,
      pidsLimit: 50,
      networkNone: true,
    });
  });

  it('leave every option at the engine default when only the image is given', async () => {
    const options = LabOptions.parse(labOptionsFromFlags((await labFlags(['--image', 'busybox'])) as never));
    expect(options).toMatchObject({ dropAllCapabilities: false, noNewPrivileges: false, readOnly: false, seccomp: 'default', memoryBytes: null, networkNone: false });
  });

  it('read sizes like docker run', () => {
    expect(parseMemory('64m')).toBe(64 * 1024 * 1024);
    expect(parseMemory('1g')).toBe(1024 ** 3);
    expect(parseMemory('512k')).toBe(512 * 1024);
    expect(parseMemory('1048576')).toBe(1048576);
    expect(() => parseMemory('lots')).toThrow(/a size/);
  });
});

describe('printing container text', () => {
  it('replaces control characters and bidi overrides', () => {
    expect(terminalText('a\u001b[2Jb\u202ec\rd')).toBe('a?[2Jb?c?d');
  });

  it('keeps every explanation inside shell comments, so the printed fix can be piped to sh', () => {
    const inspect = inspectFixture('weak');
    const container = assessed(inspect);
    // A mount source holding a newline would end a comment early and start a command.
    const hostile = { ...inspect, Mounts: [...(inspect.Mounts ?? []), { Type: 'bind', Source: '/etc/x\ntouch /tmp/isolens-pwned', Destination: '/x', RW: true, Mode: '', Propagation: 'rprivate' }] };
    const text = renderFix(generateFix(container, hostile as never), false);
    const commandEnd = text.indexOf('\n\n');
    for (const line of text.slice(commandEnd + 2).trimEnd().split('\n')) expect(line.startsWith('# ')).toBe(true);
    const words = execFileSync('/bin/sh', ['-c', `docker() { for a in "$@"; do printf '%s\\0' "$a"; done; }\n${text}`], { encoding: 'utf8' }).split('\0');
    expect(words).toContain('type=bind,"source=/etc/x\ntouch /tmp/isolens-pwned",target=/x,readonly');
  });
});
