import { describe, expect, it } from 'vitest';
import { classifyRuntime, runscFlag, sandboxKindOfCommand } from './runtime.js';
import { fixtureText } from '../kernel/fixtures/load.js';

describe('classifyRuntime', () => {
  it.each([
    ['runsc', null, 'gvisor', 'user-space-kernel'],
    ['io.containerd.runsc.v1', null, 'gvisor', 'user-space-kernel'],
    // A free name: the registered binary decides.
    ['sandboxed', '/usr/bin/runsc', 'gvisor', 'user-space-kernel'],
    ['kata-runtime', '/usr/bin/kata-runtime', 'kata', 'virtual-machine'],
    ['kata-qemu', null, 'kata', 'virtual-machine'],
    ['io.containerd.kata.v2', null, 'kata', 'virtual-machine'],
    ['sysbox-runc', '/usr/bin/sysbox-runc', 'sysbox', 'shared-kernel'],
    ['runc', 'runc', 'runc', 'shared-kernel'],
    ['io.containerd.runc.v2', 'runc', 'runc', 'shared-kernel'],
    ['crun', '/usr/bin/crun', 'crun', 'shared-kernel'],
    [null, null, 'runc', 'shared-kernel'],
    ['youki', '/usr/local/bin/youki', 'other', 'shared-kernel'],
    // The path wins over a misleading name.
    ['runsc', '/usr/bin/runc', 'runc', 'shared-kernel'],
  ] as const)('%s (%s) is %s, %s', (name, path, kind, isolation) => {
    expect(classifyRuntime(name, path)).toMatchObject({ kind, isolation });
  });
});

describe('sandboxKindOfCommand', () => {
  it('recognises gVisor\'s sandbox process from its captured /proc/PID/cmdline', () => {
    expect(sandboxKindOfCommand(fixtureText('container-runsc-memory-256m', 'cmdline').split('\0')[0]!)).toBe('gvisor');
  });
  it('recognises Kata\'s hypervisors and shim; a container\'s own command is no sandbox', () => {
    for (const argv0 of ['/usr/bin/qemu-system-x86_64', '/opt/kata/bin/cloud-hypervisor', 'firecracker', '/usr/bin/containerd-shim-kata-v2']) expect(sandboxKindOfCommand(argv0)).toBe('kata');
    for (const argv0 of ['sleep', '/bin/sh', 'runsc', 'runsc-gofer']) expect(sandboxKindOfCommand(argv0)).toBeNull();
  });
});

describe('runscFlag', () => {
  it('reads Go boolean flags in their three spellings; the last one wins', () => {
    expect(runscFlag(['--network=none'], 'net-raw')).toBe(false);
    expect(runscFlag(['--net-raw'], 'net-raw')).toBe(true);
    expect(runscFlag(['-net-raw=true'], 'net-raw')).toBe(true);
    expect(runscFlag(['--net-raw', '--net-raw=false'], 'net-raw')).toBe(false);
    expect(runscFlag(['--oci-seccomp'], 'net-raw')).toBe(false);
  });
});
