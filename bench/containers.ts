// The containers a benchmark starts: labelled io.isolens.owner=bench (not the tests' "test": an integration run removes
// stray test containers, and so removed a bench's --keep ones) and removed on every way out of the bench: its end, an
// error, Ctrl-C, SIGTERM or SIGHUP, an uncaught error or unhandled rejection (Node exits at once on those, skipping every
// `finally`: an interrupted bench:scan left all its containers), and, by a detached guard that outlives the bench, even
// SIGKILL or the OOM killer.
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { hostname } from 'node:os';
import type Dockerode from 'dockerode';
import { startContainer, TEST_LABEL, TEST_LABEL_VALUE, type StartedContainer } from '../e2e/harness/engine.js';

export const BENCH_OWNER = 'bench';
/** Which bench run started a container: what the guard removes. */
export const BENCH_RUN_LABEL = 'io.isolens.bench.run';

/**
 * The shell the guard runs: wait until every write end of its stdin is closed (the bench exited, however), then remove
 * the run's containers, trying again every 5 s for 5 minutes while the engine does not answer or some are left.
 */
const GUARD_SCRIPT = `cat >/dev/null
tries=0
while [ $tries -lt 60 ]; do
  if ids=$(docker ps -aq --filter "label=${BENCH_RUN_LABEL}=$1" 2>/dev/null); then
    [ -z "$ids" ] && exit 0
    echo "$ids" | xargs -n 16 docker rm -f >/dev/null 2>&1
  fi
  tries=$((tries + 1))
  sleep 5
done`;

const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

export interface BenchContainers {
  /** This run's id (the value of BENCH_RUN_LABEL on every container it starts). */
  readonly run: string;
  /** Start a bench container (the harness's sleeping test image unless options say otherwise). */
  start(name: string, options?: Parameters<typeof startContainer>[1]): Promise<StartedContainer>;
  /** The bench's containers whose name starts with the prefix, running or not (also those a bench labelled "test" before). */
  list(): Promise<Dockerode.ContainerInfo[]>;
  /** Remove them (a few at a time, each retried); prints and returns what could not be removed. */
  remove(): Promise<{ removed: number; left: string[] }>;
  /** At the bench's end: remove them, unless keep, and stop watching for signals. */
  finish(options?: { keep?: boolean }): Promise<void>;
}

/**
 * The containers of one bench run, all named `prefix…`. With keep (--keep), no guard is started and an interrupted run
 * leaves them too, as --keep asks; without it, they go on every way out.
 */
export function benchContainers(client: Dockerode, prefix: string, options: { keep?: boolean } = {}): BenchContainers {
  const run = `${hostname()}-${process.pid}-${Date.now().toString(36)}`;
  let finished = false;

  const list = async (): Promise<Dockerode.ContainerInfo[]> => {
    // Before this change benches labelled theirs "test": those under the prefix are the bench's too.
    const [bench, legacy] = await Promise.all(
      [BENCH_OWNER, TEST_LABEL_VALUE].map((owner) => client.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${owner}`] } })),
    );
    return [...bench!, ...legacy!].filter((container) => container.Names.some((name) => name.replace(/^\//, '').startsWith(prefix)));
  };

  const remove = async (): Promise<{ removed: number; left: string[] }> => {
    const mine = await list();
    let next = 0;
    let removed = 0;
    // A few at a time: 500 force-removals at once left dockerd 20.10 deadlocked (every later call hung).
    const remover = async () => {
      while (next < mine.length) {
        const container = client.getContainer(mine[next++]!.Id);
        for (let attempt = 0; attempt < 3; attempt++) {
          try {
            await container.remove({ force: true });
            removed++;
            break;
          } catch (error) {
            if ((error as { statusCode?: number }).statusCode === 404) break; // gone already
            await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, mine.length) }, remover));
    const left = (await list().catch(() => mine)).map((container) => container.Names[0]!.replace(/^\//, ''));
    if (left.length > 0) {
      console.error(`could not remove ${left.length} bench containers (${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''}); remove them with:`);
      console.error(`  docker rm -f $(docker ps -aq --filter label=${TEST_LABEL}=${BENCH_OWNER} --filter name=${prefix})`);
    }
    return { removed, left };
  };

  if (!options.keep) {
    // Detached: a Ctrl-C reaches the terminal's process group, not the guard; its stdin's write end is only ours.
    const guard = spawn('sh', ['-c', GUARD_SCRIPT, 'isolens-bench-guard', run], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    guard.unref();
    (guard.stdin as unknown as Socket).unref();
    guard.on('error', () => undefined);
  }

  let exitingSince = 0;
  const leave = (why: string, code: number) => {
    if (exitingSince > 0) {
      // One Ctrl-C arrives more than once (the terminal signals the whole group, and npm and tsx pass it on): only a
      // second one some time later means "now"; the guard then removes what is left.
      if (Date.now() - exitingSince > 2000) process.exit(code);
      return;
    }
    exitingSince = Date.now();
    console.error(`\n${why}: removing the bench's ${prefix}* containers…`);
    const removal = options.keep ? Promise.resolve({ removed: 0, left: [] }) : remove();
    void removal
      .then(({ removed }) => console.error(`removed ${removed} containers`))
      .catch((error: unknown) => console.error(`removing them failed (${(error as Error).message}); the bench's guard will retry`))
      .finally(() => process.exit(code));
  };
  const onSignal = (signal: NodeJS.Signals) => leave(`interrupted (${signal})`, SIGNAL_CODES[signal] ?? 1);
  const onError = (error: unknown) => {
    console.error(error);
    leave('the bench failed', 1);
  };
  for (const signal of Object.keys(SIGNAL_CODES) as NodeJS.Signals[]) process.on(signal, onSignal);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);

  return {
    run,
    start: (name, startOptions = {}) =>
      startContainer(name, { ...startOptions, Labels: { ...(startOptions.Labels ?? {}), [BENCH_RUN_LABEL]: run } }, client, BENCH_OWNER),
    list,
    remove,
    async finish(finishOptions = {}) {
      if (finished) return;
      finished = true;
      try {
        if (finishOptions.keep ?? options.keep) console.log(`\nleaving the ${prefix}* containers running (--keep)`);
        else console.log(`\nremoving ${(await remove()).removed} containers`);
      } finally {
        for (const signal of Object.keys(SIGNAL_CODES) as NodeJS.Signals[]) process.off(signal, onSignal);
        process.off('uncaughtException', onError);
        process.off('unhandledRejection', onError);
      }
    },
  };
}
