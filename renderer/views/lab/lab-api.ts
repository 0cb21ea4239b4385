// The lab's calls of the one API, reached through the store the renderer already holds.
import type { IsolensApi } from '../../../app/api.js';
import { useStore } from '../../state/hooks.js';
import type { IsolensStore } from '../../state/store.js';

export type LabApi = Pick<IsolensApi, 'diffContainers' | 'generateFix' | 'generateComposeOverride' | 'listLabImages' | 'listProbes' | 'runLab' | 'closeLab' | 'runProbe'>;

/** The lab calls of the store's API: one-shot requests with no state to share. */
export function labApiOf(store: IsolensStore): LabApi {
  return store.lab;
}

export function useLabApi(): LabApi {
  return labApiOf(useStore());
}

