// The capability sets of one container, each named: the bounding set (what the findings judge) against the engine's
// default set, each capability with what it allows and whether the main process holds it now (the effective set).
import { capabilityInfo, defaultCapabilities } from '../../../app/model/capabilities.js';
import type { ContainerIsolation, Snapshot } from '../../../app/model/schema.js';
import { FactNotes } from '../../components/FactNotes.js';
import { SourceTag } from '../../components/badges.js';
import { sourceOf } from '../../state/derive.js';

export function CapabilitiesTab({ container, engineKind }: { container: ContainerIsolation; engineKind: Snapshot['engine']['kind'] }) {
  const caps = container.capabilities;
  if (!caps) {
    return (
      <div>
        <p className="gap">The capability sets could not be read.</p>
        <FactNotes container={container} fact="capabilities" />
      </div>
    );
  }
  const defaults = new Set(defaultCapabilities(engineKind));
  const held = new Set(caps.effective);
  // Dangerous ones first, then those beyond the default, then alphabetical.
  const bounding = [...caps.bounding].sort((a, b) => {
    const rank = (name: string) => (capabilityInfo(name)?.attacker ? 0 : 2) + (defaults.has(name) ? 1 : 0);
    return rank(a) - rank(b) || a.localeCompare(b);
  });
  return (
    <div>
      <p data-testid="capability-sets">
        <strong>Bounding set: {caps.bounding.length}</strong> (the most any process in the container can gain, through a setuid-root or
        file-capability program; the capability findings are about this set) · <strong>effective set: {caps.effective.length}</strong>{' '}
        (what the main process holds now) <SourceTag source={sourceOf(container, 'capabilities')} />
        {caps.addedVsDefault.length > 0 ? (
          <>
            {' '}· <span className="tone-bad">added to the bounding set vs {engineKind ?? 'engine'} default:</span> <span className="mono">{caps.addedVsDefault.join(', ')}</span>
          </>
        ) : null}
        {caps.droppedVsDefault.length > 0 ? (
          <>
            {' '}· <span className="tone-good">dropped from it:</span> <span className="mono">{caps.droppedVsDefault.join(', ')}</span>
          </>
        ) : null}
      </p>
      <FactNotes container={container} fact="capabilities" />
      {caps.effective.length === 0 && caps.bounding.length > 0 ? (
        <p data-testid="effective-empty">
          The effective set is empty: the main process cannot use a privileged kernel operation now, but a program it runs can still gain any
          capability of the bounding set below.
        </p>
      ) : null}
      {bounding.length === 0 ? (
        <p className="tone-good">The bounding set is empty: no process in the container can use any privileged kernel operation.</p>
      ) : (
        <table className="plain" data-testid="capabilities-table">
          <caption className="muted">Bounding set</caption>
          <thead>
            <tr>
              <th>Capability</th>
              <th>Default set</th>
              <th>Effective now</th>
              <th>What it allows</th>
            </tr>
          </thead>
          <tbody>
            {bounding.map((name) => {
              const info = capabilityInfo(name);
              const inDefault = defaults.has(name);
              return (
                <tr key={name} className={info?.attacker && !inDefault ? 'row-bad' : info?.attacker ? 'row-warn' : ''} data-testid="capability-row" data-capability={name} data-effective={held.has(name)}>
                  <td className="mono">{name}</td>
                  <td>{inDefault ? <span className="muted">default</span> : <strong className="tone-bad">added</strong>}</td>
                  <td>{held.has(name) ? 'held' : <span className="muted">not held</span>}</td>
                  <td>
                    {info?.allows ?? 'Unknown to this version of Isolens.'}
                    {info?.attacker ? <div className="attacker">Attacker: {info.attacker}</div> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <details className="more">
        <summary>Every set (bounding {caps.bounding.length}, effective {caps.effective.length}, permitted {caps.permitted.length}, inheritable {caps.inheritable.length}, ambient {caps.ambient.length})</summary>
        <dl className="facts">
          {(['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const).map((set) => (
            <div key={set}>
              <dt>{set}</dt>
              <dd className="mono">{caps[set].length > 0 ? caps[set].join(' ') : 'empty'}</dd>
            </div>
          ))}
        </dl>
      </details>
    </div>
  );
}
