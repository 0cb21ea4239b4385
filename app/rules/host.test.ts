import { describe, expect, it } from 'vitest';
import type { EngineInfo } from '../model/schema.js';
import { HOST_RULES } from './host.js';
import { baselineEngine } from './fixtures/baseline.js';

interface HostCase { fires: Partial<EngineInfo>; quiet: Partial<EngineInfo> }

const CASES: Record<string, HostCase> = {
  'host/tcp-without-tls': { fires: { endpoint: 'tcp://10.0.0.5:2375', tls: false }, quiet: { endpoint: 'tcp://10.0.0.5:2376', tls: true } },
  'host/seccomp-unavailable': { fires: { securityOptions: ['name=apparmor'] }, quiet: {} },
  'host/no-mandatory-access-control': { fires: {}, quiet: { securityOptions: ['name=apparmor', 'name=seccomp,profile=default'] } },
  'host/not-rootless': { fires: {}, quiet: { rootless: true, securityOptions: ['name=seccomp,profile=default', 'name=rootless'] } },
  'host/no-userns-remap': { fires: {}, quiet: { userNamespaceRemap: true } },
  'host/live-restore-disabled': { fires: {}, quiet: { liveRestore: true } },
  'host/icc-enabled': { fires: {}, quiet: { iccOnDefaultBridge: false } },
};

describe('host rules', () => {
  it('has a case for every host rule', () => {
    expect(Object.keys(CASES).sort()).toEqual(HOST_RULES.map((r) => r.id).sort());
  });

  for (const rule of HOST_RULES) {
    it(`${rule.id} fires on the engine changed to trigger it, with evidence`, () => {
      const evidence = rule.check(baselineEngine(CASES[rule.id]!.fires));
      expect(evidence?.length).toBeGreaterThan(0);
    });
    it(`${rule.id} stays quiet on a near miss`, () => {
      expect(rule.check(baselineEngine(CASES[rule.id]!.quiet))).toBeNull();
    });
  }

  it('rootless engines are not asked for userns-remap', () => {
    const rule = HOST_RULES.find((r) => r.id === 'host/no-userns-remap')!;
    expect(rule.check(baselineEngine({ rootless: true, userNamespaceRemap: false }))).toBeNull();
  });

  it('unknown facts fire nothing', () => {
    const unknown = baselineEngine({ kind: null, rootless: null, userNamespaceRemap: null, liveRestore: null, iccOnDefaultBridge: null, securityOptions: [] });
    expect(HOST_RULES.filter((rule) => rule.check(unknown) !== null).map((r) => r.id)).toEqual([]);
  });
});
