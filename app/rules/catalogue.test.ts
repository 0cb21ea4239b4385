import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Finding } from '../model/schema.js';
import { ALL_RULES, CONTAINER_RULES, evaluateContainer, evaluateHost, HOST_RULES, isAccepted, parseIgnoreFile } from './catalogue.js';
import { baselineContainer, baselineEngine } from './fixtures/baseline.js';
import { rulesReferenceTable } from './reference.js';
import { RULE_FAMILIES } from './rule.js';
import { scoreFindings } from './score.js';

const context = { engine: baselineEngine() };

describe('the catalogue', () => {
  it('gives every rule a unique, stable, family-prefixed kebab-case id', () => {
    const ids = ALL_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of ALL_RULES) {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*\/[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(rule.id.split('/')[0]).toBe(rule.family);
      expect(RULE_FAMILIES).toContain(rule.family);
    }
    expect(HOST_RULES.every((rule) => rule.family === 'host')).toBe(true);
    expect(CONTAINER_RULES.some((rule) => rule.family === 'host')).toBe(false);
  });

  it('gives every rule its metadata: a rationale of two to four sentences (the condition of a default-set capability is the fourth), well-formed CIS and ATT&CK ids, a remediation', () => {
    for (const rule of ALL_RULES) {
      const sentences = rule.rationale.split(/(?<=[.!?])\s+(?=[A-Z/(`-])/).length;
      expect(sentences, `${rule.id}: ${rule.rationale}`).toBeGreaterThanOrEqual(2);
      expect(sentences, `${rule.id}: ${rule.rationale}`).toBeLessThanOrEqual(4);
      if (rule.cis !== null) expect(rule.cis).toMatch(/^[1-7](\.\d+){1,2}$/);
      for (const technique of rule.attack) expect(technique).toMatch(/^T\d{4}(\.\d{3})?$/);
      expect(rule.remediation.text.length).toBeGreaterThan(10);
    }
  });

  it('covers every automated per-container control of CIS section 5 the issue lists', () => {
    const wanted = ['5.2', '5.3', '5.4', '5.5', '5.6', '5.7', '5.8', '5.10', '5.11', '5.12', '5.13', '5.14', '5.16', '5.17', '5.20', '5.21', '5.22', '5.25', '5.26', '5.27', '5.29', '5.31', '5.32'];
    const covered = new Set(CONTAINER_RULES.map((rule) => rule.cis));
    expect(wanted.filter((control) => !covered.has(control))).toEqual([]);
  });
});

describe('evaluateContainer', () => {
  it('judges the default container like docker-bench where docker-bench is right', () => {
    const findings = evaluateContainer(baselineContainer(), context);
    expect(findings.map((f) => f.ruleId).sort()).toEqual([
      'capabilities/net-raw',
      'mounts/writable-root-filesystem', // 5.13
      'namespaces/root-in-host-userns', // 4.1
      'resources/cpu-unlimited', // 5.12
      'resources/memory-unlimited', // 5.11
      'resources/pids-unlimited', // 5.29
      'runtime/new-privileges-allowed', // 5.26
      'runtime/no-healthcheck', // 5.27
    ]);
    for (const finding of findings) expect(Finding.safeParse(finding).success).toBe(true);
    // Defence in depth missing four ways (5 each) and no limits (8 + 8/2 + 5/2): unhardened, but nothing reaches the host.
    expect(scoreFindings(findings)).toEqual({ score: 66, grade: 'D' });
  });

  it('sorts worst first, then in catalogue order', () => {
    const container = baselineContainer();
    container.privileged = true;
    container.ports.push({ hostIp: '0.0.0.0', hostPort: 80, containerPort: 80, protocol: 'tcp' });
    const findings = evaluateContainer(container, context);
    const ranks = findings.map((f) => ['critical', 'high', 'medium', 'low', 'info'].indexOf(f.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(findings[0]!.ruleId).toBe('runtime/privileged');
    expect(scoreFindings(findings).grade).toBe('F');
  });

  it('skips ignored rules by id, by family prefix, and by container name glob', () => {
    const ids = (ignore: Parameters<typeof evaluateContainer>[2]) => evaluateContainer(baselineContainer(), context, ignore).map((f) => f.ruleId);
    expect(ids({ ignore: ['capabilities/net-raw'] })).not.toContain('capabilities/net-raw');
    expect(ids({ ignore: ['resources'] }).filter((id) => id.startsWith('resources/'))).toEqual([]);
    // "resources" must not swallow a family that merely starts with the same letters.
    expect(isAccepted('resources-extra/x', null, ['resources'])).toBe(false);
    expect(ids({ ignore: [{ ruleId: 'resources', container: 'rule-*' }] })).not.toContain('resources/pids-unlimited');
    expect(ids({ ignore: [{ ruleId: 'resources', container: 'web-*' }] })).toContain('resources/pids-unlimited');
  });

  it('is pure: evaluating does not change the document', () => {
    const container = baselineContainer();
    const before = structuredClone(container);
    evaluateContainer(container, context);
    expect(container).toEqual(before);
  });
});

describe('evaluateHost', () => {
  it('judges the development engine: root daemon, no userns-remap, ICC on, no live-restore, no MAC', () => {
    const findings = evaluateHost(baselineEngine());
    expect(findings.map((f) => f.ruleId)).toEqual([
      'host/no-userns-remap',
      'host/icc-enabled',
      'host/live-restore-disabled',
      'host/no-mandatory-access-control',
      'host/not-rootless',
    ]);
    expect(evaluateHost(baselineEngine(), { ignore: ['host'] })).toEqual([]);
  });

  it('a plain-TCP engine fails the host', () => {
    const findings = evaluateHost(baselineEngine({ endpoint: 'tcp://192.168.1.10:2375', tls: false }));
    expect(findings[0]!.ruleId).toBe('host/tcp-without-tls');
    expect(scoreFindings(findings).grade).toBe('F');
  });
});

describe('parseIgnoreFile', () => {
  it('reads rule ids, family prefixes, container globs and comments', () => {
    const text = '# accepted risks\ncapabilities/net-raw\nresources   # limits are set by the orchestrator\n\nmounts/engine-socket  traefik-*\r\n';
    expect(parseIgnoreFile(text)).toEqual({
      risks: [
        { ruleId: 'capabilities/net-raw', container: null },
        { ruleId: 'resources', container: null },
        { ruleId: 'mounts/engine-socket', container: 'traefik-*' },
      ],
      problems: [],
    });
  });

  it('reports malformed lines and unknown rules with their line numbers instead of ignoring them', () => {
    const { risks, problems } = parseIgnoreFile('capabilities/net-raw\ncapabilities/net_raw\nmounts/engine-socket a b\nresources/memory-unlimted\n');
    expect(risks).toEqual([{ ruleId: 'capabilities/net-raw', container: null }]);
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4]);
    expect(problems[2]!.message).toContain('resources/memory-unlimted');
  });
});

describe('docs/rules.md', () => {
  it('holds the reference table generated from the catalogue', () => {
    const doc = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');
    expect(doc).toContain(rulesReferenceTable());
  });
});

describe('a privileged container (captured inspect, described by the collector\'s config reader)', () => {
  it('fails with the privileged finding first, and what privileged mode implies reported rule by rule', async () => {
    const { describeFromConfig } = await import('../collect/config.js');
    const inspect = JSON.parse(readFileSync(new URL('../collect/fixtures/privileged/inspect.json', import.meta.url), 'utf8'));
    const container = describeFromConfig(inspect, baselineEngine());
    const findings = evaluateContainer(container, context);
    const ids = findings.map((f) => f.ruleId);
    expect(ids[0]).toBe('runtime/privileged');
    // One finding for --privileged: what it implies is its evidence, not a dozen findings of their own.
    expect(ids.filter((id) => id.startsWith('capabilities/') || id === 'seccomp-lsm/seccomp-disabled')).toEqual([]);
    expect(findings[0]!.evidence.map((e) => e.fact)).toEqual(expect.arrayContaining([
      'implies[capabilities/all]',
      'implies[capabilities/sys-admin]',
      'implies[capabilities/sys-module]',
      'implies[capabilities/sys-rawio]',
      'implies[seccomp-lsm/seccomp-disabled]',
    ]));
    expect(scoreFindings(findings)).toEqual({ score: expect.any(Number), grade: 'F' });
    expect(scoreFindings(findings).score).toBeLessThanOrEqual(49);
  });
});

describe('the ladder on the baseline: what each hardening flag the lab teaches is worth', () => {
  type Change = (c: ReturnType<typeof baselineContainer>) => void;
  const capDropAll: Change = (c) => {
    c.capabilities = { ...c.capabilities!, effective: [], permitted: [], bounding: [], droppedVsDefault: [...c.capabilities!.bounding] };
  };
  const readOnly: Change = (c) => { c.readOnlyRootfs = true; };
  const noNewPrivileges: Change = (c) => { c.noNewPrivileges = true; };
  const nonRoot: Change = (c) => {
    c.user = { ...c.user, uid: 1000, gid: 1000, uidInContainer: 1000, configured: '1000:1000' };
    c.capabilities = { ...c.capabilities!, effective: [], permitted: [] };
  };
  const limits: Change = (c) => { c.cgroup = { ...c.cgroup, memoryLimitBytes: 64 * 1024 * 1024, pidsLimit: 50, cpuQuotaCores: 0.5 }; };
  const healthcheck: Change = (c) => { c.healthcheck = { test: ['CMD', 'true'] }; };
  const scored = (...changes: Change[]) => {
    const container = baselineContainer();
    changes.forEach((change) => change(container));
    return scoreFindings(evaluateContainer(container, context));
  };

  it('gives each single flag at least 5 points, --cap-drop ALL at least as many as all limits, and A to all of them', () => {
    const base = scored().score;
    const gains = Object.fromEntries(
      Object.entries({ capDropAll, readOnly, noNewPrivileges, nonRoot, limits }).map(([name, change]) => [name, scored(change).score - base]),
    );
    expect(gains).toEqual({ capDropAll: 15, readOnly: 5, noNewPrivileges: 5, nonRoot: 5, limits: 14 });
    expect(gains.capDropAll).toBeGreaterThanOrEqual(gains.limits!);
    expect(scored(capDropAll, readOnly, noNewPrivileges, nonRoot, limits, healthcheck)).toEqual({ score: 100, grade: 'A' });
  });
});
