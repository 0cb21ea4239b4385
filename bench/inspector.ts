// One V8 inspector session over its WebSocket (a child started with --inspect=127.0.0.1:0): send a method, await its answer.
import WebSocket from 'ws';

export interface InspectorSession {
  call(method: string, params?: object): Promise<any>;
  close(): void;
}

/** The ws:// address a child started with --inspect printed ("Debugger listening on ws://…"), if it has yet. */
export function inspectorUrlIn(output: string): string | undefined {
  return /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(output)?.[0];
}

export async function inspector(url: string): Promise<InspectorSession> {
  const socket = new WebSocket(url);
  await new Promise((done, fail) => socket.once('open', done).once('error', fail));
  let next = 1;
  const pending = new Map<number, (value: any) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) {
      pending.get(message.id)?.(message.result);
      pending.delete(message.id);
    }
  });
  return {
    call: (method, params = {}) =>
      new Promise((done) => {
        const id = next++;
        pending.set(id, done);
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

export interface MemoryBreakdown {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** V8's spaces: [name, committed size, used size], bytes. */
  spaces: Array<[string, number, number]>;
}

const MEMORY_EXPRESSION = `JSON.stringify({ ...process.memoryUsage(), spaces: process.getBuiltinModule('v8').getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size, s.space_used_size]) })`;

/** process.memoryUsage() and the V8 heap spaces of the inspected process. */
export async function memoryOf(session: InspectorSession): Promise<MemoryBreakdown> {
  const answer = (await session.call('Runtime.evaluate', { expression: MEMORY_EXPRESSION, returnByValue: true })) as { result: { value: string } };
  return JSON.parse(answer.result.value) as MemoryBreakdown;
}

/** "heap 80/120 MiB (used/committed), external 3, arrayBuffers 1; old 60/70, new 8/16, …" */
export function describeMemory(memory: MemoryBreakdown): string {
  const mib = (bytes: number) => (bytes / 1048576).toFixed(0);
  const spaces = memory.spaces
    .filter(([, size]) => size >= 1048576)
    .map(([name, size, used]) => `${name.replace(/_space$/, '')} ${mib(used)}/${mib(size)}`)
    .join(', ');
  return `heap ${mib(memory.heapUsed)}/${mib(memory.heapTotal)} MiB used/committed, external ${mib(memory.external)}, arrayBuffers ${mib(memory.arrayBuffers)}; ${spaces}`;
}
