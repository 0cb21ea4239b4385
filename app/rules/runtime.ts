// Runtime rules: privileged mode, no-new-privileges, sshd, host devices, health check and restart policy.
import type { ContainerIsolation } from '../model/schema.js';
import { evidenceOf, fired, type ContainerRule } from './rule.js';

/** What --privileged implies, reported once as its evidence rather than as findings of their own. */
const IMPLIED_BY_PRIVILEGED = new Set([
  'mounts/writable-kernel-filesystem',
  'seccomp-lsm/seccomp-disabled',
  'seccomp-lsm/apparmor-unconfined',
  'seccomp-lsm/selinux-unconfined',
]);

/** A host path bind-mounted by the user: where uid 0 owns root's files on the host without any capability. */
export const hasHostBindMount = (c: ContainerIsolation) => c.mounts.some((m) => m.origin === 'engine' && m.type === 'bind');

export const privileged: ContainerRule = {
  id: 'runtime/privileged',
  title: 'Privileged container',
  severity: 'critical',
  family: 'runtime',
  rationale:
    'A privileged container gets every capability, every host device, no seccomp filter, no AppArmor/SELinux confinement and writable /sys. Root in it is root on the host in all but name: mounting the host disk takes one command.',
  cis: '5.5',
  attack: ['T1611', 'T1610'],
  remediation: {
    text: 'Remove --privileged; add back only the capabilities and devices the workload needs.',
    dockerRun: 'remove --privileged; --cap-drop ALL --cap-add <needed> --device /dev/<needed>',
    compose: 'remove privileged: true; cap_drop: [ALL]',
  },
  dockerBench: 'Same verdict: both read HostConfig.Privileged. What privileged mode actually did is reported by the capability, seccomp and mount rules from the kernel.',
  check(c) {
    if (!c.privileged) return null;
    const evidence = [evidenceOf(c, 'privileged', true)];
    if (c.capabilities !== null) evidence.push(evidenceOf(c, 'capabilities.bounding', `${c.capabilities.bounding.length} capabilities`));
    return evidence;
  },
  rollsUp: (ruleId) => ruleId.startsWith('capabilities/') || IMPLIED_BY_PRIVILEGED.has(ruleId),
};

export const newPrivileges: ContainerRule = {
  id: 'runtime/new-privileges-allowed',
  title: 'Processes can gain privileges (no-new-privileges not set)',
  severity: 'low',
  family: 'runtime',
  rationale:
    'Without no-new-privileges a process in the container can gain privileges by running a setuid or file-capability binary, so a non-root foothold can become root inside the container. The flag costs nothing for almost every workload. It stays quiet for root with an empty bounding set (--cap-drop ALL) and no host bind mount, where a setuid binary has nothing left to give.',
  cis: '5.26',
  attack: ['T1068', 'T1548.001'],
  remediation: {
    text: 'Set no-new-privileges on the container (or daemon-wide with "no-new-privileges": true in daemon.json).',
    dockerRun: '--security-opt no-new-privileges',
    compose: 'security_opt: ["no-new-privileges:true"]',
  },
  dockerBench:
    'docker-bench greps SecurityOpt and the daemon\'s arguments; Isolens reads the NoNewPrivs flag the kernel applied to the process, which covers both and also a flag set by the image\'s runtime configuration.',
  check(c) {
    if (c.noNewPrivileges !== false) return null;
    // Gaining privileges means gaining capabilities from the bounding set, or uid 0; root with none to gain has neither.
    if (c.capabilities?.bounding.length === 0 && c.user.uid === 0 && !hasHostBindMount(c)) return null;
    return [evidenceOf(c, 'noNewPrivileges', false)];
  },
};

