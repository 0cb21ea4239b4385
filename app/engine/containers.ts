// Listing running containers and inspecting one, with the inspect fields Isolens depends on validated at the boundary.
import { checkedAnswer } from './connect.js';
import type { EngineConnection, EngineGet } from './connection.js';
import { isContainerInspect, isContainerList } from './guards.js';
import type { ContainerInspectDocument } from './schemas.js';

export type { ContainerInspectDocument };

export type InspectResult =
  | { ok: true; value: ContainerInspectDocument }
  /** The container was removed between listing and inspecting it. */
  | { ok: false; reason: 'vanished' }
  /** The engine's document lacks or mistypes a field Isolens depends on; message says which. */
  | { ok: false; reason: 'invalid'; message: string };

/** The ids and names of running (and paused) containers, as `docker ps` lists them: enough to select by name. */
export async function listRunningContainers(connection: EngineConnection): Promise<Array<{ id: string; name: string }>> {
  const list = await engineRequest(connection, { path: '/containers/json', query: { all: 'false' }, reasons: { 400: 'bad parameter', 500: 'server error' } });
  return (await checkedAnswer(isContainerList, 'ContainerList', list, '/containers/json', connection.resolved.endpoint)).map((c) => {
    // Legacy links add "/other/alias" names; the container's own is the one without a second slash.
    const names = (c.Names ?? []).map((name) => name.replace(/^\//, ''));
    return { id: c.Id, name: names.find((name) => !name.includes('/')) ?? names[0] ?? '' };
  });
}

/** Inspect one container; a container that vanished since it was listed is a value, not an exception. */
export async function inspectContainer(connection: EngineConnection, id: string): Promise<InspectResult> {
  let document: unknown;
  try {
    // The id is the engine's own (from its list) or the user's selector: either way a path segment, never more.
    document = await engineRequest(connection, { path: `/containers/${encodeURIComponent(id)}/json`, reasons: { 404: 'no such container', 500: 'server error' } });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return { ok: false, reason: 'vanished' };
    throw error;
  }
  return validateInspect(document);
}

/** One GET; reachability failures become EngineUnreachableError, anything else (a 404 …) is rethrown unchanged. */
async function engineRequest(connection: EngineConnection, request: EngineGet): Promise<unknown> {
  try {
    return await connection.get(request);
  } catch (error) {
    throw connection.unreachable(error) ?? error;
  }
}

/**
 * Validate an inspect document (from the engine, a file, a test); a document that does not fit is a value. A
 * well-formed one passes the guard and is used as it is; anything else goes to the zod schema (loaded only then),
 * which accepts what the guard would not or says what is wrong.
 */
export async function validateInspect(document: unknown): Promise<InspectResult> {
  if (isContainerInspect(document)) return { ok: true, value: document };
  const { ContainerInspect, describeIssues } = await import('./schemas.js');
  const parsed = ContainerInspect.safeParse(document);
  if (!parsed.success) {
    return { ok: false, reason: 'invalid', message: `the engine's inspect document is not as expected (${describeIssues(parsed.error)})` };
  }
  return { ok: true, value: parsed.data };
}

/** An inspect document that must be valid (captured fixtures, tests): the document itself, or a throw. */
export function parseInspect(document: unknown): ContainerInspectDocument {
  if (!isContainerInspect(document)) throw new Error('not an inspect document Isolens can read (see ContainerInspect in app/engine/schemas.ts)');
  return document;
}
