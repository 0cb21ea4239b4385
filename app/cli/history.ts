// `isolens history [NAME]`: its arguments; reading and writing the database is in history-record.ts, loaded when it runs.
import { InvalidArgumentError, type Command } from 'commander';
import { parseDuration } from '../history/duration.js';
import { defaultHistoryPath } from '../history/paths.js';

export interface HistoryIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  setExitCode: (code: number) => void;
}

/** `--since 7d`, `--retention 30d`: commander parser with the error a user can act on. */
export function durationOption(value: string): number {
  const ms = parseDuration(value);
  if (ms === null) throw new InvalidArgumentError('a duration such as 90s, 30m, 24h, 7d, 2w (or 1d12h)');
  return ms;
}

export const HISTORY_DB_HELP = `history database (default ${defaultHistoryPath().replace(process.env.HOME ?? '\u0000', '~')})`;

/** --history-db, --retention and --no-history of a long-running command (serve, exporter): one meaning, one check. */
export function addServerHistoryOptions(command: Command): Command {
  return command
    .option('--history-db <path>', `${HISTORY_DB_HELP}: every change of a container's posture is recorded`)
    .option('--retention <duration>', 'forget versions not seen for this long (default 90d)', durationOption)
    .option('--no-history', 'record nothing (no history, no drift notices)');
}

export function registerHistoryCommand(program: Command, io: HistoryIo, exit: { usage: number; error: number }): void {
  program
    .command('history [name]')
    .description('Recorded isolation of a container (by name, or compose project/service) and what changed; all containers without NAME')
    .option('--since <duration>', 'only what happened within this long (e.g. 24h, 7d)', durationOption)
    .option('--json', 'JSON: {container, versions, changes}; an array of those without NAME')
    .option('--history-db <path>', HISTORY_DB_HELP)
    .action(async (name: string | undefined, options: { since?: number; json?: boolean; historyDb?: string }) => {
      const { historyCommand } = await import('./history-record.js');
      historyCommand(name, options, io, exit);
    });
}
