import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allCapabilityNames, defaultCapabilities } from '../model/capabilities.js';
import { boundingFromConfig, configuredIds, configuredUserIsRoot, describeFromConfig, portsFromConfig, type InspectDocument } from './config.js';
import { parseInspect } from '../engine/containers.js';
import { capturedDockerEngine } from './fixtures/engine.js';

const privileged = parseInspect(JSON.parse(readFileSync(new URL('./fixtures/privileged/inspect.json', import.meta.url), 'utf8')));
const engine = capturedDockerEngine();

/** A variation of the captured inspect document: only HostConfig/Config fields the flag would change. */
function withHostConfig(patch: Partial<InspectDocument['HostConfig']>, config: Partial<InspectDocument['Config']> = {}): InspectDocument {
  const copy = structuredClone(privileged);
  copy.HostConfig = { ...copy.HostConfig, Privileged: false, SecurityOpt: null as never, ...patch };
  copy.Config = { ...copy.Config, ...config };
  return copy;
}

describe('describeFromConfig on a captured `docker create --privileged` inspect', () => {
  const doc = describeFromConfig(privileged, engine);

  it('reads privileged mode as every capability, seccomp unconfined, and marks every fact as config', () => {
    expect(doc.privileged).toBe(true);
    expect(doc.capabilities!.bounding).toEqual(allCapabilityNames());
    expect(doc.capabilities!.addedVsDefault).toContain('CAP_SYS_ADMIN');
    expect(doc.capabilities!.droppedVsDefault).toEqual([]);
    expect(doc.seccomp).toEqual({ mode: 'disabled', profile: 'unconfined', filters: null });
    expect(Object.values(doc.sources).every((s) => s === 'config')).toBe(true);
    expect(doc.name).toBe(privileged.Name.replace(/^\//, ''));
  });

  it('engine files of a started container are listed but not sensitive', () => {
    const started = JSON.parse(readFileSync(new URL('../engine/fixtures/docker-inspect-hardened-busybox.json', import.meta.url), 'utf8'));
    const doc = describeFromConfig(Array.isArray(started) ? started[0] : started, engine);
    const files = doc.mounts.filter((m) => m.origin === 'engine-file').map((m) => m.destination).sort();
    expect(files).toEqual(['/etc/hostname', '/etc/hosts', '/etc/resolv.conf']);
    expect(doc.mounts.every((m) => !m.sensitive)).toBe(true);
  });

  it('unset limits are null, never a sentinel', () => {
    expect(doc.cgroup).toMatchObject({ memoryLimitBytes: null, cpuQuotaCores: null, pidsLimit: null, cpusetCpus: null });
  });
});

describe('capability arithmetic like the engine', () => {
  it('default set when nothing is asked', () => {
    expect(boundingFromConfig(withHostConfig({}), engine).sort()).toEqual([...defaultCapabilities('docker')].sort());
  });
  it('--cap-drop ALL --cap-add net_bind_service (engines accept lower case, without CAP_)', () => {
    expect(boundingFromConfig(withHostConfig({ CapDrop: ['ALL'], CapAdd: ['net_bind_service'] }), engine)).toEqual(['CAP_NET_BIND_SERVICE']);
  });
  it('--cap-add ALL --cap-drop SYS_RESOURCE keeps the drop', () => {
    const bounding = boundingFromConfig(withHostConfig({ CapAdd: ['ALL'], CapDrop: ['CAP_SYS_RESOURCE'] }), engine);
    expect(bounding).toContain('CAP_SYS_MODULE');
    expect(bounding).not.toContain('CAP_SYS_RESOURCE');
  });
  it('a non-root user keeps no effective capabilities', () => {
    const doc = describeFromConfig(withHostConfig({}, { User: '1000:1000' }), engine);
    expect(doc.capabilities!.effective).toEqual([]);
    expect(doc.user.uid).toBe(1000);
    expect(configuredUserIsRoot('root:1000')).toBe(true);
    expect(configuredUserIsRoot('nginx')).toBeNull();
  });
  it('declared uid and gid: only what the configuration alone says, the image\'s /etc/passwd decides the rest', () => {
    expect(configuredIds('')).toEqual({ uid: 0, gid: 0 });
    expect(configuredIds('root')).toEqual({ uid: 0, gid: 0 });
    expect(configuredIds('0')).toEqual({ uid: 0, gid: 0 });
    expect(configuredIds('root:1000')).toEqual({ uid: 0, gid: 1000 });
    expect(configuredIds('1000:1000')).toEqual({ uid: 1000, gid: 1000 });
    expect(configuredIds('1000')).toEqual({ uid: 1000, gid: null });
    expect(configuredIds('nginx')).toEqual({ uid: null, gid: null });
    expect(configuredIds('1000:staff')).toEqual({ uid: 1000, gid: null });
  });
});

describe('security options', () => {
  it('seccomp: engine default, unconfined, custom JSON profile', () => {
    expect(describeFromConfig(withHostConfig({}), engine).seccomp.profile).toBe('default');
    expect(describeFromConfig(withHostConfig({ SecurityOpt: ['seccomp=unconfined'] }), engine).seccomp.profile).toBe('unconfined');
    expect(describeFromConfig(withHostConfig({ SecurityOpt: ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'] }), engine).seccomp.profile).toBe('custom');
    const noSeccompEngine = capturedDockerEngine({ securityOptions: [] });
    expect(describeFromConfig(withHostConfig({}), noSeccompEngine).seccomp.profile).toBe('unconfined');
  });
  it('no-new-privileges in its three spellings', () => {
    for (const option of ['no-new-privileges', 'no-new-privileges:true', 'no-new-privileges=true']) {
      expect(describeFromConfig(withHostConfig({ SecurityOpt: [option] }), engine).noNewPrivileges).toBe(true);
    }
    expect(describeFromConfig(withHostConfig({ SecurityOpt: ['no-new-privileges:false'] }), engine).noNewPrivileges).toBe(false);
  });
});

describe('ports', () => {
  it('bindings become numbers; an empty host address means all interfaces', () => {
    const inspect = structuredClone(privileged);
    inspect.NetworkSettings!.Ports = { '80/tcp': [{ HostIp: '', HostPort: '8080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }], '9000/tcp': null } as never;
    expect(portsFromConfig(inspect)).toEqual([
      { hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' },
      { hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    ]);
  });
});
