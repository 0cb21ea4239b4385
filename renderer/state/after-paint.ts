// Deferring work until what was just rendered is on screen: the first screen's paint comes before what can wait.

/**
 * Run after the next frame is painted (what a store update rendered is on screen by then), or after a short wait where
 * no frame comes (a hidden window, tests).
 */
export function afterPaint(run: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    run();
  };
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(once, 0));
  setTimeout(once, AFTER_PAINT_FALLBACK_MS);
}
const AFTER_PAINT_FALLBACK_MS = 100;
