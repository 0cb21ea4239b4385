// `npm start`: fetch Electron's binary if the package manager skipped it, build when sources are newer than dist/, then open the app.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const electronDirectory = join(root, 'node_modules', 'electron');
const args = process.argv.slice(2);

/** What `npm run build` produces for the desktop app. */
const OUTPUTS = ['dist/main/main.js', 'dist/main/preload.cjs', 'dist/renderer/index.html'];
const SOURCE_DIRECTORIES = ['app', 'main', 'renderer'];
const SOURCE_FILES = ['package.json', 'tsconfig.json'];
const SKIPPED = new Set(['node_modules', 'fixtures', 'dev']);

function fail(message) {
  console.error(`\nisolens: ${message}\n`);
  process.exit(1);
}

/** The Electron executable when it is on disk, else null (npm was run with --ignore-scripts, or offline). */
function electronExecutable() {
  const pathFile = join(electronDirectory, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const executable = process.env.ELECTRON_OVERRIDE_DIST_PATH
    ? join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative)
    : join(electronDirectory, 'dist', relative);
  return existsSync(executable) ? executable : null;
}

function newestSourceMs(directory) {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (!/\.test\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function buildIsStale() {
  const outputs = OUTPUTS.map((file) => join(root, file));
  if (outputs.some((file) => !existsSync(file))) return 'dist/ is missing';
  const oldestOutputMs = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  const newestMs = Math.max(
    ...SOURCE_DIRECTORIES.map((directory) => newestSourceMs(join(root, directory))),
    ...SOURCE_FILES.map((file) => statSync(join(root, file)).mtimeMs),
  );
  return newestMs > oldestOutputMs ? 'sources changed since the last build' : null;
}

// 1. A window needs a display; say what works instead of letting Electron die with a GTK error.
if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  fail('no display (neither DISPLAY nor WAYLAND_DISPLAY is set). On a server, run `npx isolens serve` and open the address it prints through an SSH tunnel.');
}
// Chromium will not start its sandbox as root; turning the sandbox off must be the user's explicit choice, never ours.
if (process.getuid?.() === 0 && !args.includes('--no-sandbox')) {
  fail('Electron refuses to run as root with its sandbox on. Run `npm start` as your normal user, or use `npx isolens serve` (a browser UI). `npm start -- --no-sandbox` works but drops the renderer sandbox.');
}

// 2. npm skips install scripts with --ignore-scripts (and some setups by default): fetch the binary on first start.
if (!electronExecutable()) {
  console.log("isolens: Electron's binary is not installed yet; downloading it once (about 100 MB)...");
  const install = spawnSync(process.execPath, [join(electronDirectory, 'install.js')], { stdio: 'inherit', cwd: root });
  if (install.status !== 0 || !electronExecutable()) {
    fail(
      "could not download Electron's binary (offline, or github.com blocked?). Retry when online with `node node_modules/electron/install.js`, " +
        'or point ELECTRON_MIRROR at a mirror. Meanwhile the same UI runs in a browser: `npx isolens serve`.',
    );
  }
}

// 3. Build when dist/ is missing or older than the sources.
const stale = buildIsStale();
if (stale) {
  console.log(`isolens: building (${stale})...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const build = spawnSync(npm, ['run', 'build'], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) fail('the build failed; see the output above.');
}

// 4. Open the app; Electron's exit code becomes ours.
const environment = { ...process.env };
delete environment.ELECTRON_RUN_AS_NODE; // set, it would turn Electron into plain Node
const child = spawn(electronExecutable(), [root, ...args], { stdio: 'inherit', cwd: root, env: environment });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
