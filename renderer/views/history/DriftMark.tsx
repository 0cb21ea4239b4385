// The drift mark beside a container: its last recorded change made it weaker (score before → after, gained findings).
import { useStoreSelect } from '../../state/hooks.js';

export function DriftBadge({ id }: { id: string }) {
  // Re-renders when this container's mark changes, not on every delta of the snapshot.
  const mark = useStoreSelect((store) => store.driftOf(id));
  if (!mark) return null;
  const score = (value: number | null) => (value === null ? '—' : String(Math.round(value)));
  const text = `Got weaker ${new Date(mark.at).toLocaleString()}: score ${score(mark.scoreBefore)} → ${score(mark.scoreAfter)}${mark.findingsAdded.length > 0 ? `, gained ${mark.findingsAdded.join(', ')}` : ''}`;
  return (
    <span className="drift-mark" title={text} data-testid="drift-mark">
      drift<span className="visually-hidden">: {text}</span>
    </span>
  );
}
