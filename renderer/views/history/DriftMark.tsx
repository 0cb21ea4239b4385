// The drift mark beside a container: its last recorded change made it weaker (score before → after, gained findings).
import { useStore, useStoreState } from '../../state/hooks.js';

export function DriftBadge({ id }: { id: string }) {
  const store = useStore();
  useStoreState(); // re-render when the marks change
  const mark = store.driftOf(id);
  if (!mark) return null;
  const score = (value: number | null) => (value === null ? '—' : String(Math.round(value)));
  const text = `Got weaker ${new Date(mark.at).toLocaleString()}: score ${score(mark.scoreBefore)} → ${score(mark.scoreAfter)}${mark.findingsAdded.length > 0 ? `, gained ${mark.findingsAdded.join(', ')}` : ''}`;
  return (
    <span className="drift-mark" title={text} data-testid="drift-mark">
      drift<span className="visually-hidden">: {text}</span>
    </span>
  );
}
