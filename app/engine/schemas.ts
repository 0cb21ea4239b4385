// The engine answers Isolens depends on, as zod schemas: the definition the hand-written guards (guards.ts) must match,
// and the source of the precise message when an answer does not fit. Loaded only then (and in tests), never by a scan
// of well-formed answers: building these schemas and zod itself cost a one-shot scan ~30 ms.
import * as z from 'zod';

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

export const ContainerList = z.array(z.looseObject({ Id: ContainerId, Names: z.array(z.string()).nullish() }));

export const VersionResponse = z.looseObject({
  Version: z.string(),
  ApiVersion: z.string(),
  Os: z.string().nullish(),
  KernelVersion: z.string().nullish(),
  Components: z.array(z.looseObject({ Name: z.string(), Version: z.string().nullish() })).nullish(),
});

export const InfoResponse = z.looseObject({
  Name: z.string().nullish(),
  OperatingSystem: z.string().nullish(),
  KernelVersion: z.string().nullish(),
  SecurityOptions: z.array(z.string()).nullish(),
  CgroupVersion: z.string().nullish(),
  CgroupDriver: z.string().nullish(),
  LiveRestoreEnabled: z.boolean().nullish(),
  DefaultRuntime: z.string().nullish(),
  /** Podman's compatible API says so here, not in SecurityOptions. */
  Rootless: z.boolean().nullish(),
  Runtimes: z.record(z.string(), z.looseObject({ path: z.string().nullish(), runtimeArgs: z.array(z.string()).nullish() })).nullish(),
});

export const NetworkResponse = z.looseObject({ Options: z.record(z.string(), z.string()).nullish() });

/** The fields of an event Isolens uses; Docker sends Action/Actor, older APIs and Podman also status/id. */
export const EngineEvent = z.looseObject({
  Type: z.string().nullish(),
  Action: z.string().nullish(),
  status: z.string().nullish(),
  id: z.string().nullish(),
  Actor: z.looseObject({ ID: z.string().nullish() }).nullish(),
  time: z.number().nullish(),
  timeNano: z.number().nullish(),
});

/** The docker CLI's config.json, as far as endpoint resolution reads it. */
export const ConfigFile = z.looseObject({ currentContext: z.string().optional() });
/** A context's meta.json in the CLI's context store. */
export const ContextMeta = z.looseObject({
  Name: z.string(),
  Endpoints: z.looseObject({
    docker: z.looseObject({ Host: z.string().optional(), SkipTLSVerify: z.boolean().optional() }).optional(),
  }),
});

/** The validated inspect document: every field Isolens reads is typed, the rest passes through as unknown. */
export type ContainerInspectDocument = z.infer<typeof ContainerInspect>;
export type ContainerListDocument = z.infer<typeof ContainerList>;
export type VersionResponse = z.infer<typeof VersionResponse>;
export type InfoResponse = z.infer<typeof InfoResponse>;
export type NetworkResponse = z.infer<typeof NetworkResponse>;
export type EngineEvent = z.infer<typeof EngineEvent>;
export type ConfigFile = z.infer<typeof ConfigFile>;
export type ContextMeta = z.infer<typeof ContextMeta>;

/** Up to three schema problems on one line; paths may hold engine-supplied keys (label names), so they are escaped. */
export function describeIssues(error: z.ZodError): string {
  const text = error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.map((part) => (typeof part === 'string' && /^[A-Za-z0-9_]+$/.test(part) ? part : JSON.stringify(String(part))));
      return `${path.length > 0 ? path.join('.') : '(document)'}: ${issue.message}`;
    })
    .join('; ');
  return excerpt(text, 300);
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
}

function excerpt(text: string, max: number): string {
  const line = oneLine(text);
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
