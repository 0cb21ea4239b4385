// Where `npm run dist` takes the .deb's Homepage from: declared metadata only, never a URL made up for the package.

export interface HomepageSources {
  /** package.json as read. */
  packageJson: { homepage?: unknown; repository?: unknown };
  /** `git remote get-url origin`, when the checkout has one. */
  originUrl?: string | null;
  /** ISOLENS_HOMEPAGE, the packager's explicit choice. */
  override?: string | null;
}

export type HomepageResult = { homepage: string; from: string } | { homepage: null; reason: string };

/** An http(s) URL as is; an scp-like git remote (`git@host:owner/repo.git`) as its https page; anything else, null. */
export function webUrlOf(remote: string): string | null {
  const text = remote.trim();
  const scp = /^[\w.-]+@([\w.-]+):([\w./-]+?)(?:\.git)?$/.exec(text);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol === 'git+https:' || url.protocol === 'https:' || url.protocol === 'http:' || url.protocol === 'ssh:' || url.protocol === 'git+ssh:') {
    if (!url.hostname) return null;
    return `https://${url.hostname}${url.pathname.replace(/\.git$/, '')}`;
  }
  return null;
}

export function packageHomepage(sources: HomepageSources): HomepageResult {
  if (sources.override) {
    const url = webUrlOf(sources.override);
    return url ? { homepage: url, from: 'ISOLENS_HOMEPAGE' } : { homepage: null, reason: `ISOLENS_HOMEPAGE is not an http(s) URL: ${sources.override}` };
  }
  const { homepage, repository } = sources.packageJson;
  if (typeof homepage === 'string' && webUrlOf(homepage)) return { homepage: webUrlOf(homepage)!, from: 'package.json homepage' };
  const repositoryUrl = typeof repository === 'string' ? repository : (repository as { url?: unknown } | undefined)?.url;
  if (typeof repositoryUrl === 'string' && webUrlOf(repositoryUrl)) return { homepage: webUrlOf(repositoryUrl)!, from: 'package.json repository' };
  if (sources.originUrl && webUrlOf(sources.originUrl)) return { homepage: webUrlOf(sources.originUrl)!, from: 'git remote origin' };
  return {
    homepage: null,
    reason:
      'the .deb needs a Homepage and this checkout declares none (no package.json homepage or repository, no http(s) or ssh git remote "origin"): set ISOLENS_HOMEPAGE=https://… to the page where users find Isolens',
  };
}

/** The Electron zip electron-builder packages: `electron-v45.4.1-linux-x64.zip` for this machine. */
export function electronZipName(version: string, arch: string = process.arch): string {
  return `electron-v${version}-linux-${arch}.zip`;
}

/**
 * The one line `npm run dist` prints when Electron's binary cannot be fetched: what failed, why (the first line of the
 * download's error), and the ways out (a network, a mirror, or the zip fetched elsewhere and named).
 */
export function electronFetchFailure(version: string, error: unknown, arch: string = process.arch): string {
  const why = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim() || 'unknown error';
  const zip = electronZipName(version, arch);
  return `dist: the Electron ${version} binary (${zip}) could not be fetched (${why}); connect to the network, set ELECTRON_MIRROR to a mirror, or set ISOLENS_ELECTRON_ZIP=/path/to/${zip}`;
}
