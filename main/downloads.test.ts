// The desktop window's download rule: only the page's own Blob files, under a plain file name.
import { describe, expect, it } from 'vitest';
import { isGeneratedDownload, safeDownloadName } from './downloads.js';

describe('isGeneratedDownload', () => {
  it('lets the page save the blobs it built and nothing else', () => {
    expect(isGeneratedDownload('blob:file:///6f1c0f5e-1a2b-4c3d-8e9f-0a1b2c3d4e5f')).toBe(true);
    expect(isGeneratedDownload('blob:null/6f1c0f5e-1a2b-4c3d-8e9f-0a1b2c3d4e5f')).toBe(true);
    expect(isGeneratedDownload('https://example.com/payload.sh')).toBe(false);
    expect(isGeneratedDownload('data:text/plain,hello')).toBe(false);
    expect(isGeneratedDownload('blob:https://example.com/6f1c0f5e')).toBe(false);
    expect(isGeneratedDownload('file:///etc/passwd')).toBe(false);
  });
});

describe('safeDownloadName', () => {
  it('keeps the report names the UI suggests', () => {
    expect(safeDownloadName('isolens-report.sarif')).toBe('isolens-report.sarif');
    expect(safeDownloadName('compose.override.yml')).toBe('compose.override.yml');
  });
  it('strips directories, control characters and leading dots', () => {
    expect(safeDownloadName('../../.bashrc')).toBe('bashrc');
    expect(safeDownloadName('a\u0000b\nc.md')).toBe('a_b_c.md');
    expect(safeDownloadName('')).toBe('isolens-report');
  });
});
