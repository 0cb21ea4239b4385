// Syscall filtering and mandatory access control rules: seccomp off, custom or weaker than the default, AppArmor and SELinux confinement.
import { computeOperations } from '../operations/catalogue.js';
import { evidenceOf, engineHasSecurityOption, type ContainerRule } from './rule.js';

export const seccompDisabled: ContainerRule = {
  id: 'seccomp-lsm/seccomp-disabled',
  title: 'Seccomp is disabled',
  severity: 'high',
  family: 'seccomp-lsm',
  rationale:
    'No seccomp filter restricts the container\'s system calls, so every kernel entry point (keyctl, bpf, userfaultfd, unshare, mount …) is reachable. Most container-escape kernel exploits rely on syscalls the default profile blocks.',
  cis: '5.22',
  attack: ['T1611', 'T1068'],
  remediation: {
    text: 'Run with the engine\'s default seccomp profile, or a reviewed custom profile if a syscall is genuinely needed.',
    dockerRun: 'remove --security-opt seccomp=unconfined',
    compose: 'remove security_opt: ["seccomp:unconfined"]',
  },
  dockerBench:
    'docker-bench greps SecurityOpt for seccomp=unconfined; Isolens reads the Seccomp mode from /proc/PID/status, so it also fires for --privileged (which disables seccomp without saying so in SecurityOpt) and for an engine without seccomp support.',
  check(c) {
    const disabled = c.seccomp.mode === 'disabled' || (c.seccomp.mode === null && c.seccomp.profile === 'unconfined');
    if (!disabled) return null;
    return [evidenceOf(c, 'seccomp.mode', c.seccomp.mode), evidenceOf(c, 'seccomp.profile', c.seccomp.profile)];
  },
};

export const seccompCustom: ContainerRule = {
  id: 'seccomp-lsm/seccomp-custom',
  title: 'Custom seccomp profile (not reviewed by Isolens)',
  severity: 'info',
  family: 'seccomp-lsm',
  rationale:
    'A seccomp filter is active but it is not the engine\'s default profile. Isolens cannot tell whether it is stricter or looser than the default; review it against the default profile before trusting it.',
  cis: null,
  attack: [],
  remediation: {
    text: 'Keep the custom profile only if it was reviewed; otherwise use the engine default.',
    dockerRun: '--security-opt seccomp=/path/to/reviewed-profile.json',
    compose: 'security_opt: ["seccomp:/path/to/reviewed-profile.json"]',
  },
  dockerBench: null,
  check(c) {
    if (c.seccomp.profile !== 'custom' || c.seccomp.mode === 'disabled') return null;
    return [evidenceOf(c, 'seccomp.profile', 'custom'), evidenceOf(c, 'seccomp.mode', c.seccomp.mode), evidenceOf(c, 'seccomp.filters', c.seccomp.filters)];
  },
};

export const seccompWeakerThanDefault: ContainerRule = {
  id: 'seccomp-lsm/seccomp-weaker-than-default',
  title: 'Custom seccomp profile allows what the default blocks',
  severity: 'high',
  family: 'seccomp-lsm',
  rationale:
    'The container\'s own seccomp profile lets through operations the engine\'s default profile refuses with the same capabilities, such as creating a user namespace, the first step of many kernel exploits. A custom profile is only as good as its rules; this one is looser than the default where it matters.',
  cis: '5.22',
  attack: ['T1611', 'T1068'],
  remediation: {
    text: 'Use the engine\'s default profile, or add the default\'s refusals back to the custom profile.',
    dockerRun: 'remove --security-opt seccomp=<profile>',
    compose: 'remove security_opt: ["seccomp:<profile>"]',
  },
  dockerBench:
    'docker-bench 5.22 warns only on seccomp=unconfined; Isolens reads the custom profile\'s rules from the engine and compares each operation with the default profile\'s verdict.',
  check(c, context) {
    if (c.seccomp.profile !== 'custom' || c.seccomp.mode !== 'filter' || !c.operations) return null;
    const withDefault = computeOperations({ ...c, seccomp: { ...c.seccomp, profile: 'default' } }, { engine: context.engine, customSeccompProfile: null });
    const looser = c.operations.filter((op) => op.verdict === 'allowed' && withDefault.find((d) => d.id === op.id)?.verdict === 'blocked' && withDefault.find((d) => d.id === op.id)!.because.some((b) => b.layer === 'seccomp'));
    if (looser.length === 0) return null;
    return [
      evidenceOf(c, 'seccomp.profile', 'custom'),
      { fact: 'operations', value: looser.map((op) => op.id), source: 'kernel' },
    ];
  },
};

