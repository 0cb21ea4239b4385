// Maps a request path to a file inside the built renderer, and never to anything outside it.
import { realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticLookup = { kind: 'file'; path: string; sizeBytes: number } | { kind: 'not-found' } | { kind: 'bad-path' };

function inside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The file for a URL path (`/` is index.html). Refuses `..`, encoded separators, NUL bytes, and symlinks that lead
 * outside the directory: the lexical check runs on the resolved path, then again on the real path.
 */
export async function findStaticFile(rootDirectory: string, urlPath: string): Promise<StaticLookup> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: 'bad-path' };
  }
  if (decoded.includes('\0') || decoded.includes('\\') || !decoded.startsWith('/')) return { kind: 'bad-path' };
  const root = resolve(rootDirectory);
  const relativePath = decoded === '/' ? 'index.html' : `.${decoded}`;
  const candidate = resolve(root, relativePath);
  if (!inside(root, candidate)) return { kind: 'bad-path' };
  try {
    const [realRoot, realCandidate] = await Promise.all([realpath(root), realpath(candidate)]);
    if (!inside(realRoot, realCandidate)) return { kind: 'bad-path' };
    const info = await stat(realCandidate);
    if (!info.isFile()) return { kind: 'not-found' };
    return { kind: 'file', path: realCandidate, sizeBytes: info.size };
  } catch {
    return { kind: 'not-found' };
  }
}
