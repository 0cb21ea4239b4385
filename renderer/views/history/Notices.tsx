// In-app notices (a container started with a critical finding, or drifted weaker), plus the browser's notification
// when the page runs under `isolens serve` and the user allowed it. Names are attacker text: rendered as text only.
import { useEffect, useState } from 'react';
import type { Notice } from '../../../app/model/history.js';
import { useStore } from '../../state/hooks.js';
import { navigate, noticeRoute } from '../../state/route.js';

const KEEP = 5;

function openNotice(notice: Notice): void {
  navigate(noticeRoute(notice));
}

function showBrowserNotification(notice: Notice): void {
  // In Electron the main process shows the system notification (and the page's permission is denied anyway).
  if (window.isolens || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const shown = new Notification(notice.title, { body: notice.body, tag: notice.id });
  shown.onclick = () => {
    window.focus();
    openNotice(notice);
  };
}

export function Notices() {
  const store = useStore();
  const [notices, setNotices] = useState<Notice[]>([]);
  const [permission, setPermission] = useState(() => (typeof Notification === 'undefined' || window.isolens ? 'unavailable' : Notification.permission));

  useEffect(
    () =>
      store.onNotice((notice) => {
        setNotices((list) => [notice, ...list.filter((n) => n.id !== notice.id)].slice(0, KEEP));
        showBrowserNotification(notice);
      }),
    [store],
  );

  // Muting persists in serve's (or the app's) history database; later notices of that container or rule are not sent.
  const mute = async (notice: Notice, what: 'container' | 'rules') => {
    const current = await store.history.getNotificationSettings();
    const next =
      what === 'container'
        ? { ...current, mutedContainers: [...new Set([...current.mutedContainers, notice.container])] }
        : { ...current, mutedRules: [...new Set([...current.mutedRules, ...notice.ruleIds])] };
    await store.history.setNotificationSettings(next);
    setNotices((list) => list.filter((n) => (what === 'container' ? n.container !== notice.container : n.id !== notice.id)));
  };

  if (notices.length === 0) return null;
  return (
    <aside className="notices" aria-live="polite" data-testid="notices">
      {permission === 'default' ? (
        <button type="button" className="link" onClick={() => void Notification.requestPermission().then(setPermission)}>
          Also show these as browser notifications
        </button>
      ) : null}
      {notices.map((notice) => (
        <div key={notice.id} className={`notice notice-${notice.severity}`} role="alert" data-testid="notice" data-kind={notice.kind}>
          <button type="button" className="notice-open" onClick={() => openNotice(notice)} data-testid="notice-open">
            <strong>{notice.title}</strong>
            <span>{notice.body}</span>
          </button>
          <span className="notice-mute">
            <button type="button" className="link" onClick={() => void mute(notice, 'container')} data-testid="notice-mute-container">
              Mute this container
            </button>
            {notice.ruleIds.length > 0 ? (
              <button type="button" className="link" onClick={() => void mute(notice, 'rules')} data-testid="notice-mute-rules">
                Mute {notice.ruleIds.length === 1 ? 'this rule' : 'these rules'}
              </button>
            ) : null}
          </span>
          <button type="button" className="link" aria-label="Dismiss" onClick={() => setNotices((list) => list.filter((n) => n.id !== notice.id))}>
            ×
          </button>
        </div>
      ))}
    </aside>
  );
}
