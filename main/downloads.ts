// Which downloads the window may start: only files the page built itself (a report, a compose override, as a Blob).
// Anything else (a link to a remote file, a data: URL a container's text might smuggle in) is cancelled.

/** A blob: URL of the app's own page: what renderer/components/DownloadButton.tsx creates. */
export function isGeneratedDownload(url: string): boolean {
  return /^blob:(?:file:\/\/|null\/)/.test(url);
}

/** The name offered in the save dialog: the page's suggestion cut to a plain file name (no directory, no dot-file). */
export function safeDownloadName(suggested: string): string {
  const base = suggested.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^\.+/, '').slice(0, 128);
  return cleaned === '' ? 'isolens-report' : cleaned;
}
