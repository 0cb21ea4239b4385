// Each hand-written guard against its zod schema: the same verdict on captured engine answers and on random mutations of
// them, and, where both accept, the very document the schema returns.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import {
  isConfigFile,
  isContainerInspect,
  isContainerList,
  isContextMeta,
  isEngineEvent,
  isInfoResponse,
  isNetworkResponse,
  isVersionResponse,
} from './guards.js';
import { ConfigFile, ContainerInspect, ContainerList, ContextMeta, EngineEvent, InfoResponse, NetworkResponse, VersionResponse } from './schemas.js';

const json = (path: string): unknown => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const lines = (path: string): unknown[] =>
  readFileSync(new URL(path, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
const first = (value: unknown): unknown => (Array.isArray(value) ? value[0] : value);

/** Real inspect documents: Docker (hardened, runsc, privileged, switched user, weak, hostile labels) and Podman. */
const INSPECTS = [
  './fixtures/docker-inspect-hardened-busybox.json',
  './fixtures/docker-inspect-runsc-memory-256m-busybox.json',
  './fixtures/podman-inspect-created-busybox.json',
  '../collect/fixtures/privileged/inspect.json',
  '../collect/fixtures/switched-user/inspect.json',
  '../rules/fixtures/busybox-sleep/inspect.json',
  '../lab/fixtures/inspect-weak.json',
  '../lab/fixtures/inspect-hardened.json',
  '../lab/fixtures/inspect-hostile.json',
].map((path) => first(json(path)));

interface Case {
  name: string;
  guard: (value: unknown) => boolean;
  schema: ZodType;
  captured: unknown[];
}

const CASES: Case[] = [
  { name: 'inspect', guard: isContainerInspect, schema: ContainerInspect, captured: INSPECTS },
  {
    name: 'container list',
    guard: isContainerList,
    schema: ContainerList,
    captured: [INSPECTS.map((inspect) => ({ Id: (inspect as { Id: string }).Id, Names: [(inspect as { Name: string }).Name], State: 'running' }))],
  },
  { name: '/version', guard: isVersionResponse, schema: VersionResponse, captured: [json('./fixtures/docker-version.json'), json('./fixtures/podman-version.json')] },
  {
    name: '/info',
    guard: isInfoResponse,
    schema: InfoResponse,
    captured: [json('./fixtures/docker-info.json'), json('./fixtures/podman-info.json'), { ...(json('./fixtures/docker-info.json') as object), Runtimes: json('./fixtures/docker-info-runtimes-runsc.json') }],
  },
  { name: 'network', guard: isNetworkResponse, schema: NetworkResponse, captured: [json('./fixtures/docker-network-bridge.json'), json('./fixtures/podman-network-bridge.json')] },
  {
    name: 'event',
    guard: isEngineEvent,
    schema: EngineEvent,
    captured: [...lines('./fixtures/docker-events-run-exec-stop-rm.ndjson'), ...lines('./fixtures/podman-events-create-remove.ndjson')],
  },
  { name: 'config.json', guard: isConfigFile, schema: ConfigFile, captured: [{ currentContext: 'remote', auths: {} }, {}] },
  {
    name: 'context meta.json',
    guard: isContextMeta,
    schema: ContextMeta,
    captured: [{ Name: 'remote', Metadata: {}, Endpoints: { docker: { Host: 'ssh://me@host', SkipTLSVerify: false } } }],
  },
];

/**
 * Whether any object in the value has an own "__proto__" key or another prototype than Object.prototype (an assignment
 * to "__proto__" makes one): the inputs the guards leave to the schema on purpose.
 */
function leftToSchema(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (!Array.isArray(value) && (Object.prototype.hasOwnProperty.call(value, '__proto__') || Object.getPrototypeOf(value) !== Object.prototype)) return true;
  return Object.values(value).some(leftToSchema);
}

/** Every path to an object or array inside the value, the value itself first. */
function containerPaths(value: unknown, path: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) return out;
  out.push(path);
  for (const [key, child] of Object.entries(value)) containerPaths(child, [...path, Array.isArray(value) ? Number(key) : key], out);
  return out;
}

/**
 * A captured answer with one place changed, as an engine could send it: some field (existing or new, "__proto__"
 * among the names tried) of some object or array inside it set to any JSON value, null, a wrong type, or removed.
 */
function mutationsOf(documents: readonly unknown[]): fc.Arbitrary<unknown> {
  const replacement = fc.oneof(
    fc.jsonValue(),
    fc.constantFrom(null, undefined, '', 0, -1, 1.5, 2 ** 53, true, [], {}, ['x'], [1], { x: 1 }, 'f'.repeat(64), 'ABC', '../x'),
  );
  return fc
    .tuple(fc.constantFrom(...documents), fc.nat(), fc.nat(), fc.oneof(fc.string({ maxLength: 12 }), fc.constant('__proto__')), replacement)
    .map(([base, where, which, newKey, value]) => {
      const document = structuredClone(base);
      const paths = containerPaths(document);
      const path = paths[where % paths.length]!;
      const target = path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], document) as Record<string, unknown>;
      if (Array.isArray(target)) {
        // As JSON makes arrays: an element replaced, appended or removed (no holes, no named keys).
        const index = which % (target.length + 1);
        if (value === undefined) target.splice(index, 1);
        else target[index] = value;
        return document;
      }
      const keys = Object.keys(target);
      const key = keys.length > 0 && which % 4 !== 0 ? keys[which % keys.length]! : newKey;
      if (value === undefined) delete target[key];
      // As JSON.parse sets a key, "__proto__" too: an own property, not the prototype.
      else Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
      return document;
    });
}

