// Host rules: how the engine itself is set up (rootless, userns-remap, TCP without TLS, seccomp/LSM support, live-restore, ICC).
import { engineHasSecurityOption, type HostRule } from './rule.js';

const engineFact = (fact: string, value: unknown) => ({ fact: `engine.${fact}`, value, source: 'config' as const });

export const tcpWithoutTls: HostRule = {
  id: 'host/tcp-without-tls',
  title: 'Engine API on TCP without TLS',
  severity: 'critical',
  family: 'host',
  rationale:
    'The engine\'s API is reachable over TCP with no TLS client authentication, so anyone who can reach the port can start a privileged container and own the host. Exposed Docker APIs are scanned for and abused within minutes.',
  cis: '2.7',
  attack: ['T1610', 'T1611', 'T1133'],
  remediation: {
    text: 'Use the unix socket or ssh://, or require TLS client certificates (tlsverify) on the TCP listener.',
    dockerRun: null,
    compose: null,
  },
  dockerBench: 'docker-bench reads the daemon\'s command line and daemon.json for tlsverify; Isolens judges the endpoint it actually connected to.',
  check(engine) {
    if (!/^tcp:\/\//i.test(engine.endpoint) || engine.tls) return null;
    return [engineFact('endpoint', engine.endpoint), engineFact('tls', false)];
  },
};

export const seccompUnavailable: HostRule = {
  id: 'host/seccomp-unavailable',
  title: 'Engine does not apply a default seccomp profile',
  severity: 'high',
  family: 'host',
  rationale:
    'The engine does not report seccomp support, so containers run without the default syscall filter unless each one brings its own. Every container is then exposed to the kernel\'s full syscall surface.',
  cis: '2.17',
  attack: ['T1611', 'T1068'],
  remediation: {
    text: 'Run the engine on a kernel built with seccomp and do not set "seccomp-profile": "unconfined" in daemon.json.',
    dockerRun: null,
    compose: null,
  },
  dockerBench: null,
  check(engine) {
    if (engineHasSecurityOption(engine, 'seccomp')) return null;
    // A remote engine that answered with no security options at all tells us nothing either way.
    if (engine.kind === null) return null;
    return [engineFact('securityOptions', engine.securityOptions)];
  },
};

export const noMacLsm: HostRule = {
  id: 'host/no-mandatory-access-control',
  title: 'Neither AppArmor nor SELinux is available to the engine',
  severity: 'info',
  family: 'host',
  rationale:
    'The engine reports neither AppArmor nor SELinux, so containers have no mandatory access control layer; capabilities and seccomp are the only barriers. Many distributions enable one by default.',
  cis: null,
  attack: ['T1611'],
  remediation: { text: 'Enable AppArmor or SELinux on the host and in the engine.', dockerRun: null, compose: null },
  dockerBench: null,
  check(engine) {
    if (engine.kind === null || engineHasSecurityOption(engine, 'apparmor') || engineHasSecurityOption(engine, 'selinux')) return null;
    return [engineFact('securityOptions', engine.securityOptions)];
  },
};

export const notRootless: HostRule = {
  id: 'host/not-rootless',
  title: 'Engine runs as root',
  severity: 'info',
  family: 'host',
  rationale:
    'The engine daemon runs as root, so a container escape or an engine vulnerability lands with root on the host. Rootless mode runs the daemon and its containers as an unprivileged user.',
  cis: '2.1',
  attack: ['T1611'],
  remediation: { text: 'Consider rootless mode (dockerd-rootless-setuptool.sh install, or rootless Podman).', dockerRun: null, compose: null },
  dockerBench: 'docker-bench leaves 2.1 as a manual check; Isolens reads the rootless flag from the engine.',
  check(engine) {
    if (engine.rootless !== false) return null;
    return [engineFact('rootless', false)];
  },
};

export const noUsernsRemap: HostRule = {
  id: 'host/no-userns-remap',
  title: 'User namespace remapping is off',
  severity: 'medium',
  family: 'host',
  rationale:
    'Containers share the host\'s user namespace, so uid 0 in a container is uid 0 on the host. With userns-remap (or rootless mode) container root maps to an unprivileged host uid and an escape lands without privileges.',
  cis: '2.9',
  attack: ['T1611', 'T1068'],
  remediation: { text: 'Set "userns-remap": "default" in daemon.json (or use rootless mode).', dockerRun: null, compose: null },
  dockerBench: 'Same verdict: docker-bench reads the daemon\'s userns-remap setting; Isolens reads SecurityOptions (name=userns) from the engine.',
  check(engine) {
    if (engine.userNamespaceRemap !== false || engine.rootless === true) return null;
    return [engineFact('userNamespaceRemap', false), engineFact('rootless', engine.rootless)];
  },
};

export const liveRestoreDisabled: HostRule = {
  id: 'host/live-restore-disabled',
  title: 'Live restore is disabled',
  severity: 'low',
  family: 'host',
  rationale:
    'Without live-restore every container stops when the daemon stops or is upgraded. It discourages prompt engine security updates.',
  cis: '2.15',
  attack: ['T1499'],
  remediation: { text: 'Set "live-restore": true in daemon.json.', dockerRun: null, compose: null },
  dockerBench: 'Same verdict: both read LiveRestoreEnabled.',
  check(engine) {
    if (engine.liveRestore !== false) return null;
    return [engineFact('liveRestore', false)];
  },
};

export const iccEnabled: HostRule = {
  id: 'host/icc-enabled',
  title: 'Containers on the default bridge can reach each other',
  severity: 'medium',
  family: 'host',
  rationale:
    'Inter-container communication is on for the default bridge, so every container on it can connect to every port of every other one. One compromised container can then probe and attack its neighbours.',
  cis: '2.2',
  attack: ['T1046', 'T1557'],
  remediation: {
    text: 'Set "icc": false in daemon.json and connect containers that must talk through user-defined networks.',
    dockerRun: '--network <user-defined-network>',
    compose: 'networks: [<user-defined-network>]',
  },
  dockerBench: 'Same verdict: both read com.docker.network.bridge.enable_icc of the default bridge.',
  check(engine) {
    if (engine.iccOnDefaultBridge !== true) return null;
    return [engineFact('iccOnDefaultBridge', true)];
  },
};

export const HOST_RULES: readonly HostRule[] = [tcpWithoutTls, seccompUnavailable, noMacLsm, notRootless, noUsernsRemap, liveRestoreDisabled, iccEnabled];
