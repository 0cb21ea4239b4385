// Chart colours chosen to read on both the light and the dark theme (SVG presentation attributes cannot use CSS variables).
import type { Grade } from '../../app/model/schema.js';

/** The same fills as the CSS grade badges (styles.css --grade-*): white text on each is at least 4.5:1. */
export const GRADE_COLORS: Record<Grade, string> = { A: '#15803d', B: '#4d7c0f', C: '#a16207', D: '#c2410c', E: '#dc2626', F: '#9f1239' };
export const SERIES = { cpu: '#3b82f6', memory: '#a855f7', pids: '#0d9488', rx: '#3b82f6', tx: '#f59e0b', read: '#16a34a', write: '#e11d48', limit: '#dc2626' } as const;
