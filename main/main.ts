// Electron main process: one sandboxed window on the bundled renderer, the live API behind guarded IPC. Thin: no domain logic here.
import { app, BrowserWindow, ipcMain, Menu, nativeTheme, session, shell, type MenuItemConstructorOptions } from 'electron';
import { isReferenceUrl } from '../app/model/references.js';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ApiEvent, IsolensApi } from '../app/api.js';
import { createLiveApi } from '../app/poller/index.js';
import { openHistoryForServer, withHistory } from '../app/history/api.js';
import { defaultHistoryPath } from '../app/history/paths.js';
import type { Notice } from '../app/model/history.js';
import { showNotices } from './notifications.js';
import { isGeneratedDownload, safeDownloadName } from './downloads.js';
import { EVENT_CHANNEL, invokeChannels } from './ipc-contract.js';
import { invokeGuarded, type TrustedRenderer } from './ipc-guard.js';

// Built layout: dist/main/main.js beside dist/main/preload.cjs, the renderer in dist/renderer, icons in assets/.
const PRELOAD_PATH = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const RENDERER_INDEX_PATH = fileURLToPath(new URL('../renderer/index.html', import.meta.url));
const ICON_PATH = fileURLToPath(new URL('../../assets/icon.png', import.meta.url));

let mainWindow: BrowserWindow | null = null;

const trustedRenderer: TrustedRenderer = {
  pageUrl: pathToFileURL(RENDERER_INDEX_PATH).href,
  webContentsId: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents.id : null),
};

/** `--host=<endpoint>` picks the engine like `isolens serve --host`; by default the endpoint is resolved like the docker CLI does. */
function engineHost(): string | undefined {
  return app.commandLine.getSwitchValue('host') || undefined;
}

/** `--kernel-source=auto|local|helper` and `--helper-image=IMAGE`, as on `isolens serve`; auto by default. */
function kernelChoice(): { mode: 'auto' | 'local' | 'helper'; helperImage?: string } {
  const mode = app.commandLine.getSwitchValue('kernel-source');
  const helperImage = app.commandLine.getSwitchValue('helper-image') || undefined;
  return { mode: mode === 'local' || mode === 'helper' ? mode : 'auto', ...(helperImage ? { helperImage } : {}) };
}

function applySessionPolicy(): void {
  const { defaultSession } = session;
  // Denied, all of them, but writing to the clipboard: "copy the fix" is a core action, and writing reads nothing.
  const allowed = (contents: Electron.WebContents | null, permission: string) =>
    permission === 'clipboard-sanitized-write' && contents !== null && contents.id === trustedRenderer.webContentsId();
  defaultSession.setPermissionRequestHandler((contents, permission, callback) => callback(allowed(contents, permission)));
  defaultSession.setPermissionCheckHandler((contents, permission) => allowed(contents, permission));
  defaultSession.setDevicePermissionHandler(() => false);
  // Saving a report or a compose override: the page builds a Blob and the user picks where it goes in a save dialog.
  // Only the trusted window's own blobs are saved; any other download is cancelled before it starts.
  defaultSession.on('will-download', (event, item, contents) => {
    if (contents.id !== trustedRenderer.webContentsId() || !isGeneratedDownload(item.getURL())) {
      event.preventDefault();
      return;
    }
    item.setSaveDialogOptions({ title: 'Save', defaultPath: safeDownloadName(item.getFilename()) });
  });
  // Nothing remote is ever loaded: the page, scripts and styles are files, and data reaches the page over IPC only.
  defaultSession.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] }, (_details, callback) => callback({ cancel: true }));
  // Chromium may not route file:// through webRequest at all, hence the shared policy as a meta tag in index.html too.
  // This header is the shared policy (app/serve/security.ts) with connect-src 'none': in the window data comes over
  // IPC only, never a socket. It is written out as a literal so Electronegativity can read and grade it;
  // main/electronegativity.test.ts fails if it drifts from the shared policy. Reviewed: the CSP evaluator's only remark
  // is script-src 'self' ("problematic if you host JSONP, Angular or user uploaded files"); the window loads only the
  // app's own packaged files, none of those, and the test fails on any other remark.
  defaultSession.webRequest.onHeadersReceived({ urls: ['file://*/*'] }, (details, callback) => {
    callback({
      responseHeaders: { // eng-disable CSP_GLOBAL_CHECK reviewed as above
        ...details.responseHeaders,
        'Content-Security-Policy': [
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ],
      },
    });
  });
}

