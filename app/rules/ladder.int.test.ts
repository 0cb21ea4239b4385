// The ladder as an ordering on real containers: host root < host interference < the default container < each single hardening flag < all of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerIsolation } from '../model/schema.js';
import { openEngine } from '../engine/open.js';
import { collectSnapshot } from '../collect/scan.js';
import { assessSnapshot } from '../assess.js';
import { removeTestContainers, startContainer, testClient } from '../../e2e/harness/engine.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-ladder-';
const client = testClient();
const MiB = 1024 * 1024;

type Options = Parameters<typeof startContainer>[1];
const limits = { Memory: 64 * MiB, NanoCpus: 500_000_000, PidsLimit: 50 };

/** Rung 1: one step from root on the host. */
const HOST_ROOT: Record<string, Options> = {
  'rw-host-boot': { HostConfig: { Binds: ['/boot:/host-boot'] } },
  'docker-sock': { HostConfig: { Binds: ['/var/run/docker.sock:/var/run/docker.sock'] } },
  'cap-sys-admin': { HostConfig: { CapAdd: ['SYS_ADMIN'] } },
  'cap-add-all': { HostConfig: { CapAdd: ['ALL'], CapDrop: ['SYS_RESOURCE'] } },
  'ptrace-host-pid': { HostConfig: { CapAdd: ['SYS_PTRACE'], PidMode: 'host' } },
};
/** Rung 2: watching or interfering with the host. */
const HOST_INTERFERENCE: Record<string, Options> = {
  'host-pid': { HostConfig: { PidMode: 'host' } },
  'host-net': { HostConfig: { NetworkMode: 'host' } },
  'host-ipc': { HostConfig: { IpcMode: 'host' } },
  'seccomp-unconfined': { HostConfig: { SecurityOpt: ['seccomp=unconfined'] } },
  'host-device': { HostConfig: { Devices: [{ PathOnHost: '/dev/zero', PathInContainer: '/dev/isolens-zero', CgroupPermissions: 'rwm' }] } },
};
/** The hardening flags the lab teaches, one at a time. */
const SINGLE_HARDENING: Record<string, Options> = {
  'cap-drop-all': { HostConfig: { CapDrop: ['ALL'] } },
  'read-only': { HostConfig: { ReadonlyRootfs: true, Tmpfs: { '/tmp': 'rw,size=16m' } } },
  'no-new-privileges': { HostConfig: { SecurityOpt: ['no-new-privileges'] } },
  'non-root': { User: '1000:1000' },
  limits: { HostConfig: limits },
};
const HARDENED: Options = {
  User: '1000:1000',
  Healthcheck: { Test: ['CMD', 'true'], Interval: 30_000_000_000 },
  HostConfig: { CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'], ReadonlyRootfs: true, Tmpfs: { '/tmp': 'rw,size=16m' }, ...limits },
};

describe.skipIf(noEngine)('the ladder on real containers', () => {
  const scored = new Map<string, ContainerIsolation>();
  const score = (name: string) => {
    const container = scored.get(name);
    if (!container || container.score === null) throw new Error(`${name} was not scored`);
    return container.score;
  };
  const scores = (group: Record<string, Options>) => Object.keys(group).map((name) => ({ name, score: score(name) }));

  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    const all: Record<string, Options> = { ...HOST_ROOT, ...HOST_INTERFERENCE, default: {}, ...SINGLE_HARDENING, hardened: HARDENED };
    for (const [name, options] of Object.entries(all)) await startContainer(`${PREFIX}${name}`, options, client);
    const { engine, adapter } = await openEngine({});
    const snapshot = assessSnapshot(await collectSnapshot(adapter, engine));
    for (const container of snapshot.containers) if (container.name.startsWith(PREFIX)) scored.set(container.name.slice(PREFIX.length), container);
    expect(scored.size).toBe(Object.keys(all).length);
  }, 120_000);

  afterAll(async () => {
    await removeTestContainers(client, PREFIX);
  });

  it('puts every host-root case below every host-interference case, and each below the default container', () => {
    const worstInterference = Math.min(...scores(HOST_INTERFERENCE).map((s) => s.score));
    const bestHostRoot = Math.max(...scores(HOST_ROOT).map((s) => s.score));
    expect(bestHostRoot, JSON.stringify({ hostRoot: scores(HOST_ROOT), interference: scores(HOST_INTERFERENCE) })).toBeLessThan(worstInterference);
    for (const { name, score: s } of scores(HOST_INTERFERENCE)) expect(s, name).toBeLessThan(score('default'));
    for (const name of Object.keys(HOST_ROOT)) expect(scored.get(name)!.grade, name).toBe('F');
  });

  it('gives each single hardening flag at least 5 points over the default, --cap-drop ALL at least as many as the limits', () => {
    const base = score('default');
    const gains = Object.fromEntries(scores(SINGLE_HARDENING).map(({ name, score: s }) => [name, s - base]));
    for (const [name, gain] of Object.entries(gains)) expect(gain, `${name}: ${JSON.stringify(gains)}`).toBeGreaterThanOrEqual(5);
    expect(gains['cap-drop-all']).toBeGreaterThanOrEqual(gains.limits!);
    expect(score('default')).toBe(66);
  });

  it('puts the fully hardened container above every single-flag one, at grade A', () => {
    for (const { name, score: s } of scores(SINGLE_HARDENING)) expect(s, name).toBeLessThan(score('hardened'));
    expect(scored.get('hardened')!.grade, JSON.stringify(scored.get('hardened')!.findings.map((f) => f.ruleId))).toBe('A');
  });
});
