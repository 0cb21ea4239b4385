// The order Isolens sorts names, ids and paths in: String.prototype.localeCompare's, without building ICU's collator
// for text that does not need it. A one-shot scan built it for a few dozen container names, mount paths and rule ids,
// and building it costs ~7 ms of CPU, as much as inspecting ten containers.
//
// For printable ASCII under a locale whose collation does not tailor ASCII (the root order: English, C, POSIX), the
// default collator's order is fixed by CLDR's root collation: punctuation and symbols, then digits, then letters, with
// case deciding only between otherwise equal strings (lower case first). compareText applies that order to such text
// and hands anything else (other characters, other locales, Electron, whose locale is the app's) to the collator.
// collation.test.ts holds it to Intl.Collator on every printable ASCII character and on random strings.

/** Printable ASCII in CLDR root order, one primary weight per group: a letter's two cases share one. */
const ROOT_ORDER: readonly string[] = [
  ...[' ', '_', '-', ',', ';', ':', '!', '?', '.', "'", '"', '(', ')', '[', ']', '{', '}', '@', '*', '/', '\\', '&', '#', '%', '`', '^', '+', '<', '=', '>', '|', '~', '$'],
  ...'0123456789',
  ...[...'abcdefghijklmnopqrstuvwxyz'].map((letter) => `${letter}${letter.toUpperCase()}`),
];

const FIRST = 0x20;
const LAST = 0x7e;
/** Primary weight by character code (FIRST..LAST). */
const PRIMARY = new Uint8Array(LAST + 1);
ROOT_ORDER.forEach((group, weight) => {
  for (const character of group) PRIMARY[character.charCodeAt(0)] = weight;
});

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < FIRST || code > LAST) return false;
  }
  return true;
}

/** The root order of two printable ASCII strings: primary weights first, then case (lower before upper). */
function compareRootAscii(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  let tertiary = 0;
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const primary = PRIMARY[x]! - PRIMARY[y]!;
    if (primary !== 0) return primary < 0 ? -1 : 1;
    // Same letter in another case: decides only if nothing else does. Upper case has the lower code.
    if (tertiary === 0) tertiary = x > y ? -1 : 1;
  }
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return tertiary;
}

/** The locale variables ICU reads for the default locale, in its order of precedence. */
const LOCALE_VARIABLES = ['LC_ALL', 'LC_MESSAGES', 'LANG'] as const;
const ROOT_ORDERED_LOCALE = /^(?:C|POSIX|en(?:_[A-Za-z]{2})?)(?:\.[A-Za-z0-9-]+)?$/;

/**
 * Whether the default collator orders printable ASCII as CLDR's root does: plain Node (not Electron, not an ICU locale
 * flag) with every locale variable unset, C, POSIX or English, so whichever one ICU takes, it is one of those.
 */
export function defaultOrderIsRoot(env: Record<string, string | undefined> | undefined, runtime: { electron?: string; execArgv?: readonly string[] } = {}): boolean {
  if (!env || runtime.electron !== undefined || runtime.execArgv?.some((argument) => argument.startsWith('--icu'))) return false;
  return LOCALE_VARIABLES.every((name) => {
    const value = env[name];
    return value === undefined || value === '' || ROOT_ORDERED_LOCALE.test(value);
  });
}

const processInfo = typeof process === 'undefined' ? undefined : process;
const ROOT_DEFAULT = defaultOrderIsRoot(processInfo?.env, { electron: processInfo?.versions?.electron, execArgv: processInfo?.execArgv });
let collator: Intl.Collator | undefined;

/** a.localeCompare(b): the same sign, cheaper where the order is known without ICU. */
export function compareText(a: string, b: string): number {
  if (ROOT_DEFAULT && isPrintableAscii(a) && isPrintableAscii(b)) return compareRootAscii(a, b);
  return (collator ??= new Intl.Collator()).compare(a, b);
}

/** The ASCII half on its own, for the test that holds it to ICU. */
export const compareRootAsciiForTest = compareRootAscii;
