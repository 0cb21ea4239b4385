// Checks every IPC request before it reaches the API: a declared channel, our own window's top frame, valid arguments.
import * as z from 'zod';
import { API_ARGUMENTS, type ApiMethod, type IsolensApi } from '../app/api.js';
import { methodOfChannel } from './ipc-contract.js';

/** The parts of Electron's IpcMainInvokeEvent the guard reads; plain objects in tests. */
export interface InvokeSender {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/** What a trusted request comes from: the main window, showing the bundled renderer page. */
export interface TrustedRenderer {
  /** file:// URL of dist/renderer/index.html. */
  pageUrl: string;
  /** webContents id of the main window; null while there is none. */
  webContentsId(): number | null;
}

export type InvokeCheck = { ok: true; method: ApiMethod; args: unknown[] } | { ok: false; reason: string };

/** Why a sender is not trusted, or null when it is. The hash is ignored: the renderer routes with it. */
export function senderRefusal(event: InvokeSender, trusted: TrustedRenderer): string | null {
  const expectedId = trusted.webContentsId();
  if (expectedId === null || event.sender.id !== expectedId) return 'the sender is not the Isolens window';
  const frame = event.senderFrame;
  if (!frame) return 'the sending frame is gone';
  if (frame.parent !== null) return 'the sender is a subframe';
  let actual: URL;
  let expected: URL;
  try {
    actual = new URL(frame.url);
    expected = new URL(trusted.pageUrl);
  } catch {
    return 'the sender has no valid URL';
  }
  if (actual.protocol !== 'file:' || actual.host !== expected.host || actual.pathname !== expected.pathname) return 'the sender is not the bundled Isolens page';
  return null;
}

export function checkInvoke(channel: string, event: InvokeSender, args: unknown[], trusted: TrustedRenderer): InvokeCheck {
  const method = methodOfChannel(channel);
  if (!method) return { ok: false, reason: `unknown channel ${JSON.stringify(channel.slice(0, 80))}` };
  const refusal = senderRefusal(event, trusted);
  if (refusal) return { ok: false, reason: refusal };
  const parsed = API_ARGUMENTS[method].safeParse(args);
  if (!parsed.success) return { ok: false, reason: `invalid arguments for ${method}: ${z.prettifyError(parsed.error)}` };
  return { ok: true, method, args: parsed.data as unknown[] };
}

/** The handler body of every invoke channel: refusals and API errors reject with a message only. */
export async function invokeGuarded(api: IsolensApi | Promise<IsolensApi>, channel: string, event: InvokeSender, args: unknown[], trusted: TrustedRenderer): Promise<unknown> {
  const check = checkInvoke(channel, event, args, trusted);
  if (!check.ok) throw new Error(`Refused: ${check.reason}`);
  const target = await api;
  const method = target[check.method] as (...values: unknown[]) => Promise<unknown>;
  try {
    return await method.apply(target, check.args);
  } catch (error) {
    // A plain Error with the message only: no stack or internals cross into the renderer.
    throw new Error(error instanceof Error ? error.message : String(error));
  }
}
