// `isolens fix --compose-project NAME`: one compose override file that hardens every service of a project, rendered
// from the same plans as each container's docker run command and compose service (fix.ts).
import { COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL } from '../model/compose.js';
import type { ContainerIsolation } from '../model/schema.js';
import { neutralizeText } from '../model/text.js';
import { memoryFlagValue, planOf, yamlList, yamlString, type GeneratedFix } from './fix.js';
import { compareText } from '../model/collation.js';

export interface ServiceFix {
  /** The compose service name (the container's com.docker.compose.service label: attacker-controlled text). */
  service: string;
  /** The container the service's settings were read from (the first replica). */
  container: string;
  fix: GeneratedFix;
}

/** What the UI's Fix view and `isolens fix --compose-project` hand over: the override and the services in it. */
export interface ComposeOverride {
  project: string;
  /** Each service once, with the container (its first replica) its settings were read from. */
  services: { service: string; container: string }[];
  /** The compose.override.yml text. */
  yaml: string;
}

/**
 * The containers an override is rendered from: those of the project, one per service (its first replica by name);
 * a container without a service label stands for itself; by service name. Empty when no container belongs to the project.
 */
export function serviceRepresentatives(containers: readonly ContainerIsolation[], project: string): { service: string; container: ContainerIsolation }[] {
  const members = containers.filter((c) => c.labels[COMPOSE_PROJECT_LABEL] === project).sort((a, b) => compareText(a.name, b.name));
  const byService = new Map<string, ContainerIsolation>();
  for (const c of members) {
    const service = c.labels[COMPOSE_SERVICE_LABEL] ?? c.name;
    if (!byService.has(service)) byService.set(service, c);
  }
  return [...byService].map(([service, container]) => ({ service, container })).sort((a, b) => compareText(a.service, b.service));
}

/** A YAML comment line: no line break or control character can end the comment and start a key. */
function comment(text: string): string {
  return `# ${neutralizeText(text).replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, ' ')}`;
}

/**
 * The override file. Compose merges an override into the project's file key by key, so it can add and replace settings
 * (read_only, cap_drop, limits, a :ro flag on a volume by its target) but cannot delete one: what the fix removes (a
 * host namespace, an engine socket, --privileged) is written as a comment on the service, to be removed from compose.yml.
 */
export function renderComposeOverride(project: string, services: readonly ServiceFix[]): string {
  const out: string[] = [
    comment(`isolens fix --compose-project ${project}: the hardening for ${services.length} service${services.length === 1 ? '' : 's'}.`),
    comment('Save as compose.override.yml next to compose.yml (docker compose reads both), or pass both with -f.'),
    'services:',
  ];
  for (const { service, container, fix } of [...services].sort((a, b) => compareText(a.service, b.service))) {
    const plan = planOf(fix);
    out.push(`  ${yamlString(service)}:`);
    const line = (text: string) => out.push(`    ${text}`);
    line(comment(`from container ${container}`));
    for (const removal of fix.flags.filter((f) => /^remove\b/.test(f.flag))) line(comment(`in compose.yml, ${removal.flag} (an override cannot remove a setting): ${removal.why}`));
    line('read_only: true');
    line(`tmpfs: ${yamlList(plan.tmpfs.map((t) => (t.options ? `${t.target}:${t.options}` : t.target)))}`);
    line('cap_drop: ["ALL"]');
    if (plan.capAdd.length > 0) line(`cap_add: ${yamlList(plan.capAdd)}`);
    line(`security_opt: ${yamlList(plan.securityOpt.map((o) => (o === 'no-new-privileges' ? 'no-new-privileges:true' : o)))}`);
    if (plan.user) line(`user: ${yamlString(plan.user)}`);
    line(`mem_limit: ${yamlString(memoryFlagValue(plan.memoryLimitBytes))}`);
    line(`memswap_limit: ${yamlString(memoryFlagValue(plan.memoryLimitBytes))}`);
    line(`cpus: ${plan.cpuQuotaCores}`);
    line(`pids_limit: ${plan.pidsLimit}`);
    const readOnlyMounts = plan.mounts.filter((m) => m.readOnly);
    if (readOnlyMounts.length > 0) {
      // Merged with compose.yml's volumes by target: the same mount, now read-only.
      line('volumes:');
      for (const m of readOnlyMounts) {
        line(`  - type: ${m.type}`);
        line(`    source: ${yamlString(m.source)}`);
        line(`    target: ${yamlString(m.target)}`);
        line('    read_only: true');
      }
    }
  }
  return `${out.join('\n')}\n`;
}
