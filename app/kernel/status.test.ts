import { describe, expect, it } from 'vitest';
import { LOCAL_HOST_SOURCE, processOf } from './source.js';
import { decodeCapabilityMask, defaultCapabilities } from '../model/capabilities.js';
import { parseCapabilityMask, parseStatus, readStatus } from './status.js';
import { fixtureText } from './fixtures/load.js';

const status = (scenario: string) => parseStatus(fixtureText(scenario, 'status'));

describe('parseStatus on captured /proc/PID/status', () => {
  it('--cap-drop ALL --cap-add NET_BIND_SERVICE: every set holds exactly CAP_NET_BIND_SERVICE', () => {
    const s = status('container-cap-drop-all-add-net-bind-service');
    expect(decodeCapabilityMask(s.capEffective)).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(decodeCapabilityMask(s.capPermitted)).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(decodeCapabilityMask(s.capBounding)).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(s.capInheritable).toBe(0n);
    expect(s.capAmbient).toBe(0n);
  });

  it("a default container's bounding set is Docker's default set", () => {
    const s = status('container-default');
    expect(s.capBounding).toBe(0xa80425fbn);
    expect([...decodeCapabilityMask(s.capBounding)].sort()).toEqual([...defaultCapabilities('docker')].sort());
  });

  it('--cap-add ALL --cap-drop SYS_RESOURCE: everything Docker 20.10 knows except CAP_SYS_RESOURCE', () => {
    const bounding = decodeCapabilityMask(status('container-cap-add-all-drop-sys-resource').capBounding);
    expect(bounding).toContain('CAP_SYS_ADMIN');
    expect(bounding).toContain('CAP_AUDIT_READ');
    expect(bounding).not.toContain('CAP_SYS_RESOURCE');
    // 0x3ffeffffff: bits 0-37 minus bit 24; Docker 20.10 predates CAP_PERFMON (38) and later.
    expect(bounding).toHaveLength(37);
    expect(bounding).not.toContain('CAP_PERFMON');
  });

  it('the default seccomp profile is one filter, no_new_privs off', () => {
    const s = status('container-default');
    expect(s.seccompMode).toBe('filter');
    expect(s.seccompFilters).toBe(1);
    expect(s.noNewPrivileges).toBe(false);
  });

  it('--security-opt seccomp=unconfined --security-opt no-new-privileges', () => {
    const s = status('container-seccomp-unconfined-no-new-privileges');
    expect(s.seccompMode).toBe('disabled');
    expect(s.seccompFilters).toBe(0);
    expect(s.noNewPrivileges).toBe(true);
  });

  it('identity: name, state, root ids, and the PID in both PID namespaces', () => {
    const s = status('container-default');
    expect(s.name).toBe('sleep');
    expect(s.state).toBe('S (sleeping)');
    expect(s.pid).toBe(604);
    expect(s.namespacePids).toEqual([604, 1]);
    expect(s.uid).toEqual({ real: 0, effective: 0, saved: 0, filesystem: 0 });
    expect(s.gid).toEqual({ real: 0, effective: 0, saved: 0, filesystem: 0 });
    expect(s.parentPid).toBeGreaterThan(0);
  });

  it('the host process: one NSpid, full capability sets, no seccomp', () => {
    const s = status('host');
    expect(s.namespacePids).toEqual([s.pid]);
    expect(s.capEffective).toBe(0x1fffeffffffn);
    expect(decodeCapabilityMask(s.capEffective)).toContain('CAP_CHECKPOINT_RESTORE');
    expect(s.seccompMode).toBe('disabled');
  });

  it('a kernel that reports neither NoNewPrivs, Seccomp, Seccomp_filters nor CapAmb gives null / an empty ambient set', () => {
    const older = fixtureText('container-default', 'status')
      .split('\n')
      .filter((line) => !/^(NoNewPrivs|Seccomp|Seccomp_filters|CapAmb|NSpid):/.test(line))
      .join('\n');
    const s = parseStatus(older);
    expect(s.noNewPrivileges).toBeNull();
    expect(s.seccompMode).toBeNull();
    expect(s.seccompFilters).toBeNull();
    expect(s.capAmbient).toBe(0n);
    expect(s.namespacePids).toEqual([]);
    expect(decodeCapabilityMask(s.capEffective)).toContain('CAP_CHOWN');
  });

  it('rejects text that is not a status file rather than inventing values', () => {
    expect(() => parseStatus('Name:\tsleep\n')).toThrow(/no State line/);
    expect(() => parseCapabilityMask('zz')).toThrow();
  });
});

describe('readStatus', () => {
  it('reads this process from the live /proc', async () => {
    const result = await readStatus(processOf(LOCAL_HOST_SOURCE, 'self'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.pid).toBe(process.pid);
    expect(result.value.uid.effective).toBe(process.getuid!());
  });

  it('a PID that does not exist is "vanished", not a throw', async () => {
    // Above PID_MAX_LIMIT (4194304): no kernel can have this PID.
    const result = await readStatus(processOf(LOCAL_HOST_SOURCE, 4194305));
    expect(result).toMatchObject({ ok: false, reason: 'vanished' });
  });
});
