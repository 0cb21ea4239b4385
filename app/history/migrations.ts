// The history database's schema, as numbered migrations: PRAGMA user_version is the number of the last one applied.
import type { DatabaseSync } from 'node:sqlite';

/** "ISLN": marks the file as an Isolens history database (PRAGMA application_id), so another app's SQLite file is refused. */
export const APPLICATION_ID = 0x49534c4e;

export interface Migration {
  version: number;
  description: string;
  up(db: DatabaseSync): void;
}

/** Append only: a released migration is never edited, a new one gets the next number. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'versions: one row per recorded posture of a container identity',
    up(db) {
      db.exec(`
        CREATE TABLE versions (
          id INTEGER PRIMARY KEY,
          identity TEXT NOT NULL,
          identity_kind TEXT NOT NULL CHECK (identity_kind IN ('compose', 'name')),
          project TEXT,
          service TEXT,
          container_id TEXT NOT NULL,
          name TEXT NOT NULL,
          fingerprint TEXT NOT NULL,
          recorded_at INTEGER NOT NULL,
          last_seen_at INTEGER NOT NULL,
          score REAL,
          grade TEXT,
          findings TEXT NOT NULL,
          document TEXT NOT NULL
        );
        CREATE INDEX versions_by_identity ON versions (identity, id);
        CREATE INDEX versions_by_last_seen ON versions (last_seen_at);
      `);
    },
  },
  {
    version: 2,
    description: 'settings: persisted preferences (notification mutes), as JSON by key',
    up(db) {
      db.exec(`CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL)`);
    },
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
