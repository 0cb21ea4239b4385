// One interaction in the page, timed from the action to the end of the next painted frame that shows its result: what
// bench:ui measures and the e2e run records. No named helpers inside the page function: tsx's __name is not in the page.
import type { Page } from '@playwright/test';

export type TimedAction =
  | { kind: 'none' }
  | { kind: 'sort'; column: string }
  | { kind: 'filter'; text: string }
  /** Double-click the first row; done when the drill-down's name is drawn (its tab may mount a frame later). */
  | { kind: 'open' };

export function timeToNextFrame(page: Page, action: TimedAction): Promise<number> {
  return page.evaluate(async (action) => {
    const started = performance.now();
    if (action.kind === 'sort') (document.querySelector(`[data-testid="sort-${action.column}"]`) as HTMLButtonElement).click();
    if (action.kind === 'filter') {
      const input = document.querySelector('[data-testid="table-search"]') as HTMLInputElement;
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, action.text);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }
    if (action.kind === 'open') document.querySelector('[data-testid="container-row"]')!.dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));
    do await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    while (action.kind === 'open' && !document.querySelector('[data-testid="detail-name"]'));
    return performance.now() - started;
  }, action);
}
