// A parent cgroup made by hand in every cgroup v1 hierarchy, for tests of limits set above a container (--cgroup-parent).
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export const CGROUPFS = '/sys/fs/cgroup';

/** Removes the parent (a path like `/isolens-e2e-parent-123`) from every hierarchy, once runc has removed the
 * containers' own cgroups under it, which it does shortly after they are removed. */
export async function removeCgroupParent(parent: string): Promise<void> {
  for (const hierarchy of readdirSync(CGROUPFS)) {
    const directory = `${CGROUPFS}/${hierarchy}${parent}`;
    for (let attempt = 0; attempt < 50 && existsSync(directory); attempt++) {
      try {
        rmdirSync(directory);
      } catch {
        await sleep(100);
      }
    }
  }
}
