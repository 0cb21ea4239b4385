// Who a container is across recreation: compose project + service where the labels say so, else its name.
import type { ContainerIsolation } from '../model/schema.js';
import type { ContainerIdentity } from '../model/history.js';

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';
export const COMPOSE_NUMBER_LABEL = 'com.docker.compose.container-number';

/**
 * A recreated container gets a new id (and compose gives it a new name when the project is renamed or scaled), so
 * neither can carry history. The compose project and service can, and a plain container's name can: `docker run
 * --name web` again is "web" again. Replicas past the first (`--scale web=3`) are "shop/web#2", "shop/web#3".
 */
export function identityOf(container: Pick<ContainerIsolation, 'name' | 'labels'>): ContainerIdentity {
  const project = container.labels[COMPOSE_PROJECT_LABEL];
  const service = container.labels[COMPOSE_SERVICE_LABEL];
  if (project && service) {
    const number = container.labels[COMPOSE_NUMBER_LABEL];
    const replica = number && /^\d+$/.test(number) && number !== '1' ? `#${number}` : '';
    return { key: `${project}/${service}${replica}`, kind: 'compose', project, service };
  }
  return { key: container.name, kind: 'name', project: null, service: null };
}
