// Who a container is across recreation: compose project + service where the labels say so, else its name.
import { createHash } from 'node:crypto';
import type { ContainerIsolation } from '../model/schema.js';
import type { ContainerIdentity } from '../model/history.js';

import { COMPOSE_NUMBER_LABEL, COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL } from '../model/compose.js';

export { COMPOSE_NUMBER_LABEL, COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL };

/**
 * A recreated container gets a new id (and compose gives it a new name when the project is renamed or scaled), so
 * neither can carry history. The compose project and service can, and a plain container's name can: `docker run
 * --name web` again is "web" again. Replicas past the first (`--scale web=3`) are "shop/web#2", "shop/web#3".
 */
/** Longest identity key kept whole: compose labels are attacker text of any length, and keys are muted, stored and sent. */
export const MAX_IDENTITY_KEY_LENGTH = 256;

/** A key within MAX_IDENTITY_KEY_LENGTH: a longer one keeps its start and gets a digest of the whole, so it stays unique and stable. */
function boundedKey(key: string): string {
  if (key.length <= MAX_IDENTITY_KEY_LENGTH) return key;
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const head = Array.from(key.slice(0, MAX_IDENTITY_KEY_LENGTH)).slice(0, MAX_IDENTITY_KEY_LENGTH - 20).join('');
  return `${head}…#${digest}`;
}

/** A compose label as kept in the history: at most MAX_IDENTITY_KEY_LENGTH code points. */
function boundedLabel(text: string): string {
  return text.length <= MAX_IDENTITY_KEY_LENGTH ? text : Array.from(text).slice(0, MAX_IDENTITY_KEY_LENGTH).join('');
}

export function identityOf(container: Pick<ContainerIsolation, 'name' | 'labels'>): ContainerIdentity {
  const project = container.labels[COMPOSE_PROJECT_LABEL];
  const service = container.labels[COMPOSE_SERVICE_LABEL];
  if (project && service) {
    const number = container.labels[COMPOSE_NUMBER_LABEL];
    const replica = number && /^\d+$/.test(number) && number !== '1' ? `#${number}` : '';
    return { key: boundedKey(`${project}/${service}${replica}`), kind: 'compose', project: boundedLabel(project), service: boundedLabel(service) };
  }
  return { key: boundedKey(container.name), kind: 'name', project: null, service: null };
}
