// `isolens diff A B`, `isolens fix NAME` and `isolens lab --image IMG …`: argument parsing and printing; the work is in app/lab.
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolve } from 'node:path';
import type { ContainerEngine } from '../engine/engine.js';
import { assessSnapshot } from '../assess.js';
import { collectSnapshot } from '../collect/scan.js';
import { openEngine } from '../engine/open.js';
import type { ContainerIsolation, EngineInfo } from '../model/schema.js';
import { diffContainers, formatFactValue, type ContainerDiff } from '../lab/diff.js';
import { generateFix, imageDefaultsFrom, type GeneratedFix, type ImageDefaults } from '../lab/fix.js';
import { cleanupLab, createLabSession, readSeccompProfile, runLab, type LabOptionsInput, type LabRun } from '../lab/lab.js';
import { LabOptions } from '../model/lab.js';
import { noMatchMessage, parseContainerSelector } from './arguments.js';

export interface LabCommandsIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Called with the command's exit code (0 ok, 1 error, 2 usage), as `isolens scan` reports its own. */
  setExitCode: (code: number) => void;
}

const EXIT_ERROR = 1;
const EXIT_USAGE = 2;

/** Container text (names, labels, paths, probe output) printed to a terminal: control characters become '?'. */
export function terminalText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
}

