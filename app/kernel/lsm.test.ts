import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_HOST_SOURCE, localSource, processOf } from './source.js';
import { parseAppArmorLabel, parseLsmList, readActiveLsms, readLsmLabels } from './lsm.js';
import { fixturePath, fixtureText } from './fixtures/load.js';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/**
 * A throwaway tree of files. Used for the branch logic only (which file is read when): no AppArmor or SELinux runs on
 * this host, so their labels cannot be captured; the label text follows the formats the kernel documents.
 */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'kern-lsm-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** A /sys whose securityfs list is the captured one. */
function sysWithCapturedLsmList(): string {
  const root = tree({});
  mkdirSync(join(root, 'kernel', 'security'), { recursive: true });
  symlinkSync(fixturePath('lsm-securityfs', 'lsm'), join(root, 'kernel', 'security', 'lsm'));
  return root;
}

describe('active LSMs', () => {
  it("parses the kernel's captured list (securityfs mounted on this host just to read it)", () => {
    expect(parseLsmList(fixtureText('lsm-securityfs', 'lsm'))).toEqual(['lockdown', 'capability', 'landlock', 'bpf']);
  });

  it('prefers securityfs when it is readable', async () => {
    expect(await readActiveLsms(localSource({ sysRoot: sysWithCapturedLsmList() }))).toEqual({ names: ['lockdown', 'capability', 'landlock', 'bpf'], source: 'securityfs' });
  });

  it('without securityfs, probes /sys/module/apparmor and /sys/fs/selinux', async () => {
    expect(await readActiveLsms(localSource({ sysRoot: tree({ 'module/apparmor/parameters/enabled': 'Y\n' }) }))).toEqual({ names: ['apparmor'], source: 'probe' });
    expect(await readActiveLsms(localSource({ sysRoot: tree({ 'module/apparmor/parameters/enabled': 'N\n' }) }))).toEqual({ names: [], source: 'probe' });
    expect(await readActiveLsms(localSource({ sysRoot: tree({ 'fs/selinux/enforce': '1' }) }))).toEqual({ names: ['selinux'], source: 'probe' });
  });

  it('on the live host the source follows whether securityfs is readable', async () => {
    const active = await readActiveLsms(LOCAL_HOST_SOURCE);
    expect(active.source).toBe(existsSync('/sys/kernel/security/lsm') ? 'securityfs' : 'probe');
  });
});

describe('parseAppArmorLabel', () => {
  it('splits profile and mode', () => {
    expect(parseAppArmorLabel('docker-default (enforce)\n')).toEqual({ profile: 'docker-default', mode: 'enforce' });
    expect(parseAppArmorLabel('my profile (complain)')).toEqual({ profile: 'my profile', mode: 'complain' });
    expect(parseAppArmorLabel('unconfined\n')).toEqual({ profile: 'unconfined', mode: null });
  });
});

describe('readLsmLabels', () => {
  it('no AppArmor or SELinux active (as on this host): both null, nothing read', async () => {
    // PID 4194305 cannot exist: with no LSM to ask about, its attr files are never read.
    expect(await readLsmLabels(processOf(localSource({ procRoot: '/proc', sysRoot: sysWithCapturedLsmList() }), 4194305))).toEqual({ ok: true, value: { apparmor: null, selinux: null } });
  });

  it('AppArmor: attr/apparmor/current (Linux 5.1+) first, attr/current on older kernels', async () => {
    const sys = tree({ 'kernel/security/lsm': 'lockdown,capability,yama,apparmor' });
    const newer = tree({ '42/attr/apparmor/current': 'docker-default (enforce)\n', '42/attr/current': 'stale\n' });
    expect(await readLsmLabels(processOf(localSource({ procRoot: newer, sysRoot: sys }), 42))).toEqual({ ok: true, value: { apparmor: 'docker-default (enforce)', selinux: null } });
    const older = tree({ '42/attr/current': 'unconfined\n' });
    expect(await readLsmLabels(processOf(localSource({ procRoot: older, sysRoot: sys }), 42))).toEqual({ ok: true, value: { apparmor: 'unconfined', selinux: null } });
  });

  it('SELinux: attr/current without its trailing NUL', async () => {
    const sys = tree({ 'kernel/security/lsm': 'capability,selinux' });
    const proc = tree({ '42/attr/current': 'system_u:system_r:container_t:s0:c1,c2\0' });
    expect(await readLsmLabels(processOf(localSource({ procRoot: proc, sysRoot: sys }), 42))).toEqual({ ok: true, value: { apparmor: null, selinux: 'system_u:system_r:container_t:s0:c1,c2' } });
  });

  it('a vanished process is a value when a label has to be read', async () => {
    const sys = tree({ 'kernel/security/lsm': 'capability,apparmor' });
    expect(await readLsmLabels(processOf(localSource({ procRoot: '/proc', sysRoot: sys }), 4194305))).toMatchObject({ ok: false, reason: 'vanished' });
  });

  it('reads the live host for this process', async () => {
    const labels = await readLsmLabels(processOf(LOCAL_HOST_SOURCE, 'self'));
    expect(labels.ok).toBe(true);
  });
});
