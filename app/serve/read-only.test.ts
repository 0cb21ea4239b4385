// `serve --read-only`: the lab and probes answer with refusals and never reach the engine; everything else passes through.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IsolensApi } from '../api.js';
import { apiDouble } from '../../e2e/harness/api-double.js';
import { READ_ONLY_REASON, readOnlyApi } from './read-only.js';
import { startServer } from './server.js';

function recordingApi(): { api: IsolensApi; calls: string[] } {
  const calls: string[] = [];
  const api: IsolensApi = {
    ...apiDouble(),
    getSnapshot: async () => (calls.push('getSnapshot'), null),
    listProbes: async () => (calls.push('listProbes'), [{ id: 'raw-socket', title: 'Open a raw socket', destructive: false, description: 'd', operation: 'raw-socket', answers: [], unavailable: null }]),
    listLabImages: async () => (calls.push('listLabImages'), ['busybox:latest']),
    runLab: async () => (calls.push('runLab'), { ok: false, reason: 'reached the engine' }),
    closeLab: async () => (calls.push('closeLab'), 1),
    runProbe: async (_id, probeId) => (calls.push('runProbe'), { refused: true, probeId, reason: 'reached the engine' }),
  };
  return { api, calls };
}

describe('readOnlyApi', () => {
  it('refuses the lab and probes with the reason, without calling through', async () => {
    const { api, calls } = recordingApi();
    const readOnly = readOnlyApi(api);
    expect(await readOnly.runLab({ image: 'busybox:latest' })).toEqual({ ok: false, reason: READ_ONLY_REASON });
    expect(await readOnly.runProbe('abcdef012345', 'raw-socket')).toEqual({ refused: true, probeId: 'raw-socket', reason: READ_ONLY_REASON });
    expect(await readOnly.closeLab()).toBe(0);
    expect(await readOnly.listLabImages()).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('passes every read through', async () => {
    const { api, calls } = recordingApi();
    const readOnly = readOnlyApi(api);
    await readOnly.getSnapshot();
    // The catalogue is listed, each probe carrying the reason it will not run here (the UI's buttons say it).
    expect(await readOnly.listProbes()).toEqual([expect.objectContaining({ id: 'raw-socket', unavailable: READ_ONLY_REASON })]);
    expect(calls).toEqual(['getSnapshot', 'listProbes']);
  });

  it('over HTTP too: POST /api/runLab answers the refusal and the engine is never asked', async () => {
    const staticDir = mkdtempSync(join(tmpdir(), 'isolens-ro-'));
    mkdirSync(join(staticDir, 'assets'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
    const { api, calls } = recordingApi();
    const server = await startServer({ api: readOnlyApi(api), staticDir });
    try {
      const post = (method: string, args: unknown[]) =>
        fetch(`http://127.0.0.1:${server.port}/api/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
          body: JSON.stringify({ args }),
        }).then((reply) => reply.json() as Promise<{ result: unknown }>);
      expect((await post('runLab', [{ image: 'busybox:latest', dropAllCapabilities: true }])).result).toEqual({ ok: false, reason: READ_ONLY_REASON });
      expect((await post('runProbe', ['abcdef012345', 'raw-socket'])).result).toMatchObject({ refused: true, reason: READ_ONLY_REASON });
      // Only the read serve makes at start (it packs the first snapshot ahead of the UI's request).
      expect(calls).toEqual(['getSnapshot']);
    } finally {
      await server.close();
    }
  });
});
