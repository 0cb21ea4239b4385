// Where to read the kernel for an engine (--kernel-source auto|local|helper): the host's own files when they show the
// engine's containers and may be read, else a helper container on the engine, else none, with a reason a user can act on.
import type { EngineInfo } from './model/schema.js';
import type { ContainerEngine } from './engine/engine.js';
import type { InspectDocument } from './collect/config.js';
import { inspectRunning } from './collect/scan.js';
import { startHelper, HelperRefusedError } from './engine/helper.js';
import { HelperKernelSource } from './kernel/helper-source.js';
import { processBelongsToContainer } from './kernel/facts.js';
import { LOCAL_HOST_SOURCE, processOf, UnavailableKernelSource, type KernelSource } from './kernel/source.js';

export const KERNEL_SOURCE_MODES = ['auto', 'local', 'helper'] as const;
export type KernelSourceMode = (typeof KERNEL_SOURCE_MODES)[number];

export interface KernelSourceOptions {
  mode?: KernelSourceMode;
  /** --helper-image; the pinned busybox when absent. */
  helperImage?: string;
  /** One-line notices for the user (pulling the helper image, why a helper is used or refused). */
  onNotice?: (text: string) => void;
  /** The local source to judge and to use; the host's own files when absent (tests pass a captured tree). */
  local?: KernelSource;
}

/**
 * Why local reading is not complete for this engine, or null when it is. Decided from facts, cheapest first: the
 * engine's description (a VM, tcp://, ssh://), then one running container's process as this process sees it: its
 * /proc/PID must be that container's (another PID namespace shows nothing or someone else) and its namespace links
 * readable (a non-root user may read neither).
 */
export async function whyLocalIsIncomplete(engine: EngineInfo, inspects: readonly InspectDocument[], local: KernelSource = LOCAL_HOST_SOURCE): Promise<string | null> {
  if (!engine.local) return `the engine at ${engine.endpoint} runs in a VM or on another machine, so its processes are not on this host`;
  const sample = inspects.find((inspect) => (inspect.State?.Pid ?? 0) > 0);
  if (!sample) {
    // Nothing to look at now (a long-lived reader may see containers later): only root is sure to read them.
    return process.getuid?.() === 0 ? null : `this process runs as uid ${process.getuid?.()}, which may not read other users' /proc/PID/ns`;
  }
  const pid = sample.State.Pid;
  const view = processOf(local, pid);
  const cgroup = await view.readText('cgroup');
  if (!cgroup.ok || !(await processBelongsToContainer(local, pid, sample.Id, cgroup.value))) {
    return `the engine's container processes are not visible in this PID namespace (process ${pid} of ${sample.Name.replace(/^\//, '')} is ${cgroup.ok ? "someone else's" : 'not there'} here)`;
  }
  const link = await view.readLink('ns/net');
  if (!link.ok && link.reason === 'permission') return `reading the containers' /proc/PID/ns is denied to this user (uid ${process.getuid?.()}); root or CAP_SYS_PTRACE is needed`;
  return null;
}

function helperDetail(engine: EngineInfo, why: string | null, image: string | undefined): string {
  const reason = why === null ? 'as asked (--kernel-source helper)' : `because ${why}`;
  return `read through a helper container on the engine at ${engine.endpoint} (${image ?? 'busybox, pinned'}; --pid=host, only CAP_SYS_PTRACE, cgroupfs read-only), ${reason}; it is removed when Isolens is done`;
}

/**
 * The source for this engine. Never throws for a refused helper: that is a 'none' source whose reason every kernel
 * fact's gap repeats. The caller closes the source (it removes the helper).
 */
export async function openKernelSource(
  adapter: ContainerEngine,
  engine: EngineInfo,
  inspects: readonly InspectDocument[],
  options: KernelSourceOptions = {},
): Promise<KernelSource> {
  const mode = options.mode ?? 'auto';
  const local = options.local ?? LOCAL_HOST_SOURCE;
  if (mode === 'local') {
    if (!engine.local) {
      return new UnavailableKernelSource(
        `--kernel-source local, but the engine at ${engine.endpoint} runs in a VM or on another machine, so its processes are not on this host; use --kernel-source auto or helper to read them through a helper container`,
      );
    }
    return local;
  }
  const why = mode === 'helper' ? null : await whyLocalIsIncomplete(engine, inspects, local);
  if (mode === 'auto' && why === null) return local;
  try {
    const connection = await startHelper(adapter, engine, { image: options.helperImage, onNotice: options.onNotice });
    return new HelperKernelSource(connection, { detail: helperDetail(engine, why, options.helperImage) });
  } catch (error) {
    if (!(error instanceof HelperRefusedError)) throw error;
    const detail = `no kernel source: ${why === null ? 'a helper container was asked for' : why}, and ${error.message}; kernel facts are not assessable from here and come from the engine configuration`;
    options.onNotice?.(detail);
    return new UnavailableKernelSource(detail);
  }
}

/**
 * Run `use` with the kernel source for this engine and close it afterwards, whatever happens (the helper is removed
 * even when the scan fails half-way; if Isolens itself dies, the helper's stdin closes and the engine removes it).
 * `inspects` are the running containers the auto decision looks at; listed here when not given.
 */
export async function withKernelSource<T>(
  adapter: ContainerEngine,
  engine: EngineInfo,
  options: KernelSourceOptions,
  use: (source: KernelSource) => Promise<T>,
  inspects?: readonly InspectDocument[],
): Promise<T> {
  const running = inspects ?? (await inspectRunning(adapter)).inspects;
  // A one-shot read of nothing needs no helper.
  const source =
    running.length === 0 && (options.mode ?? 'auto') === 'auto' ? (options.local ?? LOCAL_HOST_SOURCE) : await openKernelSource(adapter, engine, running, options);
  try {
    return await use(source);
  } finally {
    await source.close?.();
  }
}