/** Every webContents (the window, and anything it might try to spawn) can neither navigate, open windows nor attach webviews. */
function lockDownContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    // A finding's ATT&CK or CIS link goes to the system browser; nothing opens inside the app.
    contents.setWindowOpenHandler(({ url }) => {
      if (isReferenceUrl(url)) void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK only https pages of REFERENCE_HOSTS pass isReferenceUrl
      return { action: 'deny' };
    });
  });
}

function applicationMenu(): Menu {
  const template: MenuItemConstructorOptions[] = [
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
    },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'Isolens',
    icon: ICON_PATH,
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#14161a' : '#ffffff',
    webPreferences: {
      // Reviewed: the preload exposes one typed object (window.isolens) through contextBridge and no Electron API,
      // every call it forwards is validated in main/ipc-guard.ts, and it runs sandboxed with context isolation.
      preload: PRELOAD_PATH, // eng-disable PRELOAD_JS_CHECK reviewed as above
      // Middle-click (auxclick) would otherwise open links in a new window despite setWindowOpenHandler's deny.
      disableBlinkFeatures: 'Auxclick',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  void window.loadFile(RENDERER_INDEX_PATH);
  return window;
}

/** `--history-db=<path>` like `isolens serve --history-db`; the same per-user database as the CLI by default. */
function historyPath(): string {
  return app.commandLine.getSwitchValue('history-db') || defaultHistoryPath();
}

/** A notification was clicked: bring the window up on that notice's container. */
function openNotice(notice: Notice): void {
  if (!mainWindow || mainWindow.isDestroyed()) mainWindow = createWindow();
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
  const event: ApiEvent = { type: 'open-notice', notice };
  mainWindow.webContents.send(EVENT_CHANNEL, event);
}

function registerIpc(api: Promise<IsolensApi>): void {
  for (const channel of invokeChannels().keys()) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => invokeGuarded(api, channel, event, args, trustedRenderer));
  }
}

function forwardEvents(api: IsolensApi): () => void {
  return api.subscribe((event: ApiEvent) => {
    const contents = mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null;
    if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, event);
  });
}

function start(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // Every renderer sandboxed, whatever a window's own preferences say.
  app.enableSandbox();
  lockDownContents();

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // The live API starts now, in parallel with the window: the page shows its loading state instead of waiting on the engine.
  const store = openHistoryForServer({ historyDb: historyPath() }, (text) => console.error(`isolens: ${text}`));
  const api = createLiveApi({ host: engineHost(), kernel: { ...kernelChoice(), onNotice: (text) => console.error(`isolens: ${text}`) } }).then((live) =>
    withHistory(live, { store, onError: (error) => console.error(`isolens: recording history failed: ${error.message}`) }),
  );
  registerIpc(api);
  let stopForwarding: (() => void) | null = null;
  let stopNotices: (() => void) | null = null;
  api.then(
    (ready) => {
      stopForwarding = forwardEvents(ready);
      stopNotices = showNotices(ready, openNotice);
    },
    (error: unknown) => console.error('isolens: the live API did not start:', error),
  );

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    stopForwarding?.();
    stopNotices?.();
    void api.then((ready) => ready.close(), () => undefined);
  });

  void app.whenReady().then(() => {
    applySessionPolicy();
    Menu.setApplicationMenu(applicationMenu());
    mainWindow = createWindow();
    app.on('activate', () => {
      if (!mainWindow) mainWindow = createWindow();
    });
  });
}

start();
