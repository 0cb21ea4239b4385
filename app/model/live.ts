// Live per-container usage sampled from cgroupfs and /proc/PID/net/dev, and the engine connection state.
import * as z from 'zod';

export const LiveStats = z.object({
  id: z.string(),
  atMs: z.number().describe('Unix time of the sample, milliseconds'),
  cpuPercent: z.number().nullable().describe('Percent of one core over the last interval (200 = two cores busy)'),
  memoryBytes: z.number().nullable().describe('Working set: usage minus inactive file cache (v1 total_inactive_file, v2 inactive_file), what the OOM killer weighs'),
  memoryLimitBytes: z.number().nullable(),
  pids: z.number().int().nullable(),
  pidsLimit: z.number().int().nullable(),
  networkRxBytes: z.number().nullable(),
  networkTxBytes: z.number().nullable(),
  blockReadBytes: z.number().nullable(),
  blockWriteBytes: z.number().nullable(),
  cpuThrottledPeriods: z.number().nullable(),
  cpuThrottledUs: z.number().nullable(),
  oomKills: z.number().nullable().describe('Processes the OOM killer killed in this cgroup (v1 memory.oom_control, v2 memory.events oom_kill)'),
  // Optional so samples built elsewhere (fixtures, recorded histories) stay valid; the sampler always sets it.
  pidsMaxHits: z.number().nullable().optional().describe('Forks refused because the cgroup was at its PID limit (pids.events max)'),
});
export type LiveStats = z.infer<typeof LiveStats>;

export const EngineState = z.object({
  status: z.enum(['connecting', 'connected', 'unreachable']),
  endpoint: z.string(),
  error: z.string().nullable().describe('One-line cause when unreachable'),
  sinceMs: z.number(),
  nextRetryMs: z.number().nullable(),
});
export type EngineState = z.infer<typeof EngineState>;
