// A value the view asks the host for once per key: loading, then the value or the error's one line. A newer request
// (the key changed) wins; an answer for an old key is dropped.
import { useEffect, useState, type DependencyList } from 'react';
import { errorText } from './format.js';

export type Loaded<T> = { status: 'loading' } | { status: 'ok'; value: T } | { status: 'error'; message: string };

const LOADING = { status: 'loading' } as const;

function sameKey(a: DependencyList, b: DependencyList): boolean {
  return a.length === b.length && a.every((value, index) => Object.is(value, b[index]));
}

/**
 * `deps` is the key: what the value is of (as with useEffect). For a new key the answer is "loading" from the first
 * render on, never the old key's value. `refreshDeps` ask again for the same key (a newer scan, the engine back):
 * what is shown stays until the new answer replaces it, so a refresh does not flash "loading".
 */
export function useLoaded<T>(load: () => Promise<T>, deps: DependencyList, refreshDeps: DependencyList = []): Loaded<T> {
  const [answer, setAnswer] = useState<{ key: DependencyList; loaded: Loaded<T> } | null>(null);
  useEffect(() => {
    let current = true;
    const key = deps;
    // In a promise, so a load that throws before returning one is an error line as well.
    Promise.resolve()
      .then(load)
      .then(
        (value) => current && setAnswer({ key, loaded: { status: 'ok', value } }),
        (error: unknown) => current && setAnswer({ key, loaded: { status: 'error', message: errorText(error) } }),
      );
    return () => {
      current = false;
    };
    // The caller names what the request depends on, as with useEffect.
  }, [...deps, ...refreshDeps]);
  return answer !== null && sameKey(answer.key, deps) ? answer.loaded : LOADING;
}
