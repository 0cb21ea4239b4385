// `isolens scan | serve`: argument parsing and exit codes; the work is done by app/ modules.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { SEVERITIES, type Severity, type Snapshot } from '../model/schema.js';
import { openEngine } from '../engine/open.js';
import { EngineUnreachableError } from '../engine/connect.js';
import { EndpointError } from '../engine/endpoint.js';
import { collectSnapshot } from '../collect/scan.js';
import { assessSnapshot, worstSeverity, type AcceptedRisk } from '../assess.js';
import { isKnownRuleOrFamily, parseIgnoreFile } from '../rules/catalogue.js';
import { severityAtLeast } from '../rules/score.js';
import { renderReport } from '../report/index.js';
import { registerLabCommands } from './lab-commands.js';
import { noMatchMessage, parseContainerSelector } from './arguments.js';
import { registerExporterCommand } from './exporter.js';
import { durationOption, HISTORY_DB_HELP, recordScan, registerHistoryCommand } from './history.js';
import { HistoryError } from '../history/store.js';
import { ISOLENS_VERSION } from '../version.js';

/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  /** The engine could not be reached or the scan failed. */
  error: 1,
  /** Bad arguments. */
  usage: 2,
  /** --fail-on: a finding at or above the threshold exists. */
  findings: 3,
  /** --fail-on-drift: a container got weaker than its last recorded version (and --fail-on did not already fail). */
  drift: 4,
} as const;

const FORMATS = ['table', 'json', 'sarif', 'html', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTty: boolean;
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: Boolean(process.stdout.isTTY),
};

function parseSeverity(value: string): Severity {
  if (!(SEVERITIES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${SEVERITIES.join(', ')}`);
  }
  return value as Severity;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Run the CLI with the given arguments (without node and script); resolves to the exit code. */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command()
    .name('isolens')
    .description('Shows how isolated each running container really is, from the engine and the kernel.')
    .version(ISOLENS_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  program
    .command('scan')
    .description('Scan every running container once and print the report')
    .option('-H, --host <endpoint>', 'engine endpoint (unix:///path, tcp://host:port); default: like the docker CLI')
    .option('-c, --container <name|glob|id>', 'only the containers with this name, name glob ("web-*") or id prefix', parseContainerSelector)
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .option('--json', 'same as --format json')
    .option('--fail-on <severity>', `exit ${EXIT.findings} when a finding at or above this severity exists (${SEVERITIES.join('|')})`, parseSeverity)
    .option('--ignore <rule-id>', 'accept a risk: skip this rule (or rule family prefix); repeatable', collect, [])
    .option('--ignore-file <path>', 'file of accepted risks: one rule id per line, optionally followed by a container name glob')
    .option('--no-color', 'no ANSI colours in the table')
    .option('--full', 'markdown: every finding with evidence and fix (default: a summary that fits a GitHub comment)')
    .option('--record', 'record each container\'s posture in the history database (see `isolens history`)')
    .option('--history-db <path>', HISTORY_DB_HELP)
    .option('--fail-on-drift', `with --record: exit ${EXIT.drift} when a container got weaker than its last recorded version`)
    .option('--retention <duration>', 'with --record: forget versions not seen for this long (default 90d)', durationOption)
    .action(async (options: {
      host?: string;
      container?: string;
      format: Format;
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
    }) => {
      const format: Format = options.json ? 'json' : options.format;
      if ((options.failOnDrift || options.historyDb || options.retention !== undefined) && !options.record) {
        io.stderr('isolens: --fail-on-drift, --history-db and --retention need --record\n');
        exitCode = EXIT.usage;
        return;
      }
      const unknown = options.ignore.filter((entry) => !isKnownRuleOrFamily(entry));
      if (unknown.length > 0) {
        io.stderr(`isolens: --ignore ${unknown.join(', ')}: no such rule or rule family (see docs/rules.md)\n`);
        exitCode = EXIT.usage;
        return;
      }
      const ignore: AcceptedRisk[] = options.ignore.map((ruleId) => ({ ruleId, container: null }));
      if (options.ignoreFile) {
        let text: string;
        try {
          text = readFileSync(options.ignoreFile, 'utf8');
        } catch (error) {
          io.stderr(`isolens: cannot read the ignore file ${options.ignoreFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
          exitCode = EXIT.usage;
          return;
        }
        const parsed = parseIgnoreFile(text);
        if (parsed.problems.length > 0) {
          for (const problem of parsed.problems) io.stderr(`isolens: ${options.ignoreFile}:${problem.line}: ${problem.message}\n`);
          exitCode = EXIT.usage;
          return;
        }
        ignore.push(...parsed.risks);
      }
      const { adapter, engine } = await openEngine({ host: options.host });
      const facts = await collectSnapshot(adapter, engine, { container: options.container });
      if (options.container && facts.containers.length === 0) {
        io.stderr(`isolens: ${await noMatchMessage(adapter, options.container)}\n`);
        exitCode = EXIT.error;
        return;
      }
      const snapshot: Snapshot = assessSnapshot(facts, { ignore });
      const report = renderReport(snapshot, format, { color: options.color && io.isTty && format === 'table', width: process.stdout.columns || 120, full: options.full });
      io.stdout(report.endsWith('\n') ? report : `${report}\n`);
      const drift = options.record ? recordScan(snapshot, { historyDb: options.historyDb, retentionMs: options.retention }, io) : null;
      const worst = worstSeverity(snapshot);
      if (options.failOn && worst && severityAtLeast(worst, options.failOn)) exitCode = EXIT.findings;
      else if (options.failOnDrift && drift && drift.drifted.length > 0) exitCode = EXIT.drift;
    });

  program
    .command('serve')
    .description('Serve the Isolens UI and API on 127.0.0.1 with a random token (the lab and probes included, unless --read-only)')
    .option('-H, --host <endpoint>', 'engine endpoint (unix:///path, tcp://host:port); default: like the docker CLI')
    .option('-p, --port <port>', 'port on 127.0.0.1 (0 = any free port)', (value) => {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port number 0–65535');
      return port;
    }, 7717)
    .option('--read-only', 'no lab and no probes: nothing is created or run in any container (for shared screens)')
    .option('--history-db <path>', `${HISTORY_DB_HELP}: every change of a container's posture is recorded`)
    .option('--retention <duration>', 'forget versions not seen for this long (default 90d)', durationOption)
    .option('--no-history', 'record nothing (no History tab, no drift notices)')
    .action(async (options: { host?: string; port: number; readOnly?: boolean; historyDb?: string; retention?: number; history: boolean }) => {
      const { serveCommand } = await import('./serve.js');
      exitCode = await serveCommand(options, io);
    });

  registerHistoryCommand(program, { stdout: io.stdout, stderr: io.stderr, setExitCode: (code: number) => (exitCode = code) }, EXIT);

  registerLabCommands(program, { stdout: io.stdout, stderr: io.stderr, setExitCode: (code: number) => (exitCode = code) });
  registerExporterCommand(program, { stdout: io.stdout, stderr: io.stderr, setExitCode: (code: number) => (exitCode = code) });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof EndpointError) {
      io.stderr(`isolens: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof HistoryError) {
      io.stderr(`isolens: ${error.message}\n`);
      return EXIT.error;
    }
    if (error instanceof EngineUnreachableError) {
      io.stderr(`isolens: ${error.message}\n`);
      return EXIT.error;
    }
    io.stderr(`isolens: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.ISOLENS_DEBUG && error instanceof Error) io.stderr(`${error.stack}\n`);
    return EXIT.error;
  }
}