export const apparmorUnconfined: ContainerRule = {
  id: 'seccomp-lsm/apparmor-unconfined',
  title: 'AppArmor does not confine the container',
  severity: 'medium',
  family: 'seccomp-lsm',
  rationale:
    'The engine supports AppArmor but this container runs unconfined, so the docker-default profile\'s denials (writes to /proc and /sys, mount, ptrace of other profiles) do not apply. It removes one of the layers that stops a compromised process from reaching the host.',
  cis: '5.2',
  attack: ['T1611', 'T1562.001'],
  remediation: {
    text: 'Run under the engine\'s default AppArmor profile or a reviewed custom one.',
    dockerRun: '--security-opt apparmor=docker-default',
    compose: 'security_opt: ["apparmor:docker-default"]',
  },
  dockerBench:
    'docker-bench warns whenever AppArmorProfile is empty, even on hosts without AppArmor (every container then fails); Isolens fires only when the engine reports AppArmor in SecurityOptions, and reads the label the kernel applied (/proc/PID/attr).',
  check(c, context) {
    if (!engineHasSecurityOption(context.engine, 'apparmor')) return null;
    const profile = c.lsm.apparmor;
    // From the kernel, null means the label could not be read; from the config, an empty profile means none was applied.
    const none = profile === null ? c.sources.lsm === 'config' : /^unconfined\b/.test(profile);
    if (!none) return null;
    return [evidenceOf(c, 'lsm.apparmor', profile ?? 'none'), { fact: 'engine.securityOptions', value: context.engine.securityOptions, source: 'config' }];
  },
};

/** SELinux domains that are not confined: the container runs like a host process. */
const UNCONFINED_SELINUX_TYPES = ['spc_t', 'unconfined_t', 'kernel_t', 'init_t'];

export const selinuxUnconfined: ContainerRule = {
  id: 'seccomp-lsm/selinux-unconfined',
  title: 'SELinux does not confine the container',
  severity: 'medium',
  family: 'seccomp-lsm',
  rationale:
    'The engine runs with SELinux enabled but this container has no label or an unconfined domain (spc_t, unconfined_t, e.g. from --security-opt label=disable or --privileged). SELinux then no longer stops it from touching host files and other containers\' data.',
  cis: '5.3',
  attack: ['T1611', 'T1562.001'],
  remediation: {
    text: 'Keep the engine\'s default container_t labelling; set a level or type only when needed.',
    dockerRun: '--security-opt label=type:container_t',
    compose: 'security_opt: ["label=type:container_t"]',
  },
  dockerBench:
    'docker-bench passes any container with any SecurityOpt (even no-new-privileges) and fails every container without one, SELinux or not; Isolens fires only when the engine reports SELinux and the process label is missing or unconfined.',
  check(c, context) {
    if (!engineHasSecurityOption(context.engine, 'selinux')) return null;
    const label = c.lsm.selinux;
    const type = label?.split(':')[2] ?? null;
    const unconfined = label === null ? c.sources.lsm === 'config' : type !== null && UNCONFINED_SELINUX_TYPES.includes(type);
    if (!unconfined) return null;
    return [evidenceOf(c, 'lsm.selinux', label ?? 'none'), { fact: 'engine.securityOptions', value: context.engine.securityOptions, source: 'config' }];
  },
};

export const SECCOMP_LSM_RULES: readonly ContainerRule[] = [seccompDisabled, seccompWeakerThanDefault, seccompCustom, apparmorUnconfined, selinuxUnconfined];
