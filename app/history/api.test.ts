import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assessed, inspectFixture } from '../lab/fixtures/documents.js';
import { openHistoryForServer } from './api.js';
import { HistoryError, HistoryStore } from './store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isolens-server-history-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openHistoryForServer: the database of serve, the exporter and the desktop app, from their flags', () => {
  it('applies --retention on open, as scan --record does: a version not seen within it is gone, kept by default', () => {
    const path = join(dir, 'history.db');
    const tenDaysAgo = Date.now() - 10 * 86_400_000;
    const writer = HistoryStore.open(path, { now: () => tenDaysAgo });
    writer.record([{ ...assessed(inspectFixture('hardened')), name: 'web' }]);
    writer.close();
    const said: string[] = [];
    const kept = openHistoryForServer({ historyDb: path }, (text) => said.push(text));
    expect(kept).toBeInstanceOf(HistoryStore);
    expect((kept as HistoryStore).identities().map((identity) => identity.key)).toEqual(['web']);
    (kept as HistoryStore).close();
    const pruned = openHistoryForServer({ historyDb: path, retention: 7 * 86_400_000 }, (text) => said.push(text));
    expect((pruned as HistoryStore).identities()).toEqual([]);
    (pruned as HistoryStore).close();
    expect(said).toEqual([]);
  });

  it('a database that cannot be used is said once and returned as the error, the file untouched', () => {
    const path = join(dir, 'history.db');
    writeFileSync(path, 'not a database, but somebody\'s file');
    const said: string[] = [];
    const store = openHistoryForServer({ historyDb: path }, (text) => said.push(text));
    expect(store).toBeInstanceOf(HistoryError);
    expect(said).toEqual([`history is not recorded: ${(store as HistoryError).message}`]);
    expect(said[0]).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe('not a database, but somebody\'s file');
  });

  it('--no-history opens nothing and says nothing', () => {
    const path = join(dir, 'history.db');
    const said: string[] = [];
    expect(openHistoryForServer({ historyDb: path, history: false }, (text) => said.push(text))).toBeInstanceOf(HistoryError);
    expect(existsSync(path)).toBe(false);
    expect(said).toEqual([]);
  });
});
