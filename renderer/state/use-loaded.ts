// A value the view asks the host for once per key: loading, then the value or the error's one line. A newer request
// (the key changed) wins; an answer for an old key is dropped.
import { useEffect, useState, type DependencyList } from 'react';
import { errorText } from './format.js';

export type Loaded<T> = { status: 'loading' } | { status: 'ok'; value: T } | { status: 'error'; message: string };

export function useLoaded<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  useEffect(() => {
    let current = true;
    setState({ status: 'loading' });
    load().then(
      (value) => current && setState({ status: 'ok', value }),
      (error: unknown) => current && setState({ status: 'error', message: errorText(error) }),
    );
    return () => {
      current = false;
    };
    // The caller names what the request depends on, as with useEffect.
  }, deps);
  return state;
}
