import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pidBelongsToContainer, processBelongsToContainer } from './facts.js';
import { fixturePath, fixtureText } from './fixtures/load.js';
import { localSource } from './source.js';

const ROOTLESS = 'container-rootless-podman-cgroup-v1';

/** A proc root holding the captured rootless container's process and its parent (conmon) under their own PIDs. */
function rootlessProc(): { procRoot: string; pid: number; id: string } {
  const procRoot = mkdtempSync(join(tmpdir(), 'kern-proc-'));
  const pid = 4242;
  symlinkSync(fixturePath(ROOTLESS), join(procRoot, String(pid)));
  symlinkSync(fixturePath(ROOTLESS, 'parent'), join(procRoot, fixtureText(ROOTLESS, 'PARENT_PID').trim()));
  return { procRoot, pid, id: fixtureText(ROOTLESS, 'CONTAINER_ID').trim() };
}

describe('processBelongsToContainer, on a rootless Podman container captured on cgroup v1 (no cgroup of its own)', () => {
  it('the cgroup path does not name the container, so the cgroup check alone calls it someone else\'s', () => {
    const { id } = rootlessProc();
    expect(pidBelongsToContainer(fixtureText(ROOTLESS, 'cgroup'), id)).toBe(false);
  });

  it('its parent, conmon, names the container in its arguments: it is the container\'s', async () => {
    const { procRoot, pid, id } = rootlessProc();
    expect(await processBelongsToContainer(localSource({ procRoot }), pid, id, fixtureText(ROOTLESS, 'cgroup'))).toBe(true);
  });

  it('another container\'s id, a prefix of the id, or a missing parent is not a match', async () => {
    const { procRoot, pid, id } = rootlessProc();
    const source = localSource({ procRoot });
    const cgroup = fixtureText(ROOTLESS, 'cgroup');
    expect(await processBelongsToContainer(source, pid, 'f'.repeat(64), cgroup)).toBe(false);
    expect(await processBelongsToContainer(source, pid, id.slice(0, 12), cgroup)).toBe(false);
    expect(await processBelongsToContainer(source, pid, id, cgroup, 999_999)).toBe(false);
  });

  it('a Docker container is still recognised by its cgroup path, without reading its parent', async () => {
    const id = fixtureText('container-default', 'CONTAINER_ID').trim();
    expect(await processBelongsToContainer(localSource({ procRoot: '/nonexistent' }), 1, id, fixtureText('container-default', 'cgroup'))).toBe(true);
  });
});
