import { describe, expect, it } from 'vitest';
import { columnWidth, escapeHtml, escapeMarkdown, markdownCode, neutralizeText, truncate, wrap } from './text.js';

describe('neutralizeText', () => {
  it('turns ANSI escapes, CR/LF and bidi overrides into visible escapes', () => {
    expect(neutralizeText('\u001b[2Jx\r\n\u202eabc\u0000')).toBe('\\x1b[2Jx\\x0d\\x0a\\u202eabc\\x00');
  });
  it('escapes C1 controls (a lone CSI 0x9b also starts an escape sequence in some terminals)', () => {
    expect(neutralizeText('a\u009b2Jb')).toBe('a\\x9b2Jb');
  });
  it('keeps ordinary text, including non-ASCII letters and emoji', () => {
    expect(neutralizeText('web-1 café 容器 🚀')).toBe('web-1 café 容器 🚀');
  });
});

describe('escapeHtml', () => {
  it('escapes markup and quotes and neutralizes controls', () => {
    expect(escapeHtml(`<img src=x onerror="alert(1)">'&\u001b`)).toBe('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;\\x1b');
  });
  it('renders non-strings as JSON text', () => {
    expect(escapeHtml({ a: '<b>' })).toBe('{&quot;a&quot;:&quot;&lt;b&gt;&quot;}');
    expect(escapeHtml(null)).toBe('null');
  });
});

describe('escapeMarkdown and markdownCode', () => {
  it('escapes pipes, HTML, links, mentions and emphasis; a newline stays visible and cannot end a table row', () => {
    expect(escapeMarkdown('a|b <i>[x](y) @team *z*\nnext')).toBe('a\\|b \\<i\\>\\[x\\](y) \\@team \\*z\\*\\\\x0anext');
  });
  it('fences a code span longer than any backtick run inside and escapes pipes for tables', () => {
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('`x`')).toBe('`` `x` ``');
    expect(markdownCode('-p 80|81')).toBe('`-p 80\\|81`');
  });
});

describe('terminal layout helpers', () => {
  it('counts wide characters as two columns', () => {
    expect(columnWidth('ab')).toBe(2);
    expect(columnWidth('容器')).toBe(4);
  });
  it('truncates with an ellipsis within the width', () => {
    expect(truncate('isolens-report-dangerous', 10)).toBe('isolens-r…');
    expect(columnWidth(truncate('容器容器容器', 5))).toBeLessThanOrEqual(5);
    expect(truncate('short', 10)).toBe('short');
  });
  it('wraps at spaces', () => {
    expect(wrap('one two three four', 9)).toEqual(['one two', 'three', 'four']);
  });
});
