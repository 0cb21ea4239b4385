// A unix-socket proxy in front of the real engine socket: stopping it is, for a client, the engine going away and coming back.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';

export interface EngineProxy {
  path: string;
  /** Stop answering and cut every open connection (event streams included). */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The engine the tests use: DOCKER_HOST's socket when it is a unix one (as testClient() does), else the default. */
function engineSocket(): string {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

export async function startEngineProxy(path: string, target = engineSocket()): Promise<EngineProxy> {
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const start = () =>
    new Promise<void>((resolve, reject) => {
      rmSync(path, { force: true });
      server = createServer((client) => {
        const upstream = createConnection(target);
        sockets.add(client);
        sockets.add(upstream);
        client.pipe(upstream).pipe(client);
        const end = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
      });
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });
  await start();
  return { path, start, stop, close: async () => { await stop(); rmSync(path, { force: true }); } };
}
