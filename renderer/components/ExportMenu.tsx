// The top bar's Export menu: the current snapshot as HTML, SARIF, Markdown (summary or full) or JSON, saved as a file.
import { useState } from 'react';
import type { ExportRequest } from '../../app/model/export.js';
import { useStore } from '../state/hooks.js';
import { errorText } from '../state/format.js';
import { useDismissibleMenu } from './dismissible-menu.js';
import { saveText } from './DownloadButton.js';

const CHOICES: { request: ExportRequest; label: string; hint: string; testId: string }[] = [
  { request: { format: 'html' }, label: 'HTML report', hint: 'one self-contained page to share', testId: 'export-html' },
  { request: { format: 'sarif' }, label: 'SARIF', hint: 'for GitHub code scanning and SARIF viewers', testId: 'export-sarif' },
  { request: { format: 'markdown' }, label: 'Markdown summary', hint: 'fits a pull-request comment', testId: 'export-markdown' },
  { request: { format: 'markdown', full: true }, label: 'Markdown, full', hint: 'every finding with evidence and fix', testId: 'export-markdown-full' },
  { request: { format: 'json' }, label: 'JSON', hint: 'the document of docs/isolens.schema.json', testId: 'export-json' },
];

export function ExportMenu() {
  const store = useStore();
  // Like the Columns menu: Escape closes it with focus back on its button, and so does a click anywhere else.
  const menuRef = useDismissibleMenu();
  const [status, setStatus] = useState<string>('');

  const save = (request: ExportRequest) => {
    setStatus('Rendering the report…');
    store.reports.exportReport(request).then(
      (report) => {
        saveText(report.text, report.filename, report.mediaType);
        setStatus(`Saved ${report.filename}`);
        if (menuRef.current) menuRef.current.open = false;
      },
      (error: unknown) => setStatus(`Export failed: ${errorText(error)}`),
    );
  };

  return (
    <details className="column-menu export-menu" data-testid="export-menu" ref={menuRef}>
      <summary>Export</summary>
      <div className="menu" role="group" aria-label="Export the report">
        {CHOICES.map((choice) => (
          <button key={choice.testId} type="button" onClick={() => save(choice.request)} data-testid={choice.testId}>
            <span>{choice.label}</span> <span className="muted">{choice.hint}</span>
          </button>
        ))}
        <p className="muted export-status" role="status" data-testid="export-status">
          {status}
        </p>
      </div>
    </details>
  );
}
