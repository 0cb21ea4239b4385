import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ Notification: class {} }));
const { notificationText } = await import('./notifications.js');

describe('notificationText', () => {
  it('escapes markup on Linux, where notification servers read HTML in the body', () => {
    const text = notificationText({ title: 'x got weaker', body: 'New: <b>a</b> & <a href="http://e">b</a>' }, 'linux');
    expect(text.body).toBe('New: &lt;b&gt;a&lt;/b&gt; &amp; &lt;a href="http://e"&gt;b&lt;/a&gt;');
    expect(notificationText({ title: 't', body: '<b>' }, 'darwin').body).toBe('<b>');
  });
});
