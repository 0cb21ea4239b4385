// Loads Node's built-in SQLite (node:sqlite) once, without its one-time ExperimentalWarning on every CLI run.
import { createRequire } from 'node:module';

type SqliteModule = typeof import('node:sqlite');

let loaded: SqliteModule | null = null;

/**
 * node:sqlite is built into Node 22.13+ without a flag, and into Electron's main process (Electron 35+ embeds a Node
 * 22 that has it; electron/electron#47706 fixed its build in 37), so the CLI and the desktop app share one binding
 * with no native rebuild. Loaded on first use so commands that keep no history do not pay for it. Node still marks
 * the module experimental and warns once on load; the warning says nothing a user can act on, so that one is dropped.
 */
export function loadSqlite(): SqliteModule {
  if (loaded) return loaded;
  const original = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning.message;
    const first = rest[0];
    const type = typeof first === 'string' ? first : (first as { type?: string } | undefined)?.type;
    if (type === 'ExperimentalWarning' && /SQLite/i.test(text)) return;
    return (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    loaded = createRequire(import.meta.url)('node:sqlite') as SqliteModule;
  } catch (error) {
    throw new Error(`this Node.js has no built-in SQLite (node:sqlite, Node 22.13 or later): ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    process.emitWarning = original;
  }
  return loaded;
}
