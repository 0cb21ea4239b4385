import { describe, expect, it } from 'vitest';
import { assessed, inspectFixture } from '../lab/fixtures/documents.js';
import type { ContainerIsolation } from '../model/schema.js';
import { identityOf } from './identity.js';
import { compareVersions, postureFingerprint, versionDocument } from './version.js';

/** The captured containers (real inspect documents through the real rules), renamed as one recreated container. */
function asWeb(container: ContainerIsolation, labels: Record<string, string> = {}): ContainerIsolation {
  return { ...container, name: 'web', labels: { ...container.labels, ...labels } };
}
const hardened = () => asWeb(assessed(inspectFixture('hardened')));
const weak = () => asWeb(assessed(inspectFixture('weak')));

describe('posture fingerprint', () => {
  it('ignores volatile state: id, pid, start and create times, run state, namespace inodes, cgroup path, IP addresses', () => {
    const a = hardened();
    const b = structuredClone(a);
    b.id = 'f'.repeat(64);
    b.pid = 4242;
    b.startedAt = '2030-01-01T00:00:00Z';
    b.createdAt = '2030-01-01T00:00:00Z';
    b.state = 'restarting';
    b.namespaces.pid.inode = 4026539999;
    b.cgroup.path = '/docker/other';
    b.network.networks = b.network.networks.map((n) => ({ ...n, ipAddress: '172.17.0.99' }));
    b.gaps = [{ fact: 'namespaces.pid', reason: 'the process exited mid-scan' }];
    expect(postureFingerprint(versionDocument(b))).toBe(postureFingerprint(versionDocument(a)));
  });

  it('changes with an isolation fact, a finding, or the score', () => {
    const base = postureFingerprint(versionDocument(hardened()));
    const readWrite = hardened();
    readWrite.readOnlyRootfs = false;
    expect(postureFingerprint(versionDocument(readWrite))).not.toBe(base);
    const gained = hardened();
    gained.findings = [...gained.findings, { ...weak().findings[0]! }];
    expect(postureFingerprint(versionDocument(gained))).not.toBe(base);
    expect(postureFingerprint(versionDocument(weak()))).not.toBe(base);
  });

  it('the stored document keeps the facts and blanks the volatile ones', () => {
    const source = hardened();
    const doc = versionDocument(source);
    expect(doc.pid).toBeNull();
    expect(doc.startedAt).toBeNull();
    expect(Object.values(doc.namespaces).every((n) => n.inode === null)).toBe(true);
    expect(doc.capabilities).toEqual(source.capabilities);
    expect(doc.findings).toEqual(source.findings);
    expect(source.pid).not.toBeNull(); // the scan's own document is not changed
  });
});

describe('compareVersions', () => {
  it('a recreation with weaker isolation is drift: facts before → after, gained findings, falling score', () => {
    const change = compareVersions(versionDocument(hardened()), versionDocument(weak()), '2026-12-01T10:00:00.000Z');
    expect(change.weaker).toBe(true);
    expect(change.findingsAdded).toEqual(expect.arrayContaining(['capabilities/sys-admin']));
    expect(change.scoreBefore!).toBeGreaterThan(change.scoreAfter!);
    const effective = change.facts.find((f) => f.fact === 'capabilities.effective')!;
    expect(effective.after).toEqual(expect.arrayContaining(['CAP_SYS_ADMIN']));
    expect(effective.before).not.toContain('CAP_SYS_ADMIN');
    expect(effective.better).toBe('before');
    expect(change.facts.map((f) => f.fact)).toEqual(expect.arrayContaining(['namespaces.pid.sharedWithHost', 'seccomp.profile']));
  });

  it('the way back is a change but not drift', () => {
    const change = compareVersions(versionDocument(weak()), versionDocument(hardened()), '2026-12-01T10:00:00.000Z');
    expect(change.weaker).toBe(false);
    expect(change.findingsRemoved).toContain('capabilities/sys-admin');
    expect(change.findingsAdded).not.toContain('capabilities/sys-admin');
  });

  it('no row for volatile facts even when they differ', () => {
    const a = hardened();
    const b = structuredClone(a);
    b.pid = 1;
    b.id = 'a'.repeat(64);
    const change = compareVersions(versionDocument(a), versionDocument(b), 'now');
    expect(change.facts).toEqual([]);
    expect(change.weaker).toBe(false);
  });
});

describe('identity across recreation', () => {
  it('a plain container is its name; a new id under the same name is the same container', () => {
    const a = hardened();
    const b = { ...weak(), id: 'b'.repeat(64) };
    expect(identityOf(a)).toEqual({ key: 'web', kind: 'name', project: null, service: null });
    expect(identityOf(b).key).toBe(identityOf(a).key);
  });

  it('a compose container is its project and service, whatever compose named it', () => {
    const labels = { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web', 'com.docker.compose.container-number': '1' };
    const first = { ...hardened(), name: 'shop-web-1', labels };
    const renamed = { ...weak(), name: 'shop_web_1', labels };
    expect(identityOf(first)).toEqual({ key: 'shop/web', kind: 'compose', project: 'shop', service: 'web' });
    expect(identityOf(renamed).key).toBe('shop/web');
    expect(identityOf({ ...first, labels: { ...labels, 'com.docker.compose.container-number': '2' } }).key).toBe('shop/web#2');
  });

  it('a project label without a service (or the reverse) falls back to the name', () => {
    expect(identityOf({ name: 'x', labels: { 'com.docker.compose.project': 'shop' } }).key).toBe('x');
    expect(identityOf({ name: 'x', labels: { 'com.docker.compose.service': 'web' } }).key).toBe('x');
  });
});
