// Round axis ticks (1, 2, 2.5, 5 × 10ⁿ of the display unit) so charts read "0, 64 MiB, 128 MiB" rather than "62.0 MiB".

function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const exponent = Math.floor(Math.log10(raw));
  const base = 10 ** exponent;
  const fraction = raw / base;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * base;
}

/**
 * Ticks from 0 to at least `max` in 3 to 5 equal round steps, the tightest fit; `unit` is the display unit (1 for %,
 * 1024ⁿ for bytes). In the base unit (percent, processes, bytes) a step is at least 1, so an idle series (all zeros,
 * one process) gets distinct labels ("0, 1, 2, 3, 4") instead of "0, 0, 0"; larger units keep fractional steps (0.5 MiB).
 */
export function niceTicks(max: number, unit = 1): number[] {
  let best: number[] = [];
  for (const count of [4, 5, 3]) {
    const step = Math.max(unit === 1 ? 1 : 0, niceStep(Math.max(max, Number.EPSILON) / unit / count)) * unit;
    const ticks = Array.from({ length: count + 1 }, (_, i) => i * step);
    if (best.length === 0 || ticks.at(-1)! < best.at(-1)!) best = ticks;
  }
  return best;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** An axis label in a fixed unit, so every tick of one axis reads in the same unit ("0.5 MiB/s", "1.0 MiB/s"). */
export function formatInUnit(value: number, unit: number, suffix = ''): string {
  const name = BYTE_UNITS[Math.round(Math.log(unit) / Math.log(1024))] ?? 'B';
  const scaled = value / unit;
  return `${Number.isInteger(scaled) ? scaled : scaled.toFixed(1)} ${name}${suffix}`;
}

/** The binary unit that bytes are shown in (B, KiB, MiB …) for a given maximum. */
export function byteUnit(max: number): number {
  let unit = 1;
  while (max / unit >= 1024 && unit < 1024 ** 4) unit *= 1024;
  return unit;
}
