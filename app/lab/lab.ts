// The hardening lab: start a throwaway container with chosen flags, read and grade its isolation, run the probes, compare with the last run.
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { assessSnapshot } from '../assess.js';
import { collectContainer } from '../collect/scan.js';
import type { ContainerEngine, OwnedCreateOptions } from '../engine/engine.js';
import { SCHEMA_VERSION, type ContainerIsolation, type EngineInfo } from '../model/schema.js';
import { diffContainers, type ContainerDiff } from './diff.js';
import { shellQuote } from './fix.js';
import { isRefusal, LAB_OWNER_LABEL, LAB_OWNER_VALUE, LAB_SESSION_LABEL, PROBES, runProbe, type ProbeResult } from './probes.js';

/** Lab containers are named isolens-lab-<session>-<run>; the name is also how a user recognises them in `docker ps`. */
export const LAB_NAME_PREFIX = 'isolens-lab-';
/** The lab container's own deadline: it exits (and the engine removes it) even if Isolens dies and nothing cleans up. */
export const LAB_CONTAINER_LIFETIME_SECONDS = 1800;
import * as z from 'zod';
const MAX_SECCOMP_PROFILE_BYTES = 1024 * 1024;

export { DEFAULT_LAB_TMPFS, LabOptions, type LabOptionsInput } from '../model/lab.js';
import { LabOptions } from '../model/lab.js';

/** One lab session (a lab window or a CLI run): its id labels its containers; it remembers the previous run. */
export interface LabSession {
  id: string;
  runCount: number;
  previous: LabRun | null;
}

export function createLabSession(): LabSession {
  return { id: randomBytes(6).toString('hex'), runCount: 0, previous: null };
}

export interface LabTimings {
  /** From the runLab call until the container runs. */
  startMs: number;
  /** Inspect, kernel facts, findings and grade. */
  collectMs: number;
  probesMs: number;
  totalMs: number;
}

export interface LabRun {
  options: LabOptions;
  containerId: string;
  containerName: string;
  container: ContainerIsolation;
  probes: ProbeResult[];
  /** Milliseconds from the runLab call until the container was running. */
  startedInMs: number;
  timings: LabTimings;
  /** The session's previous run and its side-by-side diff (previous = a, this run = b). */
  previous: LabRun | null;
  diff: ContainerDiff | null;
  /** The `docker run` a user types to get this run's container (the options as flags, the image's own command). */
  dockerRun: string;
}

export type LabResult = { ok: true; run: LabRun } | { ok: false; reason: string };

/** The engine's create options for the lab container; pure, so tests can read exactly what each option turns into. */
export function labCreateOptions(options: LabOptions, session: LabSession, name: string, seccompProfile: string | null): OwnedCreateOptions {
  const securityOpt: string[] = [];
  if (options.noNewPrivileges) securityOpt.push('no-new-privileges');
  if (options.seccomp === 'unconfined') securityOpt.push('seccomp=unconfined');
  else if (seccompProfile !== null) securityOpt.push(`seccomp=${seccompProfile}`);
  const hostConfig: OwnedCreateOptions['HostConfig'] = {
    // The engine removes the container when `sleep` ends: the backstop if Isolens dies before cleaning up.
    AutoRemove: true,
    // docker-init as PID 1 reaps the fork probe's children; without it they stay zombies and hold the pids limit.
    Init: true,
    CapDrop: options.dropAllCapabilities ? ['ALL'] : [],
    CapAdd: options.addCapabilities.map((name) => name.replace(/^CAP_/, '')),
    ReadonlyRootfs: options.readOnly,
    Tmpfs: options.readOnly ? Object.fromEntries(options.tmpfs.map((path) => [path, 'rw,nosuid,nodev,size=16m'])) : {},
    SecurityOpt: securityOpt,
    NetworkMode: options.networkNone ? 'none' : 'bridge',
  };
  if (options.memoryBytes !== null) {
    hostConfig.Memory = options.memoryBytes;
    // No swap on top of the limit, so the memory probe meets the limit itself.
    hostConfig.MemorySwap = options.memoryBytes;
  }
  if (options.cpus !== null) hostConfig.NanoCpus = Math.round(options.cpus * 1e9);
  if (options.pidsLimit !== null) hostConfig.PidsLimit = options.pidsLimit;
  return {
    name,
    Image: options.image,
    // sleep as the entrypoint: the image's own program never runs, only the probes do.
    Entrypoint: ['sleep'],
    Cmd: [String(LAB_CONTAINER_LIFETIME_SECONDS)],
    User: options.user ?? undefined,
    Labels: { [LAB_OWNER_LABEL]: LAB_OWNER_VALUE, [LAB_SESSION_LABEL]: session.id, 'io.isolens.lab-run': String(session.runCount) },
    HostConfig: hostConfig,
  };
}

