// "What can it do?": each operation of the catalogue with its verdict, the layers that decide it, and the flag that would change it.
import type { ContainerIsolation, Operation } from '../../app/model/schema.js';
import { OPERATION_TEXT } from '../../app/model/operations.js';

const VERDICT_ORDER: Record<Operation['verdict'], number> = { allowed: 0, unknown: 1, blocked: 2 };
const VERDICT_TONE: Record<Operation['verdict'], string> = { allowed: 'tone-bad', unknown: 'tone-warn', blocked: 'tone-good' };

export function OperationsView({ container }: { container: ContainerIsolation }) {
  const operations = container.operations ?? [];
  if (operations.length === 0) return <p className="muted">No operations were judged for this container (an older document, or the scan had no facts).</p>;
  // Allowed first: what an attacker can do is what a reviewer reads first.
  const sorted = [...operations].sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict]);
  const count = (verdict: Operation['verdict']) => operations.filter((o) => o.verdict === verdict).length;
  return (
    <div data-testid="operations">
      <p>
        What an attacker running code in this container can do, judged layer by layer from the kernel's facts:{' '}
        <strong className="tone-bad">{count('allowed')} allowed</strong>, <strong className="tone-good">{count('blocked')} blocked</strong>
        {count('unknown') > 0 ? <>, <strong className="tone-warn">{count('unknown')} unknown</strong></> : null}.
      </p>
      <table className="plain" data-testid="operations-table">
        <thead>
          <tr>
            <th>Operation</th>
            <th>Verdict</th>
            <th>Because</th>
            <th>Flag that changes it</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((operation) => {
            const text = OPERATION_TEXT[operation.id];
            return (
              <tr key={operation.id} data-testid="operation-row" data-operation={operation.id} data-verdict={operation.verdict}>
                <td>
                  {text.title}
                  <div className="muted mono">{operation.id}</div>
                </td>
                <td className={VERDICT_TONE[operation.verdict]} data-testid="operation-verdict">
                  <strong>{operation.verdict}</strong>
                  {operation.verdict === 'allowed' ? <div className="muted">{text.gain}</div> : null}
                </td>
                <td>
                  <ul className="compact">
                    {operation.because.map((reason, index) => (
                      <li key={index}>
                        <span className="mono">{reason.layer}</span>: {reason.detail}
                      </li>
                    ))}
                  </ul>
                </td>
                <td className="mono" data-testid="operation-flag">
                  {operation.verdict === 'allowed' ? text.block : operation.verdict === 'blocked' ? <span className="muted">{text.allow} would allow it</span> : '—'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
