// The packaging config as electron-builder itself reads it: Linux targets, deb metadata and the Electron fuses it flips.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronFetchFailure, electronZipName, packageHomepage, webUrlOf } from './dist-metadata.js';

const require = createRequire(import.meta.url);
// The package's entry first: its modules import each other in a cycle that only resolves in this order.
const { PlatformPackager } = require('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(fuses: Record<string, boolean>): Promise<Record<string, unknown>> } };
};
const ROOT = new URL('..', import.meta.url).pathname;

interface BuilderConfig {
  asar?: boolean;
  electronFuses?: Record<string, boolean>;
  linux?: { target?: unknown; maintainer?: string; vendor?: string; category?: string; executableName?: string; synopsis?: string; description?: string; icon?: string; desktop?: { entry?: Record<string, string> } };
  deb?: Record<string, unknown>;
  appImage?: Record<string, unknown>;
  appId?: string;
  productName?: string;
}
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: null): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, debugLogger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
const fuses = require('@electron/fuses') as {
  flipFuses(path: string, config: Record<string, unknown>): Promise<unknown>;
  getCurrentFuseWire(path: string): Promise<Record<string, number>>;
  FuseV1Options: Record<string, string | number>;
};
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ENABLE = 0x31;
const DISABLE = 0x30;

const config = () => getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);

describe('electron-builder.yml', () => {
  it('passes electron-builder\'s own schema validation', { timeout: 30_000 }, async () => {
    await expect(validateConfiguration(await config(), new DebugLogger(false))).resolves.toBeUndefined();
    // And it rejects a fuse that is not a boolean: the validation is not a formality.
    await expect(validateConfiguration({ ...(await config()), electronFuses: { runAsNode: 'off' as unknown as boolean } }, new DebugLogger(false))).rejects.toThrow();
  });

  it('packages an AppImage and a deb from an ASAR, with a maintainer for the deb', async () => {
    const loaded = await config();
    expect(loaded.asar).toBe(true);
    expect(loaded.linux?.target).toEqual(['AppImage', 'deb']);
    expect(loaded.linux?.maintainer).toBeTruthy();
  });

  it('gives the deb and the AppImage what a package manager and a desktop show: name, summary, section, launcher', async () => {
    const loaded = await config();
    expect(loaded.appId).toBe('io.isolens.app');
    expect(loaded.productName).toBe('Isolens');
    expect(loaded.linux).toMatchObject({ executableName: 'isolens-desktop', category: 'Development', vendor: expect.any(String), icon: 'assets/icons' });
    // The deb's one-line Description (synopsis) and its long text: short enough for apt's list, and not the same text.
    expect(loaded.linux?.synopsis?.length).toBeGreaterThan(10);
    expect(loaded.linux?.synopsis?.length).toBeLessThanOrEqual(80);
    expect(loaded.linux?.description).not.toBe(loaded.linux?.synopsis);
    expect(loaded.deb).toMatchObject({ priority: 'optional', artifactName: '${name}_${version}_${arch}.deb' });
    expect(loaded.appImage).toMatchObject({ artifactName: '${productName}-${version}-${arch}.AppImage' });
    // The launcher: a name, and categories from the freedesktop registry, ending in ';' as the spec wants.
    const entry = loaded.linux?.desktop?.entry ?? {};
    expect(entry.Name).toBe('Isolens');
    expect(entry.StartupWMClass).toBe('Isolens');
    expect(entry.Categories).toMatch(/^(?:(?:Development|System|Security|Utility|Monitor);)+$/);
  });

  it('sets the fuses: RunAsNode, NODE_OPTIONS and --inspect off; cookie encryption, ASAR integrity and ASAR-only on', async () => {
    expect((await config()).electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('flips exactly those fuses in a binary, through electron-builder\'s and @electron/fuses\' own code', async () => {
    // Electron's binary cannot be downloaded here; a file holding its fuse wire (sentinel, version 1, 8 fuses, each as
    // the stock binary has it) is what @electron/fuses edits in the real one.
    const dir = mkdtempSync(join(tmpdir(), 'isolens-fuses-'));
    try {
      const binary = join(dir, 'electron');
      const stock = [ENABLE, DISABLE, ENABLE, ENABLE, DISABLE, DISABLE, DISABLE, ENABLE];
      writeFileSync(binary, Buffer.concat([Buffer.from('\x7fELF padding '), Buffer.from(SENTINEL), Buffer.from([1, stock.length, ...stock]), Buffer.from(' more')]));
      const fuseConfig = await PlatformPackager.prototype.generateFuseConfig((await config()).electronFuses!);
      await fuses.flipFuses(binary, fuseConfig);
      const wire = await fuses.getCurrentFuseWire(binary);
      const state = (name: string) => wire[fuses.FuseV1Options[name] as number];
      expect(state('RunAsNode')).toBe(DISABLE);
      expect(state('EnableNodeOptionsEnvironmentVariable')).toBe(DISABLE);
      expect(state('EnableNodeCliInspectArguments')).toBe(DISABLE);
      expect(state('EnableCookieEncryption')).toBe(ENABLE);
      expect(state('EnableEmbeddedAsarIntegrityValidation')).toBe(ENABLE);
      expect(state('OnlyLoadAppFromAsar')).toBe(ENABLE);
      // Left as Electron ships them: file:// keeps its privileges (the renderer is loaded from a file), one V8 snapshot.
      expect(state('GrantFileProtocolExtraPrivileges')).toBe(ENABLE);
      expect(state('LoadBrowserProcessSpecificV8Snapshot')).toBe(DISABLE);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npm run dist is the packaging entry point', () => {
    const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(packageJson.scripts.dist).toBe('tsx scripts/dist.ts');
  });
});

describe('npm run dist without the Electron binary', () => {
  it('says in one line that the binary could not be fetched, and how to get past it', () => {
    const line = electronFetchFailure('45.4.1', new Error('getaddrinfo ENOTFOUND github.com\n    at stack'), 'x64');
    expect(line).toBe(
      `dist: the Electron 45.4.1 binary (${electronZipName('45.4.1', 'x64')}) could not be fetched (getaddrinfo ENOTFOUND github.com); connect to the network, set ELECTRON_MIRROR to a mirror, or set ISOLENS_ELECTRON_ZIP=/path/to/electron-v45.4.1-linux-x64.zip`,
    );
  });

  it('stops before building, exit 1 and that one line, when the download fails (a mirror that refuses)', { timeout: 60_000 }, async () => {
    // A port that was free a moment ago and is closed now: the download is refused at once, no network involved.
    const port = await new Promise<number>((done) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => done(free));
      });
    });
    const cache = mkdtempSync(join(tmpdir(), 'isolens-dist-cache-'));
    try {
      const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'scripts/dist.ts')], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 50_000,
        env: { ...process.env, ISOLENS_HOMEPAGE: 'https://example.invalid/isolens', ELECTRON_MIRROR: `http://127.0.0.1:${port}/`, XDG_CACHE_HOME: cache, ISOLENS_ELECTRON_ZIP: '' },
      });
      expect(run.status, run.stderr).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^dist: the Electron \d+\.\d+\.\d+ binary \(electron-v[\d.]+-linux-\w+\.zip\) could not be fetched \(.*ECONNREFUSED.*\); /);
      // Nothing after it ran: no build output, no electron-builder.
      expect(run.stdout).not.toMatch(/vite|electron-builder/);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('refuses an ISOLENS_ELECTRON_ZIP that names no file, exit 2', { timeout: 60_000 }, () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'scripts/dist.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 50_000,
      env: { ...process.env, ISOLENS_HOMEPAGE: 'https://example.invalid/isolens', ISOLENS_ELECTRON_ZIP: '/nonexistent/electron.zip' },
    });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe('dist: ISOLENS_ELECTRON_ZIP names no file: /nonexistent/electron.zip');
  });
});