/**
 * The `docker run` of a lab run's options, for a user to copy: the same flags labCreateOptions gives the engine, minus
 * the lab's own machinery (name, labels, --rm, --init, the sleep entrypoint), so the image runs its own program.
 */
export function labDockerRun(options: LabOptions): string {
  const flags: string[] = [];
  if (options.dropAllCapabilities) flags.push('--cap-drop ALL');
  for (const name of options.addCapabilities) flags.push(`--cap-add ${shellQuote(name.replace(/^CAP_/, ''))}`);
  if (options.readOnly) {
    flags.push('--read-only');
    for (const path of options.tmpfs) flags.push(`--tmpfs ${shellQuote(path)}`);
  }
  if (options.noNewPrivileges) flags.push('--security-opt no-new-privileges');
  if (options.seccomp === 'unconfined') flags.push('--security-opt seccomp=unconfined');
  else if (typeof options.seccomp === 'object') flags.push(`--security-opt ${shellQuote(`seccomp=${options.seccomp.profilePath}`)}`);
  if (options.user !== null) flags.push(`--user ${shellQuote(options.user)}`);
  if (options.memoryBytes !== null) {
    const mebibytes = options.memoryBytes / (1024 * 1024);
    const memory = Number.isInteger(mebibytes) ? `${mebibytes}m` : String(options.memoryBytes);
    flags.push(`--memory ${memory} --memory-swap ${memory}`);
  }
  if (options.cpus !== null) flags.push(`--cpus ${options.cpus}`);
  if (options.pidsLimit !== null) flags.push(`--pids-limit ${options.pidsLimit}`);
  if (options.networkNone) flags.push('--network none');
  return ['docker run -d', ...flags, shellQuote(options.image)].join(' \\\n  ');
}

/** Read a seccomp profile file for the engine (the API takes the profile's content, as the docker CLI sends it). */
export async function readSeccompProfile(path: string): Promise<{ ok: true; profile: string } | { ok: false; reason: string }> {
  if (!isAbsolute(path)) return { ok: false, reason: `the seccomp profile path must be absolute: ${JSON.stringify(path)}` };
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, reason: `${path} is not a file` };
    if (info.size > MAX_SECCOMP_PROFILE_BYTES) return { ok: false, reason: `${path} is larger than 1 MiB; a seccomp profile is a few KiB` };
    const text = await readFile(path, 'utf8');
    const parsed = z.looseObject({ defaultAction: z.string() }).safeParse(JSON.parse(text));
    if (!parsed.success) return { ok: false, reason: `${path} is not a seccomp profile (no "defaultAction")` };
    return { ok: true, profile: JSON.stringify(parsed.data) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, reason: `no file at ${path}` };
    if (code === 'EACCES') return { ok: false, reason: `Isolens may not read ${path} (permission denied)` };
    return { ok: false, reason: `${path} is not valid JSON: ${(error as Error).message}` };
  }
}

function engineReason(error: unknown, image: string): string {
  const status = (error as { statusCode?: number }).statusCode;
  const message = ((error as { json?: { message?: string } }).json?.message ?? (error as Error).message ?? String(error)).trim();
  if (status === 404 && /image/i.test(message)) return `the image ${image} is not on this engine; pull it first (docker pull ${image})`;
  return `the engine refused the lab container: ${message}`;
}

/** Findings, score and grade for one container, exactly as a scan would assess it. */
function assessOne(container: ContainerIsolation, engine: EngineInfo): ContainerIsolation {
  const snapshot = assessSnapshot({
    schemaVersion: SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    engine,
    host: { findings: [], score: null, grade: null },
    containers: [container],
    gaps: [],
  });
  return snapshot.containers[0]!;
}

