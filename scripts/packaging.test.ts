// The packaging config as electron-builder itself reads it: Linux targets, deb metadata and the Electron fuses it flips.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageHomepage, webUrlOf } from './dist-metadata.js';

const require = createRequire(import.meta.url);
// The package's entry first: its modules import each other in a cycle that only resolves in this order.
const { PlatformPackager } = require('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(fuses: Record<string, boolean>): Promise<Record<string, unknown>> } };
};
const ROOT = new URL('..', import.meta.url).pathname;

interface BuilderConfig {
  asar?: boolean;
  electronFuses?: Record<string, boolean>;
  linux?: { target?: unknown; maintainer?: string; category?: string; executableName?: string };
  deb?: Record<string, unknown>;
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
