import { describe, expect, it } from 'vitest';
import type { ContainerIsolation, Port } from '../model/schema.js';
import { NETWORK_RULES } from './network.js';
import { judge, testRuleFamily } from './fixtures/rule-cases.js';

const publish = (hostIp: string, hostPort: number, containerPort = 80) => (c: ContainerIsolation) => {
  c.ports.push({ hostIp, hostPort, containerPort, protocol: 'tcp' } satisfies Port);
};

testRuleFamily('network', NETWORK_RULES, {
  'network/all-interfaces': {
    fires: publish('0.0.0.0', 8080),
    expectEvidence: { fact: 'ports[0.0.0.0:8080/tcp]', value: '0.0.0.0:8080 -> 80/tcp', source: 'config' },
    quiet: publish('127.0.0.1', 8080),
  },
  'network/privileged-host-port': { fires: publish('127.0.0.1', 80), quiet: publish('127.0.0.1', 1024) },
});

describe('network rules', () => {
  it('treat the IPv6 wildcard like 0.0.0.0 (docker-bench does not)', () => {
    expect(judge(NETWORK_RULES[0]!, publish('::', 8080))).not.toBeNull();
  });
  it('port 1023 is privileged, 1024 is not (docker-bench counts 1024)', () => {
    expect(judge(NETWORK_RULES[1]!, publish('127.0.0.1', 1023))).not.toBeNull();
    expect(judge(NETWORK_RULES[1]!, publish('127.0.0.1', 1024))).toBeNull();
  });
});
