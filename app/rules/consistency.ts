// Consistency rules: what the engine declared and what the kernel applied disagree, or a fact could not be established.
import type { ContainerIsolation, Mismatch, Severity } from '../model/schema.js';
import { fired, type ContainerRule } from './rule.js';

interface MismatchKind {
  slug: string;
  /** The mismatch fact paths this kind covers. */
  matches: (fact: string) => boolean;
  what: string;
  severity: Severity;
  attack: readonly string[];
}

const KINDS: readonly MismatchKind[] = [
  { slug: 'namespaces', matches: (f) => f.startsWith('namespaces.'), what: 'namespace sharing', severity: 'medium', attack: ['T1611'] },
  { slug: 'capabilities', matches: (f) => f.startsWith('capabilities.'), what: 'capability set', severity: 'medium', attack: ['T1611', 'T1068'] },
  { slug: 'seccomp', matches: (f) => f.startsWith('seccomp.'), what: 'seccomp mode', severity: 'medium', attack: ['T1611'] },
  { slug: 'no-new-privileges', matches: (f) => f === 'noNewPrivileges', what: 'no-new-privileges flag', severity: 'medium', attack: ['T1068'] },
  { slug: 'user-namespace', matches: (f) => f === 'user.userns', what: 'user namespace', severity: 'medium', attack: ['T1611'] },
  { slug: 'user', matches: (f) => f === 'user.uidInContainer' || f === 'user.gidInContainer', what: 'user or group id', severity: 'medium', attack: ['T1068'] },
  { slug: 'mount-read-only', matches: (f) => f.startsWith('mounts['), what: 'read-only flag of a mount', severity: 'medium', attack: ['T1611'] },
  { slug: 'read-only-rootfs', matches: (f) => f === 'readOnlyRootfs', what: 'read-only root filesystem', severity: 'medium', attack: ['T1610'] },
  { slug: 'lsm', matches: (f) => f.startsWith('lsm.'), what: 'AppArmor or SELinux label', severity: 'medium', attack: ['T1562.001'] },
  { slug: 'cgroup-limits', matches: (f) => f.startsWith('cgroup.'), what: 'resource limit', severity: 'low', attack: ['T1499'] },
];

const known = (fact: string) => KINDS.some((kind) => kind.matches(fact));

/** Both values, each with its own source: the finding cites what the engine said and what the kernel shows. */
function mismatchEvidence(mismatches: readonly Mismatch[]) {
  return mismatches.flatMap((m) => [
    { fact: m.fact, value: m.kernel, source: 'kernel' as const },
    { fact: m.fact, value: m.config, source: 'config' as const },
  ]);
}

const DOCKER_BENCH_NOTE =
  'docker-bench reads docker inspect only, so where they disagree it judges the declared value; Isolens reports the disagreement and judges the kernel\'s value in the other rules.';

function mismatchRule(kind: MismatchKind): ContainerRule {
  return {
    id: `consistency/${kind.slug}`,
    title: `Declared ${kind.what} differs from what the kernel applied`,
    severity: kind.severity,
    family: 'consistency',
    rationale: `The engine's configuration describes one ${kind.what} but the container's process runs with another. Something between the request and the kernel (the runtime, a wrapper, a host limit or policy) changed it, so reviews and tools that read only the configuration are wrong about this container.`,
    cis: null,
    attack: kind.attack,
    remediation: {
      text: 'Find out what changed the setting (runtime, wrapper, daemon configuration) and recreate the container so the configuration and the kernel agree.',
      dockerRun: null,
      compose: null,
    },
    dockerBench: DOCKER_BENCH_NOTE,
    check: (c) => fired(mismatchEvidence(c.mismatches.filter((m) => kind.matches(m.fact)))),
  };
}

export const otherMismatch: ContainerRule = {
  id: 'consistency/other',
  title: 'A declared setting differs from what the kernel applied',
  severity: 'low',
  family: 'consistency',
  rationale:
    'The engine\'s configuration and the kernel disagree about a fact no other consistency rule covers. Isolens reports the kernel\'s value; the disagreement itself means the configuration cannot be trusted for this fact.',
  cis: null,
  attack: [],
  remediation: { text: 'Recreate the container and check what changes the setting.', dockerRun: null, compose: null },
  dockerBench: DOCKER_BENCH_NOTE,
  check: (c) => fired(mismatchEvidence(c.mismatches.filter((m) => !known(m.fact)))),
};

export const unverifiedFacts: ContainerRule = {
  id: 'consistency/unverified-facts',
  title: 'Some facts could not be verified in the kernel',
  severity: 'info',
  family: 'consistency',
  rationale:
    'Isolens could not read some facts from the kernel and fell back to the engine\'s configuration or left them unknown. Rules do not fire on unknown facts, so the findings for this container may be incomplete.',
  cis: null,
  attack: [],
  remediation: {
    text: 'Run Isolens on the engine\'s host with permission to read /proc (root or CAP_SYS_PTRACE), as each gap\'s reason explains.',
    dockerRun: null,
    compose: null,
  },
  dockerBench: null,
  check(c: ContainerIsolation) {
    return fired(c.gaps.map((gap) => ({ fact: gap.fact, value: gap.reason, source: 'config' as const })));
  },
};

export const CONSISTENCY_RULES: readonly ContainerRule[] = [...KINDS.map(mismatchRule), otherMismatch, unverifiedFacts];
