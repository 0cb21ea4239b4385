// LabOptions validation (they come from the UI and HTTP) and what each option becomes in the engine's create request.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createLabSession, labCreateOptions, labDockerRun, LabOptions, readSeccompProfile } from './lab.js';

const IMAGE = 'isolens-test/busybox:latest';

describe('LabOptions', () => {
  it('fills defaults: the engine default container', () => {
    expect(LabOptions.parse({ image: IMAGE })).toEqual({
      image: IMAGE,
      dropAllCapabilities: false,
      addCapabilities: [],
      readOnly: false,
      tmpfs: ['/tmp'],
      noNewPrivileges: false,
      seccomp: 'default',
      user: null,
      memoryBytes: null,
      cpus: null,
      pidsLimit: null,
      networkNone: false,
    });
  });

  it('normalises capability names and refuses unknown ones', () => {
    expect(LabOptions.parse({ image: IMAGE, addCapabilities: ['sys_admin', 'CAP_NET_RAW'] }).addCapabilities).toEqual(['CAP_SYS_ADMIN', 'CAP_NET_RAW']);
    expect(LabOptions.safeParse({ image: IMAGE, addCapabilities: ['ALL'] }).success).toBe(false);
    expect(LabOptions.safeParse({ image: IMAGE, addCapabilities: ['SYS_ADMIN; reboot'] }).success).toBe(false);
  });

  it.each([
    ['an image with shell text', { image: 'busybox; rm -rf /' }],
    ['an image with spaces', { image: 'busybox latest' }],
    ['an option the lab does not have', { image: IMAGE, privileged: true }],
    ['a memory limit below the engine minimum', { image: IMAGE, memoryBytes: 1024 }],
    ['a pids limit too small for the probes', { image: IMAGE, pidsLimit: 2 }],
    ['a negative CPU quota', { image: IMAGE, cpus: -1 }],
    ['a relative tmpfs path', { image: IMAGE, readOnly: true, tmpfs: ['tmp'] }],
    ['a tmpfs path carrying mount options', { image: IMAGE, readOnly: true, tmpfs: ['/tmp:exec'] }],
    ['a user with shell text', { image: IMAGE, user: '0; id' }],
    ['an unknown seccomp mode', { image: IMAGE, seccomp: 'off' }],
  ])('refuses %s', (_what, input) => {
    expect(LabOptions.safeParse(input).success).toBe(false);
  });

  it('accepts tags, digests and registries', () => {
    for (const image of ['busybox', 'busybox:1.36', 'registry.example.com:5000/team/app:v1.2', `alpine@sha256:${'a'.repeat(64)}`]) {
      expect(LabOptions.safeParse({ image }).success, image).toBe(true);
    }
  });
});

/** Every lab option set: what labCreateOptions gives the engine and labDockerRun gives the user are checked on the same set. */
const everyOption = () =>
  LabOptions.parse({
    image: IMAGE,
    dropAllCapabilities: true,
    addCapabilities: ['NET_BIND_SERVICE'],
    readOnly: true,
    tmpfs: ['/tmp', '/run'],
    noNewPrivileges: true,
    seccomp: 'unconfined',
    user: '1000:1000',
    memoryBytes: 16 * 1024 * 1024,
    cpus: 0.5,
    pidsLimit: 20,
    networkNone: true,
  });

