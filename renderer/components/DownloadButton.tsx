// Saves a text the app generated (a compose override, a report) as a file: a Blob, never a URL the page navigates to.
// In a browser the file goes to Downloads; in the desktop app the main process asks where to save it (main.ts, will-download).

/** Offer `text` as a download named `filename`; the object URL is released once the click has started it. */
export function saveText(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function DownloadButton({ text, filename, type = 'text/plain', label, testId }: { text: string; filename: string; type?: string; label: string; testId?: string }) {
  return (
    <button type="button" className="copy" onClick={() => saveText(text, filename, type)} data-testid={testId ?? 'download-button'}>
      {label}
    </button>
  );
}
