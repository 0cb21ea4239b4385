// The entry of the scan's classic-script bundle (dist/cli/scan.cjs, see scripts/build-cli.mjs): `isolens scan …` with
// the same program, options, help and errors as main.ts's, without the other commands.
import { EXIT, type Io } from './exit.js';
import { newProgram, processIo, registerScanCommand, runProgram } from './program.js';

/** Run `isolens scan …` (argv without node and script, starting with "scan"); resolves to the exit code. */
export async function runScan(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = newProgram(io);
  registerScanCommand(program, io, (code) => (exitCode = code));
  return runProgram(program, argv, io, () => exitCode);
}
