// A benchmark's containers: labelled io.isolens.owner=bench, so the tests' cleanup of stray test containers leaves a
// bench's (--keep) containers alone, and removed on every way out of a bench: Ctrl-C (SIGINT), SIGTERM, and SIGKILL
// (by the bench's detached guard), for real, on the engine.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTestContainers, startContainer, testClient } from '../harness/engine.js';
import { BENCH_OWNER } from '../../bench/containers.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-benchlabel-';
const client = testClient();
const child = fileURLToPath(new URL('../harness/bench-child.ts', import.meta.url));

async function named(prefix: string): Promise<string[]> {
  const list = await client.listContainers({ all: true });
  return list.flatMap((container) => container.Names.map((name) => name.replace(/^\//, ''))).filter((name) => name.startsWith(prefix)).sort();
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Run the stand-in bench with 3 containers until it is ready; the signal ends it. Its exit code and signal. */
async function interrupted(prefix: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const bench = spawn(process.execPath, ['--import', 'tsx', child, prefix, '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  bench.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    bench.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    bench.once('exit', (code) => reject(new Error(`the stand-in bench exited ${code} before it was ready: ${stderr}`)));
  });
  expect(await named(prefix)).toHaveLength(3);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => bench.once('exit', (code, sig) => resolve({ code, signal: sig })));
  bench.kill(signal);
  return { ...(await exited), stderr };
}

describe.skipIf(noEngine)('a benchmark\'s containers', () => {
  afterAll(async () => {
    const left = await client.listContainers({ all: true, filters: { label: [`io.isolens.owner=${BENCH_OWNER}`] } });
    for (const container of left.filter((c) => c.Names.some((name) => name.startsWith(`/${PREFIX}`)))) {
      await client.getContainer(container.Id).remove({ force: true }).catch(() => undefined);
    }
    await removeTestContainers(client, PREFIX);
  });

  it('carry a label of their own, which the tests\' cleanup of stray test containers leaves alone', async () => {
    await startContainer(`${PREFIX}test`, { HostConfig: { NetworkMode: 'none' } }, client);
    await startContainer(`${PREFIX}bench`, { HostConfig: { NetworkMode: 'none' } }, client, BENCH_OWNER);
    expect(await removeTestContainers(client, PREFIX)).toBe(1);
    expect(await named(PREFIX)).toEqual([`${PREFIX}bench`]);
    const inspect = await client.getContainer(`${PREFIX}bench`).inspect();
    expect(inspect.Config.Labels['io.isolens.owner']).toBe('bench');
    await client.getContainer(`${PREFIX}bench`).remove({ force: true });
  });

  it('are removed when the bench is interrupted (Ctrl-C, SIGTERM), which then exits with the signal\'s code', async () => {
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const prefix = `${PREFIX}${signal.toLowerCase()}-`;
      const result = await interrupted(prefix, signal);
      expect(result.code, result.stderr).toBe(code);
      expect(result.stderr).toContain(`interrupted (${signal})`);
      expect(await named(prefix)).toEqual([]);
    }
  }, 120_000);

  it('are removed by the bench\'s guard when the bench is killed (SIGKILL: no handler runs)', async () => {
    const prefix = `${PREFIX}sigkill-`;
    const result = await interrupted(prefix, 'SIGKILL');
    expect(result.signal).toBe('SIGKILL');
    await until(async () => (await named(prefix)).length === 0, 'the guard removed the killed bench\'s containers');
  }, 120_000);
});
