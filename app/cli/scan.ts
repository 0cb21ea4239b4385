// `isolens scan`: one scan of every running container (or the selected ones), printed in the chosen format.
import { readFileSync } from 'node:fs';
import type { Severity, Snapshot } from '../model/schema.js';
import { startOpeningEngine } from '../engine/open.js';
import { inspectRunning } from '../collect/inspect.js';
import type { KernelSourceMode } from '../kernel-source.js';
import type { AcceptedRisk } from '../assess.js';
import { noMatchMessage } from './arguments.js';
import { EXIT, type Io } from './exit.js';
import type { ScanFormat } from './scan-formats.js';

/**
 * What a scan needs once the engine has answered: the kernel readers, the join, the rules and the report. Loaded while
 * the engine answers the first requests, so its ~20 ms of loading overlaps the engine's work instead of preceding it.
 */
async function loadScanModules() {
  return import('./scan-modules.js');
}

export interface ScanFlags {
  host?: string;
  container?: string;
  format: ScanFormat;
  json?: boolean;
  failOn?: Severity;
  ignore: string[];
  ignoreFile?: string;
  color: boolean;
  full?: boolean;
  record?: boolean;
  historyDb?: string;
  failOnDrift?: boolean;
  retention?: number;
  kernelSource: KernelSourceMode;
  helperImage?: string;
}

type ScanModules = Awaited<ReturnType<typeof loadScanModules>>;

/** The risks --ignore and --ignore-file accept; null (with the problems on stderr) when either names no rule. */
function acceptedRisks(options: ScanFlags, catalogue: Pick<ScanModules, 'isKnownRuleOrFamily' | 'parseIgnoreFile'>, io: Io): AcceptedRisk[] | null {
  const unknown = options.ignore.filter((entry) => !catalogue.isKnownRuleOrFamily(entry));
  if (unknown.length > 0) {
    io.stderr(`isolens: --ignore ${unknown.join(', ')}: no such rule or rule family (see docs/rules.md)\n`);
    return null;
  }
  const ignore: AcceptedRisk[] = options.ignore.map((ruleId) => ({ ruleId, container: null }));
  if (options.ignoreFile) {
    let text: string;
    try {
      text = readFileSync(options.ignoreFile, 'utf8');
    } catch (error) {
      io.stderr(`isolens: cannot read the ignore file ${options.ignoreFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
      return null;
    }
    const parsed = catalogue.parseIgnoreFile(text);
    if (parsed.problems.length > 0) {
      for (const problem of parsed.problems) io.stderr(`isolens: ${options.ignoreFile}:${problem.line}: ${problem.message}\n`);
      return null;
    }
    ignore.push(...parsed.risks);
  }
  return ignore;
}

/** Run one scan; resolves to the exit code. */
export async function scanCommand(options: ScanFlags, io: Io): Promise<number> {
  const format: ScanFormat = options.json ? 'json' : options.format;
  if ((options.failOnDrift || options.historyDb || options.retention !== undefined) && !options.record) {
    io.stderr('isolens: --fail-on-drift, --history-db and --retention need --record\n');
    return EXIT.usage;
  }
  // Accepted risks are checked against the rule catalogue before any engine request, so a usage error comes first.
  let loaded: ScanModules | undefined;
  let ignore: AcceptedRisk[] = [];
  if (options.ignore.length > 0 || options.ignoreFile) {
    loaded = await loadScanModules();
    const accepted = acceptedRisks(options, loaded, io);
    if (accepted === null) return EXIT.usage;
    ignore = accepted;
  }
  // The list (and the inspects after it) are asked for while /version and /info are answered, not after them.
  const opening = startOpeningEngine({ host: options.host });
  const listing = inspectRunning(opening.containers, { container: options.container });
  // Handled now, awaited below: a failure while the modules load must not count as unhandled. When the engine cannot
  // be described, that failure is the one reported, as when listing came after it.
  opening.opened.catch(() => undefined);
  listing.catch(() => undefined);
  // One turn of the event loop, in which the first connections open and the requests are written, before the
  // synchronous work of loading the rest.
  await new Promise((resolve) => setImmediate(resolve));
  loaded ??= await loadScanModules();
  const { withKernelSource, snapshotFromInspects, assessSnapshot, worstSeverity, severityAtLeast, renderReportParts } = loaded;
  const { adapter, engine } = await opening.opened;
  const { inspects, gaps } = await listing;
  const kernel = { mode: options.kernelSource, helperImage: options.helperImage, onNotice: (text: string) => io.stderr(`isolens: ${text}\n`) };
  const facts = await withKernelSource(adapter, engine, kernel, (source) => snapshotFromInspects(inspects, engine, { source, gaps }), inspects);
  if (options.container && facts.containers.length === 0) {
    io.stderr(`isolens: ${await noMatchMessage(adapter, options.container)}\n`);
    return EXIT.error;
  }
  const snapshot: Snapshot = assessSnapshot(facts, { ignore });
  const report = await renderReportParts(snapshot, format, { color: options.color && io.isTty && format === 'table', width: process.stdout.columns || 120, full: options.full });
  for (const part of report) io.stdout(part);
  // The history store (and SQLite) only for --record.
  const drift = options.record ? (await import('./history-record.js')).recordScan(snapshot, { historyDb: options.historyDb, retentionMs: options.retention }, io) : null;
  const worst = worstSeverity(snapshot);
  if (options.failOn && worst && severityAtLeast(worst, options.failOn)) return EXIT.findings;
  if (options.failOnDrift && drift && drift.drifted.length > 0) return EXIT.drift;
  return EXIT.ok;
}
