// Capability names, bits and descriptions, and the engines' default sets: read from assets/data, the one place they live.
import table from '../../assets/data/capabilities.json' with { type: 'json' };
import defaults from '../../assets/data/engine-defaults.json' with { type: 'json' };

export interface CapabilityInfo {
  bit: number;
  name: string;
  allows: string;
  /** What an attacker inside a container does with it; present for the dangerous ones. */
  attacker?: string;
  /** What holding it means, in plain words, as a finding's title ("Can load kernel modules…"); for the dangerous ones. */
  plain?: string;
}

export const CAPABILITIES: readonly CapabilityInfo[] = table.capabilities;
const byBit = new Map(CAPABILITIES.map((c) => [c.bit, c]));
const byName = new Map(CAPABILITIES.map((c) => [c.name, c]));

export function capabilityInfo(name: string): CapabilityInfo | undefined {
  return byName.get(normalizeCapabilityName(name));
}

/** "sys_admin", "SYS_ADMIN", "CAP_SYS_ADMIN" → "CAP_SYS_ADMIN" (engines accept all three). */
export function normalizeCapabilityName(name: string): string {
  const upper = name.trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** Decode a capability mask (the hex of CapEff/CapBnd…) into names; unknown bits become CAP_<bit>. */
export function decodeCapabilityMask(mask: bigint): string[] {
  // Two 32-bit halves tested as numbers: a BigInt shift per bit allocated 64 BigInts per mask, five masks per container.
  // asUintN keeps the two's-complement bits a negative mask's shifts had.
  const halves = [Number(BigInt.asUintN(32, mask)), Number(BigInt.asUintN(32, mask >> 32n))];
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((halves[bit >>> 5]! >>> (bit & 31)) & 1) names.push(byBit.get(bit)?.name ?? `CAP_${bit}`);
  }
  return names;
}

export type EngineKindName = 'docker' | 'podman';

export function defaultCapabilities(kind: EngineKindName | null): readonly string[] {
  return kind === 'podman' ? defaults.podman : defaults.docker;
}

/** Every capability the kernel table knows: what "ALL" means for --cap-add/--cap-drop. */
export function allCapabilityNames(): string[] {
  return CAPABILITIES.map((c) => c.name);
}
