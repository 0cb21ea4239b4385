// The eight namespaces of one container: which are the host's, their inodes, and where each fact came from.
import type { ContainerIsolation } from '../../../app/model/schema.js';
import { NAMESPACE_KINDS } from '../../../app/model/vocabulary.js';
import { FactNotes } from '../../components/FactNotes.js';
import { SourceTag } from '../../components/badges.js';
import { PRIVATE_BY_DEFAULT } from '../../state/derive.js';

const MEANING: Record<string, string> = {
  pid: 'process ids: who it can see and signal',
  net: 'interfaces, ports, routes, firewall',
  ipc: 'System V IPC and POSIX message queues, shared memory',
  uts: 'hostname and domain name',
  mnt: 'the mount table',
  user: 'uid and gid mapping: is root inside root outside?',
  cgroup: 'the view of the cgroup hierarchy',
  time: 'boot and monotonic clocks',
};

export function NamespacesTab({ container }: { container: ContainerIsolation }) {
  return (
    <div>
      <table className="plain namespaces" data-testid="namespaces-table">
        <thead>
          <tr>
            <th>Namespace</th>
            <th>Shared with host</th>
            <th>Inode</th>
            <th>Engine mode</th>
            <th>Source</th>
            <th>Isolates</th>
          </tr>
        </thead>
        <tbody>
          {NAMESPACE_KINDS.map((kind) => {
            const ns = container.namespaces[kind];
            const expectedPrivate = PRIVATE_BY_DEFAULT.includes(kind);
            const tone = ns.sharedWithHost === true ? (expectedPrivate ? 'row-bad' : 'row-warn') : '';
            return (
              <tr key={kind} className={tone} data-testid="namespace-row" data-namespace={kind} data-shared={String(ns.sharedWithHost)}>
                <td className="mono">{kind}</td>
                <td>
                  {ns.sharedWithHost === null ? <span className="muted">unknown</span> : ns.sharedWithHost ? <strong className="tone-bad">host's</strong> : <span className="tone-good">private</span>}
                </td>
                <td className="mono">{ns.inode ?? <span className="muted">not readable</span>}</td>
                <td className="mono" data-testid="namespace-mode">{ns.mode === null ? <span className="muted">no engine setting</span> : ns.mode === '' || ns.mode === 'default' ? <span className="muted">engine default</span> : ns.mode}</td>
                <td>
                  <SourceTag source={ns.source} />
                </td>
                <td className="muted">
                  {MEANING[kind]}
                  <FactNotes container={container} fact={`namespaces.${kind}`} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted hint">
        Red: a namespace the engine makes private unless told otherwise is the host's. Amber: shared by the engine's default (user, cgroup, time), which userns-remap, rootless mode or cgroup v2 change.
      </p>
    </div>
  );
}
