// The CLI run in this process with its output captured: what the tests of the commands call.
import { run } from './main.js';

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCaptured(args: string[]): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}
