// How a viewer (a window, a browser tab) tells the live host what it shows, so only that is sampled every second.
// Constants only, no dependencies: the renderer imports them without bundling the API's validators.

/** More than any viewport, drill-down and compare view show at once; the union is capped by the running containers anyway. */
export const MAX_VISIBLE_CONTAINERS = 512;
/** How long a viewer's list holds without being repeated. */
export const VIEWER_TTL_MS = 30_000;
/** How often the renderer repeats its list (well inside VIEWER_TTL_MS, so one lost request costs nothing). */
export const VIEWER_REFRESH_MS = 10_000;
/** Viewers kept at once; the one refreshed longest ago goes first (it comes back with its next refresh). */
export const MAX_VIEWERS = 32;
/**
 * Containers no viewer shows are sampled once in this many stats intervals (every 10 s at 1 Hz), spread over the
 * intervals by id: often enough for the table's sort by CPU or memory, which re-reads live values every 5 s anyway.
 * The renderer's charts read it too: it is the slowest spacing of samples that is not a gap.
 */
export const UNSEEN_EVERY = 10;
