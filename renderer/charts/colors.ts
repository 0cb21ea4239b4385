// Chart colours chosen to read on both the light and the dark theme (SVG presentation attributes cannot use CSS variables).
import type { Grade } from '../../app/model/schema.js';

export const GRADE_COLORS: Record<Grade, string> = { A: '#16a34a', B: '#65a30d', C: '#ca8a04', D: '#ea580c', E: '#dc2626', F: '#9f1239' };
export const SERIES = { cpu: '#3b82f6', memory: '#a855f7', pids: '#0d9488', rx: '#3b82f6', tx: '#f59e0b', read: '#16a34a', write: '#e11d48', limit: '#dc2626' } as const;
