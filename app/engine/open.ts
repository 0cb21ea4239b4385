// One call from "which engine?" to a connected client and its description: what the CLI, serve and the poller use.
import { homedir } from 'node:os';
import type { EngineInfo } from '../model/schema.js';
import { describeEngine } from './connect.js';
import { openConnection } from './connection.js';
import { EndpointError, resolveEndpoint, type ResolvedEndpoint } from './endpoint.js';
import { containerQueries, DockerodeEngine, type ContainerEngine, type ContainerQueries } from './engine.js';

export interface OpenEngineOptions {
  /** The --host argument; otherwise the docker CLI's precedence applies. */
  host?: string;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  timeoutMs?: number;
}

export interface OpenEngine {
  /** The adapter everything above app/engine/ talks to. */
  adapter: ContainerEngine;
  engine: EngineInfo;
  resolved: ResolvedEndpoint;
}

/**
 * Resolve the endpoint, connect and describe the engine. Throws EndpointError for unusable settings,
 * EngineUnreachableError when the engine does not answer, EngineResponseError when it answers nonsense.
 */
export async function openEngine(options: OpenEngineOptions = {}): Promise<OpenEngine> {
  return startOpeningEngine(options).opened;
}

/** An engine being opened: its containers can be listed and inspected while its description is on its way. */
export interface OpeningEngine {
  resolved: ResolvedEndpoint;
  /** Listing and inspecting over the same connection, usable at once. */
  containers: ContainerQueries;
  /** As openEngine. */
  opened: Promise<OpenEngine>;
}

/**
 * openEngine for a one-shot scan, which asks for the list while /version and /info are answered instead of after.
 * Throws EndpointError (synchronously) for unusable settings; `opened` rejects as openEngine does.
 */
export function startOpeningEngine(options: OpenEngineOptions = {}): OpeningEngine {
  const resolved = resolveEndpoint({ host: options.host, env: options.env ?? process.env, homeDir: options.homeDir ?? homedir() });
  const connection = openConnection(resolved, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  const opened = describeEngine(connection).then((engine) => ({ adapter: new DockerodeEngine(connection, engine), engine, resolved }));
  return { resolved, containers: containerQueries(connection), opened };
}

/**
 * The endpoint a connection attempt will use, in the form the user set it (unix:///…, tcp://…), for messages shown
 * before or without a connection. Unusable settings give the raw setting, so the user still sees what they typed.
 */
export function endpointLabel(options: Omit<OpenEngineOptions, 'timeoutMs'> = {}): string {
  const env = options.env ?? process.env;
  try {
    return resolveEndpoint({ host: options.host, env, homeDir: options.homeDir ?? homedir() }).endpoint;
  } catch (error) {
    if (!(error instanceof EndpointError)) throw error;
    const setting = options.host?.trim() ? options.host : env.DOCKER_HOST;
    return setting ? setting.slice(0, 200) : 'the default engine endpoint';
  }
}
