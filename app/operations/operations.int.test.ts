// Predicted against observed, operation by operation: every probe that checks an operation runs in real containers covering every layer, and its outcome must equal the verdict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerIsolation, OperationId } from '../model/schema.js';
import { OPERATION_IDS } from '../model/schema.js';
import { openEngine } from '../engine/open.js';
import { collectSnapshot } from '../collect/scan.js';
import { isRefusal, PROBES, runProbe } from '../lab/probes.js';
import { removeTestContainers, startContainer, testClient } from '../../e2e/harness/engine.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-operations-';
const client = testClient();

const PERMISSIVE = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['chmod', 'fchmod', 'fchmodat'], action: 'SCMP_ACT_ERRNO' }] });
const NO_SOCKETS = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ERRNO' }, { names: ['unshare'], action: 'SCMP_ACT_ERRNO' }] });

/** One container per layer the verdicts depend on (the flags are in the name). */
const CONTAINERS: Record<string, Parameters<typeof startContainer>[1]> = {
  default: {},
  'cap-drop-all': { HostConfig: { CapDrop: ['ALL'] } },
  'cap-add-sys-admin': { HostConfig: { CapAdd: ['SYS_ADMIN'] } },
  'seccomp-unconfined': { HostConfig: { SecurityOpt: ['seccomp=unconfined'] } },
  'seccomp-custom-permissive': { HostConfig: { SecurityOpt: [`seccomp=${PERMISSIVE}`] } },
  'seccomp-custom-no-sockets': { HostConfig: { SecurityOpt: [`seccomp=${NO_SOCKETS}`] } },
  'no-new-privileges': { HostConfig: { SecurityOpt: ['no-new-privileges'] } },
  'non-root': { User: '1000:1000' },
  'read-only': { HostConfig: { ReadonlyRootfs: true, Tmpfs: { '/tmp': 'rw,size=16m' } } },
  'host-pid': { HostConfig: { PidMode: 'host' } },
  'host-pid-non-root': { User: '1000:1000', HostConfig: { PidMode: 'host' } },
  'host-uts-sys-admin': { HostConfig: { UTSMode: 'host', CapAdd: ['SYS_ADMIN'] } },
  'mounts-read-only': { HostConfig: { Binds: ['/etc:/host-etc:ro', '/var/run/docker.sock:/var/run/docker.sock:ro'] } },
  'mounts-read-write': { HostConfig: { Binds: ['/boot:/host-boot'] } },
};

/** Probes whose outcome cannot be compared on this machine, and why; each is checked to be that reason, not skipped blindly. */
function notComparable(probeId: string, output: string): string | null {
  if (probeId === 'remove-kernel-module' && /Function not implemented/.test(output)) return 'this kernel has no loadable module support';
  return null;
}

describe.skipIf(noEngine)('operations: predicted verdicts equal what the probes observe', () => {
  const scanned = new Map<string, ContainerIsolation>();
  const observed = new Map<string, Map<OperationId, { outcome: string; output: string; probeId: string }>>();

  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    for (const [name, options] of Object.entries(CONTAINERS)) await startContainer(`${PREFIX}${name}`, options, client);
    const { engine, adapter } = await openEngine({});
    const snapshot = await collectSnapshot(adapter, engine);
    for (const container of snapshot.containers) if (container.name.startsWith(PREFIX)) scanned.set(container.name.slice(PREFIX.length), container);
    const probes = PROBES.filter((probe) => probe.operation !== null && !probe.destructive);
    // Containers side by side; a user's container gets one probe at a time.
    await Promise.all(
      [...scanned].map(async ([name, facts]) => {
        const results = new Map<OperationId, { outcome: string; output: string; probeId: string }>();
        for (const probe of probes) {
          const result = await runProbe(adapter, facts.id, probe.id, facts);
          if (isRefusal(result)) throw new Error(`${name} ${probe.id}: refused: ${result.reason}`);
          results.set(probe.operation!, { outcome: result.outcome, output: result.output, probeId: probe.id });
        }
        observed.set(name, results);
      }),
    );
  }, 240_000);

  afterAll(async () => {
    await removeTestContainers(client, PREFIX);
  });

  it('scanned every container with operations for the whole catalogue', () => {
    expect([...scanned.keys()].sort()).toEqual(Object.keys(CONTAINERS).sort());
    for (const [name, container] of scanned) expect(container.operations?.map((o) => o.id), name).toEqual([...OPERATION_IDS]);
  });

  it('every probed operation on every container: the observed outcome is the predicted verdict', () => {
    const differences: string[] = [];
    const table: Record<string, Record<string, string>> = {};
    for (const [name, container] of scanned) {
      table[name] = {};
      for (const [operation, seen] of observed.get(name)!) {
        const predicted = container.operations!.find((o) => o.id === operation)!;
        const skip = notComparable(seen.probeId, seen.output);
        table[name]![operation] = skip ? `n/a (${skip})` : `${predicted.verdict}${predicted.verdict === seen.outcome ? '' : ` ≠ ${seen.outcome}`}`;
        if (skip) continue;
        if (predicted.verdict !== seen.outcome) {
          differences.push(`${name} ${operation}: predicted ${predicted.verdict} (${predicted.because.map((b) => `${b.layer}: ${b.detail}`).join('; ')}), observed ${seen.outcome} (${seen.probeId}: ${seen.output.slice(0, 200)})`);
        }
      }
    }
    console.table(table);
    expect(differences).toEqual([]);
  });

  it('covers both verdicts for every probed operation across the containers', () => {
    const seen = new Map<OperationId, Set<string>>();
    for (const [, results] of observed) for (const [operation, result] of results) seen.set(operation, (seen.get(operation) ?? new Set()).add(result.outcome));
    const oneSided = [...seen].filter(([operation, outcomes]) => operation !== 'load-kernel-module' && !(outcomes.has('allowed') && outcomes.has('blocked')));
    expect(oneSided.map(([operation, outcomes]) => `${operation}: only ${[...outcomes].join(', ')}`)).toEqual([]);
  });
});
