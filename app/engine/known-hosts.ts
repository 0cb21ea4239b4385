// Checking an ssh host key against known_hosts as OpenSSH does, because dockerode's ssh transport (ssh2) checks none by itself.

export type HostKeyVerdict =
  /** A line for this host holds exactly this key. */
  | 'known'
  /** The host is listed with a key of the same type that differs: a changed host or a man in the middle. */
  | 'changed'
  /** The key is marked @revoked. */
  | 'revoked'
  /** The host is not listed with a key of this type. */
  | 'unknown';

/** How OpenSSH writes a host in known_hosts: bare on port 22, "[host]:port" otherwise. */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** The key type named inside an ssh public key blob (a length-prefixed string, e.g. "ssh-ed25519"). */
function blobKeyType(key: Buffer): string | null {
  if (key.length < 4) return null;
  const length = key.readUInt32BE(0);
  return length > 0 && length < 64 && key.length >= 4 + length ? key.subarray(4, 4 + length).toString('latin1') : null;
}

function wildcardMatches(pattern: string, name: string): boolean {
  const expression = pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${expression}$`).test(name);
}

/** One host pattern (plain, wildcard or hashed "|1|salt|hash") against the host name. */
function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    // node:crypto only for a hashed known_hosts entry (an ssh endpoint): every other start would load it for nothing.
    const { createHmac } = process.getBuiltinModule('node:crypto') as typeof import('node:crypto');
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return wildcardMatches(pattern, name);
}

/** A comma-separated pattern list: any positive match, and no negated ("!pattern") one. */
function hostListMatches(list: string, name: string): boolean {
  let matched = false;
  for (const pattern of list.split(',')) {
    if (pattern.startsWith('!')) {
      if (patternMatches(pattern.slice(1), name)) return false;
    } else if (patternMatches(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** What known_hosts says about the key a host presented (key is the raw blob, as sent in the ssh handshake). */
export function checkHostKey(knownHosts: string, host: string, port: number, key: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const type = blobKeyType(key);
  let sameTypeListed = false;
  let known = false;
  for (const raw of knownHosts.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]!.startsWith('@') ? fields.shift()! : null;
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64) continue;
    if (marker === '@cert-authority') continue; // host certificates are not offered by ssh2
    if (!hostListMatches(hosts, name)) continue;
    const listedKey = Buffer.from(keyBase64, 'base64');
    if (marker === '@revoked') {
      if (listedKey.equals(key)) return 'revoked';
      continue;
    }
    if (listedKey.equals(key)) known = true;
    else if (keyType === type) sameTypeListed = true;
  }
  if (known) return 'known';
  return sameTypeListed ? 'changed' : 'unknown';
}
