// Probe runs on a user's own container, shared by the Probes tab and each finding's "Try it": one answer per probe, one probe at a time.
import { useSyncExternalStore } from 'react';
import type { ProbeInfo } from '../../../app/api.js';
import type { ProbeResult, RunProbeRefusal } from '../../../app/lab/probes.js';
import type { ProbeId } from '../../../app/model/lab.js';
import type { LabApi } from './lab-api.js';
import { errorText } from '../../state/format.js';
import { useLoaded, type Loaded } from '../../state/use-loaded.js';

export type ProbeAnswer = ProbeResult | RunProbeRefusal | { failed: string };

interface ContainerRuns {
  answers: Partial<Record<ProbeId, ProbeAnswer>>;
  /** The probe under way, or the queue Run all is working through (a user's container takes one probe at a time). */
  running: ProbeId | null;
  queue: ProbeId[];
}

const EMPTY: ContainerRuns = { answers: {}, running: null, queue: [] };

/**
 * The runs of every container this window probed, kept while the window lives: switching tabs (Findings → Probes)
 * keeps what a "Try it" found. Plain module state with subscribers, read through useSyncExternalStore.
 */
class ProbeRuns {
  private readonly byContainer = new Map<string, ContainerRuns>();
  private readonly listeners = new Set<() => void>();

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get(containerId: string): ContainerRuns {
    return this.byContainer.get(containerId) ?? EMPTY;
  }

  private set(containerId: string, next: ContainerRuns): void {
    this.byContainer.set(containerId, next);
    for (const listener of this.listeners) listener();
  }

  /** Queue probes for a container and work through them one by one; a probe already queued or running is not added twice. */
  enqueue(api: LabApi, containerId: string, probeIds: readonly ProbeId[]): void {
    const current = this.get(containerId);
    const fresh = probeIds.filter((id) => id !== current.running && !current.queue.includes(id));
    this.set(containerId, { ...current, queue: [...current.queue, ...fresh] });
    if (current.running === null) void this.drain(api, containerId);
  }

  private async drain(api: LabApi, containerId: string): Promise<void> {
    for (;;) {
      const current = this.get(containerId);
      const [next, ...rest] = current.queue;
      if (next === undefined) return this.set(containerId, { ...current, running: null });
      this.set(containerId, { ...current, running: next, queue: rest });
      let answer: ProbeAnswer;
      try {
        answer = await api.runProbe(containerId, next);
      } catch (error) {
        answer = { failed: errorText(error) };
      }
      const after = this.get(containerId);
      this.set(containerId, { ...after, answers: { ...after.answers, [next]: answer } });
    }
  }
}

const runs = new ProbeRuns();

export function useProbeRuns(api: LabApi, containerId: string) {
  const state = useSyncExternalStore(runs.subscribe, () => runs.get(containerId));
  return {
    answers: state.answers,
    running: state.running,
    queued: state.queue,
    run: (probeIds: readonly ProbeId[]) => runs.enqueue(api, containerId, probeIds),
  };
}

/** The catalogue, asked for once per window: every finding card would otherwise ask again. */
let catalogue: Promise<ProbeInfo[]> | null = null;

function askCatalogue(api: LabApi): Promise<ProbeInfo[]> {
  if (catalogue) return catalogue;
  const asked = api.listProbes();
  catalogue = asked;
  // A failed listing is asked again next time (the engine or serve may be back).
  asked.catch(() => {
    if (catalogue === asked) catalogue = null;
  });
  return asked;
}

export function useProbeCatalogue(api: LabApi): Loaded<ProbeInfo[]> {
  return useLoaded(() => askCatalogue(api), [api]);
}

/** The outcome of an answer, or '' while there is none (for data attributes). */
export function answerOutcome(answer: ProbeAnswer | undefined): string {
  return answer && 'outcome' in answer ? answer.outcome : '';
}
