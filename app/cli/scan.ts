// `isolens scan`: one scan of every running container (or the selected ones), printed in the chosen format.
import { readFileSync } from 'node:fs';
import type { Severity, Snapshot } from '../model/schema.js';
import { openEngine } from '../engine/open.js';
import { inspectRunning, snapshotFromInspects } from '../collect/scan.js';
import { withKernelSource, type KernelSourceMode } from '../kernel-source.js';
import { assessSnapshot, worstSeverity, type AcceptedRisk } from '../assess.js';
import { isKnownRuleOrFamily, parseIgnoreFile } from '../rules/catalogue.js';
import { severityAtLeast } from '../rules/score.js';
import { renderReportLoaded } from '../report/render.js';
import { noMatchMessage } from './arguments.js';
import { EXIT, type Io } from './exit.js';
import type { ScanFormat } from './scan-formats.js';


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

/** Run one scan; resolves to the exit code. */
export async function scanCommand(options: ScanFlags, io: Io): Promise<number> {
  const format: ScanFormat = options.json ? 'json' : options.format;
  if ((options.failOnDrift || options.historyDb || options.retention !== undefined) && !options.record) {
    io.stderr('isolens: --fail-on-drift, --history-db and --retention need --record\n');
    return EXIT.usage;
  }
  const unknown = options.ignore.filter((entry) => !isKnownRuleOrFamily(entry));
  if (unknown.length > 0) {
    io.stderr(`isolens: --ignore ${unknown.join(', ')}: no such rule or rule family (see docs/rules.md)\n`);
    return EXIT.usage;
  }
  const ignore: AcceptedRisk[] = options.ignore.map((ruleId) => ({ ruleId, container: null }));
  if (options.ignoreFile) {
    let text: string;
    try {
      text = readFileSync(options.ignoreFile, 'utf8');
    } catch (error) {
      io.stderr(`isolens: cannot read the ignore file ${options.ignoreFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
      return EXIT.usage;
    }
    const parsed = parseIgnoreFile(text);
    if (parsed.problems.length > 0) {
      for (const problem of parsed.problems) io.stderr(`isolens: ${options.ignoreFile}:${problem.line}: ${problem.message}\n`);
      return EXIT.usage;
    }
    ignore.push(...parsed.risks);
  }
  const { adapter, engine } = await openEngine({ host: options.host });
  const { inspects, gaps } = await inspectRunning(adapter, { container: options.container });
  const kernel = { mode: options.kernelSource, helperImage: options.helperImage, onNotice: (text: string) => io.stderr(`isolens: ${text}\n`) };
  const facts = await withKernelSource(adapter, engine, kernel, (source) => snapshotFromInspects(inspects, engine, { source, gaps }), inspects);
  if (options.container && facts.containers.length === 0) {
    io.stderr(`isolens: ${await noMatchMessage(adapter, options.container)}\n`);
    return EXIT.error;
  }
  const snapshot: Snapshot = assessSnapshot(facts, { ignore });
  const report = await renderReportLoaded(snapshot, format, { color: options.color && io.isTty && format === 'table', width: process.stdout.columns || 120, full: options.full });
  io.stdout(report.endsWith('\n') ? report : `${report}\n`);
  // The history store (and SQLite) only for --record.
  const drift = options.record ? (await import('./history-record.js')).recordScan(snapshot, { historyDb: options.historyDb, retentionMs: options.retention }, io) : null;
  const worst = worstSeverity(snapshot);
  if (options.failOn && worst && severityAtLeast(worst, options.failOn)) return EXIT.findings;
  if (options.failOnDrift && drift && drift.drifted.length > 0) return EXIT.drift;
  return EXIT.ok;
}