describe('the deb homepage', () => {
  it('comes from declared metadata, in order: ISOLENS_HOMEPAGE, homepage, repository, git origin', () => {
    expect(packageHomepage({ packageJson: { homepage: 'https://a.example/isolens' }, override: 'https://b.example/x' })).toEqual({ homepage: 'https://b.example/x', from: 'ISOLENS_HOMEPAGE' });
    expect(packageHomepage({ packageJson: { homepage: 'https://a.example/isolens', repository: 'https://c.example/r' } })).toEqual({ homepage: 'https://a.example/isolens', from: 'package.json homepage' });
    expect(packageHomepage({ packageJson: { repository: { type: 'git', url: 'git+https://github.com/o/isolens.git' } } })).toEqual({ homepage: 'https://github.com/o/isolens', from: 'package.json repository' });
    expect(packageHomepage({ packageJson: {}, originUrl: 'git@gitlab.com:o/isolens.git\n' })).toEqual({ homepage: 'https://gitlab.com/o/isolens', from: 'git remote origin' });
  });

  it('is never made up: a local path remote or nothing at all refuses, with what to set', () => {
    const none = packageHomepage({ packageJson: {}, originUrl: '/work/main' });
    expect(none.homepage).toBeNull();
    expect(none).toHaveProperty('reason', expect.stringContaining('ISOLENS_HOMEPAGE'));
    expect(packageHomepage({ packageJson: {}, override: 'not a url' }).homepage).toBeNull();
    expect(webUrlOf('file:///srv/git/isolens')).toBeNull();
  });

  it('is what this checkout declares today: no homepage or repository in package.json', () => {
    const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    // When the project gets a public home, add "repository" to package.json and this test should change with it.
    expect(packageJson.homepage ?? packageJson.repository ?? null).toBeNull();
  });
});
