// The IPC transport: passes calls and events through the preload's bridge and strips Electron's channel prefix from errors.
import { describe, expect, it } from 'vitest';
import type { ApiEvent, IsolensApi } from '../../app/api.js';
import { createIpcApi, ipcErrorMessage } from './ipc.js';
import { apiDouble } from '../../e2e/harness/api-double.js';

function bridge(): IsolensApi & { emit(event: ApiEvent): void } {
  const listeners = new Set<(event: ApiEvent) => void>();
  return {
    ...apiDouble(),
    getSnapshot: async () => null,
    // What Electron rejects with when a main-process handler throws.
    getInspect: async (id) => {
      throw new Error(`Error invoking remote method 'isolens:invoke:getInspect': Error: No such container: ${id}`);
    },
    getStatsHistory: async () => [],
    setVisibleContainers: async () => undefined,
    getEngineState: async () => ({ status: 'connected', endpoint: 'default', error: null, sinceMs: 1, nextRetryMs: null }),
    retryEngine: async () => undefined,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (event) => listeners.forEach((listener) => listener(event)),
  };
}

describe('createIpcApi', () => {
  it('returns the bridge results and keeps only the API methods', async () => {
    const api = createIpcApi(bridge());
    expect(await api.getEngineState()).toMatchObject({ status: 'connected' });
    expect(Object.keys(api).sort()).toEqual([...Object.keys(apiDouble())].sort());
    expect(Object.keys(createIpcApi({ ...bridge(), extra: () => 'leak' } as IsolensApi))).not.toContain('extra');
  });

  it('rejects with the cause only, without the channel prefix', async () => {
    await expect(createIpcApi(bridge()).getInspect('0123456789ab')).rejects.toThrow(/^No such container: 0123456789ab$/);
  });

  it('passes events through and unsubscribes', () => {
    const source = bridge();
    const events: ApiEvent[] = [];
    const unsubscribe = createIpcApi(source).subscribe((event) => events.push(event));
    source.emit({ type: 'stats', stats: [] });
    unsubscribe();
    source.emit({ type: 'stats', stats: [] });
    expect(events).toEqual([{ type: 'stats', stats: [] }]);
  });

  it('leaves messages without the prefix alone', () => {
    expect(ipcErrorMessage(new Error('plain'))).toBe('plain');
    expect(ipcErrorMessage("Error invoking remote method 'isolens:invoke:getSnapshot': TypeError: x is not a function")).toBe('x is not a function');
  });
});
