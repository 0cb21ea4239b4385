// The history database: one SQLite file (WAL, one transaction per write), opened safely, migrated, pruned.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { ContainerIsolation } from '../model/schema.js';
import {
  DEFAULT_NOTIFICATION_SETTINGS,
  NotificationSettings,
  type ContainerHistory,
  type ContainerIdentity,
  type HistoryChange,
  type HistoryVersion,
} from '../model/history.js';
import { identityOf } from './identity.js';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations.js';
import { loadSqlite } from './sqlite.js';
import { compareVersions, postureVersion, type PostureVersion } from './version.js';

export const DEFAULT_RETENTION_MS = 90 * 86_400_000;
/** A container that flaps between two postures would otherwise add a row per flap for the whole retention. */
export const MAX_VERSIONS_PER_CONTAINER = 500;
/** How long a writer waits for another Isolens process's transaction before giving up (SQLITE_BUSY). */
const BUSY_TIMEOUT_MS = 10_000;

/** The database cannot be used as it is; the message says why and what to do. The file is never modified. */
export class HistoryError extends Error {
  constructor(message: string, readonly path: string) {
    super(message);
    this.name = 'HistoryError';
  }
}

export interface OpenOptions {
  /** Versions not seen for this long are deleted; 90 days by default. */
  retentionMs?: number;
  /** Fail with "no history" instead of creating the database (readers such as `isolens history`). */
  mustExist?: boolean;
  /** The clock, for tests. */
  now?: () => number;
  /** Versions kept per container at most; MAX_VERSIONS_PER_CONTAINER by default. */
  maxVersionsPerContainer?: number;
  /** Apply migrations only up to this version (tests of migrations). */
  migrateTo?: number;
}

/** What recording one container did. */
export interface RecordResult {
  identity: ContainerIdentity;
  container: ContainerIsolation;
  /** The identity's current version (its row), new or touched. */
  versionId: number;
  /** A new version was written: the identity is new or its posture changed. */
  written: boolean;
  /** The change into the new version; null when nothing changed (or the identity is new). */
  change: HistoryChange | null;
}

interface VersionRow {
  id: number;
  identity: string;
  identity_kind: 'compose' | 'name';
  project: string | null;
  service: string | null;
  container_id: string;
  name: string;
  fingerprint: string;
  recorded_at: number;
  last_seen_at: number;
  score: number | null;
  grade: string | null;
  findings: string;
  document: string;
}

/** SQLite's own words plus what the user can do, keeping the file as it is. */
function describeSqliteError(error: unknown, path: string): HistoryError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { errcode?: number }).errcode;
  // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26), with their extended codes.
  if (code !== undefined && ((code & 0xff) === 11 || (code & 0xff) === 26)) {
    return new HistoryError(`the history database ${path} is damaged or not an SQLite database (${message}); Isolens leaves it untouched: move it aside to start a new history, or pass --history-db`, path);
  }
  if (code !== undefined && (code & 0xff) === 5) {
    return new HistoryError(`the history database ${path} stayed locked by another Isolens process for ${BUSY_TIMEOUT_MS / 1000} s (${message})`, path);
  }
  return new HistoryError(`the history database ${path}: ${message}`, path);
}

export class HistoryStore {
  private readonly now: () => number;
  private readonly retentionMs: number;
  private readonly maxVersions: number;
  private closed = false;

  private constructor(private readonly db: DatabaseSync, readonly path: string, options: OpenOptions) {
    this.now = options.now ?? Date.now;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.maxVersions = options.maxVersionsPerContainer ?? MAX_VERSIONS_PER_CONTAINER;
  }

