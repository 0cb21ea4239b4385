// `npm run dist`: build, then package the desktop app for Linux (AppImage + deb) with electron-builder into release/.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { electronFetchFailure, packageHomepage } from './dist-metadata.js';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const origin = spawnSync('git', ['remote', 'get-url', 'origin'], { encoding: 'utf8' });
const result = packageHomepage({
  packageJson,
  originUrl: origin.status === 0 ? origin.stdout : null,
  override: process.env.ISOLENS_HOMEPAGE ?? null,
});
if (result.homepage === null) {
  console.error(`dist: ${result.reason}`);
  process.exit(2);
}
console.log(`dist: homepage ${result.homepage} (from ${result.from})`);

// Electron's zip first, so that a machine without the network fails here with one line, before the build and before
// electron-builder rebuilds native modules for Electron: ISOLENS_ELECTRON_ZIP names one fetched elsewhere (electron-
// builder's electronDist), otherwise electron-builder's own downloader fetches it into its cache, where the packaging
// step then finds it.
const require = createRequire(import.meta.url);
const electronVersion = (JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version;
const givenZip = process.env.ISOLENS_ELECTRON_ZIP ? resolve(process.env.ISOLENS_ELECTRON_ZIP) : null;
if (givenZip) {
  if (!existsSync(givenZip)) {
    console.error(`dist: ISOLENS_ELECTRON_ZIP names no file: ${givenZip}`);
    process.exit(2);
  }
  console.log(`dist: Electron from ${givenZip} (ISOLENS_ELECTRON_ZIP)`);
} else {
  const { downloadElectronArtifactZip } = require('app-builder-lib/out/util/electronGet') as {
    downloadElectronArtifactZip(options: { artifactName: string; platformName: string; arch: string; version: string }): Promise<string>;
  };
  try {
    const zip = await downloadElectronArtifactZip({ artifactName: 'electron', platformName: 'linux', arch: process.arch, version: electronVersion });
    console.log(`dist: Electron ${electronVersion} from ${zip}`);
  } catch (error) {
    console.error(electronFetchFailure(electronVersion, error));
    process.exit(1);
  }
}

function run(command: string, args: string[]): void {
  const child = spawnSync(command, args, { stdio: 'inherit' });
  if (child.status !== 0) process.exit(child.status ?? 1);
}

run('npm', ['run', '-s', 'build']);
// extraMetadata.homepage lands in the packaged package.json, where electron-builder's deb target reads it.
run('npx', [
  'electron-builder', '--linux', 'AppImage', 'deb', '--publish', 'never', `-c.extraMetadata.homepage=${result.homepage}`,
  ...(givenZip ? [`-c.electronDist=${givenZip}`] : []),
]);
