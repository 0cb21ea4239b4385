import { describe, expect, it, vi } from 'vitest';
import type { ApiEvent } from '../app/api.js';
import type { Notice } from '../app/model/history.js';
import { apiDouble } from '../e2e/harness/api-double.js';

// Electron's Notification, recording what was shown and the handlers registered on it.
const shown: { options: { title: string; body: string }; handlers: Map<string, () => void> }[] = [];
vi.mock('electron', () => ({
  Notification: class {
    static isSupported = () => true;
    private readonly handlers = new Map<string, () => void>();
    constructor(options: { title: string; body: string }) {
      shown.push({ options, handlers: this.handlers });
    }
    on(name: string, handler: () => void) {
      this.handlers.set(name, handler);
    }
    show() {}
  },
}));
const { notificationText, showNotices } = await import('./notifications.js');

describe('notificationText', () => {
  it('escapes markup on Linux, where notification servers read HTML in the body', () => {
    const text = notificationText({ title: 'x got weaker', body: 'New: <b>a</b> & <a href="http://e">b</a>' }, 'linux');
    expect(text.body).toBe('New: &lt;b&gt;a&lt;/b&gt; &amp; &lt;a href="http://e"&gt;b&lt;/a&gt;');
    expect(notificationText({ title: 't', body: '<b>' }, 'darwin').body).toBe('<b>');
  });
});

describe('showNotices', () => {
  it('hands the clicked notice itself (its kind too) to the opener, so the window opens where the in-app notice would', () => {
    let listener: ((event: ApiEvent) => void) | null = null;
    const api = { ...apiDouble(), subscribe: (l: (event: ApiEvent) => void) => ((listener = l), () => undefined) };
    const opened: Notice[] = [];
    showNotices(api, (notice) => opened.push(notice));
    const notice: Notice = {
      id: 'n1', kind: 'critical-start', at: '2026-01-01T00:00:00.000Z', containerId: 'abc123', container: 'name:web', name: 'web', ruleIds: ['capabilities/sys-admin'],
      severity: 'critical', scoreBefore: null, scoreAfter: 40, title: 'web started with a critical finding', body: 'CAP_SYS_ADMIN',
    };
    listener!({ type: 'notice', notice });
    expect(shown).toHaveLength(1);
    shown[0]!.handlers.get('click')!();
    expect(opened).toEqual([notice]);
  });
});
