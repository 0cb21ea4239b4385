// A unix-socket proxy in front of the real engine socket, for faults a real engine shows: stopping it is the engine
// going away and coming back; cutEvents() cuts event streams mid-way; hold()/release() and delayMs make the engine slow.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';

export interface EngineProxy {
  path: string;
  /** Stop answering and cut every open connection (event streams included). */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  /** Cut the open `GET /events` streams only, as a proxy or load balancer timing out a long request would; returns how many. */
  cutEvents(): number;
  /** How many `GET /events` streams are open now. */
  openEventStreams(): number;
  /** Hold every answer from the engine (requests still reach it) until release(): an engine that stalls. */
  hold(): void;
  release(): void;
  /** Delay each chunk of every answer by this many milliseconds (0: none): an engine that answers slowly. */
  delayMs: number;
  /** Requests seen, by method and path without the API version ("GET /containers/json"). */
  requests: string[];
}

/** The engine the tests use: DOCKER_HOST's socket when it is a unix one (as testClient() does), else the default. */
function engineSocket(): string {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

/**
 * `path` is a unix socket path, or `tcp://127.0.0.1:0` for a loopback TCP port (the engine then is not local to a
 * client); proxy.path is then the endpoint with the port that was given.
 */
export async function startEngineProxy(path: string, target = engineSocket()): Promise<EngineProxy> {
  const tcp = /^tcp:\/\/(127\.0\.0\.1):(\d+)$/.exec(path);
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const eventStreams = new Set<Socket>();
  let held: Array<() => void> | null = null;
  const proxy: EngineProxy = {
    path,
    delayMs: 0,
    requests: [],
    start: () => start(),
    stop: () => stop(),
    close: async () => {
      await stop();
      if (!tcp) rmSync(path, { force: true });
    },
    cutEvents() {
      const cut = eventStreams.size;
      for (const socket of eventStreams) socket.destroy();
      eventStreams.clear();
      return cut;
    },
    openEventStreams: () => eventStreams.size,
    hold() {
      held ??= [];
    },
    release() {
      const waiting = held ?? [];
      held = null;
      for (const resume of waiting) resume();
    },
  };

  /** Forward engine → client, honouring hold() and delayMs; chunk order is kept per connection. */
  const forward = (upstream: Socket, client: Socket) => {
    let queue = Promise.resolve();
    upstream.on('data', (chunk: Buffer) => {
      queue = queue.then(async () => {
        if (held) await new Promise<void>((resume) => held!.push(resume));
        if (proxy.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, proxy.delayMs));
        if (!client.destroyed) client.write(chunk);
      });
    });
    upstream.on('end', () => void queue.then(() => client.end()));
  };

  const start = () =>
    new Promise<void>((resolve, reject) => {
      if (!tcp) rmSync(path, { force: true });
      server = createServer((client) => {
        const upstream = createConnection(target);
        sockets.add(client);
        sockets.add(upstream);
        client.on('data', (chunk: Buffer) => {
          // Keep-alive connections carry one request after another: a chunk that starts with a request line starts one.
          const line = /^(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/1\.[01]\r\n/.exec(chunk.subarray(0, 4096).toString('latin1'));
          if (line) {
            const route = line[2]!.replace(/^\/v\d+\.\d+/, '').replace(/\?.*$/, '');
            proxy.requests.push(`${line[1]} ${route}`);
            if (route === '/events') eventStreams.add(client);
            else eventStreams.delete(client);
          }
          upstream.write(chunk);
        });
        client.on('end', () => upstream.end());
        forward(upstream, client);
        const end = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
          eventStreams.delete(client);
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
      });
      server.once('error', reject);
      if (!tcp) return void server.listen(path, () => resolve());
      const listening = server;
      listening.listen(Number(tcp[2]), tcp[1], () => {
        proxy.path = `tcp://${tcp[1]}:${(listening.address() as { port: number }).port}`;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      proxy.release();
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      eventStreams.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });
  await start();
  return proxy;
}
