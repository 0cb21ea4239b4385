import { describe, expect, it } from 'vitest';
import { SECCOMP_LSM_RULES } from './seccomp-lsm.js';
import { judge, testRuleFamily } from './fixtures/rule-cases.js';
import { computeOperations } from '../operations/catalogue.js';
import { parseSeccompProfile } from '../operations/seccomp-profile.js';
import { baselineEngine } from './fixtures/baseline.js';
import type { ContainerIsolation } from '../model/schema.js';

/** A custom profile loaded, its operations computed as the collector does. */
const withCustomProfile = (rules: object) => (c: ContainerIsolation) => {
  c.seccomp = { mode: 'filter', profile: 'custom', filters: 1 };
  c.operations = computeOperations(c, { engine: baselineEngine(), customSeccompProfile: parseSeccompProfile(JSON.stringify(rules)) });
};
const ALLOW_ALL_BUT_CHMOD = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['chmod', 'fchmod', 'fchmodat'], action: 'SCMP_ACT_ERRNO' }] };
const DENY_ALL_BUT_BASICS = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write', 'socket', 'fchownat', 'mknodat', 'ptrace'], action: 'SCMP_ACT_ALLOW' }] };

const APPARMOR_ENGINE = { securityOptions: ['name=apparmor', 'name=seccomp,profile=default'] };
const SELINUX_ENGINE = { securityOptions: ['name=seccomp,profile=default', 'name=selinux'] };

testRuleFamily('seccomp-lsm', SECCOMP_LSM_RULES, {
  'seccomp-lsm/seccomp-disabled': {
    fires: (c) => { c.seccomp = { mode: 'disabled', profile: 'unconfined', filters: 0 }; },
    expectEvidence: { fact: 'seccomp.mode', value: 'disabled', source: 'kernel' },
    quiet: (c) => { c.seccomp = { mode: 'filter', profile: 'custom', filters: 1 }; },
  },
  'seccomp-lsm/seccomp-weaker-than-default': {
    fires: withCustomProfile(ALLOW_ALL_BUT_CHMOD),
    expectEvidence: { fact: 'operations', value: ['unshare-user'], source: 'kernel' },
    // Stricter than the default: nothing the default refuses gets through.
    quiet: withCustomProfile(DENY_ALL_BUT_BASICS),
  },
  'seccomp-lsm/seccomp-custom': {
    fires: (c) => { c.seccomp = { mode: 'filter', profile: 'custom', filters: 1 }; },
    quiet: (c) => { c.seccomp = { mode: 'disabled', profile: 'unconfined', filters: 0 }; },
  },
  'seccomp-lsm/apparmor-unconfined': {
    fires: (c) => { c.lsm.apparmor = 'unconfined'; },
    firesEngine: APPARMOR_ENGINE,
    quiet: (c) => { c.lsm.apparmor = 'docker-default (enforce)'; },
    quietEngine: APPARMOR_ENGINE,
    expectEvidence: { fact: 'lsm.apparmor', value: 'unconfined', source: 'kernel' },
  },
  'seccomp-lsm/selinux-unconfined': {
    fires: (c) => { c.lsm.selinux = 'system_u:system_r:spc_t:s0'; },
    firesEngine: SELINUX_ENGINE,
    quiet: (c) => { c.lsm.selinux = 'system_u:system_r:container_t:s0:c1,c2'; },
    quietEngine: SELINUX_ENGINE,
  },
});

describe('seccomp and LSM rules', () => {
  const rule = (id: string) => SECCOMP_LSM_RULES.find((r) => r.id === id)!;

  it('AppArmor: no finding on a host without AppArmor, where docker-bench fails every container', () => {
    expect(judge(rule('seccomp-lsm/apparmor-unconfined'), (c) => { c.lsm.apparmor = 'unconfined'; })).toBeNull();
  });

  it('AppArmor: an empty profile in the configuration counts as none; an unreadable kernel label does not', () => {
    const fromConfig = judge(rule('seccomp-lsm/apparmor-unconfined'), (c) => { c.sources.lsm = 'config'; }, APPARMOR_ENGINE);
    expect(fromConfig).toContainEqual({ fact: 'lsm.apparmor', value: 'none', source: 'config' });
    expect(judge(rule('seccomp-lsm/apparmor-unconfined'), () => {}, APPARMOR_ENGINE)).toBeNull();
  });

  it('SELinux: no finding without SELinux on the engine, whatever SecurityOpt holds (docker-bench 5.3 only checks SecurityOpt is non-empty)', () => {
    expect(judge(rule('seccomp-lsm/selinux-unconfined'), (c) => { c.lsm.selinux = null; c.sources.lsm = 'config'; })).toBeNull();
    expect(judge(rule('seccomp-lsm/selinux-unconfined'), (c) => { c.lsm.selinux = null; c.sources.lsm = 'config'; }, SELINUX_ENGINE)).not.toBeNull();
  });

  it('seccomp: unknown mode with a configured unconfined profile still fires (config fallback), unknown everything does not', () => {
    expect(judge(rule('seccomp-lsm/seccomp-disabled'), (c) => { c.seccomp = { mode: null, profile: 'unconfined', filters: null }; c.sources.seccomp = 'config'; })).not.toBeNull();
    expect(judge(rule('seccomp-lsm/seccomp-disabled'), (c) => { c.seccomp = { mode: null, profile: null, filters: null }; })).toBeNull();
  });
});
