// Self time by event name on the renderer's main thread from a Chromium performance trace (bench:ui --profile):
// where a click's time goes between script, style, layout and paint.
interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time: unlike dur, it barely grows when other processes take the cores. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/**
 * Self thread time (µs) of each complete event on CrRendererMain (its CPU time less its children's, so nothing counts
 * twice), and the main thread's CPU time in all (the top-level events' sum).
 */
export function mainThreadSelfTimes(trace: { traceEvents: TraceEvent[] }): { self: Map<string, number>; cpuUs: number } {
  const events = trace.traceEvents;
  const main = pageMainThread(events);
  const self = new Map<string, number>();
  let cpuUs = 0;
  if (!main) return { self, cpuUs };
  const complete = mainThreadEvents(events, main);
  const stack: { end: number; name: string }[] = [];
  for (const event of complete) {
    while (stack.length && stack.at(-1)!.end <= event.ts) stack.pop();
    const parent = stack.at(-1);
    const cpu = event.tdur ?? event.dur!;
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - cpu);
    else cpuUs += cpu;
    self.set(event.name, (self.get(event.name) ?? 0) + cpu);
    stack.push({ end: event.ts + event.dur!, name: event.name });
  }
  return { self, cpuUs };
}

/**
 * The traced page's main thread: the busiest CrRendererMain. A trace can hold several renderers (about:blank, a page
 * closed before), and the first one listed was sometimes not the page's, which left the summary nearly empty.
 */
export function pageMainThread(events: TraceEvent[]): { pid: number; tid: number } | null {
  const busy = new Map<string, number>();
  for (const e of events) if (e.ph === 'X' && e.dur !== undefined) busy.set(`${e.pid}:${e.tid}`, (busy.get(`${e.pid}:${e.tid}`) ?? 0) + e.dur);
  let best: { pid: number; tid: number } | null = null;
  let bestUs = -1;
  for (const e of events) {
    if (e.ph !== 'M' || e.name !== 'thread_name' || e.args?.name !== 'CrRendererMain') continue;
    const us = busy.get(`${e.pid}:${e.tid}`) ?? 0;
    if (us > bestUs) [best, bestUs] = [{ pid: e.pid, tid: e.tid }, us];
  }
  return best;
}

/** The main thread's complete events, in time order (a parent before the children it encloses). */
export function mainThreadEvents(events: TraceEvent[], main: { pid: number; tid: number }): TraceEvent[] {
  return events.filter((e) => e.ph === 'X' && e.pid === main.pid && e.tid === main.tid && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
}

/**
 * The main thread's tasks longer than `overMs` (what a longtask observer counts), each with its own longest events
 * inside: "RunTask 68 ms: FunctionCall 51, Layout 12".
 */
export function longTasks(trace: { traceEvents: TraceEvent[] }, overMs = 50): string[] {
  const main = pageMainThread(trace.traceEvents);
  if (!main) return [];
  const complete = mainThreadEvents(trace.traceEvents, main);
  const lines: string[] = [];
  for (const task of complete) {
    if (task.name !== 'RunTask' || task.dur! <= overMs * 1000) continue;
    const end = task.ts + task.dur!;
    const inside = complete.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur! <= end && e.name !== 'RunTask');
    // Direct children only (the events no other inside event encloses), longest first.
    const direct = inside.filter((e) => !inside.some((p) => p !== e && p.ts <= e.ts && p.ts + p.dur! >= e.ts + e.dur! && p.dur! > e.dur!));
    const top = direct.sort((a, b) => b.dur! - a.dur!).slice(0, 5).map((e) => `${e.name} ${(e.dur! / 1000).toFixed(0)}`);
    lines.push(`task ${(task.dur! / 1000).toFixed(0)} ms (CPU ${((task.tdur ?? task.dur!) / 1000).toFixed(0)}): ${top.join(', ')}`);
  }
  return lines;
}
