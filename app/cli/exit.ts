// The CLI's exit codes (documented in the README), apart from main.ts so a command module can use them without a cycle.
export const EXIT = {
  ok: 0,
  /** The engine could not be reached or the scan failed. */
  error: 1,
  /** Bad arguments. */
  usage: 2,
  /** --fail-on: a finding at or above the threshold exists. */
  findings: 3,
  /** --fail-on-drift: a container got weaker than its last recorded version (and --fail-on did not already fail). */
  drift: 4,
} as const;

/** What a command writes to; the process's own streams unless a test passes its own. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTty: boolean;
}
