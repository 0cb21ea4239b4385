// gVisor for real: containers under the engine's runsc runtime, scanned next to the same containers under runc.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Snapshot, type ContainerIsolation } from '../model/schema.js';
import { decodeCapabilityMask } from '../model/capabilities.js';
import { openEngine } from '../engine/open.js';
import { assessSnapshot } from '../assess.js';
import { collectSnapshot } from './scan.js';
import { execIn, removeTestContainers, startContainer, testClient, type StartedContainer } from '../../e2e/harness/engine.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-runtime-';
const client = testClient();

/** Does the engine under test have runsc registered? .ci/run registers it; ISOLENS_REQUIRE_RUNSC=1 makes its absence a failure. */
async function engineHasRunsc(): Promise<boolean> {
  if (noEngine) return false;
  const info = (await client.info().catch(() => ({}))) as { Runtimes?: Record<string, unknown> };
  return Object.keys(info.Runtimes ?? {}).includes('runsc');
}

const hasRunsc = await engineHasRunsc();
if (!hasRunsc && !noEngine) {
  if (process.env.ISOLENS_REQUIRE_RUNSC === '1') throw new Error('ISOLENS_REQUIRE_RUNSC=1 but the engine under test has no runsc runtime (see .ci/run)');
  console.warn('runtime.int: skipped, the engine under test has no "runsc" runtime (start dockerd with --add-runtime runsc=/usr/bin/runsc, as .ci/run does)');
}

/** Same flags under both runtimes: the defaults, and one that adds CAP_SYS_ADMIN (critical under runc). */
const scenarios: Record<string, { HostConfig?: { CapAdd?: string[] } }> = {
  default: {},
  'cap-add-sys-admin': { HostConfig: { CapAdd: ['SYS_ADMIN'] } },
};

describe.skipIf(!hasRunsc)('gVisor (runsc) containers on a real engine', () => {
  const started = new Map<string, StartedContainer>();
  let snapshot: Snapshot;
  const doc = (name: string): ContainerIsolation => {
    const container = snapshot.containers.find((c) => c.name === `${PREFIX}${name}`);
    if (!container) throw new Error(`${name} not in the scan`);
    return container;
  };
  const ruleIds = (name: string) => doc(name).findings.map((f) => f.ruleId);

  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    for (const [scenario, options] of Object.entries(scenarios)) {
      started.set(`runc-${scenario}`, await startContainer(`${PREFIX}runc-${scenario}`, options, client));
      started.set(`runsc-${scenario}`, await startContainer(`${PREFIX}runsc-${scenario}`, { HostConfig: { ...options.HostConfig, Runtime: 'runsc' } }, client));
    }
    const { engine, adapter } = await openEngine({});
    const collected = await collectSnapshot(adapter, engine);
    snapshot = assessSnapshot({ ...collected, containers: collected.containers.filter((c) => c.name.startsWith(PREFIX)) }, {});
  }, 120_000);

  afterAll(async () => {
    await removeTestContainers(client, PREFIX);
  });

  it('the document validates and names each container\'s runtime and isolation', () => {
    expect(() => Snapshot.parse(snapshot)).not.toThrow();
    expect(doc('runsc-default').runtime).toMatchObject({ name: 'runsc', kind: 'gvisor', isolation: 'user-space-kernel' });
    expect(doc('runc-default').runtime).toMatchObject({ name: 'runc', kind: 'runc', isolation: 'shared-kernel', sandbox: null });
  });

  it('gVisor\'s /proc inside says Seccomp 0; the document shows the sandbox\'s filter read from the host kernel', async () => {
    const inside = await execIn(started.get('runsc-default')!.id, ['cat', '/proc/1/status'], client);
    expect(inside.stdout).toMatch(/^Seccomp:\s+0$/m);
    const container = doc('runsc-default');
    expect(container.seccomp).toMatchObject({ mode: 'filter', profile: 'sandbox' });
    expect(container.sources.seccomp).toBe('kernel');
    expect(container.runtime!.sandbox).toMatchObject({ command: 'runsc-sandbox', seccompMode: 'filter', noNewPrivileges: true, userns: 'private' });
    expect(container.runtime!.sandbox!.uid).not.toBe(0);
    expect(ruleIds('runsc-default')).not.toContain('seccomp-lsm/seccomp-disabled');
  });

  it('the sandbox process is not taken for the workload: no host PID namespace, no mismatches, the workload\'s capabilities as gVisor applies them', async () => {
    const container = doc('runsc-default');
    expect(container.mismatches).toEqual([]);
    expect(container.namespaces.pid.sharedWithHost).toBe(false);
    expect(ruleIds('runsc-default')).not.toContain('namespaces/host-pid');
    // What gVisor's kernel reports for the workload is what the document says (runsc drops CAP_NET_RAW without --net-raw).
    const inside = await execIn(started.get('runsc-default')!.id, ['cat', '/proc/1/status'], client);
    const bounding = BigInt(`0x${/^CapBnd:\s+([0-9a-f]+)$/m.exec(inside.stdout)![1]}`);
    const documented = container.capabilities!.bounding;
    expect([...documented].sort()).toEqual([...decodeCapabilityMask(bounding)].sort());
  });

  it('CAP_SYS_ADMIN is critical under runc and not host root under gVisor; the gVisor container scores higher', () => {
    expect(ruleIds('runc-cap-add-sys-admin')).toContain('capabilities/sys-admin');
    expect(ruleIds('runsc-cap-add-sys-admin')).not.toContain('capabilities/sys-admin');
    expect(doc('runsc-cap-add-sys-admin').score!).toBeGreaterThan(doc('runc-cap-add-sys-admin').score!);
    expect(doc('runsc-default').score!).toBeGreaterThanOrEqual(doc('runc-default').score!);
  });

  it('operations on the host kernel are blocked by the runtime layer, in-sandbox ones are judged as usual', () => {
    const op = (name: string, id: string) => doc(name).operations!.find((o) => o.id === id)!;
    expect(op('runc-cap-add-sys-admin', 'mount').verdict).not.toBe('blocked');
    expect(op('runsc-default', 'load-kernel-module').because).toContainEqual(expect.objectContaining({ layer: 'runtime' }));
    expect(op('runsc-default', 'see-host-processes').verdict).toBe('blocked');
  });
});
