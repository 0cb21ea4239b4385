// `isolens diff`, `fix` and `lab` at work: engine, lab and printing, loaded only when one of them runs.
import type { ContainerEngine } from '../engine/engine.js';
import { assessSnapshot } from '../assess.js';
import { inspectRunning, snapshotFromInspects } from '../collect/scan.js';
import type { InspectDocument } from '../collect/config.js';
import { openEngine } from '../engine/open.js';
import { withKernelSource, type KernelSourceMode, type KernelSourceOptions } from '../kernel-source.js';
import type { ContainerIsolation, EngineInfo } from '../model/schema.js';
import { diffContainers, formatFactValue, type ContainerDiff } from '../lab/diff.js';
import { fixWithImageDefaults, type GeneratedFix } from '../lab/fix.js';
import { renderComposeOverride, serviceRepresentatives, type ServiceFix } from '../lab/compose-override.js';
import { COMPOSE_PROJECT_LABEL } from '../model/compose.js';
import { cleanupLab, createLabSession, readSeccompProfile, runLab, type LabRun } from '../lab/lab.js';
import { LabOptions } from '../model/lab.js';
import { noMatchMessage } from './arguments.js';
import { labOptionsFromFlags, terminalText, type LabCommandsIo, type LabFlags } from './lab-commands.js';

const EXIT_ERROR = 1;
const EXIT_USAGE = 2;

/** --kernel-source and --helper-image as diff and fix receive them. */
export interface KernelFlags {
  kernelSource: KernelSourceMode;
  helperImage?: string;
}

function kernelOptions(flags: KernelFlags, io: LabCommandsIo): KernelSourceOptions {
  return { mode: flags.kernelSource, helperImage: flags.helperImage, onNotice: (text) => io.stderr(`isolens: ${text}\n`) };
}

/** One line of a shell comment: no newline may end the comment early and turn the rest into a command. */
function comment(text: string): string {
  return `# ${terminalText(text.replace(/[\r\n]+/g, ' '))}`;
}

/** The one running container a name, glob or id selects, inspected (only it); else the line to print and the exit code. */
async function selectContainer(adapter: ContainerEngine, wanted: string): Promise<{ ok: true; inspect: InspectDocument } | { ok: false; message: string; exitCode: number }> {
  const { inspects } = await inspectRunning(adapter, { container: wanted });
  if (inspects.length === 1) return { ok: true, inspect: inspects[0]! };
  if (inspects.length === 0) return { ok: false, message: await noMatchMessage(adapter, wanted), exitCode: EXIT_ERROR };
  const names = inspects.map((inspect) => terminalText(inspect.Name.replace(/^\//, ''))).sort();
  return { ok: false, message: `${JSON.stringify(terminalText(wanted))} selects ${inspects.length} containers (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}); name one`, exitCode: EXIT_USAGE };
}

/** Selected containers read from the kernel (the source chosen by looking at them only) and assessed, in order. */
async function assessSelected(adapter: ContainerEngine, engine: EngineInfo, inspects: InspectDocument[], flags: KernelFlags, io: LabCommandsIo): Promise<ContainerIsolation[]> {
  const facts = await withKernelSource(adapter, engine, kernelOptions(flags, io), (source) => snapshotFromInspects(inspects, engine, { source }), inspects);
  const byId = new Map(assessSnapshot(facts).containers.map((container) => [container.id, container]));
  return inspects.map((inspect) => byId.get(inspect.Id)!);
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

export async function diffCommand(a: string, b: string, options: { host?: string; format: 'table' | 'json' } & KernelFlags, io: LabCommandsIo): Promise<void> {
  const { adapter, engine } = await openEngine({ host: options.host });
  const [left, right] = await Promise.all([selectContainer(adapter, a), selectContainer(adapter, b)]);
  for (const found of [left, right]) {
    if (!found.ok) {
      io.stderr(`isolens: ${found.message}\n`);
      io.setExitCode(found.exitCode);
      return;
    }
  }
  if (!left.ok || !right.ok) return;
  const [containerA, containerB] = await assessSelected(adapter, engine, [left.inspect, right.inspect], options, io);
  const diff = diffContainers(containerA!, containerB!);
  io.stdout(options.format === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : renderDiffTable(diff));
}

export async function fixCommand(name: string, options: { host?: string; compose?: boolean; json?: boolean } & KernelFlags, io: LabCommandsIo): Promise<void> {
  const { adapter, engine } = await openEngine({ host: options.host });
  const selected = await selectContainer(adapter, name);
  if (!selected.ok) {
    io.stderr(`isolens: ${selected.message}\n`);
    io.setExitCode(selected.exitCode);
    return;
  }
  const [container] = await assessSelected(adapter, engine, [selected.inspect], options, io);
  // The inspect document the facts came from: the fix describes the container that was assessed.
  const fix = await fixWithImageDefaults(adapter, container!, selected.inspect);
  io.stdout(options.json ? `${JSON.stringify(fix, null, 2)}\n` : renderFix(fix, options.compose === true));
}

/** `isolens fix --compose-project NAME`: one override file for every service of the project (its first replica each). */
export async function fixComposeProjectCommand(project: string, options: { host?: string } & KernelFlags, io: LabCommandsIo): Promise<void> {
  const { adapter, engine } = await openEngine({ host: options.host });
  // Inspected once; only the project's own containers are read from the kernel and assessed.
  const { inspects } = await inspectRunning(adapter);
  const projectOf = (inspect: InspectDocument) => inspect.Config.Labels?.[COMPOSE_PROJECT_LABEL];
  const memberInspects = inspects.filter((inspect) => projectOf(inspect) === project);
  if (memberInspects.length === 0) {
    const projects = [...new Set(inspects.map(projectOf).filter((p): p is string => p !== undefined))].sort();
    const known = projects.length > 0 ? `; running projects: ${projects.slice(0, 10).map((p) => JSON.stringify(terminalText(p))).join(', ')}${projects.length > 10 ? ', …' : ''}` : '; no running container belongs to a compose project';
    io.stderr(`isolens: no running container of compose project ${JSON.stringify(terminalText(project))}${known}\n`);
    io.setExitCode(EXIT_ERROR);
    return;
  }
  const members = await assessSelected(adapter, engine, memberInspects, options, io);
  // Each fix from the inspect document its facts came from: nothing is inspected twice.
  const inspectOf = new Map(memberInspects.map((inspect) => [inspect.Id, inspect]));
  const services: ServiceFix[] = [];
  for (const { service, container } of serviceRepresentatives(members, project)) services.push({ service, container: container.name, fix: await fixWithImageDefaults(adapter, container, inspectOf.get(container.id)!) });
  io.stdout(renderComposeOverride(project, services));
}

export async function labCommand(flags: LabFlags, io: LabCommandsIo): Promise<void> {
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
}
