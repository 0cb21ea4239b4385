// Making text safe to print: container-provided strings become inert, visible text in a terminal, HTML and Markdown.

import { neutralizeText } from '../model/text.js';

export { neutralizeText };

/** Any value as one line of neutralized text: strings as they are, the rest as compact JSON. */
export function displayValue(value: unknown): string {
  if (typeof value === 'string') return neutralizeText(value);
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return neutralizeText(text);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The one HTML escape: every piece of text in the HTML report, in content and attributes, goes through it. */
export function escapeHtml(value: unknown): string {
  return displayValue(value).replace(/[&<>"']/g, (character) => HTML_ENTITIES[character]!);
}

/**
 * Markdown inline text: the ASCII punctuation that means something inside a line of CommonMark/GFM is
 * backslash-escaped (a backslash before ASCII punctuation is always literal), so pipes cannot split table cells,
 * `<img>` is not HTML, `[x](y)` is not a link, `@team` does not notify and `#12` does not link. Newlines were
 * already made visible (`\x0a`), so a table cell stays one line. Line-start markers (`-`, `+`, `1.`) stay:
 * escaped text never starts a line.
 */
export function escapeMarkdown(value: unknown): string {
  return displayValue(value)
    .replace(/[\\`*_{}[\]#!|<>~&@]/g, (character) => `\\${character}`);
}

/**
 * A Markdown code span around arbitrary text: the fence is one backtick longer than the longest run inside.
 * In a table cell pipes are escaped, because GFM splits rows on them even inside code spans (and drops the
 * backslash there); elsewhere a backslash in a code span would show, so it is left out.
 */
export function markdownCode(value: unknown, inTableCell = true): string {
  const text = inTableCell ? displayValue(value).replace(/\|/g, '\\|') : displayValue(value);
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const padding = text.startsWith('`') || text.endsWith('`') || text === '' ? ' ' : '';
  return `${fence}${padding}${text}${padding}${fence}`;
}

/** Visible width in terminal columns, counting code points (neutralized text has no zero-width characters). */
export function columnWidth(text: string): number {
  let width = 0;
  for (const character of text) width += isWide(character.codePointAt(0)!) ? 2 : 1;
  return width;
}

/** East Asian wide and fullwidth ranges and emoji take two terminal columns. */
function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** Cut text to at most `width` columns, ending with "…" when something was cut. */
export function truncate(text: string, width: number): string {
  if (columnWidth(text) <= width) return text;
  if (width <= 0) return '';
  let result = '';
  let used = 0;
  for (const character of text) {
    const characterWidth = isWide(character.codePointAt(0)!) ? 2 : 1;
    if (used + characterWidth > width - 1) break;
    result += character;
    used += characterWidth;
  }
  return `${result}…`;
}

/** Pad to `width` columns (left-aligned, or right-aligned for numbers). */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - columnWidth(text)));
  return align === 'left' ? text + fill : fill + text;
}

/** Break text into lines of at most `width` columns at spaces (a longer word is cut). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (columnWidth(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    line = columnWidth(word) <= width ? word : truncate(word, width);
  }
  if (line !== '') lines.push(line);
  return lines;
}
