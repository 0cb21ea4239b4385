// The engine's inspect document as text, with a line filter; plus command, labels and env names (attacker text, shown as text).
import { useMemo, useState } from 'react';
import type { ContainerIsolation } from '../../../app/model/schema.js';
import { useStore } from '../../state/hooks.js';
import { useLoaded } from '../../state/use-loaded.js';
import { inspectLines } from './inspect-lines.js';
import { escapeInvisibleJson, neutralizeText } from '../../../app/model/text.js';
import { AttackerText } from '../../components/AttackerText.js';

/** The document as JSON, with bidi and invisible code points written as \uXXXX escapes (the same JSON) so none takes effect. */
function inspectDocument(inspect: unknown): { text: string; lines: string[] } {
  return { text: escapeInvisibleJson(JSON.stringify(inspect, null, 2) ?? 'null'), lines: inspectLines(inspect).map(neutralizeText) };
}

export function RawTab({ container }: { container: ContainerIsolation }) {
  const store = useStore();
  const load = useLoaded(() => store.getInspect(container.id).then(inspectDocument), [store, container.id]);
  const [query, setQuery] = useState('');

  const shown = useMemo(() => {
    if (load.status !== 'ok') return { text: '', matches: 0, total: 0 };
    // Unfiltered: the document as the engine returned it. Filtered: flattened lines, each with its full path.
    const { text, lines } = load.value;
    if (query.trim() === '') return { text, matches: lines.length, total: lines.length };
    const needle = query.toLowerCase();
    const kept = lines.filter((line) => line.toLowerCase().includes(needle));
    return { text: kept.length > 0 ? kept.join('\n') : 'No field or value matches.', matches: kept.length, total: lines.length };
  }, [load, query]);

  const labels = Object.entries(container.labels);
  return (
    <div className="raw">
      <dl className="facts">
        <div>
          <dt>Command</dt>
          <dd className="mono" data-testid="command">{container.command.length > 0 ? <AttackerText text={container.command.join(' ')} /> : '—'}</dd>
        </div>
        <div>
          <dt>Environment names</dt>
          <dd className="mono" data-testid="env-names">{container.envNames.length > 0 ? <AttackerText text={container.envNames.join(' ')} /> : '—'} <span className="muted">(values are never collected)</span></dd>
        </div>
        <div>
          <dt>Labels</dt>
          <dd>
            {labels.length === 0 ? (
              '—'
            ) : (
              <ul className="labels" data-testid="labels">
                {labels.map(([key, value]) => (
                  <li key={key} className="mono">
                    <AttackerText text={key} />=<AttackerText text={value} />
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
      </dl>
      <div className="raw-toolbar">
        <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Filter lines, e.g. CapAdd or Privileged" aria-label="Filter the inspect document" data-testid="raw-filter" className="search" />
        {load.status === 'ok' ? <span className="muted">{query ? `${shown.matches} of ${shown.total} fields` : `${shown.total} fields`}</span> : null}
      </div>
      {load.status === 'loading' ? <p className="muted">Loading the inspect document…</p> : null}
      {load.status === 'error' ? <p className="gap">The engine's inspect document could not be loaded: {load.message}</p> : null}
      {load.status === 'ok' ? (
        <pre className="raw-json" data-testid="raw-json" tabIndex={0} aria-label="The engine's inspect document">
          {shown.text}
        </pre>
      ) : null}
    </div>
  );
}
