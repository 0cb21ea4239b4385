// Attacker text made inert and bounded, for every output that shows it (terminal, reports, the UI): the one place
// that says which code points are unsafe and how long a value may get.

/**
 * C0 and C1 controls (ESC starts every ANSI sequence, CR rewrites a line), DEL, and the invisible or
 * reordering code points (zero-width, line/paragraph separators, bidi embeddings, overrides and isolates,
 * BOM) that let a name look like something else ("Trojan Source").
 */
const UNSAFE_CODE_POINTS = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/gu;
/** The same set less the controls JSON.stringify already escapes: what a JSON text still shows raw. */
const INVISIBLE_IN_JSON = /[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/gu;

function escapeOf(character: string): string {
  const code = character.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Replace every control or invisible code point with a visible escape (`\x1b`, `\u202e`), so a container
 * named "\u001b[2J" shows as the text `\x1b[2J` and cannot clear the terminal or reorder what follows.
 * Escaping rather than deleting keeps the hostile text visible to the reviewer.
 */
export function neutralizeText(text: string): string {
  return text.replace(UNSAFE_CODE_POINTS, escapeOf);
}

/**
 * A JSON text (JSON.stringify's output) with the invisible and reordering code points it leaves raw written as \uXXXX
 * escapes: the same JSON value, shown without bidi overrides taking effect.
 */
export function escapeInvisibleJson(json: string): string {
  return json.replace(INVISIBLE_IN_JSON, (character) => `\\u${character.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** How much of one attacker-provided value a report or the UI shows before it says how much it left out. */
export const SHOWN_TEXT_LIMIT = 1024;

/**
 * At most `limit` code points of the text, and how many were left out (0 when it is whole). Cut on code points, so a
 * surrogate pair is never split; the caller says "… N more characters" in its own markup.
 */
export function boundText(text: string, limit = SHOWN_TEXT_LIMIT): { text: string; omitted: number } {
  if (text.length <= limit) return { text, omitted: 0 };
  const points = Array.from(text);
  if (points.length <= limit) return { text, omitted: 0 };
  return { text: points.slice(0, limit).join(''), omitted: points.length - limit };
}

/** Neutralized and bounded, as one line of text: "abc… (65,012 more characters)". */
export function shownText(text: string, limit = SHOWN_TEXT_LIMIT): string {
  const bounded = boundText(text, limit);
  const visible = neutralizeText(bounded.text);
  return bounded.omitted === 0 ? visible : `${visible}… (${bounded.omitted.toLocaleString('en-US')} more characters)`;
}
