import { describe, expect, it } from 'vitest';
import { renderReport } from './index.js';
import { escapeHtml } from './text.js';
import { hostileContainer, loadSampleSnapshot } from './fixtures/sample.js';

describe('html report', () => {
  const snapshot = loadSampleSnapshot();
  const page = renderReport(snapshot, 'html');

  it('is one self-contained page: no script, no external resource, a strict CSP', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).not.toMatch(/<script/i);
    const tags = page.match(/<[a-zA-Z][^>]*>/g)!;
    const tagNames = new Set(tags.map((tag) => /^<([a-zA-Z0-9]+)/.exec(tag)![1]!.toLowerCase()));
    const allowed = ['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'main', 'footer', 'section', 'div', 'h1', 'h2', 'h3', 'h4', 'p', 'span', 'strong', 'em', 'a', 'code', 'details', 'summary', 'dl', 'dt', 'dd', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'ul', 'li', 'colgroup', 'col'];
    expect([...tagNames].filter((name) => !allowed.includes(name))).toEqual([]);
    expect(tags.filter((tag) => /\son[a-z]+\s*=/i.test(tag))).toEqual([]);
    // Links stay inside the page; nothing is fetched.
    expect(tags.filter((tag) => /\s(src|href|action)\s*=\s*"(?!#)/i.test(tag))).toEqual([]);
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    expect(page.match(/<style>/g)).toHaveLength(1);
    expect(page).toContain('prefers-color-scheme:dark');
    expect(page).toContain('@media print');
  });

  it('escapes hostile container names and labels into inert text', () => {
    const hostile = hostileContainer(snapshot);
    expect(page).not.toContain('<img src=x onerror=alert(1)>');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain(escapeHtml(hostile.name));
    expect(page).not.toContain('</style><script>');
    expect(page).toContain('&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(page).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202a-\u202e]/);
    // Exactly one style element closes: the label's "</style>" did not end it early.
    expect(page.match(/<\/style>/g)).toHaveLength(1);
  });

  it('summarises engine, host grade, grade distribution and counts by severity', () => {
    expect(page).toContain('docker 20.10.24+dfsg1');
    expect(page).toContain('class="grade grade-C" title="grade C, score 75 of 100"');
    expect(page).toMatch(/aria-label="1 A, 0 B, 0 C, 0 D, 2 E, 1 F"/);
    expect(page).toContain('2 critical</span>');
    expect(page).toContain('15 medium</span>');
  });

  it('shows containers worst first', () => {
    const names = ['isolens-report-dangerous', 'isolens-report-default', hostileContainer(snapshot).name, 'isolens-report-hardened'];
    const positions = names.map((name) => page.indexOf(`<span class="name">${escapeHtml(name)}</span>`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('shows every finding with its rationale, evidence, references and fix', () => {
    for (const finding of [...snapshot.host.findings, ...snapshot.containers.flatMap((c) => c.findings)]) {
      expect(page).toContain(escapeHtml(finding.title));
      expect(page).toContain(escapeHtml(finding.rationale));
      expect(page).toContain(escapeHtml(finding.remediation.text));
      if (finding.remediation.dockerRun) expect(page).toContain(`<code>${escapeHtml(finding.remediation.dockerRun)}</code>`);
      if (finding.remediation.compose) expect(page).toContain(`<code>${escapeHtml(finding.remediation.compose)}</code>`);
      for (const evidence of finding.evidence) expect(page).toContain(`<code>${escapeHtml(evidence.fact)}</code>`);
      if (finding.cis) expect(page).toContain(`<strong>${finding.cis}</strong>`);
    }
    expect(page).toContain('MITRE ATT&amp;CK <strong>T1610</strong>, <strong>T1611</strong>');
  });

  it('lists what was not read, and why', () => {
    expect(page).toContain('What was not read, and why');
    expect(page).toContain('its process 23117 vanished');
  });
});
