import { describe, expect, it } from 'vitest';
import type { ContainerIsolation } from '../model/schema.js';
import { RUNTIME_RULES } from './runtime.js';
import { judge, testRuleFamily } from './fixtures/rule-cases.js';

const rule = (id: string) => RUNTIME_RULES.find((r) => r.id === id)!;
const command = (...words: string[]) => (c: ContainerIsolation) => { c.command = words; };

testRuleFamily('runtime', RUNTIME_RULES, {
  'runtime/privileged': {
    fires: (c) => { c.privileged = true; },
    expectEvidence: { fact: 'privileged', value: true, source: 'config' },
  },
  'runtime/new-privileges-allowed': {
    fires: () => {},
    expectEvidence: { fact: 'noNewPrivileges', value: false, source: 'kernel' },
    quiet: (c) => { c.noNewPrivileges = true; },
  },
  'runtime/sshd': { fires: command('/usr/sbin/sshd', '-D'), quiet: command('/usr/local/bin/sshd-exporter', '--port', '9100') },
  'runtime/host-devices': {
    fires: (c) => { c.devices.push({ pathOnHost: '/dev/fuse', pathInContainer: '/dev/fuse', permissions: 'rwm' }); },
    expectEvidence: { fact: 'devices[/dev/fuse]', value: '/dev/fuse (rwm)' },
  },
  'runtime/device-cgroup-rules': { fires: (c) => { c.deviceCgroupRules.push('b *:* rwm'); } },
  'runtime/no-healthcheck': { fires: () => {}, quiet: (c) => { c.healthcheck = { test: ['CMD', 'true'] }; } },
  'runtime/restart-policy': {
    fires: (c) => { c.restartPolicy = { name: 'always', maximumRetryCount: 0 }; },
    quiet: (c) => { c.restartPolicy = { name: 'on-failure', maximumRetryCount: 5 }; },
  },
});

describe('runtime rules', () => {
  it('sshd: judged on the container\'s own command, so --pid host with the host\'s sshd visible is not a finding', () => {
    expect(judge(rule('runtime/sshd'), (c) => { c.namespaces.pid.sharedWithHost = true; c.namespaces.pid.mode = 'host'; })).toBeNull();
  });

  it('sshd: found inside a shell command string', () => {
    expect(judge(rule('runtime/sshd'), command('/bin/sh', '-c', 'ssh-keygen -A && exec /usr/sbin/sshd -D -e'))).toEqual([
      { fact: 'command', value: 'ssh-keygen -A && exec /usr/sbin/sshd -D -e', source: 'config' },
    ]);
  });

  it('restart policy: on-failure without a count retries forever; no restart is fine', () => {
    expect(judge(rule('runtime/restart-policy'), (c) => { c.restartPolicy = { name: 'on-failure', maximumRetryCount: 0 }; })).not.toBeNull();
    expect(judge(rule('runtime/restart-policy'), (c) => { c.restartPolicy = { name: 'on-failure', maximumRetryCount: 6 }; })).not.toBeNull();
    expect(judge(rule('runtime/restart-policy'), () => {})).toBeNull();
  });

  it('no-new-privileges: unknown is not a finding', () => {
    expect(judge(rule('runtime/new-privileges-allowed'), (c) => { c.noNewPrivileges = null; })).toBeNull();
  });
});
