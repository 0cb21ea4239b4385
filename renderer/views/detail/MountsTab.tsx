// Mounts of one container, sensitive host paths first and read-write ones marked, then devices.
import type { ContainerIsolation, Mount } from '../../../app/model/schema.js';
import { FactNotes } from '../../components/FactNotes.js';
import { isEngineSocketMount } from '../../state/derive.js';

function rank(mount: Mount): number {
  if (isEngineSocketMount(mount)) return 0;
  if (mount.sensitive) return mount.readOnly === false ? 1 : 2;
  if (mount.origin === 'engine') return mount.readOnly === false ? 3 : 4;
  return mount.origin === 'runtime' ? 5 : 6;
}

export function MountsTab({ container }: { container: ContainerIsolation }) {
  const mounts = [...container.mounts].sort((a, b) => rank(a) - rank(b) || a.destination.localeCompare(b.destination));
  return (
    <div>
      <FactNotes container={container} fact="mounts" />
      <table className="plain" data-testid="mounts-table">
        <thead>
          <tr>
            <th>Destination</th>
            <th>Source</th>
            <th>Type</th>
            <th>Access</th>
            <th>Propagation</th>
            <th>Why it matters</th>
          </tr>
        </thead>
        <tbody>
          {mounts.map((mount, index) => (
            <tr key={`${mount.destination}-${index}`} className={mount.sensitive ? (mount.readOnly === false ? 'row-bad' : 'row-warn') : ''} data-testid="mount-row" data-destination={mount.destination}>
              <td className="mono">{mount.destination}</td>
              <td className="mono">{mount.source}</td>
              <td>
                {mount.type} <span className="muted">{mount.origin === 'engine' ? 'declared' : mount.origin === 'runtime' ? 'runtime' : 'engine file'}</span>
              </td>
              <td>{mount.readOnly === null ? <span className="muted">unknown</span> : mount.readOnly ? <span className="tone-good">ro</span> : <strong className={mount.sensitive ? 'tone-bad' : ''}>rw</strong>}</td>
              <td className={mount.propagation === 'shared' || mount.propagation === 'shared+slave' ? 'tone-bad' : ''}>{mount.propagation ?? '—'}</td>
              <td>{mount.sensitiveReason ?? <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Devices</h3>
      {container.devices.length === 0 && container.deviceCgroupRules.length === 0 ? (
        <p className="muted">No host devices passed in.</p>
      ) : (
        <ul>
          {container.devices.map((d) => (
            <li key={d.pathOnHost} className="mono tone-bad">
              {d.pathOnHost} → {d.pathInContainer} ({d.permissions})
            </li>
          ))}
          {container.deviceCgroupRules.map((rule) => (
            <li key={rule} className="mono">
              device cgroup rule: {rule}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
