// The security policy both hosts share (CSP, headers) and the token, cookie and Host checks of `isolens serve`.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The one Content-Security-Policy of the renderer: the Electron window sets it as a header and a meta tag,
 * `isolens serve` sends it with every response. No inline script or style, nothing remote, no framing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The same policy for a `<meta http-equiv>` tag, which cannot carry frame-ancestors (browsers ignore it there, with a warning). */
export const CONTENT_SECURITY_POLICY_META = CONTENT_SECURITY_POLICY.split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors'))
  .join('; ');

/** Sent with every response of `isolens serve`, including refusals. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Cookies ignore ports, so two `isolens serve` on 127.0.0.1 (say, one per engine) would overwrite each other's
 * token cookie in the same browser: the name carries the port to keep them apart.
 */
export function tokenCookieName(port: number): string {
  return `isolens_token_${port}`;
}

/** Tokens travel in a cookie and a query string, so they are limited to the URL- and cookie-safe base64url alphabet. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,256}$/;

/** 32 random bytes, base64url: 256 bits no one guesses. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function isValidTokenShape(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

/**
 * Constant-time comparison. Both sides are hashed first so that timingSafeEqual gets equal lengths
 * and the comparison leaks neither the content nor the length of the expected token.
 */
export function tokensEqual(candidate: string | undefined | null, expected: string): boolean {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 1024) return false;
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(candidate), digest(expected));
}

/** The value of one cookie from a Cookie header; undefined when absent. Repeated names: the first wins, as browsers send the most specific first. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

/** The token of `Authorization: Bearer <token>`; undefined for any other scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * DNS-rebinding defence: a page on evil.example that re-points its name at 127.0.0.1 still sends `Host: evil.example`,
 * so only the loopback names with our own port are accepted.
 */
export function isAllowedHost(hostHeader: string | undefined, port: number): boolean {
  return hostHeader === `127.0.0.1:${port}` || hostHeader === `localhost:${port}`;
}

/** The Set-Cookie value carrying the token: never readable by scripts, never sent cross-site. */
export function tokenCookie(port: number, token: string): string {
  return `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}
