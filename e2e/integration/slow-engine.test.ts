// An engine that stalls or answers slowly (a proxy in front of the real one holds or delays its answers): `serve` keeps
// answering from its last snapshot, a new connection and a scan give up after their timeout with a message that names
// the wait and the endpoint, and everything catches up when the engine does. Never a hang.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLiveApi, type LiveApi } from '../../app/poller/index.js';
import { startServer, type RunningServer } from '../../app/serve/server.js';
import { withHistory } from '../../app/history/api.js';
import { HistoryError } from '../../app/history/store.js';
import { openEngine } from '../../app/engine/open.js';
import { EngineUnreachableError } from '../../app/engine/connect.js';
import { collectSnapshot } from '../../app/collect/scan.js';
import type { EngineState } from '../../app/model/live.js';
import type { Snapshot } from '../../app/model/schema.js';
import { ensureTestImage, removeTestContainers, startContainer, testClient } from '../harness/engine.js';
import { startEngineProxy, type EngineProxy } from '../harness/socket-proxy.js';
import { callServe, until } from '../harness/until.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-slow-';
const client = testClient();
const bin = fileURLToPath(new URL('../../bin/isolens.js', import.meta.url));

describe.skipIf(noEngine)('an engine that stalls or answers slowly', () => {
  let dir: string;
  let proxy: EngineProxy;
  let api: LiveApi;
  let server: RunningServer;

  /** A serve API call; its abort after 15 s is a hang detector (a bound), not a timing claim. */
  const post = <T>(method: string): Promise<T> => callServe<T>(server, method);
  const names = (snapshot: Snapshot | null) => (snapshot?.containers ?? []).map((c) => c.name).filter((name) => name.startsWith(PREFIX)).sort();

  beforeAll(async () => {
    await ensureTestImage(client);
    await removeTestContainers(client, PREFIX);
    await startContainer(`${PREFIX}a`, {}, client);
    dir = mkdtempSync(join(tmpdir(), 'isolens-slow-'));
    proxy = await startEngineProxy(join(dir, 'engine.sock'));
    api = await createLiveApi({ host: `unix://${proxy.path}` });
    const staticDir = join(dir, 'ui');
    mkdirSync(join(staticDir, 'assets'), { recursive: true });
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
    server = await startServer({ api: withHistory(api, { store: new HistoryError('history is off in this test', '') }), staticDir });
  }, 60_000);

  afterAll(async () => {
    proxy?.release();
    await server?.close();
    await api?.close();
    await proxy?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await removeTestContainers(client, PREFIX);
  }, 60_000);

  it('while the engine stalls, serve answers from its last snapshot; a new connection and a scan end with clear words', { timeout: 90_000 }, async () => {
    await until('container a in the snapshot', async () => names(await post<Snapshot | null>('getSnapshot')).includes(`${PREFIX}a`));
    const { adapter, engine } = await openEngine({ host: `unix://${proxy.path}`, timeoutMs: 1500 });

    proxy.hold();
    const b = await startContainer(`${PREFIX}b`, {}, client); // straight to the engine: its event is held in the proxy
    // serve is not blocked by the engine: every call answers, with what it had.
    expect(names(await post<Snapshot | null>('getSnapshot'))).toEqual([`${PREFIX}a`]);
    expect((await post<EngineState>('getEngineState')).endpoint).toBe(`unix://${proxy.path}`);

    // A new connection gives up after its timeout and says so, naming the endpoint.
    const refused = await openEngine({ host: `unix://${proxy.path}`, timeoutMs: 1500 }).then(() => null, (error: unknown) => error);
    expect(refused).toBeInstanceOf(EngineUnreachableError);
    expect((refused as Error).message).toMatch(/did not answer within 1\.5 s/);
    expect((refused as Error).message).toContain(proxy.path);

    // A scan on a connection made before the stall: the listing times out with the same clear message, never a hang.
    const scan = await collectSnapshot(adapter, engine).then(() => null, (error: unknown) => error);
    expect(scan).toBeInstanceOf(EngineUnreachableError);
    expect((scan as Error).message).toMatch(/did not answer within 1\.5 s/);

    proxy.release();
    // The held event arrives: container b is picked up without a restart.
    await until('container b after the engine caught up', async () => names(await post<Snapshot | null>('getSnapshot')).includes(`${PREFIX}b`));
    expect((await post<EngineState>('getEngineState')).status).toBe('connected');
    await client.getContainer(b.id).remove({ force: true });
  });

  it('with every answer slowed down, `isolens scan` finishes with the same containers, and serve keeps answering', { timeout: 120_000 }, async () => {
    proxy.delayMs = 150;
    try {
      const scan = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [bin, 'scan', '-H', `unix://${proxy.path}`, '--container', `${PREFIX}*`, '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (_e, stdout, stderr) =>
          resolve({ code: child.exitCode, stdout, stderr }),
        );
      });
      // While the slow scan runs, serve's own answers come from memory.
      expect(names(await post<Snapshot | null>('getSnapshot'))).toEqual([`${PREFIX}a`]);
      const { code, stdout, stderr } = await scan;
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(names(JSON.parse(stdout) as Snapshot)).toEqual([`${PREFIX}a`]);
      expect(proxy.requests.length).toBeGreaterThan(0);
    } finally {
      proxy.delayMs = 0;
    }
  });
});
