import { describe, expect, it } from 'vitest';
import { hostPathSensitivity } from './sensitive.js';

describe('hostPathSensitivity', () => {
  it.each([
    ['/', true], ['/etc', true], ['/etc/ssl/certs', true], ['/etc/', true], ['/proc', true], ['/sys/fs/cgroup', true],
    ['/dev', true], ['/boot', true], ['/usr/share', true], ['/lib/modules', true], ['/var/lib/docker', true],
    ['/var/lib/docker/volumes/x', true], ['/root/.ssh', true], ['/run', true], ['/var/run', true], ['/home', true],
    ['/home/alice/project', false], ['/srv/data', false], ['/tmp/x', false], ['/var/log/app', false], ['/etcetera', false],
    ['/run/user/1000/app', false], ['/opt/app', false],
  ])('%s → sensitive %s', (path, sensitive) => {
    expect(hostPathSensitivity(path).sensitive).toBe(sensitive);
  });

  it.each([
    ['/var/run/docker.sock', 'Docker'], ['/run/docker.sock', 'Docker'], ['/run/user/1000/docker.sock', 'Docker'],
    ['/run/containerd/containerd.sock', 'containerd'], ['/run/podman/podman.sock', 'Podman'],
    ['/run/user/1000/podman/podman.sock', 'Podman'], ['/var/run/crio/crio.sock', 'CRI-O'], ['//var//run/docker.sock', 'Docker'],
  ])('%s is the %s engine socket', (path, engine) => {
    const result = hostPathSensitivity(path);
    expect(result).toMatchObject({ sensitive: true, engineSocket: engine });
    expect(result.reason).toMatch(/socket/);
  });
});
