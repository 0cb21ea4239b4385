// Hand-written checks of the engine answers a scan reads, exactly as schemas.ts defines them, without loading zod: a
// one-shot scan validated 30 inspect documents plus /version, /info and the bridge for ~30 ms of zod (its module, the
// schemas' construction and their compiled parsers), against well under a millisecond here. An answer a guard refuses
// goes to the zod schema, which says precisely what is wrong (guards.test.ts holds each guard to its schema, on
// captured answers and on random mutations of them). The input is what JSON.parse makes of an engine's answer. A guard accepts the very document the schema would return: every
// object it checks must be plain and free of an own "__proto__" key (which the schema would drop), so the answer can be
// used as it is, without the schema's copy (guards.test.ts: where a guard refuses what the schema accepts, the
// document is one JSON.parse cannot make or has such a key).
import type {
  ConfigFile,
  ContainerInspectDocument,
  ContainerListDocument,
  ContextMeta,
  EngineEvent,
  InfoResponse,
  NetworkResponse,
  VersionResponse,
} from './schemas.js';

type Check = (value: unknown) => boolean;

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * An object the schema's looseObject takes and copies key for key, as JSON.parse makes them: Object.prototype (the
 * schema's copy would take inherited keys too) and no own __proto__ key (which the copy would drop).
 */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && !hasOwn.call(value, '__proto__');
}

/**
 * What z.record accepts (zod's isPlainObject, which an object of Object.prototype passes unless an own "constructor"
 * key is a function, which JSON cannot make), again without an own __proto__ key.
 */
function isRecord(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const constructor: unknown = value.constructor;
  return typeof constructor !== 'function' || constructor === Object;
}

const isString: Check = (value) => typeof value === 'string';
const isBoolean: Check = (value) => typeof value === 'boolean';
// z.number() refuses NaN and ±Infinity; .int() is Number.isSafeInteger.
const isNumber: Check = (value) => typeof value === 'number' && Number.isFinite(value);
const isSafeInteger: Check = (value) => Number.isSafeInteger(value);
const CONTAINER_ID = /^[0-9a-f]{12,64}$/;
const isContainerId: Check = (value) => typeof value === 'string' && CONTAINER_ID.test(value);

/** .nullish(): absent, undefined or null, else the check. */
function nullish(check: Check): Check {
  return (value) => value === undefined || value === null || check(value);
}

function arrayOf(check: Check): Check {
  return (value) => {
    if (!Array.isArray(value)) return false;
    for (const item of value) if (!check(item)) return false;
    return true;
  };
}

function recordOf(check: Check): Check {
  return (value) => {
    if (!isRecord(value)) return false;
    for (const key of Reflect.ownKeys(value)) {
      // zod's record skips symbols' and non-enumerable keys' checks the same way (its key schema here is z.string()).
      if (typeof key !== 'string') return false;
      if (!Object.prototype.propertyIsEnumerable.call(value, key)) continue;
      if (!check(value[key])) return false;
    }
    return true;
  };
}

/** A looseObject: these fields checked, every other key passed through unchecked. */
function objectWith(shape: Record<string, Check>): Check {
  const fields = Object.entries(shape);
  return (value) => {
    if (!isObject(value)) return false;
    for (const [key, check] of fields) if (!check(value[key])) return false;
    return true;
  };
}

const isStrings = arrayOf(isString);
const isPortBindings = recordOf(nullish(arrayOf(objectWith({ HostIp: nullish(isString), HostPort: nullish(isString) }))));

