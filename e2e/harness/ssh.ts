// An ssh server that stands in for an engine host: `docker system dial-stdio` joins the channel to an engine socket.
import net from 'node:net';
import { Server as SshServer } from 'ssh2';

/** Accepts any client (auth "none"), records each command it is asked to run, and pipes the channel to socketPath. */
export function dialStdioSshServer(hostKey: Buffer, socketPath: string, commands: string[]): SshServer {
  return new SshServer({ hostKeys: [hostKey] }, (connection) => {
    connection.on('authentication', (context) => (context.method === 'none' ? context.accept() : context.reject()));
    connection.on('session', (accept) => {
      accept().on('exec', (acceptExec, _reject, info) => {
        commands.push(info.command);
        const channel = acceptExec();
        const socket = net.connect(socketPath);
        channel.pipe(socket).pipe(channel);
        socket.on('close', () => channel.close());
      });
    });
    connection.on('error', () => undefined);
  });
}
