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
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const self = new Map<string, number>();
  let cpuUs = 0;
  if (!main) return { self, cpuUs };
  const complete = events.filter((e) => e.ph === 'X' && e.pid === main.pid && e.tid === main.tid && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
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