  /** Open (creating it and its directory when allowed), check it is ours and not newer, migrate, prune. */
  static open(path: string, options: OpenOptions = {}): HistoryStore {
    if (options.retentionMs !== undefined && !(options.retentionMs > 0)) throw new HistoryError('the retention must be a positive duration', path);
    const isMemory = path === ':memory:';
    if (!isMemory && !existsSync(path)) {
      if (options.mustExist) throw new HistoryError(`no history has been recorded yet: ${path} does not exist (record with \`isolens scan --record\`, \`isolens serve\` or the desktop app)`, path);
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    }
    const { DatabaseSync } = loadSqlite();
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path);
    } catch (error) {
      throw describeSqliteError(error, path);
    }
    const store = new HistoryStore(db, path, options);
    try {
      store.prepare(options.migrateTo ?? LATEST_SCHEMA_VERSION);
      if (options.migrateTo === undefined) store.prune();
    } catch (error) {
      db.close();
      throw error instanceof HistoryError ? error : describeSqliteError(error, path);
    }
    return store;
  }

  private prepare(target: number): void {
    this.db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Reading the header first: a file that is not SQLite fails here, before anything is written to it.
    const version = this.pragmaNumber('user_version');
    const applicationId = this.pragmaNumber('application_id');
    const tables = (this.db.prepare(`SELECT count(*) AS n FROM sqlite_master`).get() as { n: number }).n;
    if (version > LATEST_SCHEMA_VERSION) {
      throw new HistoryError(`the history database ${this.path} has schema version ${version}, written by a newer Isolens (this one knows up to ${LATEST_SCHEMA_VERSION}); it is left untouched: upgrade Isolens or pass --history-db`, this.path);
    }
    if ((tables > 0 || version > 0) && applicationId !== APPLICATION_ID) {
      throw new HistoryError(`${this.path} is an SQLite database but not an Isolens history (application_id ${applicationId}); it is left untouched: pass --history-db to choose another file`, this.path);
    }
    if (tables === 0 && version === 0) {
      // Only a fresh file: auto_vacuum must be chosen before the first table. INCREMENTAL lets pruning give space back.
      this.db.exec('PRAGMA auto_vacuum = INCREMENTAL');
    }
    // WAL: readers never block the writer, a killed writer leaves the last committed state; persistent in the file.
    const mode = (this.db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string }).journal_mode;
    if (mode.toLowerCase() !== 'wal' && this.path !== ':memory:') throw new HistoryError(`the history database ${this.path} could not switch to WAL mode (it is ${mode})`, this.path);
    // NORMAL is durable against a crash of the process in WAL mode; only a power cut may lose the last commits.
    this.db.exec('PRAGMA synchronous = NORMAL');
    if (version < target) this.migrate(target);
  }

  private pragmaNumber(name: 'user_version' | 'application_id'): number {
    const row = this.db.prepare(`PRAGMA ${name}`).get() as Record<string, number>;
    return Number(row[name] ?? 0);
  }

  /** Apply the missing migrations in one transaction; another process migrating at the same time is waited for. */
  private migrate(target: number): void {
    this.transaction(() => {
      // Read again under the write lock: another process may have migrated meanwhile.
      const current = this.pragmaNumber('user_version');
      const pending: Migration[] = MIGRATIONS.filter((migration) => migration.version > current && migration.version <= target);
      for (const migration of pending) migration.up(this.db);
      if (pending.length > 0) {
        this.db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
        this.db.exec(`PRAGMA user_version = ${pending[pending.length - 1]!.version}`);
      }
    });
  }

  get schemaVersion(): number {
    return this.pragmaNumber('user_version');
  }

  private transaction<T>(body: () => T): T {
    // IMMEDIATE takes the write lock first, so the read-then-write inside cannot race another process.
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = body();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        /* already rolled back by SQLite */
      }
      throw error;
    }
  }

  private guarded<T>(body: () => T): T {
    if (this.closed) throw new HistoryError('the history database is closed', this.path);
    try {
      return body();
    } catch (error) {
      throw error instanceof HistoryError ? error : describeSqliteError(error, this.path);
    }
  }

  private parseDocument(row: Pick<VersionRow, 'id' | 'document'>): ContainerIsolation {
    try {
      return JSON.parse(row.document) as ContainerIsolation;
    } catch {
      throw new HistoryError(`the history database ${this.path} holds a damaged version (row ${row.id}); it is left untouched`, this.path);
    }
  }

  /**
   * Record the graded containers of one scan, all in one transaction: a new version for each whose posture changed.
   * versionOf gives a container's document and fingerprint; the recorder passes the ones it already computed.
   */
  record(containers: readonly ContainerIsolation[], versionOf: (container: ContainerIsolation) => PostureVersion = postureVersion): RecordResult[] {
    return this.guarded(() =>
      this.transaction(() => {
        const now = this.now();
        const at = new Date(now).toISOString();
        const latest = this.db.prepare('SELECT id, fingerprint FROM versions WHERE identity = ? ORDER BY id DESC LIMIT 1');
        const documentOf = this.db.prepare('SELECT id, document FROM versions WHERE id = ?');
        const touch = this.db.prepare('UPDATE versions SET last_seen_at = ?, container_id = ?, name = ? WHERE id = ?');
        const insert = this.db.prepare(
          `INSERT INTO versions (identity, identity_kind, project, service, container_id, name, fingerprint, recorded_at, last_seen_at, score, grade, findings, document)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        const results: RecordResult[] = [];
        const seen = new Set<string>();
        for (const container of containers) {
          const identity = identityOf(container);
          // Two running containers with one identity (a name reused across engines is impossible; compose replicas are
          // numbered): the first wins for this scan rather than both flapping the history.
          if (seen.has(identity.key)) continue;
          seen.add(identity.key);
          // The document is read only for a new version: a touch needs the fingerprint alone (the recorder's is lazy).
          const version = versionOf(container);
          const fingerprint = version.fingerprint;
          const row = latest.get(identity.key) as Pick<VersionRow, 'id' | 'fingerprint'> | undefined;
          if (row && row.fingerprint === fingerprint) {
            touch.run(now, container.id, container.name, row.id);
            results.push({ identity, container, versionId: row.id, written: false, change: null });
            continue;
          }
          // The previous document is read only when it is compared: not on the touch of an unchanged container.
          const previous = row ? this.parseDocument(documentOf.get(row.id) as Pick<VersionRow, 'id' | 'document'>) : null;
          const document = version.document;
          const findings = JSON.stringify(container.findings.map((finding) => finding.ruleId).sort());
          const inserted = insert.run(identity.key, identity.kind, identity.project, identity.service, container.id, container.name, fingerprint, now, now, container.score, container.grade, findings, JSON.stringify(document));
          results.push({ identity, container, versionId: Number(inserted.lastInsertRowid), written: true, change: previous ? compareVersions(previous, document, at) : null });
        }
        return results;
      }),
    );
  }

  /** Delete what retention no longer keeps: versions not seen within it, and the oldest past the per-container cap. */
  prune(): number {
    return this.guarded(() => {
      const cutoff = this.now() - this.retentionMs;
      const deleted = this.transaction(() => {
        const old = this.db.prepare('DELETE FROM versions WHERE last_seen_at < ?').run(cutoff);
        const capped = this.db
          .prepare(
            `DELETE FROM versions WHERE id IN (
               SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY identity ORDER BY id DESC) AS rank FROM versions) WHERE rank > ?)`,
          )
          .run(this.maxVersions);
        return Number(old.changes) + Number(capped.changes);
      });
      // Give freed pages back to the file system; outside the transaction, as SQLite requires.
      if (deleted > 0) this.db.exec('PRAGMA incremental_vacuum');
      return deleted;
    });
  }

  /** Every identity with history, most recently seen first. */
  identities(): Array<{ key: string; name: string; lastSeenAt: string }> {
    return this.guarded(() =>
      (this.db.prepare(`SELECT identity, name, max(last_seen_at) AS seen FROM versions GROUP BY identity ORDER BY seen DESC, identity`).all() as Array<{ identity: string; name: string; seen: number }>).map(
        (row) => ({ key: row.identity, name: row.name, lastSeenAt: new Date(row.seen).toISOString() }),
      ),
    );
  }

  /**
   * The identity a user means by NAME: an identity key ("web", "shop/web"), else the last name recorded for one
   * ("shop-web-1"), else a compose service name when only one project has it. Null when none matches.
   */
  resolve(name: string): string | null {
    return this.guarded(() => {
      const exact = this.db.prepare('SELECT identity FROM versions WHERE identity = ? LIMIT 1').get(name) as { identity: string } | undefined;
      if (exact) return exact.identity;
      const byName = this.db.prepare('SELECT identity FROM versions WHERE name = ? ORDER BY last_seen_at DESC LIMIT 1').get(name) as { identity: string } | undefined;
      if (byName) return byName.identity;
      const byService = this.db.prepare(`SELECT DISTINCT identity FROM versions WHERE identity_kind = 'compose' AND service = ?`).all(name) as Array<{ identity: string }>;
      return byService.length === 1 ? byService[0]!.identity : null;
    });
  }

  private rows(identity: string): VersionRow[] {
    return this.db.prepare('SELECT * FROM versions WHERE identity = ? ORDER BY id').all(identity) as unknown as VersionRow[];
  }

  /** One identity's versions and the changes between them; with sinceMs, only what happened from then on. */
  history(identity: string, sinceMs?: number): ContainerHistory | null {
    return this.guarded(() => {
      const rows = this.rows(identity);
      if (rows.length === 0) return null;
      const documents = rows.map((row) => this.parseDocument(row));
      const changes: HistoryChange[] = [];
      for (let i = 1; i < rows.length; i++) changes.push(compareVersions(documents[i - 1]!, documents[i]!, new Date(rows[i]!.recorded_at).toISOString()));
      const last = rows[rows.length - 1]!;
      const versions = rows.map((row, i) => toVersion(row, documents[i]!));
      const since = sinceMs ?? Number.NEGATIVE_INFINITY;
      return {
        container: identity,
        identity: { key: identity, kind: last.identity_kind, project: last.project, service: last.service },
        versions: versions.filter((_version, i) => rows[i]!.last_seen_at >= since),
        changes: changes.filter((_change, i) => rows[i + 1]!.recorded_at >= since),
      };
    });
  }

  /** The full documents of an identity's versions, oldest first, for the compare view. */
  documents(identity: string): ContainerIsolation[] {
    return this.guarded(() => this.rows(identity).map((row) => this.parseDocument(row)));
  }

  /** Each identity's current version and the change into it (null when that version is its first). */
  latestChanges(identities: Iterable<string>): Map<string, { versionId: number; change: HistoryChange | null }> {
    return this.guarded(() => {
      const result = new Map<string, { versionId: number; change: HistoryChange | null }>();
      const lastTwo = this.db.prepare('SELECT id, recorded_at, document FROM versions WHERE identity = ? ORDER BY id DESC LIMIT 2');
      for (const identity of new Set(identities)) {
        const rows = lastTwo.all(identity) as Array<Pick<VersionRow, 'id' | 'recorded_at' | 'document'>>;
        if (rows.length === 0) continue;
        const change = rows.length < 2 ? null : compareVersions(this.parseDocument(rows[1]!), this.parseDocument(rows[0]!), new Date(rows[0]!.recorded_at).toISOString());
        result.set(identity, { versionId: rows[0]!.id, change });
      }
      return result;
    });
  }

  getNotificationSettings(): NotificationSettings {
    return this.guarded(() => {
      const row = this.db.prepare(`SELECT value FROM settings WHERE key = 'notifications'`).get() as { value: string } | undefined;
      if (!row) return structuredClone(DEFAULT_NOTIFICATION_SETTINGS);
      let value: unknown;
      try {
        value = JSON.parse(row.value);
      } catch {
        value = null;
      }
      const parsed = NotificationSettings.safeParse(value);
      if (!parsed.success) throw new HistoryError(`the history database ${this.path} holds damaged notification settings; they are left untouched`, this.path);
      return parsed.data;
    });
  }

  setNotificationSettings(settings: NotificationSettings): NotificationSettings {
    const valid = NotificationSettings.parse(settings);
    const normalized = { mutedRules: [...new Set(valid.mutedRules)].sort(), mutedContainers: [...new Set(valid.mutedContainers)].sort() };
    return this.guarded(() => {
      this.transaction(() => {
        this.db
          .prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('notifications', ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`)
          .run(JSON.stringify(normalized), this.now());
      });
      return normalized;
    });
  }

  /** SQLite's own consistency check: "ok", or what is wrong. */
  integrityCheck(): string {
    return this.guarded(() => (this.db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>).map((row) => row.integrity_check).join('; '));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

function toVersion(row: VersionRow, document: ContainerIsolation): HistoryVersion {
  return {
    at: new Date(row.recorded_at).toISOString(),
    lastSeenAt: new Date(row.last_seen_at).toISOString(),
    containerId: row.container_id,
    name: row.name,
    image: document.image,
    score: row.score,
    grade: row.grade as HistoryVersion['grade'],
    findings: JSON.parse(row.findings) as string[],
  };
}
