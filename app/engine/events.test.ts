// Event stream parsing on captured Docker and Podman streams, whatever the chunking, and the watch/stop life cycle.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineUnreachableError } from './connect.js';
import { createClient } from './dockerode-client.js';
import { EventLineSplitter, parseEventLine, watchContainerEvents, type ContainerEvent } from './events.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
// docker run (with a non-ASCII label), docker exec, docker stop, docker rm, as dockerd 20.10 streamed them.
const dockerStream = readFileSync(join(FIXTURES, 'docker-events-run-exec-stop-rm.ndjson'));
const podmanStream = readFileSync(join(FIXTURES, 'podman-events-create-remove.ndjson'));

function splitAll(bytes: Buffer, chunkSize: number): ContainerEvent[] {
  const events: ContainerEvent[] = [];
  const splitter = new EventLineSplitter((event) => events.push(event));
  for (let offset = 0; offset < bytes.length; offset += chunkSize) splitter.push(bytes.subarray(offset, offset + chunkSize));
  splitter.end();
  return events;
}

describe('parsing the event stream', () => {
  it('reads every container event of the captured Docker stream', () => {
    const events = splitAll(dockerStream, dockerStream.length);
    expect(events.map((event) => event.action)).toEqual([
      'create', 'start', 'exec_create: sh -c true', 'exec_start: sh -c true', 'exec_die', 'kill', 'kill', 'die', 'stop', 'destroy',
    ]);
    const first = JSON.parse(dockerStream.toString('utf8').split('\n')[0]!) as { timeNano: number; Actor: { ID: string } };
    expect(first.Actor.ID).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(events.map((event) => event.id))).toEqual(new Set([first.Actor.ID]));
    expect(events[0]!.timeMs).toBe(Math.floor(first.timeNano / 1e6));
  });

  it.each([1, 2, 7, 64, 333, 4096])('gives the same events when the stream arrives in %i-byte chunks (splitting UTF-8 too)', (size) => {
    expect(splitAll(dockerStream, size)).toEqual(splitAll(dockerStream, dockerStream.length));
  });

  it('reads the captured Podman stream', () => {
    const events = splitAll(podmanStream, 5);
    expect(events.map((event) => event.action)).toEqual(['create', 'remove', 'create', 'remove']);
    expect(events[0]!.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('skips what is not a usable container event', () => {
    expect(parseEventLine('not json')).toBeNull();
    expect(parseEventLine('{"Type":"network","Action":"connect","Actor":{"ID":"abc"}}')).toBeNull();
    expect(parseEventLine('{"Type":"container","Actor":{"ID":"abc"}}')).toBeNull();
    expect(parseEventLine('{"Type":"container","Action":5,"Actor":{"ID":"abc"}}')).toBeNull();
    expect(parseEventLine('{"status":"start","id":"abc","time":1700000000}')).toEqual({ action: 'start', id: 'abc', timeMs: 1_700_000_000_000 });
  });

  it('a last line without a newline still counts', () => {
    const lastLine = dockerStream.toString('utf8').trimEnd().split('\n').at(-1)!;
    expect(splitAll(Buffer.from(lastLine), 10).map((event) => event.action)).toEqual(['destroy']);
  });
});

describe('watchContainerEvents', () => {
  let dir: string;
  let server: http.Server;
  const requests: string[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eng-events-'));
    requests.length = 0;
  });

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** An engine whose /events sends the captured stream in small pieces, then either ends or keeps the stream open. */
  async function engine(options: { end: boolean }): Promise<string> {
    const path = join(dir, 'docker.sock');
    server = http.createServer((request, response) => {
      requests.push(decodeURIComponent(request.url ?? ''));
      response.writeHead(200, { 'Content-Type': 'application/json' });
      let offset = 0;
      const timer = setInterval(() => {
        if (offset >= dockerStream.length) {
          clearInterval(timer);
          if (options.end) response.end();
          return;
        }
        response.write(dockerStream.subarray(offset, offset + 97));
        offset += 97;
      }, 2);
      response.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return path;
  }

  it('streams type=container events and reports the end of the stream', async () => {
    const path = await engine({ end: true });
    const client = createClient({ endpoint: `unix://${path}`, source: '--host', tls: null, contextName: null });
    const events: ContainerEvent[] = [];
    const closed = await new Promise<Error | null>((resolve) => watchContainerEvents(client, (event) => events.push(event), resolve));
    expect(closed).toBeNull();
    expect(events.map((event) => event.action)).toEqual(splitAll(dockerStream, dockerStream.length).map((event) => event.action));
    expect(requests[0]).toMatch(/^\/events\?filters=\{"type":\["container"\]\}$/);
  });

  it('keeps an idle stream open past the request timeout, and stop() ends it without calling back', async () => {
    const path = await engine({ end: false });
    const client = createClient({ endpoint: `unix://${path}`, source: '--host', tls: null, contextName: null }, { timeoutMs: 100 });
    const events: ContainerEvent[] = [];
    let closedWith: Error | null | undefined;
    const stop = watchContainerEvents(client, (event) => events.push(event), (error) => (closedWith = error));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(events).toHaveLength(10);
    expect(closedWith).toBeUndefined();
    stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closedWith).toBeUndefined();
  });

  it('an engine that is not there closes the watch with an EngineUnreachableError', async () => {
    const client = createClient({ endpoint: `unix://${join(dir, 'gone.sock')}`, source: '--host', tls: null, contextName: null });
    const closed = await new Promise<Error | null>((resolve) => watchContainerEvents(client, () => undefined, resolve));
    expect(closed).toBeInstanceOf(EngineUnreachableError);
    expect(closed?.message).toMatch(/^no engine socket at .*gone\.sock;/);
  });
});
