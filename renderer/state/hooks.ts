// React bindings of the store: context, state selector and per-container stats subscription.
import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore } from 'react';
import type { EngineState, LiveStats } from '../../app/model/live.js';
import type { IsolensStore, StoreState } from './store.js';

export const StoreContext = createContext<IsolensStore | null>(null);

export function useStore(): IsolensStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore outside <StoreContext.Provider>');
  return store;
}

export function useStoreState(): StoreState {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, store.getState);
}

/**
 * One value from the store; re-renders only when it changes (by ===), not on every snapshot delta. The selector must
 * return a primitive or an object the store keeps as it is until that value changes.
 */
export function useStoreSelect<T>(select: (store: IsolensStore) => T): T {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, () => select(store));
}

/** The engine's connection status alone (the lab lists images again when it comes back). */
export function useEngineStatus(): EngineState['status'] | null {
  return useStoreSelect((store) => store.getState().engine?.status ?? null);
}

/**
 * The container's samples, oldest first; re-renders only when that container gets a sample. While mounted it tells the
 * host this container is on screen, so it is sampled every second (the rest every ten).
 */
export function useStats(id: string): LiveStats[] {
  const store = useStore();
  useEffect(() => store.showStats(id), [store, id]);
  const version = useSyncExternalStore(store.subscribeStats, useCallback(() => store.statsVersion(id), [store, id]));
  // version is the change signal for the ring buffer, whose contents change in place.
  return useMemo(() => store.statsOf(id), [store, id, version]);
}

/**
 * Since when this window has shown the container (store.shownSinceMs), for the charts' gaps. Read as the chart renders:
 * it changes only when the container is first shown, and the chart re-renders with each of its samples anyway.
 */
export function useShownSinceMs(id: string | undefined): number | null {
  const store = useStore();
  return id === undefined ? null : store.shownSinceMs(id);
}
