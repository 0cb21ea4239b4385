// The History tab: every recorded version of this container's identity, each change opened in the compare view's table.
import { useState } from 'react';
import type { ContainerHistory } from '../../../app/model/history.js';
import type { ContainerIsolation } from '../../../app/model/schema.js';
import { useStore } from '../../state/hooks.js';
import { DiffTable } from '../compare/CompareView.js';
import { useLoaded } from '../../state/use-loaded.js';

const score = (value: number | null) => (value === null ? '—' : String(Math.round(value)));

export function HistoryTab({ container }: { container: ContainerIsolation }) {
  const store = useStore();
  // Asked again when the container's score changes (a new version may be recorded), the old history shown meanwhile.
  const loaded = useLoaded(() => store.history.getHistory(container.id), [store, container.id], [container.score]);
  const history = loaded.status === 'ok' ? loaded.value : null;
  // The latest change is the one a reviewer came for, until another is picked in this history.
  const [picked, setPicked] = useState<{ history: ContainerHistory; index: number } | null>(null);
  const latest = history && history.changes.length > 0 ? history.changes.length - 1 : null;
  const open = history && picked?.history === history ? picked.index : latest;
  const compared = useLoaded(() => (open === null ? Promise.resolve(null) : store.history.getHistoryVersions(container.id, open, open + 1)), [store, container.id, open]);
  const diff = compared.status === 'ok' ? compared.value : null;
  const error = loaded.status === 'error' ? loaded.message : compared.status === 'error' ? compared.message : null;

  if (error) return <p className="gap" data-testid="history-error">History is not available: {error}</p>;
  if (!history) return <p className="muted">Reading the history…</p>;
  return (
    <section data-testid="history-tab">
      <p className="muted">
        Recorded as <span className="mono">{history.container}</span> ({history.identity.kind === 'compose' ? 'compose project/service' : 'container name'}):{' '}
        {history.versions.length} version{history.versions.length === 1 ? '' : 's'}, {history.changes.filter((c) => c.weaker).length} drift{history.changes.filter((c) => c.weaker).length === 1 ? '' : 's'}.
      </p>
      <ol className="history-timeline" data-testid="history-timeline">
        {history.versions.map((version, i) => {
          const change = i > 0 ? history.changes[i - 1] : undefined;
          return (
            <li key={`${version.at}-${i}`} data-testid="history-version" data-weaker={change?.weaker ? 'true' : 'false'}>
              <div>
                <strong>{new Date(version.at).toLocaleString()}</strong> · grade {version.grade ?? '?'} · score {score(version.score)} · <span className="mono">{version.name}</span>
                {change ? (
                  <>
                    {' '}
                    {change.weaker ? <span className="drift-mark" data-testid="history-drift">weaker</span> : <span className="muted">changed</span>}{' '}
                    <button type="button" className="link" onClick={() => setPicked({ history, index: i - 1 })} aria-pressed={open === i - 1} data-testid="history-open-change">
                      Compare with the version before
                    </button>
                  </>
                ) : (
                  <span className="muted"> first recorded</span>
                )}
              </div>
              {change && (change.findingsAdded.length > 0 || change.findingsRemoved.length > 0) ? (
                <div className="muted">
                  {change.findingsAdded.length > 0 ? <span data-testid="history-gained">gained {change.findingsAdded.join(', ')}</span> : null}
                  {change.findingsAdded.length > 0 && change.findingsRemoved.length > 0 ? ' · ' : null}
                  {change.findingsRemoved.length > 0 ? <span>lost {change.findingsRemoved.join(', ')}</span> : null}
                  {' '}(score {score(change.scoreBefore)} → {score(change.scoreAfter)})
                </div>
              ) : null}
            </li>
          );
        })}
      </ol>
      {open !== null && diff ? (
        <div data-testid="history-diff">
          <h3>
            Version {open + 1} → {open + 2}: score {score(diff.a.score)} → {score(diff.b.score)}
          </h3>
          <DiffTable diff={diff} labelA="Before" labelB="After" sides={{ a: 'before', b: 'after' }} onlyChanged />
        </div>
      ) : null}
    </section>
  );
}
