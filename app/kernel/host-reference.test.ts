import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NAMESPACE_KINDS } from '../model/schema.js';
import { ParentReferences, readParentReference, readReaderReference } from './host-reference.js';
import { LocalKernelSource } from './source.js';
import { fixtureText } from './fixtures/load.js';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A /proc with a "self" (the helper: private net, uts, ipc, mnt) and a parent shim in the host's namespaces. */
function procTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'kern-ref-'));
  roots.push(root);
  const process = (name: string, inodeBase: number, status: string) => {
    mkdirSync(join(root, name, 'ns'), { recursive: true });
    NAMESPACE_KINDS.forEach((kind, index) => symlinkSync(`${kind}:[${inodeBase + index}]`, join(root, name, 'ns', kind)));
    writeFileSync(join(root, name, 'status'), status);
    writeFileSync(join(root, name, 'comm'), `${name === 'self' ? 'sh' : 'containerd-shim'}\n`);
  };
  process('self', 4026532100, fixtureText('container-cap-drop-all-add-net-bind-service', 'status'));
  process('900', 4026531830, fixtureText('host', 'status'));
  return root;
}

describe('host reference', () => {
  it('reader: the reading process itself, with its bounding set', async () => {
    const reference = await readReaderReference(new LocalKernelSource({ proc: procTree() }));
    expect(reference.process).toBe('self');
    expect(reference.namespaces.net).toEqual({ ok: true, value: 4026532100 + NAMESPACE_KINDS.indexOf('net') });
    // The helper drops every capability but the one it needs: its own bounding set is no reference for the host's.
    expect(reference.bounding).toEqual(['CAP_NET_BIND_SERVICE']);
  });

  it("container-parent: the shim's namespaces and full bounding set, named for messages; cached per parent", async () => {
    const source = new LocalKernelSource({ proc: procTree() }, { hostReference: 'container-parent' });
    const reference = (await readParentReference(source, 900, 'containerd-shim'))!;
    expect(reference.process).toBe('900 (containerd-shim)');
    expect(reference.namespaces.net).toEqual({ ok: true, value: 4026531830 + NAMESPACE_KINDS.indexOf('net') });
    expect(reference.bounding!.length).toBeGreaterThan(30);
    const parents = new ParentReferences(source);
    const first = parents.get(900);
    expect(parents.get(900)).toBe(first);
    expect((await first)!.process).toBe('900 (containerd-shim)');
  });

  it('a parent of 0 (the reader is inside the PID namespace) is no reference; a vanished parent is failures, not a throw', async () => {
    const source = new LocalKernelSource({ proc: procTree() });
    expect(await readParentReference(source, 0)).toBeNull();
    const gone = (await readParentReference(source, 901))!;
    expect(gone.namespaces.pid).toMatchObject({ ok: false, reason: 'vanished' });
    expect(gone.bounding).toBeNull();
  });
});
