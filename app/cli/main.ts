// The `isolens` program: every command (scan's options and the shared error handling are in program.ts); each command's work is
// in its own module, loaded only when that command runs (so --help and a bad argument never load the engine client, zod or the rules).
import { InvalidArgumentError } from 'commander';
import { registerLabCommands } from './lab-commands.js';
import { addKernelSourceOptions } from './arguments.js';
import { registerExporterCommand } from './exporter.js';
import { addServerHistoryOptions, registerHistoryCommand } from './history.js';
import { EXIT, type Io } from './exit.js';
import { newProgram, processIo, registerScanCommand, runProgram } from './program.js';
import type { ServeFlags } from './serve.js';

export { EXIT };

/** Run the CLI with the given arguments (without node and script); resolves to the exit code. */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = newProgram(io);
  registerScanCommand(program, io, (code) => (exitCode = code));

  const serve = program
    .command('serve')
    .description('Serve the Isolens UI and API on 127.0.0.1 with a random token (the lab and probes included, unless --read-only)')
    .option('-H, --host <endpoint>', 'engine endpoint (unix:///path, tcp://host:port); default: like the docker CLI')
    .option('-p, --port <port>', 'port on 127.0.0.1 (0 = any free port)', (value) => {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port number 0–65535');
      return port;
    }, 7717)
    .option('--read-only', 'no lab and no probes: nothing is created or run in any container (for shared screens)');
  addServerHistoryOptions(serve);
  addKernelSourceOptions(serve).action(async (options: ServeFlags) => {
      const { serveCommand } = await import('./serve.js');
      exitCode = await serveCommand(options, io);
    });

  registerHistoryCommand(program, { stdout: io.stdout, stderr: io.stderr, setExitCode: (code: number) => (exitCode = code) }, EXIT);

  registerLabCommands(program, { stdout: io.stdout, stderr: io.stderr, setExitCode: (code: number) => (exitCode = code) });
  registerExporterCommand(program, { stdout: io.stdout, stderr: io.stderr, setExitCode: (code: number) => (exitCode = code) });

  return runProgram(program, argv, io, () => exitCode);
}
