// Waiting in fault tests: poll a probe until it answers, or fail saying what was awaited. A bound on a hang, not a timing claim.
import { setTimeout as sleep } from 'node:timers/promises';

export async function until<T>(what: string, probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** One call of serve's HTTP API (POST /api/<method> with the bearer token); throws unless it answers 200. */
export async function callServe<T>(server: { port: number; token: string }, method: string, args: unknown[] = [], timeoutMs = 15_000): Promise<T> {
  const reply = await fetch(`http://127.0.0.1:${server.port}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    body: JSON.stringify({ args }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (reply.status !== 200) throw new Error(`serve answered ${method} with HTTP ${reply.status}: ${await reply.text()}`);
  return ((await reply.json()) as { result: T }).result;
}
