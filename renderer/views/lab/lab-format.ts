// Pure helpers of the lab view: the form's state turned into LabOptionsInput, and a probe's outcome as one line.
import type { LabOptionsInput } from '../../../app/model/lab.js';
import type { ProbeResult } from '../../../app/lab/probes.js';

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
