// Renderer entry: pick the transport (IPC in Electron, HTTP + WebSocket under `isolens serve`, a fixture in dev), start the store, mount the app.
// First: the snapshot's request leaves before the rest of the script is evaluated.
import './transport/first-snapshot.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { IsolensApi } from '../app/api.js';
import { App } from './App.js';
import { StoreContext } from './state/hooks.js';
import { IsolensStore } from './state/store.js';
import { createApi } from './transport/index.js';
import './styles.css';

/** How long the page stays blank waiting for the first snapshot before it shows the loading screen. */
const LOADING_SCREEN_AFTER_MS = 300;

async function pickApi(): Promise<IsolensApi> {
  // The fixture exists only under the Vite dev server; the production bundle drops this branch and the module with it.
  if (import.meta.env.DEV && new URLSearchParams(location.search).has('fixture')) {
    const { createFixtureApi, fixtureOptionsFromSearch } = await import('./dev/fixture-api.js');
    return createFixtureApi(fixtureOptionsFromSearch(location.search));
  }
  return await createApi();
}

async function start(): Promise<void> {
  const rootElement = document.getElementById('root');
  if (!rootElement) throw new Error('index.html has no #root');
  const root = createRoot(rootElement);
  let api: IsolensApi;
  try {
    api = await pickApi();
  } catch (error) {
    // No transport means nothing to show; say why in plain text rather than a blank window.
    const message = error instanceof Error ? error.message : String(error);
    root.render(
      <main className="fatal" role="alert">
        <h1>Isolens cannot reach its backend</h1>
        <p>{message}</p>
        <p>Under <code>isolens serve</code>, open the URL it printed (it carries the access token).</p>
      </main>,
    );
    return;
  }
  const store = new IsolensStore(api);
  store.start();
  // The first render waits a moment for the first snapshot: when it comes soon (its request left as the script
  // started), the table is the first thing rendered, laid out and painted, instead of the loading screen first, whose
  // render, layout and paint (40–60 ms of the main thread under load) otherwise sat between the snapshot and the table.
  await Promise.race([store.firstAnswer(), new Promise((wait) => setTimeout(wait, LOADING_SCREEN_AFTER_MS))]);
  root.render(
    <StrictMode>
      <StoreContext.Provider value={store}>
        <App />
      </StoreContext.Provider>
    </StrictMode>,
  );
}

void start();
