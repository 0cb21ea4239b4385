import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref } from './route.js';

describe('routes', () => {
  it('round-trips a drill-down route with its tab', () => {
    const route = { view: 'container', id: 'abc123def456', tab: 'mounts' } as const;
    expect(parseRoute(routeHref(route))).toEqual(route);
  });

  it('falls back to the findings tab and to the overview on unknown input', () => {
    expect(parseRoute('#/container/abc123def456/nope')).toEqual({ view: 'container', id: 'abc123def456', tab: 'findings' });
    expect(parseRoute('#/whatever')).toEqual({ view: 'overview' });
    expect(parseRoute('')).toEqual({ view: 'overview' });
    expect(parseRoute('#/containers')).toEqual({ view: 'containers' });
  });

  it('survives a malformed escape instead of throwing', () => {
    expect(parseRoute('#/container/%E0%A4%A/raw')).toEqual({ view: 'container', id: '%E0%A4%A', tab: 'raw' });
  });

  it('round-trips the compare and lab routes and the fix tab', () => {
    const compare = { view: 'compare', idA: 'abc123def456', idB: '0123456789ab' } as const;
    expect(parseRoute(routeHref(compare))).toEqual(compare);
    expect(parseRoute(routeHref({ view: 'lab' }))).toEqual({ view: 'lab' });
    expect(parseRoute('#/container/abc123def456/fix')).toEqual({ view: 'container', id: 'abc123def456', tab: 'fix' });
  });

  it('needs both ids to compare', () => {
    expect(parseRoute('#/compare/abc123def456')).toEqual({ view: 'overview' });
  });
});

describe('the table filter in the URL', () => {
  it('round-trips every filter, rule ids with their slash included', () => {
    const route = { view: 'containers', filter: { q: 'SYS_ADMIN /var/run', grade: 'E-F', flag: 'engine-socket', severity: 'critical', rule: 'capabilities/sys-admin', namespace: 'pid', project: 'shop' } } as const;
    const href = routeHref(route);
    expect(href).toBe('#/containers?q=SYS_ADMIN+%2Fvar%2Frun&grade=E-F&flag=engine-socket&severity=critical&rule=capabilities%2Fsys-admin&namespace=pid&project=shop');
    expect(parseRoute(href)).toEqual(route);
  });

  it('drops unknown keys and invalid values instead of throwing', () => {
    expect(parseRoute('#/containers?grade=Z&severity=dire&namespace=pidx&rule=..%2F..&evil=1')).toEqual({ view: 'containers' });
    expect(parseRoute('#/containers?q=%E0%A4%A')).toMatchObject({ view: 'containers', filter: { q: expect.any(String) } });
  });
});
