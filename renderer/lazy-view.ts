// Views loaded apart from the first screen's script (the charts library, the drill-down, the comparison, the lab).
import { createElement, lazy, useState, type ComponentType } from 'react';

export interface LazyView<P> {
  View: ComponentType<P>;
  /** Fetch the view's module now (the app calls it once the first screen is up). */
  preload(): Promise<void>;
}

/**
 * A view whose module is fetched on first use or on preload(). Once fetched it renders at once: a Suspense fallback
 * shows only when the view is asked for before its module arrived. Which of the two a mounted view is stays fixed, so
 * the module arriving never remounts a view on screen (its state and scroll position kept).
 */
export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): LazyView<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  const start = () => (loading ??= load().then((view) => (loaded = view)));
  const Suspending = lazy(async () => ({ default: await start() }));
  function View(props: P) {
    const [component] = useState<ComponentType<P>>(() => loaded ?? (Suspending as unknown as ComponentType<P>));
    return createElement(component, props);
  }
  return {
    View,
    preload: async () => {
      await start();
    },
  };
}
