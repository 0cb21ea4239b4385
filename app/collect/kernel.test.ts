import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NAMESPACE_KINDS, type NamespaceKind } from '../model/schema.js';
import { defaultCapabilities } from '../model/capabilities.js';
import type { KernelFacts } from '../kernel/facts.js';
import type { CgroupLimits } from '../kernel/cgroup.js';
import type { ReadResult } from '../kernel/read.js';
import { parseStatus } from '../kernel/status.js';
import { parseIdMap } from '../kernel/userns.js';
import { parseInspect } from '../engine/containers.js';
import { describeFromConfig } from './config.js';
import { overlayKernel } from './kernel.js';
import { capturedDockerEngine } from './fixtures/engine.js';

const text = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const engine = capturedDockerEngine();
const notRead: ReadResult<never> = { ok: false, reason: 'unsupported', message: 'not part of this capture' };
const noNamespaces = Object.fromEntries(NAMESPACE_KINDS.map((kind) => [kind, notRead])) as Record<NamespaceKind, ReadResult<number>>;

/** Real captures of one process: status and id maps; what was not captured is left unread. */
function factsFrom(directory: string, cgroup: ReadResult<CgroupLimits> = notRead): KernelFacts {
  return {
    procCgroup: notRead,
    status: { ok: true, value: parseStatus(text(`${directory}/proc-status`)) },
    namespaces: noNamespaces,
    mountinfo: notRead,
    cgroup,
    lsm: notRead,
    uidMap: { ok: true, value: parseIdMap(text(`${directory}/proc-uid_map`)) },
    // The baseline capture predates gid_map; on the host's user namespace it is the same identity map as uid_map.
    gidMap: { ok: true, value: parseIdMap(text(`${directory}/${existsSync(new URL(`${directory}/proc-gid_map`, import.meta.url)) ? 'proc-gid_map' : 'proc-uid_map'}`)) },
  };
}

const baselineInspect = parseInspect(JSON.parse(text('../rules/fixtures/busybox-sleep/inspect.json'))[0]);

describe('overlayKernel: declared against effective', () => {
  it('a process that switched to 65534 after start (captured): uid, gid, effective and permitted capabilities differ, bounding does not', () => {
    const inspect = parseInspect(JSON.parse(text('./fixtures/switched-user/inspect.json')));
    const doc = overlayKernel(describeFromConfig(inspect, engine), factsFrom('./fixtures/switched-user'), noNamespaces, engine);
    const defaults = defaultCapabilities('docker');
    expect(doc.mismatches.map((m) => m.fact)).toEqual(['capabilities.effective', 'capabilities.permitted', 'user.uidInContainer', 'user.gidInContainer']);
    expect(doc.mismatches[0]).toEqual({ fact: 'capabilities.effective', kernel: [], config: expect.arrayContaining([...defaults]) });
    expect((doc.mismatches[0]!.config as string[]).length).toBe(defaults.length);
    expect(doc.mismatches[2]).toEqual({ fact: 'user.uidInContainer', kernel: 65534, config: 0 });
    expect(doc.user).toMatchObject({ uid: 65534, gid: 65534, uidInContainer: 65534, gidInContainer: 65534 });
  });

  it('the default container (captured) agrees with its configuration', () => {
    const doc = overlayKernel(describeFromConfig(baselineInspect, engine), factsFrom('../rules/fixtures/busybox-sleep'), noNamespaces, engine);
    expect(doc.mismatches).toEqual([]);
    expect(doc.user).toMatchObject({ uid: 0, gid: 0, uidInContainer: 0, gidInContainer: 0 });
  });

  it('a user given by name is not compared: only the image knows its uid and whether it holds capabilities', () => {
    const named = { ...baselineInspect, Config: { ...baselineInspect.Config, User: 'nobody' } };
    const doc = overlayKernel(describeFromConfig(named, engine), factsFrom('./fixtures/switched-user'), noNamespaces, engine);
    expect(doc.mismatches).toEqual([]);
  });

  it('a numeric non-root user is declared with no capabilities; a root one with the bounding set', () => {
    const nonRoot = { ...baselineInspect, Config: { ...baselineInspect.Config, User: '65534:65534' } };
    expect(overlayKernel(describeFromConfig(nonRoot, engine), factsFrom('./fixtures/switched-user'), noNamespaces, engine).mismatches).toEqual([]);
    // The captured root process against a declared non-root user: the kernel holds capabilities it was not meant to.
    const doc = overlayKernel(describeFromConfig(nonRoot, engine), factsFrom('../rules/fixtures/busybox-sleep'), noNamespaces, engine);
    expect(doc.mismatches.find((m) => m.fact === 'capabilities.effective')).toEqual({ fact: 'capabilities.effective', kernel: expect.arrayContaining(['CAP_CHOWN']), config: [] });
    expect(doc.mismatches).toContainEqual({ fact: 'user.uidInContainer', kernel: 0, config: 65534 });
  });

  it('cgroup limits: a limit where none was declared, a lifted one, and an unreadable one (a gap, not a mismatch)', () => {
    const limits = (overrides: Partial<CgroupLimits>): ReadResult<CgroupLimits> => ({
      ok: true,
      value: { version: 1, path: '/docker/x', memoryLimitBytes: null, cpuQuotaCores: null, cpusetCpus: '0-1', pidsLimit: null, cpuShares: 1024, cpuWeight: null, effective: null, gaps: [], ...overrides },
    });
    const declared = { ...baselineInspect, HostConfig: { ...baselineInspect.HostConfig, Memory: 64 * 1024 * 1024 } };
    const overlay = (inspect: typeof baselineInspect, cgroup: ReadResult<CgroupLimits>) =>
      overlayKernel(describeFromConfig(inspect, engine), factsFrom('../rules/fixtures/busybox-sleep', cgroup), noNamespaces, engine).mismatches;
    expect(overlay(baselineInspect, limits({ pidsLimit: 30, cpuShares: 256 }))).toEqual([
      { fact: 'cgroup.pidsLimit', kernel: 30, config: null },
      { fact: 'cgroup.cpuShares', kernel: 256, config: 1024 },
    ]);
    expect(overlay(declared, limits({}))).toEqual([{ fact: 'cgroup.memoryLimitBytes', kernel: null, config: 64 * 1024 * 1024 }]);
    const unreadable = limits({ gaps: [{ fact: 'cgroup.pidsLimit', reason: 'the pids controller is not mounted on this host' }] });
    expect(overlay(baselineInspect, unreadable)).toEqual([]);
  });
});
