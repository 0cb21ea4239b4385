// decodeCapabilityMask against its definition (bit n of the mask, tested as a BigInt), on real masks and on any 64-bit or wider mask.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAPABILITIES, decodeCapabilityMask } from './capabilities.js';

/** The definition: bit n set ⇒ the capability with bit n (CAP_<n> when the table has none), for n in 0..63. */
function byDefinition(mask: bigint): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((mask >> BigInt(bit)) & 1n) names.push(CAPABILITIES.find((c) => c.bit === bit)?.name ?? `CAP_${bit}`);
  }
  return names;
}

describe('decodeCapabilityMask', () => {
  it('decodes masks as /proc/PID/status shows them (Docker\'s default set, everything, nothing)', () => {
    // CapBnd of a default Docker 20.10 container, of a --privileged one on a 5.x kernel, and CapEff of a non-root process.
    expect(decodeCapabilityMask(0x00000000a80425fbn)).toEqual([
      'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP',
      'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SYS_CHROOT', 'CAP_MKNOD', 'CAP_AUDIT_WRITE', 'CAP_SETFCAP',
    ]);
    expect(decodeCapabilityMask(0x000001ffffffffffn)).toEqual(byDefinition(0x000001ffffffffffn));
    expect(decodeCapabilityMask(0n)).toEqual([]);
  });

  it('equals the definition on any mask, wider than 64 bits and negative ones included', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }), (mask) => {
        expect(decodeCapabilityMask(mask)).toEqual(byDefinition(mask));
      }),
      { numRuns: 2000 },
    );
    for (const mask of [(1n << 64n) - 1n, 1n << 63n, 1n << 31n, 1n << 32n, -1n]) expect(decodeCapabilityMask(mask)).toEqual(byDefinition(mask));
  });
});
