// The IPC guard without Electron: undeclared channels, foreign senders and bad arguments never reach the API.
import { describe, expect, it } from 'vitest';
import { API_METHODS, type IsolensApi } from '../app/api.js';
import { EVENT_CHANNEL, invokeChannel, invokeChannels, methodOfChannel } from './ipc-contract.js';
import { checkInvoke, invokeGuarded, type InvokeSender, type TrustedRenderer } from './ipc-guard.js';
import { apiDouble } from '../e2e/harness/api-double.js';

const PAGE_URL = 'file:///opt/Isolens/resources/app.asar/dist/renderer/index.html';
const WINDOW_ID = 7;
const CONTAINER_ID = 'abcdef0123456789';
const trusted: TrustedRenderer = { pageUrl: PAGE_URL, webContentsId: () => WINDOW_ID };

function sender(overrides: { id?: number; url?: string; parent?: unknown; noFrame?: boolean } = {}): InvokeSender {
  return {
    sender: { id: overrides.id ?? WINDOW_ID },
    senderFrame: overrides.noFrame ? null : { url: overrides.url ?? `${PAGE_URL}#/container/${CONTAINER_ID}/raw`, parent: overrides.parent ?? null },
  };
}

function recordingApi() {
  const calls: string[] = [];
  const api: IsolensApi = {
    ...apiDouble(),
    getSnapshot: async () => null,
    getInspect: async (id) => {
      calls.push(`getInspect:${id}`);
      if (id !== CONTAINER_ID) throw Object.assign(new Error(`No such container: ${id}`), { stack: 'at secret internals' });
      return { Id: id };
    },
    getStatsHistory: async () => [],
    setVisibleContainers: async () => undefined,
    getEngineState: async () => ({ status: 'connected', endpoint: 'default', error: null, sinceMs: 1, nextRetryMs: null }),
    retryEngine: async () => undefined,
    subscribe: () => () => undefined,
  };
  return { api, calls };
}

describe('ipc-contract', () => {
  it('declares one invoke channel per API method and no channel for subscribe', () => {
    expect([...invokeChannels().keys()]).toEqual(API_METHODS.map((method) => `isolens:invoke:${method}`));
    expect(methodOfChannel('isolens:invoke:subscribe')).toBeNull();
    expect(methodOfChannel(EVENT_CHANNEL)).toBeNull();
    expect(methodOfChannel(invokeChannel('getInspect'))).toBe('getInspect');
  });
});

describe('checkInvoke', () => {
  it('accepts a declared channel from the main window with valid arguments', () => {
    expect(checkInvoke('isolens:invoke:getInspect', sender(), [CONTAINER_ID], trusted)).toEqual({ ok: true, method: 'getInspect', args: [CONTAINER_ID] });
    expect(checkInvoke('isolens:invoke:getSnapshot', sender(), [], trusted)).toMatchObject({ ok: true });
  });

  it.each(['isolens:invoke:deleteContainer', 'isolens:invoke:subscribe', 'isolens:invoke:constructor', 'isolens:event', 'getSnapshot'])('refuses the undeclared channel %s', (channel) => {
    expect(checkInvoke(channel, sender(), [], trusted)).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown channel/) });
  });

  it('refuses bad arguments with the validation message', () => {
    const check = checkInvoke('isolens:invoke:getInspect', sender(), ['../../etc'], trusted);
    expect(check).toMatchObject({ ok: false, reason: expect.stringMatching(/invalid arguments for getInspect: .*container id/s) });
    expect(checkInvoke('isolens:invoke:getInspect', sender(), [], trusted).ok).toBe(false);
    expect(checkInvoke('isolens:invoke:getSnapshot', sender(), [{}], trusted).ok).toBe(false);
  });

  it.each([
    ['another webContents', sender({ id: 99 })],
    ['a remote page', sender({ url: 'https://evil.example/index.html' })],
    ['another local file', sender({ url: 'file:///tmp/evil/index.html' })],
    ['a subframe', sender({ parent: {} })],
    ['a destroyed frame', sender({ noFrame: true })],
    ['an unparsable URL', sender({ url: 'not a url' })],
  ])('refuses %s as sender', (_name, event) => {
    expect(checkInvoke('isolens:invoke:getSnapshot', event, [], trusted)).toMatchObject({ ok: false });
  });

  it('refuses everyone while there is no window', () => {
    expect(checkInvoke('isolens:invoke:getSnapshot', sender(), [], { pageUrl: PAGE_URL, webContentsId: () => null }).ok).toBe(false);
  });
});

describe('invokeGuarded', () => {
  it('calls the API with the validated arguments', async () => {
    const { api, calls } = recordingApi();
    expect(await invokeGuarded(Promise.resolve(api), 'isolens:invoke:getInspect', sender(), [CONTAINER_ID], trusted)).toEqual({ Id: CONTAINER_ID });
    expect(calls).toEqual([`getInspect:${CONTAINER_ID}`]);
  });

  it('rejects refused calls without reaching the API', async () => {
    const { api, calls } = recordingApi();
    await expect(invokeGuarded(api, 'isolens:invoke:getInspect', sender(), ['../../etc'], trusted)).rejects.toThrow(/^Refused: invalid arguments/);
    await expect(invokeGuarded(api, 'isolens:invoke:getInspect', sender({ id: 3 }), [CONTAINER_ID], trusted)).rejects.toThrow(/^Refused: the sender/);
    expect(calls).toEqual([]);
  });

  it('passes API errors on as a message without the stack', async () => {
    const { api } = recordingApi();
    const error = await invokeGuarded(api, 'isolens:invoke:getInspect', sender(), ['0123456789ab'], trusted).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('No such container: 0123456789ab');
    expect((error as Error).stack).not.toContain('secret internals');
  });
});
