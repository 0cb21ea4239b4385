// Listing running containers and inspecting one, with the inspect fields Isolens depends on validated at the boundary.
import type Dockerode from 'dockerode';
import * as z from 'zod';
import { clientEndpoint, describeIssues, engineRequest, parseEngineResponse } from './connect.js';

const ContainerId = z.string().regex(/^[0-9a-f]{12,64}$/, 'a container id (hex)');
const Strings = z.array(z.string());
const PortBindings = z.record(
  z.string(),
  z.array(z.looseObject({ HostIp: z.string().nullish(), HostPort: z.string().nullish() })).nullish(),
);

/**
 * The inspect fields Isolens reads, as Docker and Podman's compatible API report them. Engines send null for empty
 * lists and omit fields older APIs lack, so everything but the identity and state is nullish; other keys pass through.
 */
export const ContainerInspect = z.looseObject({
  Id: ContainerId,
  Name: z.string(),
  Path: z.string().nullish(),
  Args: Strings.nullish(),
  Created: z.string().nullish(),
  Image: z.string().nullish(),
  /** Podman: the OCI runtime binary's name ("crun", "runc"); its HostConfig.Runtime is always "oci". */
  OCIRuntime: z.string().nullish(),
  State: z.looseObject({
    Status: z.string(),
    Running: z.boolean().nullish(),
    Pid: z.number().int(),
    StartedAt: z.string().nullish(),
  }),
  Config: z.looseObject({
    Image: z.string(),
    Labels: z.record(z.string(), z.string()).nullish(),
    Env: Strings.nullish(),
    Cmd: Strings.nullish(),
    Entrypoint: z.union([Strings, z.string()]).nullish(),
    User: z.string().nullish(),
    Healthcheck: z.looseObject({ Test: Strings.nullish() }).nullish(),
  }),
  HostConfig: z.looseObject({
    Runtime: z.string().nullish(),
    Privileged: z.boolean().nullish(),
    CapAdd: Strings.nullish(),
    CapDrop: Strings.nullish(),
    Capabilities: Strings.nullish(),
    SecurityOpt: Strings.nullish(),
    ReadonlyRootfs: z.boolean().nullish(),
    PidMode: z.string().nullish(),
    NetworkMode: z.string().nullish(),
    IpcMode: z.string().nullish(),
    UTSMode: z.string().nullish(),
    UsernsMode: z.string().nullish(),
    CgroupnsMode: z.string().nullish(),
    Memory: z.number().nullish(),
    NanoCpus: z.number().nullish(),
    CpuQuota: z.number().nullish(),
    CpuPeriod: z.number().nullish(),
    CpuShares: z.number().nullish(),
    CpusetCpus: z.string().nullish(),
    PidsLimit: z.number().nullish(),
    Devices: z
      .array(z.looseObject({ PathOnHost: z.string(), PathInContainer: z.string(), CgroupPermissions: z.string().nullish() }))
      .nullish(),
    DeviceCgroupRules: Strings.nullish(),
    PortBindings: PortBindings.nullish(),
    RestartPolicy: z.looseObject({ Name: z.string().nullish(), MaximumRetryCount: z.number().nullish() }).nullish(),
    Binds: Strings.nullish(),
    Tmpfs: z.record(z.string(), z.string()).nullish(),
  }),
  Mounts: z
    .array(
      z.looseObject({
        Type: z.string().nullish(),
        Name: z.string().nullish(),
        Source: z.string().nullish(),
        Destination: z.string(),
        Mode: z.string().nullish(),
        RW: z.boolean().nullish(),
        Propagation: z.string().nullish(),
      }),
    )
    .nullish(),
  NetworkSettings: z
    .looseObject({
      Ports: PortBindings.nullish(),
      Networks: z.record(z.string(), z.looseObject({ IPAddress: z.string().nullish() })).nullish(),
    })
    .nullish(),
  AppArmorProfile: z.string().nullish(),
  ProcessLabel: z.string().nullish(),
  MountLabel: z.string().nullish(),
  HostsPath: z.string().nullish(),
  HostnamePath: z.string().nullish(),
  ResolvConfPath: z.string().nullish(),
});

/** The validated inspect document: every field Isolens reads is typed, the rest passes through as unknown. */
export type ContainerInspectDocument = z.infer<typeof ContainerInspect>;

export type InspectResult =
  | { ok: true; value: ContainerInspectDocument }
  /** The container was removed between listing and inspecting it. */
  | { ok: false; reason: 'vanished' }
  /** The engine's document lacks or mistypes a field Isolens depends on; message says which. */
  | { ok: false; reason: 'invalid'; message: string };

const ContainerList = z.array(z.looseObject({ Id: ContainerId, Names: z.array(z.string()).nullish() }));

/** The ids and names of running (and paused) containers, as `docker ps` lists them: enough to select by name. */
export async function listRunningContainers(client: Dockerode): Promise<Array<{ id: string; name: string }>> {
  const list = await engineRequest(client, () => client.listContainers({ all: false }));
  return parseEngineResponse(ContainerList, list, '/containers/json', clientEndpoint(client).endpoint).map((c) => {
    // Legacy links add "/other/alias" names; the container's own is the one without a second slash.
    const names = (c.Names ?? []).map((name) => name.replace(/^\//, ''));
    return { id: c.Id, name: names.find((name) => !name.includes('/')) ?? names[0] ?? '' };
  });
}

/** Inspect one container; a container that vanished since it was listed is a value, not an exception. */
export async function inspectContainer(client: Dockerode, id: string): Promise<InspectResult> {
  let document: unknown;
  try {
    document = await engineRequest(client, () => client.getContainer(id).inspect());
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return { ok: false, reason: 'vanished' };
    throw error;
  }
  return validateInspect(document);
}

/** Validate an inspect document (from the engine, a file, a test); a document that does not fit is a value. */
export function validateInspect(document: unknown): InspectResult {
  const parsed = ContainerInspect.safeParse(document);
  if (!parsed.success) {
    return { ok: false, reason: 'invalid', message: `the engine's inspect document is not as expected (${describeIssues(parsed.error)})` };
  }
  return { ok: true, value: parsed.data };
}

/** Validate an inspect document that must be valid (captured fixtures, tests): throws with the problems otherwise. */
export function parseInspect(document: unknown): ContainerInspectDocument {
  const result = validateInspect(document);
  if (!result.ok) throw new Error(result.reason === 'invalid' ? result.message : 'no inspect document');
  return result.value;
}
