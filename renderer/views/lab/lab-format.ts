// Pure helpers of the lab view: the form's state turned into LabOptionsInput, and a probe's outcome as one line.
import type { LabOptionsInput } from '../../../app/model/lab.js';
import type { ProbeResult } from '../../../app/lab/probes.js';
import type { Operation, OperationId } from '../../../app/model/schema.js';

/** What the lab form holds: text fields stay text until the run, so a half-typed number never throws. */
export interface LabForm {
  image: string;
  dropAllCapabilities: boolean;
  addCapabilities: string[];
  readOnly: boolean;
  /** Comma- or space-separated absolute paths. */
  tmpfsText: string;
  noNewPrivileges: boolean;
  seccomp: 'default' | 'unconfined';
  user: string;
  memoryMebibytesText: string;
  cpusText: string;
  pidsLimitText: string;
  networkNone: boolean;
}

export const INITIAL_LAB_FORM: LabForm = {
  image: '',
  dropAllCapabilities: false,
  addCapabilities: [],
  readOnly: false,
  tmpfsText: '/tmp',
  noNewPrivileges: false,
  seccomp: 'default',
  user: '',
  memoryMebibytesText: '',
  cpusText: '',
  pidsLimitText: '',
  networkNone: false,
};

export type FormResult = { ok: true; options: LabOptionsInput } | { ok: false; reason: string };

function optionalNumber(text: string, label: string): { ok: true; value: number | null } | { ok: false; reason: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  const value = Number(trimmed);
  if (!Number.isFinite(value) || value <= 0) return { ok: false, reason: `${label} must be a positive number (or empty for no limit)` };
  return { ok: true, value };
}

/** The options runLab receives; the backend validates them again (LabOptions) and says what is wrong. */
export function labOptionsFromForm(form: LabForm): FormResult {
  if (form.image === '') return { ok: false, reason: 'Choose an image' };
  const memory = optionalNumber(form.memoryMebibytesText, 'Memory (MiB)');
  if (!memory.ok) return memory;
  const cpus = optionalNumber(form.cpusText, 'CPUs');
  if (!cpus.ok) return cpus;
  const pids = optionalNumber(form.pidsLimitText, 'Pids limit');
  if (!pids.ok) return pids;
  if (pids.value !== null && !Number.isInteger(pids.value)) return { ok: false, reason: 'Pids limit must be a whole number' };
  const tmpfs = form.tmpfsText.split(/[\s,]+/).filter((path) => path !== '');
  return {
    ok: true,
    options: {
      image: form.image,
      dropAllCapabilities: form.dropAllCapabilities,
      addCapabilities: form.addCapabilities,
      readOnly: form.readOnly,
      ...(form.readOnly ? { tmpfs } : {}),
      noNewPrivileges: form.noNewPrivileges,
      seccomp: form.seccomp,
      user: form.user.trim() === '' ? null : form.user.trim(),
      memoryBytes: memory.value === null ? null : Math.round(memory.value * 1024 * 1024),
      cpus: cpus.value,
      pidsLimit: pids.value,
      networkNone: form.networkNone,
    },
  };
}

/** "blocked (EPERM)", "blocked (SIGKILL)", "allowed". */
export function outcomeText(probe: Pick<ProbeResult, 'outcome' | 'errno' | 'signal'>): string {
  const detail = probe.errno ?? probe.signal;
  return detail ? `${probe.outcome} (${detail})` : probe.outcome;
}

/** The line the demo reads: "Mount a filesystem: blocked (EPERM) — CAP_SYS_ADMIN dropped". */
export function probeLine(probe: Pick<ProbeResult, 'title' | 'outcome' | 'errno' | 'signal' | 'responsible'>): string {
  return `${probe.title}: ${outcomeText(probe)}${probe.responsible ? ` — ${probe.responsible}` : ''}`;
}

/** A score difference as signed text ("+12", "−5", "±0"); null when either side is not scored. */
export function signedDelta(delta: number | null): string {
  if (delta === null) return '—';
  const rounded = Math.round(delta);
  if (rounded === 0) return '±0';
  return rounded > 0 ? `+${rounded}` : `−${Math.abs(rounded)}`;
}

/** How an outcome reads: allowed is alarming only where the probe stands for an attacker's operation (chmod is not one). */
export function outcomeTone(outcome: ProbeResult['outcome'], operation: OperationId | null): 'allowed' | 'blocked' | 'error' | 'harmless' {
  return outcome === 'allowed' && operation === null ? 'harmless' : outcome;
}

/** What a lab run's headline says: probes blocked out of all, the change since the previous run, and what is still allowed. */
export interface LabHeadline {
  blocked: number;
  total: number;
  /** Blocked now minus blocked in the previous run; null on a session's first run. */
  delta: number | null;
  /** Probes still allowed that stand for an attacker's operation (a harmless allowed probe is not "left to fix"). */
  stillAllowed: ProbeResult[];
}

export function labHeadline(probes: readonly ProbeResult[], previous: readonly ProbeResult[] | null, operationOf: (probeId: ProbeResult['probeId']) => OperationId | null): LabHeadline {
  const blocked = (list: readonly ProbeResult[]) => list.filter((probe) => probe.outcome === 'blocked').length;
  return {
    blocked: blocked(probes),
    total: probes.length,
    delta: previous === null ? null : blocked(probes) - blocked(previous),
    stillAllowed: probes.filter((probe) => probe.outcome === 'allowed' && operationOf(probe.probeId) !== null),
  };
}

/** "probes blocked 6/11, +3": the line that leads a lab run. */
export function headlineText(headline: LabHeadline): string {
  const delta = headline.delta === null || headline.delta === 0 ? '' : `, ${signedDelta(headline.delta)}`;
  return `probes blocked ${headline.blocked}/${headline.total}${delta}`;
}

/** The predicted verdict of a probe's operation beside what it observed; null where the probe checks no operation. */
export interface PredictionCheck {
  predicted: Operation['verdict'];
  /** True when prediction and observation disagree (an unknown prediction or a probe error proves nothing). */
  differs: boolean;
}

export function predictionCheck(operations: readonly Operation[] | undefined, operation: OperationId | null, observed: ProbeResult['outcome']): PredictionCheck | null {
  if (operation === null) return null;
  const found = operations?.find((entry) => entry.id === operation);
  if (!found) return null;
  const differs = found.verdict !== 'unknown' && observed !== 'error' && found.verdict !== observed;
  return { predicted: found.verdict, differs };
}
