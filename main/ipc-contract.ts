// Every IPC channel between the main process and the preload, declared once and derived from the API's method list.
import { API_METHODS, type ApiMethod } from '../app/api.js';

const INVOKE_PREFIX = 'isolens:invoke:';

/** Request channels, one per API method (ipcMain.handle / ipcRenderer.invoke). */
export type InvokeChannel = `${typeof INVOKE_PREFIX}${ApiMethod}`;

export function invokeChannel<M extends ApiMethod>(method: M): `${typeof INVOKE_PREFIX}${M}` {
  return `${INVOKE_PREFIX}${method}`;
}

/**
 * All request channels with their method. A function, not a module-level constant, so the preload bundle (which
 * needs only invokeChannel) does not pull in app/api.ts and zod with it: see main/build.mjs.
 */
export function invokeChannels(): ReadonlyMap<InvokeChannel, ApiMethod> {
  return new Map(API_METHODS.map((method) => [invokeChannel(method), method]));
}

/** The API method a channel stands for; null for any channel not declared here. */
export function methodOfChannel(channel: string): ApiMethod | null {
  return invokeChannels().get(channel as InvokeChannel) ?? null;
}

/** The one push channel: ApiEvent values from the main process to the window (webContents.send / ipcRenderer.on). */
export const EVENT_CHANNEL = 'isolens:event';
