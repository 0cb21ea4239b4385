// Desktop notifications for history notices: Electron's Notification in the main process; a click opens the notice's container (as the in-app notice does).
import { Notification } from 'electron';
import type { ApiEvent, IsolensApi } from '../app/api.js';
import type { Notice } from '../app/model/history.js';

/**
 * Notification servers on Linux (libnotify) read a subset of HTML in the body, so a container named `<b>x</b>` or
 * `<a href=…>` would render as markup there; the text is escaped on Linux. macOS and Windows show text as is.
 * Control and invisible characters were already made visible by the recorder (neutralizeText).
 */
export function notificationText(notice: Pick<Notice, 'title' | 'body'>, platform: NodeJS.Platform): { title: string; body: string } {
  if (platform !== 'linux') return { title: notice.title, body: notice.body };
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return { title: notice.title, body: escape(notice.body) };
}

/** Show every notice the API pushes; returns the unsubscribe function. */
export function showNotices(api: IsolensApi, open: (notice: Notice) => void): () => void {
  if (!Notification.isSupported()) return () => undefined;
  // Kept referenced until closed: a garbage-collected Notification loses its click handler.
  const shown = new Set<Notification>();
  return api.subscribe((event: ApiEvent) => {
    if (event.type !== 'notice') return;
    const { notice } = event;
    const notification = new Notification({ ...notificationText(notice, process.platform), urgency: notice.severity === 'critical' ? 'critical' : 'normal' });
    shown.add(notification);
    notification.on('click', () => open(notice));
    notification.on('close', () => shown.delete(notification));
    notification.show();
  });
}
