// /proc/PID/net/dev: byte and packet counters of every interface in the process's network namespace.
import type { ReadResult } from './read.js';
import type { KernelProcess } from './source.js';

export interface NetworkInterfaceCounters {
  /** Interface name: inside a container this is chosen by whoever holds CAP_NET_ADMIN there, so it is attacker text. */
  name: string;
  receiveBytes: number;
  receivePackets: number;
  receiveErrors: number;
  receiveDrops: number;
  transmitBytes: number;
  transmitPackets: number;
  transmitErrors: number;
  transmitDrops: number;
}

export interface NetworkTotals {
  receiveBytes: number;
  receivePackets: number;
  transmitBytes: number;
  transmitPackets: number;
}

/**
 * Parse /proc/net/dev. The two header lines are skipped; the name ends at the first ':' (interface names cannot contain
 * one), which matters because a wide counter is printed right after the colon with no space.
 * Columns: 8 receive (bytes packets errs drop fifo frame compressed multicast), then 8 transmit (bytes packets errs drop …).
 */
export function parseNetDev(text: string): NetworkInterfaceCounters[] {
  const interfaces: NetworkInterfaceCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const name = line.slice(0, colon).trim();
    const values = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (!name || values.length < 16 || values.some((v) => !Number.isFinite(v))) continue;
    const at = (index: number) => values[index]!;
    interfaces.push({
      name,
      receiveBytes: at(0),
      receivePackets: at(1),
      receiveErrors: at(2),
      receiveDrops: at(3),
      transmitBytes: at(8),
      transmitPackets: at(9),
      transmitErrors: at(10),
      transmitDrops: at(11),
    });
  }
  return interfaces;
}

/** Traffic that leaves the namespace: every interface but loopback, whose traffic never does. */
export function sumExceptLoopback(interfaces: readonly NetworkInterfaceCounters[]): NetworkTotals {
  const totals: NetworkTotals = { receiveBytes: 0, receivePackets: 0, transmitBytes: 0, transmitPackets: 0 };
  for (const counters of interfaces) {
    if (counters.name === 'lo') continue;
    totals.receiveBytes += counters.receiveBytes;
    totals.receivePackets += counters.receivePackets;
    totals.transmitBytes += counters.transmitBytes;
    totals.transmitPackets += counters.transmitPackets;
  }
  return totals;
}

/** Read the counters of a process's network namespace (the container's view, read from the host). */
export async function readNetDev(process: KernelProcess): Promise<ReadResult<NetworkInterfaceCounters[]>> {
  const text = await process.readText('net/dev');
  return text.ok ? { ok: true, value: parseNetDev(text.value) } : text;
}