describe('labCreateOptions', () => {
  const session = createLabSession();

  it('turns each option into the engine setting docker run would send', () => {
    const options = everyOption();
    const create = labCreateOptions(options, session, 'isolens-lab-x-1', null);
    expect(create.User).toBe('1000:1000');
    expect(create.Entrypoint).toEqual(['sleep']);
    expect(create.Labels).toMatchObject({ 'io.isolens.owner': 'lab', 'io.isolens.lab-session': session.id });
    expect(create.HostConfig).toMatchObject({
      AutoRemove: true,
      Init: true,
      CapDrop: ['ALL'],
      CapAdd: ['NET_BIND_SERVICE'],
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=16m', '/run': 'rw,nosuid,nodev,size=16m' },
      SecurityOpt: ['no-new-privileges', 'seccomp=unconfined'],
      Memory: 16 * 1024 * 1024,
      MemorySwap: 16 * 1024 * 1024,
      NanoCpus: 500_000_000,
      PidsLimit: 20,
      NetworkMode: 'none',
    });
  });

  it('leaves everything at the engine default when no option is set, and passes a profile by content', () => {
    const create = labCreateOptions(LabOptions.parse({ image: IMAGE }), session, 'isolens-lab-x-2', '{"defaultAction":"SCMP_ACT_ALLOW"}');
    expect(create.HostConfig).toMatchObject({ CapDrop: [], CapAdd: [], ReadonlyRootfs: false, Tmpfs: {}, SecurityOpt: ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'] });
    expect(create.HostConfig).not.toHaveProperty('Memory');
    expect(create.HostConfig).not.toHaveProperty('PidsLimit');
    expect(create.User).toBeUndefined();
  });
});

describe('labDockerRun', () => {
  /** The words a POSIX shell hands to `docker`: the command is run with docker defined as a function printing its argv. */
  const argvOf = (command: string): string[] =>
    execFileSync('/bin/sh', ['-c', `docker() { for a in "$@"; do printf '%s\\0' "$a"; done; }\n${command}`], { encoding: 'utf8' }).split('\0').slice(0, -1);

  it('is the docker run of every toggle, one flag per option, the image last', () => {
    const options = everyOption();
    expect(argvOf(labDockerRun(options))).toEqual([
      'run', '-d', '--cap-drop', 'ALL', '--cap-add', 'NET_BIND_SERVICE', '--read-only', '--tmpfs', '/tmp', '--tmpfs', '/run',
      '--security-opt', 'no-new-privileges', '--security-opt', 'seccomp=unconfined', '--user', '1000:1000', '--memory', '16m', '--memory-swap', '16m', '--cpus', '0.5',
      '--pids-limit', '20', '--network', 'none', IMAGE,
    ]);
  });

  it('is a bare docker run of the image with no toggle, and quotes a profile path with spaces', () => {
    expect(argvOf(labDockerRun(LabOptions.parse({ image: IMAGE })))).toEqual(['run', '-d', IMAGE]);
    const custom = LabOptions.parse({ image: IMAGE, seccomp: { profilePath: "/etc/my profiles/it's.json" }, memoryBytes: 6 * 1024 * 1024 + 1 });
    expect(argvOf(labDockerRun(custom))).toEqual(['run', '-d', '--security-opt', "seccomp=/etc/my profiles/it's.json", '--memory', String(6 * 1024 * 1024 + 1), '--memory-swap', String(6 * 1024 * 1024 + 1), IMAGE]);
    expect(argvOf(labDockerRun(LabOptions.parse({ image: IMAGE, seccomp: 'unconfined' })))).toEqual(['run', '-d', '--security-opt', 'seccomp=unconfined', IMAGE]);
  });
});

describe('readSeccompProfile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'isolens-lab-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a profile and refuses what is not one, with a reason', async () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [] }));
    expect(await readSeccompProfile(good)).toEqual({ ok: true, profile: '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}' });
    const notProfile = join(dir, 'other.json');
    writeFileSync(notProfile, '{"hello":1}');
    expect(await readSeccompProfile(notProfile)).toMatchObject({ ok: false, reason: expect.stringMatching(/not a seccomp profile/) });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{');
    expect(await readSeccompProfile(broken)).toMatchObject({ ok: false, reason: expect.stringMatching(/not valid JSON/) });
    expect(await readSeccompProfile(join(dir, 'missing.json'))).toMatchObject({ ok: false, reason: expect.stringMatching(/no file at/) });
    expect(await readSeccompProfile('relative.json')).toMatchObject({ ok: false, reason: expect.stringMatching(/must be absolute/) });
    expect(await readSeccompProfile(dir)).toMatchObject({ ok: false, reason: expect.stringMatching(/not a file/) });
  });
});
