// Hash routes (#/, #/containers?filter, #/container/<id>/<tab>, #/compare/<idA>/<idB>, #/lab): survive reloads, work from file:// and keep the back button useful.
import { useEffect, useState } from 'react';
import type { Notice } from '../../app/model/history.js';
import { filterQuery, parseFilter, type TableFilter } from './filter.js';

export const DETAIL_TABS = ['findings', 'operations', 'probes', 'namespaces', 'capabilities', 'seccomp', 'resources', 'mounts', 'network', 'raw', 'fix', 'history'] as const;
export type DetailTab = (typeof DETAIL_TABS)[number];

export type Route =
  | { view: 'overview' }
  | { view: 'containers'; filter?: TableFilter }
  | { view: 'container'; id: string; tab: DetailTab }
  | { view: 'compare'; idA: string; idB: string }
  | { view: 'lab' };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split(/\?(.*)/s);
  const parts = path.split('/').filter(Boolean).map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
  if (parts[0] === 'containers') {
    const filter = parseFilter(query);
    return Object.keys(filter).length > 0 ? { view: 'containers', filter } : { view: 'containers' };
  }
  if (parts[0] === 'container' && parts[1]) {
    const tab = (DETAIL_TABS as readonly string[]).includes(parts[2] ?? '') ? (parts[2] as DetailTab) : 'findings';
    return { view: 'container', id: parts[1], tab };
  }
  if (parts[0] === 'compare' && parts[1] && parts[2]) return { view: 'compare', idA: parts[1], idB: parts[2] };
  if (parts[0] === 'lab') return { view: 'lab' };
  return { view: 'overview' };
}

export function routeHref(route: Route): string {
  switch (route.view) {
    case 'overview':
      return '#/';
    case 'containers': {
      const query = route.filter ? filterQuery(route.filter) : '';
      return query === '' ? '#/containers' : `#/containers?${query}`;
    }
    case 'container':
      return `#/container/${encodeURIComponent(route.id)}/${route.tab}`;
    case 'compare':
      return `#/compare/${encodeURIComponent(route.idA)}/${encodeURIComponent(route.idB)}`;
    case 'lab':
      return '#/lab';
  }
}

/** Where a notice leads, whether clicked in the page, in the browser's notification or in the desktop's: a drift to its history, a critical start to its findings. */
export function noticeRoute(notice: Pick<Notice, 'containerId' | 'kind'>): Route {
  return { view: 'container', id: notice.containerId, tab: notice.kind === 'drift' ? 'history' : 'findings' };
}

export function navigate(route: Route, replace = false): void {
  const href = routeHref(route);
  if (replace) history.replaceState(null, '', href);
  else location.hash = href;
  if (replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
