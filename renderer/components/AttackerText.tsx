// Text a container's creator chose (labels, command, env names, compose project): React keeps it inert; this also makes
// control and bidi characters visible as escapes and shows at most `limit` code points, saying how many were left out.
import { boundText, neutralizeText, SHOWN_TEXT_LIMIT } from '../../app/model/text.js';

export function AttackerText({ text, limit = SHOWN_TEXT_LIMIT }: { text: string; limit?: number }) {
  const bounded = boundText(text, limit);
  return (
    <>
      {neutralizeText(bounded.text)}
      {bounded.omitted > 0 ? (
        <span className="muted" data-testid="text-omitted">
          {' '}… {bounded.omitted.toLocaleString('en-US')} more characters
        </span>
      ) : null}
    </>
  );
}

/** The same as one plain string, for attributes (title) and places that take no markup. */
export function attackerTitle(text: string, limit = SHOWN_TEXT_LIMIT): string {
  const bounded = boundText(text, limit);
  return neutralizeText(bounded.text) + (bounded.omitted > 0 ? `… (${bounded.omitted.toLocaleString('en-US')} more characters)` : '');
}
