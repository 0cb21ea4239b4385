// Listing running containers and inspecting one, with the inspect fields Isolens depends on validated at the boundary.
import type Dockerode from 'dockerode';
import { checkedAnswer, clientEndpoint, engineRequest } from './connect.js';
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
export async function listRunningContainers(client: Dockerode): Promise<Array<{ id: string; name: string }>> {
  const list = await engineRequest(client, () => client.listContainers({ all: false }));
  return (await checkedAnswer(isContainerList, 'ContainerList', list, '/containers/json', clientEndpoint(client).endpoint)).map((c) => {
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
