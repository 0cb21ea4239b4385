import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assessed, inspectFixture } from '../lab/fixtures/documents.js';
import { ContainerHistory } from '../model/history.js';
import type { ContainerIsolation } from '../model/schema.js';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION } from './migrations.js';
import { loadSqlite } from './sqlite.js';
import { HistoryError, HistoryStore, MAX_VERSIONS_PER_CONTAINER } from './store.js';

it('the default cap is the documented one', () => expect(MAX_VERSIONS_PER_CONTAINER).toBe(500));

const DAY = 86_400_000;
let dir: string;
let path: string;
let clock: number;
const now = () => clock;

function web(kind: 'hardened' | 'weak', id = kind === 'weak' ? 'b'.repeat(64) : 'a'.repeat(64)): ContainerIsolation {
  return { ...assessed(inspectFixture(kind)), name: 'web', id };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isolens-history-'));
  path = join(dir, 'state', 'isolens', 'history.db');
  clock = Date.parse('2026-12-01T09:00:00Z');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('HistoryStore on a real SQLite file', () => {
  it('creates the file and its directory, in WAL mode, at the latest schema, marked as Isolens', () => {
    const store = HistoryStore.open(path, { now });
    store.close();
    expect(existsSync(path)).toBe(true);
    const { DatabaseSync } = loadSqlite();
    const raw = new DatabaseSync(path);
    expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(raw.prepare('PRAGMA user_version').get()).toEqual({ user_version: LATEST_SCHEMA_VERSION });
    expect(raw.prepare('PRAGMA application_id').get()).toEqual({ application_id: APPLICATION_ID });
    expect(raw.prepare('PRAGMA auto_vacuum').get()).toEqual({ auto_vacuum: 2 });
    raw.close();
  });

  it('records a version only when the posture changes, and the recreation under the same name as drift', () => {
    const store = HistoryStore.open(path, { now });
    const [first] = store.record([web('hardened')]);
    expect(first!.change).toBeNull();
    expect(first!.written).toBe(true);
    clock += 60_000;
    // Same posture after a restart: new pid, new start time, no new version.
    const restarted = { ...web('hardened'), pid: 999, startedAt: '2026-12-01T09:01:00Z' };
    expect(store.record([restarted])[0]!.change).toBeNull();
    clock += 60_000;
    const [drift] = store.record([web('weak')]);
    expect(drift!.change!.weaker).toBe(true);
    expect(drift!.change!.findingsAdded).toContain('capabilities/sys-admin');

    const history = ContainerHistory.parse(store.history('web'));
    expect(history.container).toBe('web');
    expect(history.versions).toHaveLength(2);
    expect(history.versions[0]!.lastSeenAt).toBe('2026-12-01T09:01:00.000Z');
    expect(history.versions[1]!.containerId).toBe('b'.repeat(64));
    expect(history.changes).toHaveLength(1);
    const change = history.changes[0]!;
    expect(change.at).toBe('2026-12-01T09:02:00.000Z');
    expect(change.scoreAfter!).toBeLessThan(change.scoreBefore!);
    expect(change.facts.find((f) => f.fact === 'capabilities.effective')!.after).toContain('CAP_SYS_ADMIN');
    store.close();
  });

  it('--since keeps what happened from then on', () => {
    const store = HistoryStore.open(path, { now });
    store.record([web('hardened')]);
    clock += 2 * DAY;
    store.record([web('weak')]);
    clock += DAY;
    const recent = store.history('web', clock - 36 * 3_600_000)!;
    expect(recent.versions.map((v) => v.grade)).toEqual([store.history('web')!.versions[1]!.grade]);
    expect(recent.changes).toHaveLength(1);
    const quiet = store.history('web', clock - 12 * 3_600_000)!;
    expect(quiet.versions).toHaveLength(0);
    expect(quiet.changes).toHaveLength(0);
    const all = store.history('web', clock - 4 * DAY)!;
    expect(all.versions).toHaveLength(2);
    store.close();
  });

  it('resolves a user\'s NAME: identity key, last container name, or a unique compose service', () => {
    const store = HistoryStore.open(path, { now });
    const labels = { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'api' };
    store.record([web('hardened'), { ...web('weak', 'c'.repeat(64)), name: 'shop-api-1', labels }]);
    expect(store.resolve('web')).toBe('web');
    expect(store.resolve('shop/api')).toBe('shop/api');
    expect(store.resolve('shop-api-1')).toBe('shop/api');
    expect(store.resolve('api')).toBe('shop/api');
    expect(store.resolve('nope')).toBeNull();
    expect(store.identities().map((i) => i.key).sort()).toEqual(['shop/api', 'web']);
    store.close();
  });

  it('retention deletes versions not seen within it, keeps the current one, and the file gives the space back', () => {
    const store = HistoryStore.open(path, { now, retentionMs: 90 * DAY });
    store.record([web('hardened')]);
    clock += DAY;
    store.record([web('weak')]);
    store.record([{ ...web('hardened'), name: 'gone', id: 'd'.repeat(64) }]);
    clock += 100 * DAY;
    store.record([web('weak')]); // still running: last seen now
    expect(store.prune()).toBe(2); // web's first version and "gone"
    expect(store.history('web')!.versions).toHaveLength(1);
    expect(store.history('gone')).toBeNull();
    store.close();
  });

  it('a container flapping between two postures is capped, so the database does not grow without bound', () => {
    const cap = 40;
    const open = () => HistoryStore.open(path, { now, maxVersionsPerContainer: cap });
    const a = web('hardened');
    const b = web('weak');
    const flap = (store: HistoryStore, times: number) => {
      for (let i = 0; i < times; i++) {
        clock += 1000;
        store.record([i % 2 === 0 ? a : b]);
      }
      store.prune();
      expect(store.history('web')!.versions).toHaveLength(cap);
      store.close(); // the last connection checkpoints the WAL into the file and removes it
    };
    flap(open(), cap + 40);
    const sizeAfterFirst = statSync(path).size;
    flap(open(), 4 * cap);
    // Freed pages are reused: four caps' worth of versions more do not grow the file.
    expect(statSync(path).size).toBeLessThanOrEqual(sizeAfterFirst * 1.2);
  });

  it('notification settings persist across processes (reopen) and are validated', () => {
    const store = HistoryStore.open(path, { now });
    expect(store.getNotificationSettings()).toEqual({ mutedRules: [], mutedContainers: [] });
    store.setNotificationSettings({ mutedRules: ['mounts', 'capabilities/sys-admin', 'mounts'], mutedContainers: ['shop/web'] });
    expect(() => store.setNotificationSettings({ mutedRules: ['<script>'], mutedContainers: [] })).toThrow();
    store.close();
    const again = HistoryStore.open(path, { now });
    expect(again.getNotificationSettings()).toEqual({ mutedRules: ['capabilities/sys-admin', 'mounts'], mutedContainers: ['shop/web'] });
    again.close();
  });
});

describe('migrations', () => {
  it('a version-1 database is migrated to the latest, keeping its versions', () => {
    const old = HistoryStore.open(path, { now, migrateTo: 1 });
    expect(old.schemaVersion).toBe(1);
    old.record([web('hardened')]);
    old.close();
    const { DatabaseSync } = loadSqlite();
    const raw = new DatabaseSync(path);
    expect(raw.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'settings'`).get()).toEqual({ n: 0 });
    raw.close();

    const store = HistoryStore.open(path, { now });
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(store.history('web')!.versions).toHaveLength(1);
    store.setNotificationSettings({ mutedRules: ['mounts'], mutedContainers: [] });
    expect(store.getNotificationSettings().mutedRules).toEqual(['mounts']);
    store.close();
  });

  it('opening the latest schema again applies nothing', () => {
    HistoryStore.open(path, { now }).close();
    const store = HistoryStore.open(path, { now });
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    store.close();
  });
});

describe('a database Isolens must not use is refused and left as it is', () => {
  function expectRefusedUntouched(pattern: RegExp) {
    const before = readFileSync(path);
    expect(() => HistoryStore.open(path, { now })).toThrow(HistoryError);
    expect(() => HistoryStore.open(path, { now })).toThrow(pattern);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
  }

  it('a file that is not SQLite', () => {
    HistoryStore.open(path, { now }).close();
    writeFileSync(path, 'this is not a database, it is a note somebody kept here\n'.repeat(200));
    expectRefusedUntouched(/damaged or not an SQLite database.*untouched/);
  });

  it('an Isolens database whose header is damaged', () => {
    const store = HistoryStore.open(path, { now });
    store.record([web('hardened')]);
    store.close();
    const bytes = readFileSync(path);
    bytes.fill(0x5a, 0, 100); // the 100-byte header
    writeFileSync(path, bytes);
    expectRefusedUntouched(/damaged or not an SQLite database/);
  });

  it('a database written by a newer Isolens', () => {
    HistoryStore.open(path, { now }).close();
    const { DatabaseSync } = loadSqlite();
    const raw = new DatabaseSync(path);
    raw.exec(`PRAGMA user_version = ${LATEST_SCHEMA_VERSION + 1}; PRAGMA journal_mode = DELETE`);
    raw.close();
    expectRefusedUntouched(new RegExp(`schema version ${LATEST_SCHEMA_VERSION + 1}, written by a newer Isolens`));
  });

  it('another application\'s SQLite database', () => {
    const { DatabaseSync } = loadSqlite();
    const raw = new DatabaseSync(path.replace('state/isolens/', ''));
    raw.exec('CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES (\'mine\')');
    raw.close();
    path = path.replace('state/isolens/', '');
    expectRefusedUntouched(/not an Isolens history/);
  });

  it('a reader asks for a database that does not exist: nothing is created', () => {
    expect(() => HistoryStore.open(path, { mustExist: true })).toThrow(/no history has been recorded yet/);
    expect(existsSync(path)).toBe(false);
  });
});