/** One line of a shell comment: no newline may end the comment early and turn the rest into a command. */
function comment(text: string): string {
  return `# ${terminalText(text.replace(/[\r\n]+/g, ' '))}`;
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

/** The one assessed container a name, glob or id selects; else the line to print and the exit code. */
async function assessedContainer(
  adapter: ContainerEngine,
  engine: EngineInfo,
  wanted: string,
): Promise<{ ok: true; container: ContainerIsolation } | { ok: false; message: string; exitCode: number }> {
  const { containers } = assessSnapshot(await collectSnapshot(adapter, engine, { container: wanted }));
  if (containers.length === 1) return { ok: true, container: containers[0]! };
  if (containers.length === 0) return { ok: false, message: await noMatchMessage(adapter, wanted), exitCode: EXIT_ERROR };
  const names = containers.map((container) => terminalText(container.name));
  return { ok: false, message: `${JSON.stringify(terminalText(wanted))} selects ${containers.length} containers (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}); name one`, exitCode: EXIT_USAGE };
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

export function renderDiffTable(diff: ContainerDiff): string {
  const lines: string[] = [];
  const nameA = terminalText(diff.a.name);
  const nameB = terminalText(diff.b.name);
  const grade = (side: ContainerDiff['a']) => (side.score === null ? 'not scored' : `${side.grade} (${side.score})`);
  lines.push(`A: ${nameA}  ${grade(diff.a)}`, `B: ${nameB}  ${grade(diff.b)}`);
  if (diff.scoreDelta !== null) lines.push(`Score delta (B − A): ${diff.scoreDelta > 0 ? '+' : ''}${diff.scoreDelta}`);
  lines.push('');
  const width = 38;
  lines.push(`  ${pad('fact', 34)} ${pad('A', width)} ${pad('B', width)} better`);
  for (const row of diff.rows) {
    const mark = row.changed ? '*' : ' ';
    const a = truncate(terminalText(formatFactValue(row.a)), width);
    const b = truncate(terminalText(formatFactValue(row.b)), width);
    lines.push(`${mark} ${pad(truncate(terminalText(row.fact), 34), 34)} ${pad(a, width)} ${pad(b, width)} ${row.better ? row.better.toUpperCase() : ''}`.trimEnd());
  }
  lines.push('');
  const findings = (title: string, list: Array<{ ruleId: string; severity: string; title: string }>) => {
    lines.push(`${title} (${list.length})`);
    for (const f of list) lines.push(`  ${pad(f.severity, 8)} ${f.ruleId}  ${f.title}`);
  };
  findings('Findings only in A', diff.findings.onlyInA);
  findings('Findings only in B', diff.findings.onlyInB);
  findings('Findings in both', diff.findings.inBoth.map((pair) => pair.a));
  return `${lines.join('\n')}\n`;
}

export function renderFix(fix: GeneratedFix, compose: boolean): string {
  const out: string[] = [compose ? fix.compose.trimEnd() : fix.dockerRun, ''];
  out.push(comment('What each change answers:'));
  for (const flag of fix.flags) {
    out.push(comment(`${flag.flag}${flag.answers.length > 0 ? `  → ${flag.answers.join(', ')}` : ''}`));
    out.push(comment(`    ${flag.why}`));
  }
  if (fix.unanswered.length > 0) {
    out.push(comment('Not answered by this command:'));
    for (const item of fix.unanswered) out.push(comment(`${item.ruleId}: ${item.why}`));
  }
  for (const note of fix.notes) out.push(comment(`Note: ${note}`));
  return `${out.join('\n')}\n`;
}

export function renderLabRun(run: LabRun): string {
  const c = run.container;
  const lines: string[] = [];
  lines.push(`Lab container ${terminalText(run.containerName)} (${terminalText(run.options.image)}): grade ${c.grade ?? '?'} (${c.score ?? '?'})`);
  lines.push(`  capabilities: ${c.capabilities ? formatFactValue(c.capabilities.effective) : 'unknown'}`);
  lines.push(`  seccomp: ${c.seccomp.profile ?? '?'} (${c.seccomp.mode ?? '?'}), no-new-privileges: ${formatFactValue(c.noNewPrivileges)}, read-only rootfs: ${formatFactValue(c.readOnlyRootfs)}`);
  lines.push(`  user: uid ${formatFactValue(c.user.uid)}, memory limit: ${formatFactValue(c.cgroup.memoryLimitBytes)} bytes, cpus: ${formatFactValue(c.cgroup.cpuQuotaCores)}, pids limit: ${formatFactValue(c.cgroup.pidsLimit)}, network: ${terminalText(c.network.mode)}`);
  lines.push('', `Findings (${c.findings.length})`);
  for (const f of c.findings) lines.push(`  ${pad(f.severity, 8)} ${f.ruleId}  ${f.title}`);
  lines.push('', 'Probes');
  for (const p of run.probes) {
    const detail = p.errno ?? p.signal;
    lines.push(`  ${pad(p.title, 36)} ${pad(`${p.outcome}${detail ? ` (${detail})` : ''}`, 20)} — ${terminalText(p.responsible)}`);
  }
  for (const gap of c.gaps) lines.push(`  gap: ${gap.fact}: ${terminalText(gap.reason)}`);
  lines.push('', `Results in ${run.timings.totalMs} ms (container start ${run.timings.startMs} ms, facts and findings ${run.timings.collectMs} ms, probes ${run.timings.probesMs} ms)`);
  return `${lines.join('\n')}\n`;
}

interface LabFlags {
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

/** The flag a LabOptions field came from, for error lines ("addCapabilities.0" → "--cap-add"). */
function labFlagOf(path: ReadonlyArray<PropertyKey>): string {
  const flags: Record<string, string> = {
    image: '--image',
    addCapabilities: '--cap-add',
    tmpfs: '--tmpfs',
    seccomp: '--seccomp',
    user: '--user',
    memoryBytes: '--memory',
    cpus: '--cpus',
    pidsLimit: '--pids-limit',
  };
  const field = String(path[0] ?? '');
  return flags[field] ?? (field || 'options');
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

  program
    .command('diff')
    .description('Compare the isolation of two running containers side by side')
    .argument('<a>', 'container name, name glob or id', parseContainerSelector)
    .argument('<b>', 'container name, name glob or id', parseContainerSelector)
    .addOption(hostOption())
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (a: string, b: string, options: { host?: string; format: 'table' | 'json' }) => {
      const { adapter, engine } = await openEngine({ host: options.host });
      const [left, right] = await Promise.all([assessedContainer(adapter, engine, a), assessedContainer(adapter, engine, b)]);
      for (const found of [left, right]) {
        if (!found.ok) {
          io.stderr(`isolens: ${found.message}\n`);
          io.setExitCode(found.exitCode);
          return;
        }
      }
      if (!left.ok || !right.ok) return;
      const diff = diffContainers(left.container, right.container);
      io.stdout(options.format === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : renderDiffTable(diff));
    });

  program
    .command('fix')
    .description('Print the docker run command (or compose service) that recreates a container with its findings fixed')
    .argument('<name>', 'container name, name glob or id', parseContainerSelector)
    .addOption(hostOption())
    .option('--compose', 'print a compose service instead of a docker run command')
    .option('--json', 'print the command, the compose service and each flag\'s reasons as JSON')
    .action(async (name: string, options: { host?: string; compose?: boolean; json?: boolean }) => {
      const { adapter, engine } = await openEngine({ host: options.host });
      const selected = await assessedContainer(adapter, engine, name);
      if (!selected.ok) {
        io.stderr(`isolens: ${selected.message}\n`);
        io.setExitCode(selected.exitCode);
        return;
      }
      const container = selected.container;
      const inspected = await adapter.inspect(container.id);
      if (!inspected.ok) {
        io.stderr(`isolens: ${inspected.reason === 'vanished' ? `${JSON.stringify(terminalText(name))} was removed during the scan` : inspected.message}\n`);
        io.setExitCode(EXIT_ERROR);
        return;
      }
      const inspect = inspected.value;
      let image: ImageDefaults | undefined;
      try {
        const info = await adapter.inspectImage(inspect.Image ?? inspect.Config.Image);
        image = info === null ? undefined : imageDefaultsFrom(info as Parameters<typeof imageDefaultsFrom>[0]);
      } catch {
        // The image was removed since: every env name, label and the command are repeated instead.
        image = undefined;
      }
      const fix = generateFix(container, inspect, { image });
      io.stdout(options.json ? `${JSON.stringify(fix, null, 2)}\n` : renderFix(fix, options.compose === true));
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
      // Bad options (an unknown capability, a seccomp file that is missing or not a profile) are bad arguments: exit 2
      // before the engine is asked anything, like every other command's.
      const input = labOptionsFromFlags(flags);
      const parsed = LabOptions.safeParse(input);
      if (!parsed.success) {
        io.stderr(`isolens: ${parsed.error.issues.map((issue) => `${labFlagOf(issue.path)}: ${issue.message}`).join('; ')}\n`);
        io.setExitCode(EXIT_USAGE);
        return;
      }
      if (typeof parsed.data.seccomp === 'object') {
        const profile = await readSeccompProfile(parsed.data.seccomp.profilePath);
        if (!profile.ok) {
          io.stderr(`isolens: --seccomp: ${profile.reason}\n`);
          io.setExitCode(EXIT_USAGE);
          return;
        }
      }
      const { adapter, engine } = await openEngine({ host: flags.host });
      const session = createLabSession();
      try {
        const result = await runLab(adapter, engine, input, session);
        if (!result.ok) {
          io.stderr(`isolens: ${result.reason}\n`);
          io.setExitCode(EXIT_ERROR);
          return;
        }
        io.stdout(flags.json ? `${JSON.stringify(result.run, null, 2)}\n` : renderLabRun(result.run));
      } finally {
        await cleanupLab(adapter, session);
      }
    });
}
