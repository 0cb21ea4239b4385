import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCAL_HOST_SOURCE } from './source.js';
import { cgroupFailure, failureFor, processDirectoryOf } from './read.js';
import { fixturePath } from './fixtures/load.js';

/** Above PID_MAX_LIMIT (4194304): no kernel can have this PID. */
const NO_SUCH_PID = 4194305;

function readlinkError(path: string): string | null {
  try {
    readlinkSync(path);
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? null;
  }
}

describe('errno → reason', () => {
  it('ENOENT is "vanished" when the process directory is gone, "missing" when only the file is', () => {
    expect(failureFor('ENOENT', '/proc/123/ns/time', false).reason).toBe('vanished');
    expect(failureFor('ENOENT', '/proc/123/ns/time', true).reason).toBe('missing');
    expect(failureFor('ENOENT', '/sys/fs/cgroup/memory/docker/abc/memory.max', null).reason).toBe('missing');
    expect(failureFor('ESRCH', '/proc/123/status', true).reason).toBe('vanished');
  });

  it('ENODEV (a kept descriptor on a removed cgroup) is "vanished"', () => {
    expect(failureFor('ENODEV', '/sys/fs/cgroup/cpuacct/docker/abc/cpuacct.usage', null)).toMatchObject({ reason: 'vanished', message: expect.stringContaining('no longer exists') });
  });

  it('EACCES/EPERM say how to get access', () => {
    const failure = failureFor('EACCES', '/proc/1/ns/pid', true);
    expect(failure.reason).toBe('permission');
    expect(failure.message).toContain("run Isolens as root or with CAP_SYS_PTRACE to read /proc/1/ns/pid of another user's process");
    expect(failureFor('EPERM', '/sys/fs/cgroup/pids/docker/abc/pids.max', null)).toMatchObject({ reason: 'permission', message: expect.stringContaining('run Isolens as root') });
  });

  it('EINVAL (an attr file no LSM provides) is "unsupported"; anything else is "other"', () => {
    expect(failureFor('EINVAL', '/proc/12/attr/current', true).reason).toBe('unsupported');
    expect(failureFor('EIO', '/proc/12/status', true).reason).toBe('other');
  });

  it('finds the process directory of a path, also under a fixture root', () => {
    expect(processDirectoryOf('/proc/1234/ns/pid')).toBe('/proc/1234');
    expect(processDirectoryOf('/proc/self/status')).toBe('/proc/self');
    expect(processDirectoryOf('/tmp/kern-proc-x9/604/ns/pid')).toBe('/tmp/kern-proc-x9/604');
    expect(processDirectoryOf('/sys/fs/cgroup/memory/docker/abc/memory.max')).toBeNull();
  });
});

describe('LocalKernelSource readText / readLink on the live host', () => {
  it('reads /proc/self/status and /proc/self/ns/pid', async () => {
    const text = await LOCAL_HOST_SOURCE.readText('/proc/self/status');
    expect(text.ok && text.value).toMatch(new RegExp(`^Pid:\\t${process.pid}$`, 'm'));
    const link = await LOCAL_HOST_SOURCE.readLink('/proc/self/ns/pid');
    expect(link.ok && link.value).toMatch(/^pid:\[\d+\]$/);
  });

  it('a PID that does not exist is "vanished", not a throw', async () => {
    expect(await LOCAL_HOST_SOURCE.readText(`/proc/${NO_SUCH_PID}/status`)).toMatchObject({ ok: false, reason: 'vanished' });
    expect(await LOCAL_HOST_SOURCE.readLink(`/proc/${NO_SUCH_PID}/ns/net`)).toMatchObject({ ok: false, reason: 'vanished' });
  });

  it('a file that does not exist outside /proc/PID is "missing"', async () => {
    expect(await LOCAL_HOST_SOURCE.readText(fixturePath('no-such-file'))).toMatchObject({ ok: false, reason: 'missing' });
  });

  // Where the host denies /proc/1/ns even to root (this VM does), the real EACCES must come back as 'permission'.
  it.skipIf(readlinkError('/proc/1/ns/pid') !== 'EACCES')('an unreadable /proc/1/ns link is "permission" with advice', async () => {
    const link = await LOCAL_HOST_SOURCE.readLink('/proc/1/ns/pid');
    expect(link).toMatchObject({ ok: false, reason: 'permission', message: expect.stringContaining('CAP_SYS_PTRACE') });
  });
});

describe('cgroupFailure', () => {
  const missing = { ok: false as const, reason: 'missing' as const, message: 'x does not exist on this host' };
  const path = '/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes';
  it('a file missing because its cgroup directory is gone is a vanished container, not a missing controller', () => {
    expect(cgroupFailure(missing, path, '/sys/fs/cgroup', false)).toEqual({
      ok: false,
      reason: 'vanished',
      message: 'the cgroup /sys/fs/cgroup/memory/docker/abc no longer exists (its container stopped before memory.limit_in_bytes could be read)',
    });
  });
  it('stays missing when the directory is there, and leaves paths outside cgroupfs and other failures alone', () => {
    expect(cgroupFailure(missing, path, '/sys/fs/cgroup', true)).toBe(missing);
    expect(cgroupFailure(missing, '/proc/1/status', '/sys/fs/cgroup', false)).toBe(missing);
    const denied = { ok: false as const, reason: 'permission' as const, message: 'denied' };
    expect(cgroupFailure(denied, path, '/sys/fs/cgroup', false)).toBe(denied);
  });
});