describe('the engine answer guards against their zod schemas', () => {
  for (const { name, guard, schema, captured } of CASES) {
    it(`${name}: accepts every captured answer, as the schema does, and the document is the schema's`, () => {
      for (const document of captured) {
        const parsed = schema.safeParse(document);
        expect(parsed.success).toBe(true);
        expect(guard(document)).toBe(true);
        expect(document).toEqual(parsed.data);
      }
    });

    it(`${name}: the same verdict as the schema on mutated answers and on any JSON`, () => {
      fc.assert(
        fc.property(fc.oneof({ weight: 4, arbitrary: mutationsOf(captured) }, { weight: 1, arbitrary: fc.jsonValue() }), (document) => {
          const parsed = schema.safeParse(document);
          const accepted = guard(document);
          if (accepted) {
            // Never more lenient than the schema, and what it accepts is what the schema would have returned.
            expect(parsed.success).toBe(true);
            expect(document).toEqual(parsed.success ? parsed.data : undefined);
          } else if (parsed.success) {
            // Stricter only where the schema's copy would differ from the document: the caller then uses the schema.
            expect(leftToSchema(document)).toBe(true);
          }
        }),
        { numRuns: 2000 },
      );
    });
  }

  it('refuses what an attacker-influenced engine could send: a hostile id, a string pid, a label that is not text, a __proto__ key', () => {
    const base = INSPECTS[0] as Record<string, Record<string, unknown>>;
    expect(isContainerInspect({ ...base, Id: '../../etc' })).toBe(false);
    expect(isContainerInspect({ ...base, State: { ...base.State, Pid: '1234' } })).toBe(false);
    expect(isContainerInspect({ ...base, State: { ...base.State, Pid: 1.5 } })).toBe(false);
    expect(isContainerInspect({ ...base, Config: { ...base.Config, Labels: { a: 1 } } })).toBe(false);
    expect(isContainerInspect({ ...base, HostConfig: { ...base.HostConfig, CapAdd: 'ALL' } })).toBe(false);
    expect(isContainerInspect(JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(base).slice(1)}`))).toBe(false);
    expect(isContainerInspect([base])).toBe(false);
    expect(isContainerInspect(null)).toBe(false);
  });
});
