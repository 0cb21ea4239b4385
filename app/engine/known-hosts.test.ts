// known_hosts checks on files written by OpenSSH's tools (plain, and hashed by `ssh-keygen -H`), with keys from ssh-keygen.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkHostKey, knownHostsName } from './known-hosts.js';

const SSH = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ssh');
const text = (name: string) => readFileSync(join(SSH, name), 'utf8');
/** The raw key blob a server sends in the handshake is the base64 field of its .pub file. */
const blob = (pub: string) => Buffer.from(text(pub).split(' ')[1]!, 'base64');
const ed25519 = blob('host_ed25519.pub');
const ecdsa = blob('host_ecdsa.pub');
const impostor = blob('impostor_ed25519.pub');

describe.each(['known_hosts', 'known_hosts.hashed'])('%s', (file) => {
  const knownHosts = text(file);

  it('knows the listed key of each listed name', () => {
    expect(checkHostKey(knownHosts, 'build.example.internal', 22, ed25519)).toBe('known');
    expect(checkHostKey(knownHosts, '10.1.2.3', 22, ed25519)).toBe('known');
    expect(checkHostKey(knownHosts, 'BUILD.example.internal', 22, ed25519)).toBe('known');
  });

  it('keeps ports apart: port 2222 has its own entry', () => {
    expect(checkHostKey(knownHosts, 'build.example.internal', 2222, ecdsa)).toBe('known');
    expect(checkHostKey(knownHosts, 'build.example.internal', 2222, ed25519)).toBe('unknown');
    expect(checkHostKey(knownHosts, 'build.example.internal', 22, ecdsa)).toBe('unknown');
  });

  it('a different key of the same type is a changed host', () => {
    expect(checkHostKey(knownHosts, 'build.example.internal', 22, impostor)).toBe('changed');
  });

  it('an unlisted host is unknown', () => {
    expect(checkHostKey(knownHosts, 'other.example.internal', 22, ed25519)).toBe('unknown');
  });
});

describe('patterns and markers', () => {
  const key = text('host_ed25519.pub').split(' ').slice(0, 2).join(' ');

  it('honours wildcards and negation', () => {
    const knownHosts = `*.example.internal,!secret.example.internal ${key}\n`;
    expect(checkHostKey(knownHosts, 'build.example.internal', 22, ed25519)).toBe('known');
    expect(checkHostKey(knownHosts, 'secret.example.internal', 22, ed25519)).toBe('unknown');
  });

  it('a @revoked key is refused even when another line lists it', () => {
    const knownHosts = `build.example.internal ${key}\n@revoked * ${key}\n`;
    expect(checkHostKey(knownHosts, 'build.example.internal', 22, ed25519)).toBe('revoked');
  });

  it('writes names as OpenSSH does', () => {
    expect(knownHostsName('Build.example.internal', 22)).toBe('build.example.internal');
    expect(knownHostsName('10.1.2.3', 2222)).toBe('[10.1.2.3]:2222');
  });
});
