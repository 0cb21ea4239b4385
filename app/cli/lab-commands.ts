// `isolens diff A B`, `isolens fix NAME` and `isolens lab --image IMG …`: their arguments; lab-run.ts (loaded when one runs) prints, app/lab works.
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolve } from 'node:path';
import type { LabOptionsInput } from '../lab/lab.js';
import { addKernelSourceOptions, parseComposeProject, parseContainerSelector } from './arguments.js';
import { EXIT } from './exit.js';
import type { KernelFlags } from './lab-run.js';

export interface LabCommandsIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Called with the command's exit code (0 ok, 1 error, 2 usage), as `isolens scan` reports its own. */
  setExitCode: (code: number) => void;
}

/** Container text (names, labels, paths, probe output) printed to a terminal: control characters become '?'. */
export function terminalText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
}

/** "64m", "1g", "512k", "1048576" → bytes, as docker run --memory reads them. */
export function parseMemory(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([bkmg]?)$/i.exec(value.trim());
  if (!match) throw new InvalidArgumentError('a size such as 64m, 1g or 1048576');
  const unit = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '' | 'b' | 'k' | 'm' | 'g'];
  return Math.round(Number(match[1]) * unit);
}

function parsePositiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('a positive number');
  return number;
}

function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('a positive whole number');
  return number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export interface LabFlags {
  host?: string;
  image: string;
  capDropAll?: boolean;
  capAdd: string[];
  readOnly?: boolean;
  tmpfs: string[];
  /** commander reads `--no-new-privileges` as the negation of `--new-privileges`: false when the flag is given. */
  newPrivileges?: boolean;
  seccomp?: string;
  user?: string;
  memory?: number;
  cpus?: number;
  pidsLimit?: number;
  networkNone?: boolean;
  json?: boolean;
}

/** The CLI flags as LabOptions input: validated by runLab's schema like any other caller's. */
export function labOptionsFromFlags(flags: LabFlags, cwd = process.cwd()): LabOptionsInput {
  const seccomp = flags.seccomp === undefined || flags.seccomp === 'default' ? 'default' : flags.seccomp === 'unconfined' ? 'unconfined' : { profilePath: resolve(cwd, flags.seccomp) };
  return {
    image: flags.image,
    dropAllCapabilities: flags.capDropAll === true,
    addCapabilities: flags.capAdd,
    readOnly: flags.readOnly === true,
    ...(flags.tmpfs.length > 0 ? { tmpfs: flags.tmpfs } : {}),
    noNewPrivileges: flags.newPrivileges === false,
    seccomp,
    user: flags.user ?? null,
    memoryBytes: flags.memory ?? null,
    cpus: flags.cpus ?? null,
    pidsLimit: flags.pidsLimit ?? null,
    networkNone: flags.networkNone === true,
  };
}

/** Add `diff`, `fix` and `lab` to the isolens program. Engine-unreachable errors propagate to the program's own handler. */
export function registerLabCommands(program: Command, io: LabCommandsIo): void {
  const hostOption = () => new Option('-H, --host <endpoint>', 'engine endpoint (unix:///path, tcp://host:port); default: like the docker CLI');

  const diff = program
    .command('diff')
    .description('Compare the isolation of two running containers side by side')
    .argument('<a>', 'container name, name glob or id', parseContainerSelector)
    .argument('<b>', 'container name, name glob or id', parseContainerSelector)
    .addOption(hostOption())
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'));
  addKernelSourceOptions(diff).action(async (a: string, b: string, options: { host?: string; format: 'table' | 'json' } & KernelFlags) => {
      const { diffCommand } = await import('./lab-run.js');
      await diffCommand(a, b, options, io);
    });

  const fix = program
    .command('fix')
    .description('Print the docker run command (or compose service) that recreates a container with its findings fixed')
    .argument('[name]', 'container name, name glob or id', parseContainerSelector)
    .addOption(hostOption())
    .option('--compose', 'print a compose service instead of a docker run command')
    .option('--compose-project <project>', 'print one compose override file hardening every service of this compose project', parseComposeProject)
    .option('--json', 'print the command, the compose service and each flag\'s reasons as JSON');
  addKernelSourceOptions(fix).action(async (name: string | undefined, options: { host?: string; compose?: boolean; composeProject?: string; json?: boolean } & KernelFlags) => {
      if ((name === undefined) === (options.composeProject === undefined)) {
        io.stderr('isolens: fix takes a container name or --compose-project NAME, not both and not neither\n');
        io.setExitCode(EXIT.usage);
        return;
      }
      const run = await import('./lab-run.js');
      if (options.composeProject !== undefined) await run.fixComposeProjectCommand(options.composeProject, options, io);
      else await run.fixCommand(name!, options, io);
    });

  program
    .command('lab')
    .description('Start a throwaway container with the chosen hardening, grade it, run the probes, then remove it')
    .requiredOption('--image <image>', 'a local image (the lab does not pull)')
    .addOption(hostOption())
    .option('--cap-drop-all', 'drop every capability (--cap-drop ALL)')
    .option('--cap-add <capability>', 'add a capability back; repeatable', collect, [])
    .option('--read-only', 'read-only root filesystem (with a tmpfs on /tmp)')
    .option('--tmpfs <path>', 'writable tmpfs path for --read-only; repeatable (default /tmp)', collect, [])
    .option('--no-new-privileges', 'set no-new-privileges')
    .option('--seccomp <profile>', 'default, unconfined, or a profile file')
    .option('--user <user>', 'uid[:gid] or a user name of the image')
    .option('--memory <size>', 'memory limit, e.g. 64m', parseMemory)
    .option('--cpus <cores>', 'CPU limit in cores, e.g. 0.5', parsePositiveNumber)
    .option('--pids-limit <count>', 'process limit', parsePositiveInteger)
    .option('--network-none', 'no network (--network none)')
    .option('--json', 'print the run as JSON')
    .action(async (flags: LabFlags) => {
      const { labCommand } = await import('./lab-run.js');
      await labCommand(flags, io);
    });
}
