// Seccomp, LSM, no-new-privileges, user and root filesystem of one container: the process's confinement.
import type { ReactNode } from 'react';
import type { ContainerIsolation } from '../../../app/model/schema.js';
import { FactNotes } from '../../components/FactNotes.js';
import { SourceTag } from '../../components/badges.js';
import { sourceOf } from '../../state/derive.js';
import { runtimeLabel } from '../../../app/model/runtime.js';

function Row({ container, fact, label, value, tone }: { container: ContainerIsolation; fact: string; label: string; value: ReactNode; tone: 'good' | 'bad' | 'warn' | 'muted' }) {
  return (
    <tr data-fact={fact}>
      <th scope="row">{label}</th>
      <td className={`tone-${tone}`}>{value}</td>
      <td>
        <SourceTag source={sourceOf(container, fact)} />
      </td>
      <td>
        <FactNotes container={container} fact={fact} />
      </td>
    </tr>
  );
}

export function SecurityTab({ container }: { container: ContainerIsolation }) {
  const { seccomp, lsm, user } = container;
  const seccompText =
    seccomp.mode === null ? 'unknown' : seccomp.mode === 'disabled' ? 'disabled: every system call reaches the kernel' : seccomp.mode === 'strict' ? 'strict (read, write, exit only)' : `filter${seccomp.filters !== null ? ` (${seccomp.filters} filter${seccomp.filters === 1 ? '' : 's'})` : ''}`;
  const runtime = container.runtime;
  const sandbox = runtime?.sandbox ?? null;
  return (
    <table className="plain facts-table" data-testid="security-table">
      <tbody>
        {runtime ? <Row container={container} fact="runtime" label="Runtime" value={`${runtimeLabel(runtime)?.long ?? runtime.name ?? runtime.kind}: ${runtime.detail}`} tone={runtime.isolation === 'shared-kernel' ? 'muted' : 'good'} /> : null}
        {sandbox ? (
          <Row
            container={container}
            fact="runtime.sandbox"
            label="Sandbox process"
            value={`pid ${sandbox.pid} ${sandbox.command} · uid ${sandbox.uid ?? '?'} on the host · user namespace ${sandbox.userns ?? 'unknown'} · seccomp ${sandbox.seccompMode ?? 'unknown'} · no-new-privileges ${sandbox.noNewPrivileges === null ? 'unknown' : sandbox.noNewPrivileges ? 'set' : 'not set'} · capabilities ${sandbox.capabilitiesEffective === null ? 'unknown' : sandbox.capabilitiesEffective.map((name) => name.replace(/^CAP_/, '')).join(', ') || 'none'}`}
            tone={sandbox.seccompMode === 'filter' && sandbox.uid !== 0 ? 'good' : 'warn'}
          />
        ) : null}
        <Row container={container} fact="seccomp.mode" label="Seccomp mode" value={seccompText} tone={seccomp.mode === 'filter' || seccomp.mode === 'strict' ? 'good' : seccomp.mode === null ? 'muted' : 'bad'} />
        <Row container={container} fact="seccomp.profile" label="Seccomp profile" value={seccomp.profile === 'sandbox' ? 'sandbox: the runtime\'s own filter on its sandbox process (the workload\'s calls go to the sandbox\'s kernel)' : (seccomp.profile ?? 'unknown')} tone={seccomp.profile === 'unconfined' ? 'bad' : seccomp.profile === null ? 'muted' : 'good'} />
        <Row container={container} fact="lsm.apparmor" label="AppArmor" value={lsm.apparmor ?? 'not applied (AppArmor absent on this host)'} tone={lsm.apparmor === null || lsm.apparmor.startsWith('unconfined') ? 'warn' : 'good'} />
        <Row container={container} fact="lsm.selinux" label="SELinux" value={lsm.selinux ?? 'not applied'} tone={lsm.selinux ? 'good' : 'muted'} />
        <Row container={container} fact="noNewPrivileges" label="No new privileges" value={container.noNewPrivileges === null ? 'unknown' : container.noNewPrivileges ? 'set: setuid binaries cannot raise privileges' : 'not set: setuid binaries can raise privileges'} tone={container.noNewPrivileges ? 'good' : 'bad'} />
        <Row container={container} fact="privileged" label="Privileged" value={container.privileged ? 'yes: all capabilities and devices, no seccomp, no AppArmor' : 'no'} tone={container.privileged ? 'bad' : 'good'} />
        <Row
          container={container}
          fact="user"
          label="User"
          value={
            <>
              uid {user.uid ?? '?'} {sandbox ? 'inside the sandbox (the host sees the sandbox process)' : 'on the host'}{user.uidInContainer !== null && user.uidInContainer !== user.uid ? `, ${user.uidInContainer} inside` : ''}, gid {user.gid ?? '?'} · user namespace {user.userns ?? 'unknown'} · configured{' '}
              <code>{user.configured === '' ? '(image default)' : user.configured}</code>
            </>
          }
          tone={user.uid === 0 && !sandbox ? 'bad' : 'good'}
        />
        <Row container={container} fact="readOnlyRootfs" label="Root filesystem" value={container.readOnlyRootfs === null ? 'unknown' : container.readOnlyRootfs ? 'read-only' : 'writable'} tone={container.readOnlyRootfs ? 'good' : 'warn'} />
      </tbody>
    </table>
  );
}
