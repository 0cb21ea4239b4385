// The compose override of a project on captured containers: parsed back by a YAML parser, hostile service names stay
// keys (never new settings), and what an override cannot remove is a comment.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateFix } from './fix.js';
import { renderComposeOverride, serviceRepresentatives } from './compose-override.js';
import { assessed, inspectFixture } from './fixtures/documents.js';

function fixOf(name: 'weak' | 'hardened' | 'hostile') {
  const inspect = inspectFixture(name);
  return generateFix(assessed(inspect), inspect);
}

const HARDENING_KEYS = ['read_only', 'tmpfs', 'cap_drop', 'security_opt', 'mem_limit', 'memswap_limit', 'cpus', 'pids_limit'];

describe('renderComposeOverride', () => {
  it('gives every service the hardening of its own fix, and nothing a base file would have to be merged over', () => {
    const weak = fixOf('weak');
    const text = renderComposeOverride('shop', [
      { service: 'web', container: 'shop-web-1', fix: weak },
      { service: 'db', container: 'shop-db-1', fix: fixOf('hardened') },
    ]);
    const doc = parse(text) as { services: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc)).toEqual(['services']);
    expect(Object.keys(doc.services)).toEqual(['db', 'web']);
    for (const service of Object.values(doc.services)) {
      for (const key of HARDENING_KEYS) expect(service).toHaveProperty(key);
      expect(service.read_only).toBe(true);
      expect(service.cap_drop).toEqual(['ALL']);
      // image, command, ports, environment stay the project's own.
      for (const key of ['image', 'container_name', 'command', 'ports', 'environment']) expect(service).not.toHaveProperty(key);
    }
    expect(doc.services.web!.security_opt).toContain('no-new-privileges:true');
    // The same limits the container's own compose service gets.
    expect(weak.compose).toContain(`pids_limit: ${doc.services.web!.pids_limit}`);
  });

  it('writes what an override cannot remove as comments on the service', () => {
    const weak = fixOf('weak');
    const removals = weak.flags.filter((f) => f.flag.startsWith('remove'));
    expect(removals.length).toBeGreaterThan(0);
    const text = renderComposeOverride('shop', [{ service: 'web', container: 'shop-web-1', fix: weak }]);
    for (const removal of removals) expect(text).toContain(`# in compose.yml, ${removal.flag}`);
  });

  it('keeps hostile service, project and container names inert: each is one key or one comment line', () => {
    const hostileService = 'web"\n    privileged: true\n  evil:\n    image: x #';
    const hostileProject = 'shop\nservices:\n  pwn: {}';
    const text = renderComposeOverride(hostileProject, [{ service: hostileService, container: 'c\u2028privileged: true', fix: fixOf('hostile') }]);
    const doc = parse(text) as { services: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc)).toEqual(['services']);
    expect(Object.keys(doc.services)).toEqual([hostileService]);
    expect(doc.services[hostileService]).not.toHaveProperty('privileged');
    expect(doc.services[hostileService]).not.toHaveProperty('image');
  });
});

describe('serviceRepresentatives', () => {
  it('takes each service of the project once, its first replica by name, and nothing of another project', () => {
    const base = assessed(inspectFixture('weak'));
    const member = (name: string, project: string, service?: string) => ({
      ...base,
      name,
      labels: { 'com.docker.compose.project': project, ...(service ? { 'com.docker.compose.service': service } : {}) },
    });
    const picked = serviceRepresentatives(
      [member('shop-web-2', 'shop', 'web'), member('blog-web-1', 'blog', 'web'), member('shop-web-1', 'shop', 'web'), member('shop-db-1', 'shop', 'db'), member('odd', 'shop')],
      'shop',
    );
    expect(picked.map((p) => [p.service, p.container.name])).toEqual([
      ['db', 'shop-db-1'],
      ['odd', 'odd'],
      ['web', 'shop-web-1'],
    ]);
    expect(serviceRepresentatives([base], 'shop')).toEqual([]);
  });
});
