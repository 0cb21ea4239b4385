// Every screen of the UI as a route and the test id that says it is drawn: one list for the axe and the layout specs.
import type { KnownContainers } from '../fixtures.js';

export type Screen = [name: string, hash: string, ready: string];

export function everyScreen(containers: KnownContainers, searchPrefix: string): Screen[] {
  return [
    ['overview', '#/', 'overview'],
    ['containers', `#/containers?q=${searchPrefix}`, 'containers-table'],
    ['filtered', '#/containers?severity=critical', 'containers-table'],
    ['findings', `#/container/${containers.risky.id}/findings`, 'container-detail'],
    ['namespaces', `#/container/${containers.risky.id}/namespaces`, 'namespaces-table'],
    ['capabilities', `#/container/${containers.risky.id}/capabilities`, 'capabilities-table'],
    ['seccomp', `#/container/${containers.risky.id}/seccomp`, 'container-detail'],
    ['resources', `#/container/${containers.ordinary.id}/resources`, 'container-detail'],
    ['mounts', `#/container/${containers.risky.id}/mounts`, 'container-detail'],
    ['network', `#/container/${containers.risky.id}/network`, 'container-detail'],
    ['raw', `#/container/${containers.hostile.id}/raw`, 'labels'],
    ['fix', `#/container/${containers.risky.id}/fix`, 'container-detail'],
    ['operations', `#/container/${containers.risky.id}/operations`, 'operations-table'],
    ['probes', `#/container/${containers.risky.id}/probes`, 'container-probe'],
    ['history', `#/container/${containers.risky.id}/history`, 'container-detail'],
    ['compare', `#/compare/${containers.risky.id}/${containers.hardened.id}`, 'diff-row'],
    ['lab', '#/lab', 'lab-view'],
  ];
}
