// The engine is not answering: say why, when the next attempt is, and offer to retry now.
import { useEffect, useState } from 'react';
import type { EngineState } from '../../app/model/live.js';
import { formatAge } from '../state/format.js';

export function EngineBanner({ engine, retrying, onRetry, apiError, hasSnapshot }: { engine: EngineState | null; retrying: boolean; onRetry: () => void; apiError: string | null; hasSnapshot: boolean }) {
  const [now, setNow] = useState(() => Date.now());
  const visible = apiError !== null || (engine !== null && engine.status !== 'connected');
  useEffect(() => {
    if (!visible) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [visible]);
  if (!visible) return null;
  if (engine && engine.status === 'connecting') {
    return (
      <div className="banner banner-connecting" role="status" data-testid="engine-banner" data-status="connecting">
        <span className="spinner" aria-hidden="true" />
        <span>
          {hasSnapshot ? 'Reconnecting' : 'Connecting'} to the engine at <code>{engine.endpoint}</code>…
        </span>
      </div>
    );
  }
  const nextRetry = engine?.nextRetryMs ? Math.max(0, Math.ceil((engine.nextRetryMs - now) / 1000)) : null;
  return (
    <div className="banner banner-unreachable" role="alert" data-testid="engine-banner" data-status="unreachable">
      <div>
        <strong>{engine?.status === 'unreachable' ? 'The container engine is unreachable' : 'The Isolens backend is unreachable'}</strong>
        {engine?.status === 'unreachable' ? (
          <>
            {' '}at <code>{engine.endpoint}</code> for {formatAge(engine.sinceMs, now)}.
          </>
        ) : null}
        <div className="banner-cause" data-testid="engine-cause">
          {engine?.status === 'unreachable' ? engine.error ?? 'no cause reported' : apiError}
        </div>
        <div className="muted">
          {hasSnapshot ? 'What is shown below is the last snapshot taken before the connection was lost.' : 'Nothing has been scanned yet.'}
          {nextRetry !== null ? ` Next automatic retry in ${nextRetry} s.` : ''}
        </div>
      </div>
      <button type="button" onClick={onRetry} disabled={retrying} data-testid="retry-engine">
        {retrying ? 'Retrying…' : 'Retry now'}
      </button>
    </div>
  );
}
