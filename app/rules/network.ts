// Network rules: published ports on every interface and on privileged host ports.
import type { ContainerIsolation, Port } from '../model/schema.js';
import { evidenceOf, fired, type ContainerRule } from './rule.js';

const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]', '']);

const portFact = (p: Port) => `ports[${p.hostIp || '*'}:${p.hostPort}/${p.protocol}]`;
const portEvidence = (c: ContainerIsolation, p: Port) => evidenceOf(c, portFact(p), `${p.hostIp}:${p.hostPort} -> ${p.containerPort}/${p.protocol}`);

export const allInterfaces: ContainerRule = {
  id: 'network/all-interfaces',
  title: 'Port published on every host interface',
  severity: 'medium',
  family: 'network',
  rationale:
    'A published port bound to 0.0.0.0 or :: accepts connections on every interface of the host, including public ones, and Docker\'s iptables rules bypass the host firewall for it. Bind to the one address that should reach the service.',
  cis: '5.14',
  attack: ['T1190', 'T1133', 'T1046'],
  remediation: { text: 'Publish the port on a specific host address.', dockerRun: '-p 127.0.0.1:8080:80', compose: 'ports: ["127.0.0.1:8080:80"]' },
  dockerBench: 'docker-bench only recognises 0.0.0.0; Isolens also fires for IPv6 wildcard bindings (::).',
  check(c) {
    return fired(c.ports.filter((p) => WILDCARD_ADDRESSES.has(p.hostIp)).map((p) => portEvidence(c, p)));
  },
};

export const privilegedHostPort: ContainerRule = {
  id: 'network/privileged-host-port',
  title: 'Published on a privileged host port (below 1024)',
  severity: 'low',
  family: 'network',
  rationale:
    'Host ports below 1024 are reserved for services started by root; mapping a container onto one lets it impersonate a system service (SSH, DNS, HTTP) of the host. Use a high port and a proxy.',
  cis: '5.8',
  attack: ['T1557', 'T1133'],
  remediation: { text: 'Publish on a port of 1024 or above.', dockerRun: '-p 127.0.0.1:8080:80', compose: 'ports: ["127.0.0.1:8080:80"]' },
  dockerBench: 'docker-bench counts 1024 as privileged (it tests < 1025) and skips IPv6 bindings it cannot parse; Isolens uses the kernel\'s boundary (< 1024) and every binding.',
  check(c) {
    return fired(c.ports.filter((p) => p.hostPort > 0 && p.hostPort < 1024).map((p) => portEvidence(c, p)));
  },
};

export const NETWORK_RULES: readonly ContainerRule[] = [allInterfaces, privilegedHostPort];