/** Run the probe catalogue: harmless ones together, then the destructive ones one by one (they compete for the same limits). */
async function runCatalogue(adapter: ContainerEngine, containerId: string, facts: ContainerIsolation): Promise<ProbeResult[]> {
  const harmless = PROBES.filter((probe) => !probe.destructive);
  const destructive = PROBES.filter((probe) => probe.destructive);
  const results = await Promise.all(harmless.map((probe) => runProbe(adapter, containerId, probe.id, facts)));
  for (const probe of destructive) results.push(await runProbe(adapter, containerId, probe.id, facts));
  return results.map((result) =>
    isRefusal(result)
      ? { probeId: result.probeId as ProbeResult['probeId'], title: result.probeId, destructive: true, outcome: 'error', errno: null, signal: null, output: '', responsible: result.reason, durationMs: 0 }
      : result,
  );
}

/**
 * One lab run: validate the options, start `isolens-lab-<session>-<n>` running sleep with the lab labels, collect and
 * grade it like a scan, run the probes, and diff it against the session's previous run. The session keeps this run
 * (and its container, for more probes) until the next run or cleanupLab; older lab containers of the session are removed.
 */
export async function runLab(adapter: ContainerEngine, engine: EngineInfo, input: unknown, session: LabSession): Promise<LabResult> {
  const begun = performance.now();
  const parsed = LabOptions.safeParse(input);
  if (!parsed.success) {
    return { ok: false, reason: `invalid lab options: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; ')}` };
  }
  const options = parsed.data;
  let seccompProfile: string | null = null;
  if (typeof options.seccomp === 'object') {
    const profile = await readSeccompProfile(options.seccomp.profilePath);
    if (!profile.ok) return { ok: false, reason: profile.reason };
    seccompProfile = profile.profile;
  }

  session.runCount += 1;
  const name = `${LAB_NAME_PREFIX}${session.id}-${session.runCount}`;
  let containerId: string;
  try {
    containerId = await adapter.createOwned({ role: 'lab', create: labCreateOptions(options, session, name, seccompProfile) });
  } catch (error) {
    return { ok: false, reason: engineReason(error, options.image) };
  }
  const container = { id: containerId, remove: () => adapter.removeOwned(containerId) };
  try {
    await adapter.startOwned(containerId);
  } catch (error) {
    await container.remove().catch(() => undefined);
    return { ok: false, reason: engineReason(error, options.image) };
  }
  const startedInMs = Math.round(performance.now() - begun);

  const inspected = await adapter.inspect(container.id);
  if (!inspected.ok || !inspected.value.State.Running) {
    await container.remove().catch(() => undefined);
    const why = !inspected.ok && inspected.reason === 'invalid' ? inspected.message : `the container stopped at once (does ${options.image} have a sleep program?)`;
    return { ok: false, reason: why };
  }
  const facts = assessOne(await collectContainer(inspected.value, engine), engine);
  const collectedAt = performance.now();
  const probes = await runCatalogue(adapter, container.id, facts);
  const finished = performance.now();

  // Keep only the newest lab container of the session: the previous run's report stays, its container goes.
  if (session.previous) await adapter.removeOwned(session.previous.containerId).catch(() => undefined);
  const previous = session.previous ? { ...session.previous, previous: null, diff: null } : null;
  const run: LabRun = {
    options,
    containerId: container.id,
    containerName: name,
    container: facts,
    probes,
    startedInMs,
    timings: {
      startMs: startedInMs,
      collectMs: Math.round(collectedAt - begun) - startedInMs,
      probesMs: Math.round(finished - collectedAt),
      totalMs: Math.round(performance.now() - begun),
    },
    previous,
    diff: previous ? diffContainers(previous.container, facts) : null,
    dockerRun: labDockerRun(options),
  };
  session.previous = run;
  return { ok: true, run };
}

/**
 * Remove lab containers: a session's when the lab closes, or every Isolens lab container (label io.isolens.owner=lab)
 * at start, left behind when the app died. Returns how many were removed.
 */
export async function cleanupLab(adapter: ContainerEngine, session?: LabSession | string): Promise<number> {
  const sessionId = typeof session === 'string' ? session : session?.id;
  const list = await adapter.listOwned('lab', sessionId === undefined ? {} : { [LAB_SESSION_LABEL]: sessionId });
  const removed = await Promise.all(list.map((c) => adapter.removeOwned(c.id).catch(() => false)));
  return removed.filter(Boolean).length;
}
