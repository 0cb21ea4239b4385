import { mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_HOST_SOURCE, localSource, processOf } from './source.js';
import { NAMESPACE_KINDS } from '../model/schema.js';
import { parseNamespaceLink, readNamespaces } from './namespaces.js';
import { fixturePath, procRootWith } from './fixtures/load.js';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

describe('parseNamespaceLink', () => {
  it('reads the kind and inode of a captured link target', () => {
    const target = readlinkSync(fixturePath('container-default', 'ns', 'pid'));
    expect(target).toBe('pid:[4026532183]');
    expect(parseNamespaceLink(target)).toEqual({ kind: 'pid', inode: 4026532183 });
    expect(parseNamespaceLink('cgroup:[4026531835]')).toEqual({ kind: 'cgroup', inode: 4026531835 });
  });

  it('returns null for anything that is not a namespace link', () => {
    expect(parseNamespaceLink('/dev/null')).toBeNull();
    expect(parseNamespaceLink('pid:[abc]')).toBeNull();
  });
});

describe('readNamespaces', () => {
  it("a default container shares only the host's cgroup (Docker 20.10 on cgroup v1), user and time namespaces", async () => {
    const pid = 604;
    const root = procRootWith(pid, 'container-default');
    roots.push(root);
    const container = await readNamespaces(processOf(localSource({ procRoot: root }), pid));
    const hostRoot = procRootWith(1, 'host');
    roots.push(hostRoot);
    const host = await readNamespaces(processOf(localSource({ procRoot: hostRoot }), 1));
    const shared = NAMESPACE_KINDS.filter((kind) => container[kind].ok && host[kind].ok && (container[kind] as { value: number }).value === (host[kind] as { value: number }).value);
    expect(shared).toEqual(['user', 'cgroup', 'time']);
    expect(container.net).toEqual({ ok: true, value: 4026532184 });
  });

  it('--cgroupns private gives the container its own cgroup namespace', async () => {
    const root = procRootWith(1814, 'container-cgroupns-private');
    roots.push(root);
    const namespaces = await readNamespaces(processOf(localSource({ procRoot: root }), 1814));
    expect(namespaces.cgroup.ok && namespaces.cgroup.value).not.toBe(4026531835);
  });

  it('reads every kind for this process on the live host', async () => {
    const namespaces = await readNamespaces(processOf(LOCAL_HOST_SOURCE, 'self'));
    for (const kind of NAMESPACE_KINDS) {
      const expected = parseNamespaceLink(readlinkSync(`/proc/self/ns/${kind}`))!.inode;
      expect(namespaces[kind]).toEqual({ ok: true, value: expected });
    }
  });

  it('a kernel without the time namespace gives "unsupported" for time only', async () => {
    // The captured links of the default container, minus ns/time, as on a kernel before 5.6.
    const root = mkdtempSync(join(tmpdir(), 'kern-ns-'));
    roots.push(root);
    mkdirSync(join(root, '604', 'ns'), { recursive: true });
    for (const kind of NAMESPACE_KINDS.filter((k) => k !== 'time')) {
      symlinkSync(readlinkSync(fixturePath('container-default', 'ns', kind)), join(root, '604', 'ns', kind));
    }
    const namespaces = await readNamespaces(processOf(localSource({ procRoot: root }), 604));
    expect(namespaces.time).toMatchObject({ ok: false, reason: 'unsupported', message: expect.stringContaining('5.6') });
    expect(namespaces.pid).toEqual({ ok: true, value: 4026532183 });
  });

  it('a PID that does not exist gives "vanished" for every kind', async () => {
    const namespaces = await readNamespaces(processOf(LOCAL_HOST_SOURCE, 4194305));
    for (const kind of NAMESPACE_KINDS) expect(namespaces[kind]).toMatchObject({ ok: false, reason: 'vanished' });
  });
});
