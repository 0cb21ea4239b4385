// `--since 24h`, `--retention 90d`: a duration in words a shell user types.
const UNITS_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "90s", "30m", "24h", "7d", "2w", or a combination such as "1d12h"; null when the text is not one. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (!/^(\d+[smhdw])+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([smhdw])/g)) total += Number(amount) * UNITS_MS[unit!]!;
  return total > 0 && Number.isSafeInteger(total) ? total : null;
}
