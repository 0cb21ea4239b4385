// Rootless Podman for real: an unprivileged user's own engine, scanned by that user with `isolens scan -H`, kernel facts included.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Snapshot, type ContainerIsolation } from '../model/schema.js';
import {
  canRunRootlessPodman,
  ensureRootlessImage,
  ensureRootlessUser,
  PODMAN_ULIMITS,
  podmanAsUser,
  runAsUser,
  startRootlessService,
  type RootlessService,
  type RootlessUser,
} from '../../e2e/harness/rootless.js';

const PREFIX = 'isolens-int-rootless-';
const CLI = fileURLToPath(new URL('../../bin/isolens.js', import.meta.url));
const possible = canRunRootlessPodman();
if (!possible && process.env.CI) console.warn('rootless.int: skipped, needs root with podman, uidmap (newuidmap) and setpriv (.ci/run installs them)');

/** Name → podman run flags: the defaults, and CAP_SYS_ADMIN (host root one step away under a rootful engine). */
const scenarios: Record<string, string[]> = {
  default: [],
  'cap-add-sys-admin': ['--cap-add', 'SYS_ADMIN'],
};

describe.skipIf(!possible)('a rootless Podman engine, scanned by its own unprivileged user', () => {
  let user: RootlessUser;
  let service: RootlessService;
  let snapshot: Snapshot;
  const doc = (scenario: string): ContainerIsolation => {
    const container = snapshot.containers.find((c) => c.name === `${PREFIX}${scenario}`);
    if (!container) throw new Error(`${scenario} not in the scan`);
    return container;
  };
  const ruleIds = (scenario: string) => doc(scenario).findings.map((f) => f.ruleId);

  beforeAll(async () => {
    user = ensureRootlessUser();
    const image = ensureRootlessImage(user);
    for (const scenario of Object.keys(scenarios)) podmanAsUser(user, 'rm', '-f', '--ignore', `${PREFIX}${scenario}`);
    for (const [scenario, flags] of Object.entries(scenarios)) {
      podmanAsUser(user, 'run', '-d', '--name', `${PREFIX}${scenario}`, '--label', 'io.isolens.owner=test', ...PODMAN_ULIMITS, ...flags, image, 'sleep', '600');
    }
    service = await startRootlessService(user);
    // The CLI a user runs (the built one: `npm test` builds before the integration tests), as that user, nothing else.
    const scan = runAsUser(user, [process.execPath, CLI, 'scan', '--json', '-H', service.endpoint]);
    expect(scan.status, scan.stderr).toBe(0);
    snapshot = Snapshot.parse(JSON.parse(scan.stdout));
  }, 180_000);

  afterAll(async () => {
    if (user) for (const scenario of Object.keys(scenarios)) runAsUser(user, ['podman', 'rm', '-f', '--ignore', '-t', '0', `${PREFIX}${scenario}`]);
    await service?.stop();
  });

  it('the engine is Podman, rootless, local, read locally by its own user', () => {
    expect(snapshot.engine).toMatchObject({ kind: 'podman', rootless: true, local: true });
    expect(snapshot.engine.kernelSource?.kind).toBe('local');
  });

  it('every kernel fact is read from the kernel: the user\'s own containers\' /proc is readable without root', () => {
    const container = doc('default');
    for (const fact of ['user', 'capabilities', 'seccomp', 'noNewPrivileges', 'mounts']) expect(container.sources[fact], fact).toBe('kernel');
    for (const kind of ['pid', 'net', 'mnt', 'user'] as const) expect(container.namespaces[kind]).toMatchObject({ source: 'kernel', sharedWithHost: false });
    expect(container.mismatches).toEqual([]);
  });

  it('root inside is the user\'s uid on the host, in a user namespace of the container\'s own', () => {
    expect(doc('default').user).toMatchObject({ uid: user.uid, uidInContainer: 0, userns: 'private' });
    expect(ruleIds('default')).not.toContain('namespaces/root-in-host-userns');
  });

  it('CAP_SYS_ADMIN is read from the kernel and judged in the user namespace that holds it: not host root', () => {
    const container = doc('cap-add-sys-admin');
    expect(container.capabilities!.bounding).toContain('CAP_SYS_ADMIN');
    expect(container.sources.capabilities).toBe('kernel');
    expect(ruleIds('cap-add-sys-admin')).toContain('capabilities/sys-admin-user-namespace');
    expect(ruleIds('cap-add-sys-admin')).not.toContain('capabilities/sys-admin');
    expect(container.findings.some((f) => f.severity === 'critical')).toBe(false);
    expect(container.score!).toBeGreaterThanOrEqual(50);
  });

  it('it does act in its own namespace: mount of a tmpfs works inside, as the operations say, while loading a module stays blocked', () => {
    const mounted = runAsUser(user, ['podman', 'exec', `${PREFIX}cap-add-sys-admin`, 'sh', '-c', 'mkdir -p /tmp/m && mount -t tmpfs none /tmp/m && echo mounted']);
    const mount = doc('cap-add-sys-admin').operations!.find((o) => o.id === 'mount')!;
    expect(mounted.stdout.trim()).toBe('mounted');
    expect(mount.verdict).toBe('allowed');
    expect(doc('cap-add-sys-admin').operations!.find((o) => o.id === 'load-kernel-module')!.verdict).toBe('blocked');
  });
});
