// History on a real engine: a container recreated under the same name with weaker isolation is drift, seen by two
// `scan --record` runs and by a running `isolens serve` reacting to engine events.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EXIT } from '../cli/main.js';
import { ContainerHistory, DriftMark, Notice } from '../model/history.js';
import { removeTestContainers, startContainer, testClient } from '../../e2e/harness/engine.js';
import { startServe, type RunningServe } from '../../e2e/harness/serve.js';
import { runCaptured } from '../cli/captured.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-history-';
const client = testClient();
const HARDENED = { User: '1000:1000', HostConfig: { CapDrop: ['ALL'], ReadonlyRootfs: true, SecurityOpt: ['no-new-privileges'], Memory: 64 << 20, PidsLimit: 64 } };
const WEAKER = { HostConfig: { CapAdd: ['SYS_ADMIN'], PidMode: 'host' } };
let dir: string;

const cli = runCaptured;

async function recreate(name: string, options: Parameters<typeof startContainer>[1]) {
  await client.getContainer(name).remove({ force: true });
  return startContainer(name, options);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isolens-int-history-'));
  await removeTestContainers(client, PREFIX);
});
afterAll(async () => {
  await removeTestContainers(client, PREFIX);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(noEngine)('scan --record on a real engine', () => {
  it('records, then a recreation with weaker isolation fails --fail-on-drift and shows in isolens history', async () => {
    const db = join(dir, 'cli.db');
    const name = `${PREFIX}cli-web`;
    const first = await startContainer(name, HARDENED);
    const recorded = await cli(['scan', '--container', name, '--record', '--history-db', db, '--fail-on-drift', '--json']);
    expect(recorded.stderr).toBe('');
    expect(recorded.code).toBe(EXIT.ok);
    // Recording the same posture again is no drift, and no new version.
    expect((await cli(['scan', '--container', name, '--record', '--history-db', db, '--fail-on-drift'])).code).toBe(EXIT.ok);

    const second = await recreate(name, WEAKER);
    expect(second.id).not.toBe(first.id);
    const drifted = await cli(['scan', '--container', name, '--record', '--history-db', db, '--fail-on-drift']);
    expect(drifted.code).toBe(EXIT.drift);
    expect(drifted.stderr).toMatch(new RegExp(`drift: ${name} got weaker than its last recorded version: score \\d+(\\.\\d+)? → \\d+.*capabilities/sys-admin`));

    const shown = await cli(['history', name, '--json', '--history-db', db]);
    expect(shown.code).toBe(EXIT.ok);
    const history = ContainerHistory.parse(JSON.parse(shown.stdout));
    expect(history.container).toBe(name);
    expect(history.versions.map((v) => v.containerId)).toEqual([first.id, second.id]);
    expect(history.changes).toHaveLength(1);
    const [change] = history.changes;
    expect(change!.weaker).toBe(true);
    expect(change!.findingsAdded).toEqual(expect.arrayContaining(['capabilities/sys-admin']));
    expect(change!.scoreAfter!).toBeLessThan(change!.scoreBefore!);
    const effective = change!.facts.find((f) => f.fact === 'capabilities.effective')!;
    expect(effective.after).toContain('CAP_SYS_ADMIN');
    expect(effective.before).toEqual([]);
    expect(change!.facts.map((f) => f.fact)).toEqual(expect.arrayContaining(['namespaces.pid.sharedWithHost', 'user.uid']));

    const text = await cli(['history', name, '--history-db', db, '--since', '1h']);
    expect(text.stdout).toMatch(/DRIFT \(weaker\)/);
    expect((await cli(['history', 'no-such-container', '--history-db', db])).code).toBe(EXIT.error);
    expect((await cli(['history', name, '--history-db', db, '--since', 'soon'])).code).toBe(EXIT.usage);
    expect((await cli(['scan', '--fail-on-drift'])).code).toBe(EXIT.usage);
  });

  it('a database that is not one is refused with one line, and left as it is', async () => {
    const path = fileURLToPath(new URL('./store.ts', import.meta.url));
    const result = await cli(['history', '--history-db', path]);
    expect(result.code).toBe(EXIT.error);
    expect(result.stderr).toMatch(/^isolens: the history database .*store\.ts is damaged or not an SQLite database/);
  });
});

async function api<T>(serve: RunningServe, method: string, args: unknown[] = []): Promise<T> {
  const token = new URL(serve.url).searchParams.get('token')!;
  const response = await fetch(`${serve.origin}/api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ args }),
  });
  const body = (await response.json()) as { result?: T; error?: string };
  if (body.error !== undefined) throw new Error(body.error);
  return body.result as T;
}

async function eventually<T>(probe: () => Promise<T | null | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.skipIf(noEngine)('a running isolens serve records from engine events', () => {
  let serve: RunningServe;
  const notices: Notice[] = [];
  let socket: WebSocket;

  beforeAll(async () => {
    if (!existsSync(fileURLToPath(new URL('../../dist/app/cli/bin.js', import.meta.url)))) throw new Error('build first: npm run build (this test runs the built isolens serve)');
    serve = await startServe(['--history-db', join(dir, 'serve.db')]);
    const token = new URL(serve.url).searchParams.get('token')!;
    socket = new WebSocket(`${serve.origin.replace('http', 'ws')}/api/events`, { headers: { Authorization: `Bearer ${token}` } });
    socket.on('message', (data) => {
      const event = JSON.parse(String(data)) as { type: string; notice?: Notice };
      if (event.type === 'notice') notices.push(Notice.parse(event.notice));
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  });
  afterAll(async () => {
    socket?.close();
    await serve?.stop();
  });

  it('a recreation with weaker isolation: drift with the gained finding and the falling score, a mark, a notice', async () => {
    const name = `${PREFIX}serve-web`;
    const first = await startContainer(name, HARDENED);
    const initial = await eventually(async () => {
      const history = ContainerHistory.parse(await api(serve, 'getHistory', [first.id]));
      return history.versions.length === 1 ? history : null;
    });
    expect(initial.changes).toEqual([]);

    const second = await recreate(name, WEAKER);
    const after = await eventually(async () => {
      const history = ContainerHistory.parse(await api(serve, 'getHistory', [second.id]));
      return history.changes.length === 1 ? history : null;
    });
    const change = after.changes[0]!;
    expect(change.weaker).toBe(true);
    expect(change.findingsAdded).toContain('capabilities/sys-admin');
    expect(change.scoreAfter!).toBeLessThan(change.scoreBefore!);

    const marks = await eventually(async () => {
      const list = (await api<unknown[]>(serve, 'getDriftMarks')).map((mark) => DriftMark.parse(mark));
      return list.some((mark) => mark.containerId === second.id) ? list : null;
    });
    expect(marks.find((mark) => mark.containerId === second.id)!.findingsAdded).toContain('capabilities/sys-admin');
    const notice = await eventually(async () => notices.find((n) => n.kind === 'drift' && n.containerId === second.id));
    expect(notice.ruleIds).toContain('capabilities/sys-admin');
    expect(notice.title).toContain(name);

    // The compare view's pair is the stored documents.
    const diff = await api<{ rows: Array<{ fact: string; a: unknown; b: unknown; better: string | null }> }>(serve, 'getHistoryVersions', [second.id, 0, 1]);
    const row = diff.rows.find((r) => r.fact === 'capabilities.effective')!;
    expect(row.b).toContain('CAP_SYS_ADMIN');
    expect(row.better).toBe('a');

    // Another Isolens reads the same database while serve writes it.
    const shown = await cli(['history', name, '--json', '--history-db', join(dir, 'serve.db')]);
    expect(ContainerHistory.parse(JSON.parse(shown.stdout)).changes).toHaveLength(1);
  });

  it('a container that starts with a critical finding is a notice, unless muted', async () => {
    await api(serve, 'setNotificationSettings', [{ mutedRules: [], mutedContainers: [`${PREFIX}muted`] }]);
    const muted = await startContainer(`${PREFIX}muted`, { HostConfig: { Binds: ['/var/run/docker.sock:/var/run/docker.sock'] } });
    const risky = await startContainer(`${PREFIX}risky`, { HostConfig: { Binds: ['/var/run/docker.sock:/var/run/docker.sock'] } });
    const notice = await eventually(async () => notices.find((n) => n.kind === 'critical-start' && n.containerId === risky.id));
    expect(notice.severity).toBe('critical');
    expect(notice.ruleIds.length).toBeGreaterThan(0);
    expect(notices.some((n) => n.containerId === muted.id)).toBe(false);
    expect(await api(serve, 'getNotificationSettings')).toEqual({ mutedRules: [], mutedContainers: [`${PREFIX}muted`] });
  });
});
