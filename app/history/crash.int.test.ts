// The history database against real processes: kill -9 of a writer in the middle of writes, and two writers at once.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerHistory } from '../model/history.js';
import { HistoryStore } from './store.js';

const writer = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'isolens-history-crash-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Writer {
  child: ChildProcess;
  committed: () => number;
  exited: Promise<number | null>;
}

function startWriter(db: string, label: string, count: number): Writer {
  // One process (node with tsx's loader), not the tsx CLI, which would run the writer in a grandchild that kill -9 misses.
  const child = spawn(process.execPath, ['--import', 'tsx', writer, db, label, String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let committed = 0;
  let errors = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    for (const match of chunk.matchAll(/committed (\d+)/g)) committed = Number(match[1]);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  // 'close', not 'exit': the lines still in the pipe when the process died are read first (stdout to a pipe is
  // synchronous on Linux, so each line was in the pipe before the next scan began).
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => {
    if (code !== 0 && code !== null) console.error(errors);
    resolve(code);
  }));
  return { child, committed: () => committed, exited };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the history database and real writer processes', () => {
  it('kill -9 of a writer in the middle of writes: every committed scan reads back, and the file is whole', async () => {
    const db = join(dir, 'killed.db');
    const w = startWriter(db, 'k', 100_000);
    await until(() => w.committed() >= 150, 30_000);
    w.child.kill('SIGKILL');
    expect(await w.exited).toBeNull();
    const reported = w.committed();

    const store = HistoryStore.open(db);
    expect(store.integrityCheck()).toBe('ok');
    const ids = store.identities().map((identity) => identity.key).filter((key) => key.startsWith('k-'));
    // What the writer said it committed is there; at most the one scan in flight when it died is there too, or not.
    expect(ids.length).toBeGreaterThanOrEqual(reported);
    expect(ids.length).toBeLessThanOrEqual(reported + 1);
    for (const key of ids) ContainerHistory.parse(store.history(key));
    const shared = ContainerHistory.parse(store.history('shared'));
    expect(shared.versions.length).toBe(ids.length);
    expect(shared.changes.filter((change) => change.weaker).length).toBe(Math.floor(ids.length / 2));
    // And it is writable again, by another process.
    store.record([{ ...JSON.parse(JSON.stringify(store.documents('k-1')[0])), name: 'after-crash', id: 'f'.repeat(64) }]);
    expect(store.resolve('after-crash')).toBe('after-crash');
    store.close();
  });

  it('two writers at once on one database: both finish, nothing is lost or duplicated', async () => {
    const db = join(dir, 'shared.db');
    const count = 100;
    const a = startWriter(db, 'a', count);
    const b = startWriter(db, 'b', count);
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);

    const store = HistoryStore.open(db);
    expect(store.integrityCheck()).toBe('ok');
    const keys = store.identities().map((identity) => identity.key);
    expect(keys.filter((key) => key.startsWith('a-'))).toHaveLength(count);
    expect(keys.filter((key) => key.startsWith('b-'))).toHaveLength(count);
    // The shared container flips posture on each scan of either writer; consecutive versions must differ, as
    // BEGIN IMMEDIATE makes each compare-then-insert atomic.
    const shared = ContainerHistory.parse(store.history('shared'));
    for (let i = 1; i < shared.versions.length; i++) expect(shared.versions[i]!.score).not.toBe(shared.versions[i - 1]!.score);
    expect(shared.changes.every((change) => change.facts.length > 0)).toBe(true);
    store.close();
  });
});
