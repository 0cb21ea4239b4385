// Gaps and mismatches shown next to the fact they concern: a reviewer must know when a value is second-hand or disputed.
import type { ContainerIsolation } from '../../app/model/schema.js';
import { notesFor } from '../state/derive.js';
import { formatValue } from '../state/format.js';

export function FactNotes({ container, fact }: { container: ContainerIsolation; fact: string }) {
  const { gaps, mismatches } = notesFor(container, fact);
  if (gaps.length === 0 && mismatches.length === 0) return null;
  return (
    <ul className="fact-notes">
      {gaps.map((gap, index) => (
        <li key={`gap-${index}`} className="gap" data-testid="gap">
          <strong>{/permission|EACCES|denied/i.test(gap.reason) ? 'permission-limited: read from engine config' : 'not established'}</strong>
          <span className="muted"> ({gap.fact})</span> — {gap.reason}
        </li>
      ))}
      {mismatches.map((mismatch, index) => (
        <li key={`mismatch-${index}`} className="mismatch" data-testid="mismatch">
          <strong>mismatch</strong> <span className="muted">({mismatch.fact})</span> — engine config says <code>{formatValue(mismatch.config)}</code>, kernel shows{' '}
          <code>{formatValue(mismatch.kernel)}</code>; the kernel value is the one in force.
        </li>
      ))}
    </ul>
  );
}
