// `scan --record` and `isolens history`: write and read the posture history database (loaded only by those commands).
import { defaultHistoryPath } from '../history/paths.js';
import { HistoryStore } from '../history/store.js';
import type { ContainerHistory, HistoryChange } from '../model/history.js';
import type { Snapshot } from '../model/schema.js';
import { displayValue, neutralizeText } from '../report/text.js';
import type { HistoryIo } from './history.js';

/** What `scan --record` found: the containers that got weaker than their last recorded version. */
export interface RecordOutcome {
  drifted: Array<{ container: string; name: string; change: HistoryChange }>;
  recorded: number;
}

/** Record a scan; a line on stderr for each container that got weaker. */
export function recordScan(snapshot: Snapshot, options: { historyDb?: string; retentionMs?: number }, io: Pick<HistoryIo, 'stderr'>): RecordOutcome {
  const store = HistoryStore.open(options.historyDb ?? defaultHistoryPath(), { retentionMs: options.retentionMs });
  try {
    const results = store.record(snapshot.containers);
    const drifted = results.flatMap((result) => (result.change?.weaker ? [{ container: result.identity.key, name: result.container.name, change: result.change }] : []));
    for (const { container, change } of drifted) {
      const gained = change.findingsAdded.length > 0 ? `, new: ${change.findingsAdded.join(', ')}` : '';
      io.stderr(`isolens: drift: ${neutralizeText(container)} got weaker than its last recorded version: score ${change.scoreBefore ?? '—'} → ${change.scoreAfter ?? '—'}${gained}\n`);
    }
    return { drifted, recorded: results.filter((result) => result.written).length };
  } finally {
    store.close();
  }
}

function renderHistoryText(history: ContainerHistory): string {
  const lines = [`${neutralizeText(history.container)}${history.identity.kind === 'compose' ? ' (compose project/service)' : ''}: ${history.versions.length} version(s)`];
  for (const version of history.versions) {
    lines.push(`  ${version.at}  ${version.grade ?? '?'} ${version.score === null ? '—' : Math.round(version.score)}  ${neutralizeText(version.name)}  ${neutralizeText(version.image)}  (last seen ${version.lastSeenAt})`);
  }
  for (const change of history.changes) {
    lines.push(`  ${change.at}  ${change.weaker ? 'DRIFT (weaker)' : 'changed'}: score ${change.scoreBefore ?? '—'} → ${change.scoreAfter ?? '—'}`);
    for (const fact of change.facts) lines.push(`      ${fact.fact}: ${displayValue(fact.before)} → ${displayValue(fact.after)}`);
    if (change.findingsAdded.length > 0) lines.push(`      + ${change.findingsAdded.join(', ')}`);
    if (change.findingsRemoved.length > 0) lines.push(`      - ${change.findingsRemoved.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function historyCommand(
  name: string | undefined,
  options: { since?: number; json?: boolean; historyDb?: string },
  io: HistoryIo,
  exit: { usage: number; error: number },
): void {
  const store = HistoryStore.open(options.historyDb ?? defaultHistoryPath(), { mustExist: true });
  try {
    const sinceMs = options.since === undefined ? undefined : Date.now() - options.since;
    let histories: ContainerHistory[];
    if (name !== undefined) {
      const key = store.resolve(name);
      if (!key) {
        io.stderr(`isolens: no history for ${JSON.stringify(neutralizeText(name))} (known: ${store.identities().slice(0, 10).map((i) => neutralizeText(i.key)).join(', ') || 'none'})\n`);
        io.setExitCode(exit.error);
        return;
      }
      histories = [store.history(key, sinceMs)!];
    } else {
      histories = store.identities().map((identity) => store.history(identity.key, sinceMs)!);
      if (sinceMs !== undefined) histories = histories.filter((h) => h.versions.length > 0 || h.changes.length > 0);
    }
    if (options.json) io.stdout(`${JSON.stringify(name !== undefined ? histories[0] : histories, null, 2)}\n`);
    else io.stdout(histories.length === 0 ? 'No history in that period.\n' : histories.map(renderHistoryText).join('\n'));
  } finally {
    store.close();
  }
}