/** sshd as a word in the container's own command line: argv[0]'s basename or a word of a shell command string. */
const SSHD = /(^|[\s/;&|'"(])sshd($|[\s;&|'")])/;

export const sshd: ContainerRule = {
  id: 'runtime/sshd',
  title: 'Runs an SSH daemon',
  severity: 'low',
  family: 'runtime',
  rationale:
    'An SSH server inside a container adds a network-facing login service, its keys and its patching to every copy of the image. Use docker exec for access instead.',
  cis: '5.7',
  attack: ['T1021.004', 'T1133'],
  remediation: {
    text: 'Remove sshd from the image and use docker exec (or a bastion) for access.',
    dockerRun: null,
    compose: null,
  },
  dockerBench:
    'docker-bench runs `ps` inside every container, so with --pid host it reports the host\'s sshd as the container\'s, and it fails when the image has no ps; Isolens reads only the container\'s own command line (the engine\'s Path and Args), so it does not see an sshd started later by a supervisor or shell script.',
  check(c) {
    return fired(c.command.filter((word) => SSHD.test(word)).map((word) => ({ fact: 'command', value: word, source: 'config' as const })));
  },
};

export const hostDevices: ContainerRule = {
  id: 'runtime/host-devices',
  title: 'Host devices are exposed',
  severity: 'high',
  family: 'runtime',
  rationale:
    'Host devices passed in with --device are usable by the container with the listed permissions. A block device, /dev/mem or a GPU driver\'s node gives direct access to host data or a kernel driver\'s attack surface.',
  cis: '5.18',
  attack: ['T1611', 'T1006'],
  remediation: {
    text: 'Pass only the devices needed, with the narrowest permissions (r, w or m).',
    dockerRun: '--device /dev/<needed>:/dev/<needed>:r',
    compose: 'devices: ["/dev/<needed>:/dev/<needed>:r"]',
  },
  dockerBench: 'docker-bench reports HostConfig.Devices as INFO (5.18 is a manual control); Isolens grades it high: a host device is the host\'s hardware.',
  check(c) {
    return fired(c.devices.map((d) => ({ fact: `devices[${d.pathInContainer}]`, value: `${d.pathOnHost} (${d.permissions})`, source: 'config' as const })));
  },
};

export const deviceCgroupRules: ContainerRule = {
  id: 'runtime/device-cgroup-rules',
  title: 'Device cgroup rules allow extra devices',
  severity: 'high',
  family: 'runtime',
  rationale:
    'Device cgroup rules let the container open device numbers beyond the default set; with CAP_MKNOD it can create a node for a host disk and read or write it. Wildcard rules such as "b *:* rwm" open every block device.',
  cis: '5.18',
  attack: ['T1611', 'T1006'],
  remediation: {
    text: 'Remove the rule, or narrow it to the exact device major:minor and permission needed.',
    dockerRun: "remove --device-cgroup-rule; or --device-cgroup-rule 'c 10:200 rw'",
    compose: 'remove device_cgroup_rules:',
  },
  dockerBench: null,
  check(c) {
    return fired(c.deviceCgroupRules.map((rule) => ({ fact: 'deviceCgroupRules', value: rule, source: 'config' as const })));
  },
};

export const noHealthcheck: ContainerRule = {
  id: 'runtime/no-healthcheck',
  title: 'No health check',
  severity: 'info',
  family: 'runtime',
  rationale:
    'Neither the image nor the run configuration defines a health check, so the engine cannot tell a hung or hijacked service from a healthy one. It is an availability control, not an isolation one.',
  cis: '5.27',
  attack: [],
  remediation: {
    text: 'Define a health check in the image (HEALTHCHECK) or at run time.',
    dockerRun: "--health-cmd 'wget -q -O- http://localhost/health || exit 1' --health-interval 30s",
    compose: 'healthcheck: { test: ["CMD", "wget", "-q", "-O-", "http://localhost/health"], interval: 30s }',
  },
  dockerBench: 'Same verdict: docker-bench asks for State.Health, which exists exactly when a health check is configured.',
  check(c) {
    if (c.healthcheck !== null) return null;
    return [{ fact: 'healthcheck', value: null, source: 'config' }];
  },
};

export const restartPolicy: ContainerRule = {
  id: 'runtime/restart-policy',
  title: 'Restart policy retries without bound',
  severity: 'info',
  family: 'runtime',
  rationale:
    'The container restarts forever (always, unless-stopped, or on-failure without a small retry count). A crashing or exploited container keeps coming back, which can hide an attack loop or hold the host busy.',
  cis: '5.15',
  attack: ['T1499'],
  remediation: { text: 'Use on-failure with at most 5 retries where automatic restart is wanted.', dockerRun: '--restart on-failure:5', compose: 'restart: on-failure:5' },
  dockerBench:
    'docker-bench only warns when MaximumRetryCount is above 5, so it passes always and unless-stopped (whose count is 0) and on-failure with no count (unbounded); Isolens follows the CIS text and fires for all three.',
  check(c) {
    const { name, maximumRetryCount } = c.restartPolicy;
    const unbounded = name === 'always' || name === 'unless-stopped' || (name === 'on-failure' && (maximumRetryCount === 0 || maximumRetryCount > 5));
    if (!unbounded) return null;
    return [
      { fact: 'restartPolicy.name', value: name, source: 'config' },
      { fact: 'restartPolicy.maximumRetryCount', value: maximumRetryCount, source: 'config' },
    ];
  },
};

export const RUNTIME_RULES: readonly ContainerRule[] = [privileged, newPrivileges, sshd, hostDevices, deviceCgroupRules, noHealthcheck, restartPolicy];
