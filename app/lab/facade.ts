// The hardening lab's part of IsolensApi (diff, fix, lab runs, probes) on top of an engine session's connection and snapshot.
import type { IsolensApi, ProbeInfo } from '../api.js';
import type { LabOptionsInput, ProbeId } from '../model/lab.js';
import { EngineUnreachableError } from '../engine/connect.js';
import type { EngineSession } from '../poller/session.js';
import { diffContainers, type ContainerDiff } from './diff.js';
import { fixWithImageDefaults, type GeneratedFix } from './fix.js';
import { renderComposeOverride, serviceRepresentatives, type ComposeOverride, type ServiceFix } from './compose-override.js';
import { COMPOSE_PROJECT_LABEL } from '../model/compose.js';
import { cleanupLab, createLabSession, runLab, type LabResult, type LabSession } from './lab.js';
import { PROBES, runProbe, type ProbeResult, type RunProbeRefusal } from './probes.js';

export type LabApi = Pick<IsolensApi, 'diffContainers' | 'generateFix' | 'generateComposeOverride' | 'listLabImages' | 'listProbes' | 'runLab' | 'closeLab' | 'runProbe'>;

export class LabFacade implements LabApi {
  private readonly labSession: LabSession = createLabSession();
  private leftoversCleaned = false;
  private readonly stopWatching: () => void;

  constructor(private readonly session: EngineSession) {
    this.stopWatching = session.subscribe((event) => {
      if (event.type !== 'engine' || event.state.status !== 'connected' || this.leftoversCleaned) return;
      // Lab containers left by an Isolens that died (they also expire on their own).
      this.leftoversCleaned = true;
      void cleanupLab(session.connection().adapter).catch(() => 0);
    });
  }

  /** Remove this session's lab containers and stop following the engine. */
  async close(): Promise<void> {
    this.stopWatching();
    try {
      await cleanupLab(this.session.connection().adapter, this.labSession);
    } catch {
      /* not connected: nothing this process could remove; they expire on their own */
    }
  }

  private async containerById(id: string) {
    const snapshot = await this.session.snapshot();
    const container = snapshot?.containers.find((c) => c.id === id || c.id.startsWith(id));
    if (!container) throw new Error(`no running container with id ${id}`);
    return container;
  }

  async diffContainers(idA: string, idB: string): Promise<ContainerDiff> {
    return diffContainers(await this.containerById(idA), await this.containerById(idB));
  }

  async generateFix(id: string): Promise<GeneratedFix> {
    const { adapter } = this.session.connection();
    const container = await this.containerById(id);
    const inspect = this.session.inspectOf(container.id);
    if (!inspect) throw new Error(`no inspect data for ${container.name}`);
    return fixWithImageDefaults(adapter, container, inspect);
  }

  async generateComposeOverride(id: string): Promise<ComposeOverride> {
    const { adapter } = this.session.connection();
    const container = await this.containerById(id);
    const project = container.labels[COMPOSE_PROJECT_LABEL];
    if (project === undefined) throw new Error(`${container.name} was not started by docker compose (it has no ${COMPOSE_PROJECT_LABEL} label)`);
    const snapshot = await this.session.snapshot();
    const services: ServiceFix[] = [];
    for (const { service, container: member } of serviceRepresentatives(snapshot?.containers ?? [container], project)) {
      const inspect = this.session.inspectOf(member.id);
      if (!inspect) throw new Error(`no inspect data for ${member.name}`);
      services.push({ service, container: member.name, fix: await fixWithImageDefaults(adapter, member, inspect) });
    }
    return { project, services: services.map(({ service, container: name }) => ({ service, container: name })), yaml: renderComposeOverride(project, services) };
  }

  async listLabImages(): Promise<string[]> {
    const { adapter } = this.session.connection();
    try {
      return await adapter.listImageTags();
    } catch (error) {
      // The engine went away under a live session: say so in the words the banner uses, not as an internal error.
      const code = (error as NodeJS.ErrnoException).code ?? null;
      throw new EngineUnreachableError(`the engine does not answer, so its images cannot be listed (${code ?? (error instanceof Error ? error.message : String(error))})`, this.session.engineInfo()?.endpoint ?? 'unknown', code, { cause: error });
    }
  }

  async listProbes(): Promise<ProbeInfo[]> {
    return PROBES.map((probe) => ({ id: probe.id, title: probe.title, destructive: probe.destructive, description: probe.description, operation: probe.operation, answers: [...(probe.answers ?? [])], unavailable: null }));
  }

  async runLab(options: LabOptionsInput): Promise<LabResult> {
    const { adapter, engine } = this.session.connection();
    return runLab(adapter, engine, options, this.labSession);
  }

  async closeLab(): Promise<number> {
    const { adapter } = this.session.connection();
    const removed = await cleanupLab(adapter, this.labSession);
    // A closed lab starts over: the next run is a first run, not a comparison with a container that is gone.
    this.labSession.previous = null;
    return removed;
  }

  async runProbe(id: string, probeId: ProbeId): Promise<ProbeResult | RunProbeRefusal> {
    const { adapter } = this.session.connection();
    // runProbe enforces the rules for a user's container: on request only, non-destructive, one at a time.
    const container = await this.containerById(id);
    return runProbe(adapter, container.id, probeId, container);
  }
}
