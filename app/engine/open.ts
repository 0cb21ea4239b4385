// One call from "which engine?" to a connected client and its description: what the CLI, serve and the poller use.
import { homedir } from 'node:os';
import type { EngineInfo } from '../model/schema.js';
import { createClient, describeEngine } from './connect.js';
import { resolveEndpoint, type ResolvedEndpoint } from './endpoint.js';
import { DockerodeEngine, type ContainerEngine } from './engine.js';

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
  const resolved = resolveEndpoint({ host: options.host, env: options.env ?? process.env, homeDir: options.homeDir ?? homedir() });
  const client = createClient(resolved, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  const engine = await describeEngine(client, resolved);
  return { adapter: new DockerodeEngine(client, engine), engine, resolved };
}