const inspectDocument = objectWith({
  Id: isContainerId,
  Name: isString,
  Path: nullish(isString),
  Args: nullish(isStrings),
  Created: nullish(isString),
  Image: nullish(isString),
  OCIRuntime: nullish(isString),
  State: objectWith({ Status: isString, Running: nullish(isBoolean), Pid: isSafeInteger, StartedAt: nullish(isString) }),
  Config: objectWith({
    Image: isString,
    Labels: nullish(recordOf(isString)),
    Env: nullish(isStrings),
    Cmd: nullish(isStrings),
    Entrypoint: nullish((value) => isString(value) || isStrings(value)),
    User: nullish(isString),
    Healthcheck: nullish(objectWith({ Test: nullish(isStrings) })),
  }),
  HostConfig: objectWith({
    Runtime: nullish(isString),
    Privileged: nullish(isBoolean),
    CapAdd: nullish(isStrings),
    CapDrop: nullish(isStrings),
    Capabilities: nullish(isStrings),
    SecurityOpt: nullish(isStrings),
    ReadonlyRootfs: nullish(isBoolean),
    PidMode: nullish(isString),
    NetworkMode: nullish(isString),
    IpcMode: nullish(isString),
    UTSMode: nullish(isString),
    UsernsMode: nullish(isString),
    CgroupnsMode: nullish(isString),
    Memory: nullish(isNumber),
    NanoCpus: nullish(isNumber),
    CpuQuota: nullish(isNumber),
    CpuPeriod: nullish(isNumber),
    CpuShares: nullish(isNumber),
    CpusetCpus: nullish(isString),
    PidsLimit: nullish(isNumber),
    Devices: nullish(arrayOf(objectWith({ PathOnHost: isString, PathInContainer: isString, CgroupPermissions: nullish(isString) }))),
    DeviceCgroupRules: nullish(isStrings),
    PortBindings: nullish(isPortBindings),
    RestartPolicy: nullish(objectWith({ Name: nullish(isString), MaximumRetryCount: nullish(isNumber) })),
    Binds: nullish(isStrings),
    Tmpfs: nullish(recordOf(isString)),
  }),
  Mounts: nullish(
    arrayOf(
      objectWith({
        Type: nullish(isString),
        Name: nullish(isString),
        Source: nullish(isString),
        Destination: isString,
        Mode: nullish(isString),
        RW: nullish(isBoolean),
        Propagation: nullish(isString),
      }),
    ),
  ),
  NetworkSettings: nullish(objectWith({ Ports: nullish(isPortBindings), Networks: nullish(recordOf(objectWith({ IPAddress: nullish(isString) }))) })),
  AppArmorProfile: nullish(isString),
  ProcessLabel: nullish(isString),
  MountLabel: nullish(isString),
  HostsPath: nullish(isString),
  HostnamePath: nullish(isString),
  ResolvConfPath: nullish(isString),
});

const containerList = arrayOf(objectWith({ Id: isContainerId, Names: nullish(isStrings) }));

const versionResponse = objectWith({
  Version: isString,
  ApiVersion: isString,
  Os: nullish(isString),
  KernelVersion: nullish(isString),
  Components: nullish(arrayOf(objectWith({ Name: isString, Version: nullish(isString) }))),
});

const infoResponse = objectWith({
  Name: nullish(isString),
  OperatingSystem: nullish(isString),
  KernelVersion: nullish(isString),
  SecurityOptions: nullish(isStrings),
  CgroupVersion: nullish(isString),
  CgroupDriver: nullish(isString),
  LiveRestoreEnabled: nullish(isBoolean),
  DefaultRuntime: nullish(isString),
  Rootless: nullish(isBoolean),
  Runtimes: nullish(recordOf(objectWith({ path: nullish(isString), runtimeArgs: nullish(isStrings) }))),
});

const networkResponse = objectWith({ Options: nullish(recordOf(isString)) });

const engineEvent = objectWith({
  Type: nullish(isString),
  Action: nullish(isString),
  status: nullish(isString),
  id: nullish(isString),
  Actor: nullish(objectWith({ ID: nullish(isString) })),
  time: nullish(isNumber),
  timeNano: nullish(isNumber),
});

// .optional() (not nullish): absent or undefined only.
const optional = (check: Check): Check => (value) => value === undefined || check(value);
const configFile = objectWith({ currentContext: optional(isString) });
const contextMeta = objectWith({
  Name: isString,
  Endpoints: objectWith({ docker: optional(objectWith({ Host: optional(isString), SkipTLSVerify: optional(isBoolean) })) }),
});

export const isContainerInspect = (value: unknown): value is ContainerInspectDocument => inspectDocument(value);
export const isContainerList = (value: unknown): value is ContainerListDocument => containerList(value);
export const isVersionResponse = (value: unknown): value is VersionResponse => versionResponse(value);
export const isInfoResponse = (value: unknown): value is InfoResponse => infoResponse(value);
export const isNetworkResponse = (value: unknown): value is NetworkResponse => networkResponse(value);
export const isEngineEvent = (value: unknown): value is EngineEvent => engineEvent(value);
export const isConfigFile = (value: unknown): value is ConfigFile => configFile(value);
export const isContextMeta = (value: unknown): value is ContextMeta => contextMeta(value);
