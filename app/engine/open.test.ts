import { describe, expect, it } from 'vitest';
import { endpointLabel } from './open.js';

describe('endpointLabel: the endpoint named before any connection', () => {
  it('names DOCKER_HOST as the user set it, normalised the way the connection will use it', () => {
    expect(endpointLabel({ env: { DOCKER_HOST: 'unix:///tmp/nothing/docker.sock' }, homeDir: '/nonexistent' })).toBe('unix:///tmp/nothing/docker.sock');
    expect(endpointLabel({ env: { DOCKER_HOST: 'tcp://10.0.0.1' }, homeDir: '/nonexistent' })).toBe('tcp://10.0.0.1:2375');
  });

  it('--host beats DOCKER_HOST', () => {
    expect(endpointLabel({ host: 'unix:///run/a.sock', env: { DOCKER_HOST: 'unix:///run/b.sock' }, homeDir: '/nonexistent' })).toBe('unix:///run/a.sock');
  });

  it('an unusable setting is shown as typed (bounded), not replaced by "default"', () => {
    expect(endpointLabel({ env: { DOCKER_HOST: 'gopher://x' }, homeDir: '/nonexistent' })).toBe('gopher://x');
    expect(endpointLabel({ env: { DOCKER_HOST: `gopher://${'x'.repeat(1000)}` }, homeDir: '/nonexistent' })).toHaveLength(200);
  });
});
