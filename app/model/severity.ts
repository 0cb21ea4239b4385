// The severity levels, worst first: zod-free, so the CLI can name them in --help before any schema is loaded.
export const SEVERITY_LEVELS = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];
