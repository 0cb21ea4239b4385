// Where the history database lives by default: the platform's per-user state directory.
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Linux and the BSDs: `$XDG_STATE_HOME/isolens/history.db` (XDG Base Directory: state that should survive a
 * restart but is not worth backing up), `~/.local/state/isolens/history.db` when the variable is unset or relative.
 * macOS: `~/Library/Application Support/isolens/history.db`. Windows: `%LOCALAPPDATA%\isolens\history.db`.
 * The desktop app, `serve`, `exporter` and `scan --record` share it, so what one records the others show.
 */
export function defaultHistoryPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'isolens', 'history.db');
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'isolens', 'history.db');
  const state = env.XDG_STATE_HOME;
  // The spec says relative values are invalid and must be ignored.
  const base = state && state.startsWith('/') ? state : join(home, '.local', 'state');
  return join(base, 'isolens', 'history.db');
}
