// `isolens exporter`: argument checks and the run loop; the metrics, state and listener are in app/exporter.
import type { Command } from 'commander';
import type { ServerHistoryFlags } from '../history/api.js';
import { addServerHistoryOptions } from './history.js';

export interface ExporterCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  setExitCode: (code: number) => void;
}

const EXIT_ERROR = 1;
const EXIT_USAGE = 2;

const HELP_AFTER = `
Serves GET /metrics in the Prometheus text format: read-only, no UI, no lab, no probes. The state is kept current
from engine events (as in serve); a scrape is answered from it and never starts a scan.

Default port 7718: exporters need a fixed port (it is part of every series' instance label), the community's
allocation list is full from 9100 to 9999 and grows one registration at a time past 10000, so Isolens takes a port
outside that list, next to serve's 7717, below the ephemeral (32768+) and Kubernetes NodePort (30000+) ranges.

Listening beyond loopback needs --web.config.file with TLS and basic auth (or a verified client certificate), in the
Prometheus exporter-toolkit's format, or an explicit --insecure:

  tls_server_config:
    cert_file: isolens.crt
    key_file: isolens.key
  basic_auth_users:
    prometheus: $2y$10$...        # htpasswd -nBC 10 "" | tr -d ':\\n'

--finding-series adds isolens_finding_info{id,name,rule,severity,cis}: one series per finding of every container.
`;

export function registerExporterCommand(program: Command, io: ExporterCommandIo): void {
  const exporter = program
    .command('exporter')
    .description('Serve Prometheus metrics of every running container\'s isolation (default 127.0.0.1:7718)')
    .option('-H, --host <endpoint>', 'engine endpoint (unix:///path, tcp://host:port); default: like the docker CLI')
    .option('--listen <host:port>', 'address to listen on; beyond loopback needs --web.config.file (TLS + auth) or --insecure', '127.0.0.1:7718')
    .option('--web.config.file <path>', 'exporter-toolkit web config: tls_server_config, basic_auth_users (bcrypt), http_server_config.headers')
    .option('--insecure', 'allow plain HTTP without authentication beyond loopback')
    .option('--finding-series', 'also export isolens_finding_info, one series per finding (see the cardinality note in the README)');
  addServerHistoryOptions(exporter)
    .addHelpText('after', HELP_AFTER)
    .action(async (options: ExporterOptions) => {
      io.setExitCode(await exporterCommand(options, io));
    });
}

type ExporterOptions = ServerHistoryFlags & { host?: string; listen: string; 'web.config.file'?: string; insecure?: boolean; findingSeries?: boolean };

async function exporterCommand(options: ExporterOptions, io: ExporterCommandIo): Promise<number> {
  // Loaded here, not at CLI start-up: only this command needs prom-client and the listener.
  const { parseListen, exposureProblem, startExporterServer, ListenError } = await import('../exporter/server.js');
  const { readWebConfig, WebConfigError } = await import('../exporter/web-config.js');
  const { followSession } = await import('../exporter/state.js');
  const { openSession } = await import('../poller/session.js');

  let listen;
  let web = null;
  try {
    listen = parseListen(options.listen);
    if (options['web.config.file']) web = readWebConfig(options['web.config.file']);
  } catch (error) {
    if (error instanceof ListenError || error instanceof WebConfigError) {
      io.stderr(`isolens: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  const problem = exposureProblem(listen, web, options.insecure === true);
  if (problem) {
    io.stderr(`isolens: ${problem}\n`);
    return EXIT_USAGE;
  }

  const session = await openSession({ host: options.host });
  const { keeper, stop: stopMetrics } = followSession(session, { findingSeries: options.findingSeries === true });
  const stopHistory = await recordHistory(session, options, io);
  const stop = () => {
    stopMetrics();
    stopHistory();
  };
  const state = session.engineState();
  if (state.status !== 'connected') io.stderr(`isolens: engine not reachable yet (${state.error}); retrying in the background\n`);
  let server;
  try {
    server = await startExporterServer({ listen, web, metrics: () => keeper.metrics() });
  } catch (error) {
    stop();
    session.close();
    io.stderr(`isolens: cannot listen on ${options.listen}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return EXIT_ERROR;
  }
  io.stdout(`Isolens exporter: metrics at ${server.url} (read-only). Ctrl+C stops.\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  stop();
  session.close();
  return 0;
}

/** The exporter is a long-running Isolens too: it records posture history from the same session (app/history). */
async function recordHistory(session: import('../poller/session.js').EngineSession, flags: ServerHistoryFlags, io: ExporterCommandIo): Promise<() => void> {
  if (flags.history === false) return () => undefined;
  const { openHistoryForServer } = await import('../history/api.js');
  const { recordSnapshots } = await import('../history/subscriber.js');
  const { HistoryStore } = await import('../history/store.js');
  const store = openHistoryForServer(flags, (text) => io.stderr(`isolens: ${text}\n`));
  if (!(store instanceof HistoryStore)) return () => undefined;
  const recording = recordSnapshots(session, store, { onError: (error) => io.stderr(`isolens: recording history failed: ${error.message}\n`) });
  return () => {
    recording.stop();
    store.close();
  };
}
