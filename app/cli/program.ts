// The parts of the `isolens` program every entry shares: the process's streams, the program itself, the scan command
// and the error handling. main.ts adds the other commands; scan-main.ts (the scan's classic-script bundle) adds none, so
// `isolens scan …` parses, helps and fails the same whichever of the two runs it.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isatty } from 'node:tty';
import { SEVERITY_LEVELS, type SeverityLevel } from '../model/severity.js';
import { addKernelSourceOptions, parseContainerSelector } from './arguments.js';
import { durationOption, HISTORY_DB_HELP } from './history.js';
import { EXIT, type Io } from './exit.js';
import { SCAN_FORMATS } from './scan-formats.js';
import type { ScanFlags } from './scan.js';
import { ISOLENS_VERSION } from '../version.js';

/**
 * Standard output may go away or fill up: `isolens scan | head` closes the pipe after ten lines, a redirect can hit a
 * full disk. Without a listener either is Node's stack trace of an unhandled 'error' event and exit 1. A closed pipe
 * (EPIPE) only stops the output: the reader had what it wanted, and the command ends as it would have, with its own
 * exit code (--fail-on's included). Any other write error is one line on stderr and exit 1. The listener goes on at the
 * first write, as process.stdout is made then.
 */
let stdoutState: 'unused' | 'open' | 'closed' = 'unused';
function writeStdout(text: string): void {
  if (stdoutState === 'unused') {
    stdoutState = 'open';
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (stdoutState === 'closed') return; // what was still queued when the reader went
      stdoutState = 'closed';
      if (error.code === 'EPIPE') return;
      process.stderr.write(`isolens: cannot write to standard output (${error.message})\n`);
      process.exit(EXIT.error);
    });
    // Nowhere is left to report a failure of stderr itself; without a listener it would be the stack trace above.
    process.stderr.on('error', () => undefined);
  }
  if (stdoutState === 'open') process.stdout.write(text);
}

export const processIo: Io = {
  stdout: writeStdout,
  stderr: (text) => process.stderr.write(text),
  // Asked of the descriptor, not of process.stdout: creating that stream at start (a pipe's is a net.Socket) cost every
  // command a few milliseconds before it had anything to write.
  isTty: isatty(1),
};

function parseSeverity(value: string): SeverityLevel {
  if (!(SEVERITY_LEVELS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${SEVERITY_LEVELS.join(', ')}`);
  }
  return value as SeverityLevel;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The `isolens` program without its commands. */
export function newProgram(io: Io): Command {
  return new Command()
    .name('isolens')
    .description('Shows how isolated each running container really is, from the engine and the kernel.')
    .version(ISOLENS_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();
}

/** `isolens scan`: its options, and an action that loads the scan when it runs. */
export function registerScanCommand(program: Command, io: Io, setExitCode: (code: number) => void): void {
  const scan = program
    .command('scan')
    .description('Scan every running container once and print the report')
    .option('-H, --host <endpoint>', 'engine endpoint (unix:///path, tcp://host:port); default: like the docker CLI')
    .option('-c, --container <name|glob|id>', 'only the containers with this name, name glob ("web-*") or id prefix', parseContainerSelector)
    .addOption(new Option('-f, --format <format>', 'output format').choices(SCAN_FORMATS).default('table'))
    .option('--json', 'same as --format json')
    .option('--fail-on <severity>', `exit ${EXIT.findings} when a finding at or above this severity exists (${SEVERITY_LEVELS.join('|')})`, parseSeverity)
    .option('--ignore <rule-id>', 'accept a risk: skip this rule (or rule family prefix); repeatable', collect, [])
    .option('--ignore-file <path>', 'file of accepted risks: one rule id per line, optionally followed by a container name glob')
    .option('--no-color', 'no ANSI colours in the table')
    .option('--full', 'markdown: every finding with evidence and fix (default: a summary that fits a GitHub comment)')
    .option('--record', 'record each container\'s posture in the history database (see `isolens history`)')
    .option('--history-db <path>', HISTORY_DB_HELP)
    .option('--fail-on-drift', `with --record: exit ${EXIT.drift} when a container got weaker than its last recorded version`)
    .option('--retention <duration>', 'with --record: forget versions not seen for this long (default 90d)', durationOption);
  addKernelSourceOptions(scan).action(async (options: ScanFlags) => {
    // Loaded when the command runs: `isolens --help` and the other commands never load the engine client or the rules.
    const { scanCommand } = await import('./scan.js');
    setExitCode(await scanCommand(options, io));
  });
}

/** Parse the arguments and run the command they name; resolves to the exit code (the one the command set, if it ran). */
export async function runProgram(program: Command, argv: string[], io: Io, exitCode: () => number): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode();
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // The modules that throw these are loaded by then; on this path only, so start-up never pays for them.
    const [{ EndpointError }, { EngineUnreachableError }, { HistoryError }] = await Promise.all([
      import('../engine/endpoint.js'),
      import('../engine/connect.js'),
      import('../history/store.js'),
    ]);
    if (error instanceof EndpointError) {
      io.stderr(`isolens: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof HistoryError || error instanceof EngineUnreachableError) {
      io.stderr(`isolens: ${error.message}\n`);
      return EXIT.error;
    }
    io.stderr(`isolens: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.ISOLENS_DEBUG && error instanceof Error) io.stderr(`${error.stack}\n`);
    return EXIT.error;
  }
}
