// `npm run dist`: build, then package the desktop app for Linux (AppImage + deb) with electron-builder into release/.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { packageHomepage } from './dist-metadata.js';

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

function run(command: string, args: string[]): void {
  const child = spawnSync(command, args, { stdio: 'inherit' });
  if (child.status !== 0) process.exit(child.status ?? 1);
}

run('npm', ['run', '-s', 'build']);
// extraMetadata.homepage lands in the packaged package.json, where electron-builder's deb target reads it.
run('npx', ['electron-builder', '--linux', 'AppImage', 'deb', '--publish', 'never', `-c.extraMetadata.homepage=${result.homepage}`]);
