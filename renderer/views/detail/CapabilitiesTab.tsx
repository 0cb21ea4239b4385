// Effective capabilities of one container against the engine's default set, each with what it allows.
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
  // Dangerous ones first, then those beyond the default, then alphabetical.
  const effective = [...caps.effective].sort((a, b) => {
    const rank = (name: string) => (capabilityInfo(name)?.attacker ? 0 : 2) + (defaults.has(name) ? 1 : 0);
    return rank(a) - rank(b) || a.localeCompare(b);
  });
  return (
    <div>
      <p>
        {caps.effective.length} effective capabilities <SourceTag source={sourceOf(container, 'capabilities')} />
        {caps.addedVsDefault.length > 0 ? (
          <>
            {' '}· <span className="tone-bad">added vs {engineKind ?? 'engine'} default:</span> <span className="mono">{caps.addedVsDefault.join(', ')}</span>
          </>
        ) : null}
        {caps.droppedVsDefault.length > 0 ? (
          <>
            {' '}· <span className="tone-good">dropped:</span> <span className="mono">{caps.droppedVsDefault.join(', ')}</span>
          </>
        ) : null}
      </p>
      <FactNotes container={container} fact="capabilities" />
      {effective.length === 0 ? (
        <p className="tone-good">No effective capabilities: the process cannot use any privileged kernel operation.</p>
      ) : (
        <table className="plain" data-testid="capabilities-table">
          <thead>
            <tr>
              <th>Capability</th>
              <th>Default set</th>
              <th>What it allows</th>
            </tr>
          </thead>
          <tbody>
            {effective.map((name) => {
              const info = capabilityInfo(name);
              const inDefault = defaults.has(name);
              return (
                <tr key={name} className={info?.attacker && !inDefault ? 'row-bad' : info?.attacker ? 'row-warn' : ''} data-testid="capability-row" data-capability={name}>
                  <td className="mono">{name}</td>
                  <td>{inDefault ? <span className="muted">default</span> : <strong className="tone-bad">added</strong>}</td>
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
        <summary>Other sets (bounding {caps.bounding.length}, permitted {caps.permitted.length}, inheritable {caps.inheritable.length}, ambient {caps.ambient.length})</summary>
        <dl className="facts">
          {(['bounding', 'permitted', 'inheritable', 'ambient'] as const).map((set) => (
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
