// Starts the built `isolens serve` as a child process on a free port and hands its token URL to e2e tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RunningServe {
  url: string;
  origin: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

const bin = fileURLToPath(new URL('../../bin/isolens.js', import.meta.url));

export async function startServe(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunningServe> {
  // serve records posture history; a test's goes to a state directory of its own, never the user's database.
  const state = mkdtempSync(join(tmpdir(), 'isolens-serve-state-'));
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...extraArgs], {
    env: { ...process.env, XDG_STATE_HOME: state, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`isolens serve printed no URL within 20 s:\n${output}`)), 20_000);
    const check = () => {
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`isolens serve exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    origin: new URL(url).origin,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(state, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
