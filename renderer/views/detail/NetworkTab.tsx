// Network mode, attached networks and published ports of one container; all-interface and privileged host ports marked.
import type { ContainerIsolation } from '../../../app/model/schema.js';
import { FactNotes } from '../../components/FactNotes.js';

const ALL_INTERFACES = new Set(['0.0.0.0', '::', '']);

export function NetworkTab({ container }: { container: ContainerIsolation }) {
  const hostNetwork = container.namespaces.net.sharedWithHost === true;
  return (
    <div>
      <p>
        Network mode <code>{container.network.mode}</code>
        {hostNetwork ? <strong className="tone-bad"> — the host's network stack: every host interface and port, no isolation</strong> : null}
      </p>
      <FactNotes container={container} fact="network" />
      <h3>Networks</h3>
      {container.network.networks.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <table className="plain">
          <tbody>
            {container.network.networks.map((n) => (
              <tr key={n.name}>
                <td className="mono">{n.name}</td>
                <td className="mono">{n.ipAddress ?? '—'}</td>
                <td className="muted">{n.name === 'bridge' ? 'default bridge: reachable by every other container on it' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Published ports</h3>
      {container.ports.length === 0 ? (
        <p className="muted">No ports published on the host.</p>
      ) : (
        <table className="plain" data-testid="ports-table">
          <thead>
            <tr>
              <th>Host address</th>
              <th>Host port</th>
              <th>Container port</th>
              <th>Note</th>
            </tr>
          </thead>
          <tbody>
            {container.ports.map((p, index) => {
              const everywhere = ALL_INTERFACES.has(p.hostIp);
              const privileged = p.hostPort < 1024;
              return (
                <tr key={index} className={everywhere ? 'row-warn' : ''}>
                  <td className="mono">{p.hostIp === '' ? '*' : p.hostIp}</td>
                  <td className="mono">{p.hostPort}</td>
                  <td className="mono">
                    {p.containerPort}/{p.protocol}
                  </td>
                  <td>
                    {everywhere ? <span className="tone-bad">every host interface</span> : <span className="tone-good">one address</span>}
                    {privileged ? <span className="muted"> · privileged host port (&lt;1024)</span> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
