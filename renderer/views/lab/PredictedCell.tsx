// The "Predicted" cell of a probe row (the lab's and the Probes tab's): the verdict "What can it do?" gave, and whether the probe disagreed.
import type { PredictionCheck } from './lab-format.js';

export function PredictedCell({ check }: { check: PredictionCheck | null }) {
  return (
    <td data-testid="probe-predicted">
      {check === null ? (
        <span className="muted" title="This probe checks no operation of the catalogue">
          —
        </span>
      ) : (
        <>
          <span className={`outcome outcome-${check.predicted === 'unknown' ? 'error' : check.predicted}`}>{check.predicted}</span>
          {check.differs ? <div className="prediction-differs">≠ observed</div> : null}
        </>
      )}
    </td>
  );
}
