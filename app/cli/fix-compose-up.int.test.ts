// The compose override of `isolens fix --compose-project` checked by Compose itself: a project brought up by the real
// `docker-compose` from a compose.yml, its override printed by Isolens, merged by `docker-compose config`, applied by
// `docker-compose up`, and the recreated containers scanned again. Where Compose is not installed the test is skipped,
// except in CI (.ci/run installs it), where a missing Compose fails it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXIT } from './main.js';
import { runCaptured } from './captured.js';
import { ensureTestImage, TEST_IMAGE, TEST_LABEL, TEST_LABEL_VALUE } from '../../e2e/harness/engine.js';

const run = promisify(execFile);
const noEngine = process.env.ISOLENS_NO_ENGINE;
const composeBinary = await run('docker-compose', ['version', '--short']).then(
  () => true,
  () => false,
);
if (!composeBinary && process.env.CI) throw new Error('docker-compose is not installed (.ci/run installs the Debian package docker-compose)');
const PROJECT = `isolens-int-composeup-${process.pid}`;

// The project as a developer writes it: a web service with defaults, and a db service with the host's PID namespace
// and the host's /etc bound read-write. network_mode none: no project network to create and remove.
const composeYml = `services:
  web:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    network_mode: none
    labels:
      ${TEST_LABEL}: ${TEST_LABEL_VALUE}
  db:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    network_mode: none
    pid: host
    volumes:
      - /etc:/host-etc
    labels:
      ${TEST_LABEL}: ${TEST_LABEL_VALUE}
`;

interface ScannedContainer {
  name: string;
  score: number | null;
  findings: Array<{ ruleId: string }>;
}

describe.skipIf(noEngine || !composeBinary)('isolens fix --compose-project, checked by docker-compose', () => {
  const dir = mkdtempSync(join(tmpdir(), 'isolens-composeup-'));
  const base = join(dir, 'compose.yml');
  const override = join(dir, 'compose.override.yml');
  const compose = (...args: string[]) => run('docker-compose', ['-p', PROJECT, '-f', base, ...args], { cwd: dir, env: process.env });
  const composeWithOverride = (...args: string[]) => compose('-f', override, ...args);
  const scan = async (): Promise<ScannedContainer[]> => {
    const { code, stdout } = await runCaptured(['scan', '--json', '--kernel-source', 'local', '--container', `${PROJECT}_*`]);
    expect(code).not.toBe(EXIT.usage);
    return (JSON.parse(stdout) as { containers: ScannedContainer[] }).containers;
  };

  beforeAll(async () => {
    await ensureTestImage();
    writeFileSync(base, composeYml);
    await compose('up', '-d');
  }, 120_000);
  afterAll(async () => {
    await compose('down', '--timeout', '0').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('Compose merges the override, and the recreated services run hardened with fewer findings', async () => {
    const before = await scan();
    expect(before.map((c) => c.name).sort()).toEqual([`${PROJECT}_db_1`, `${PROJECT}_web_1`]);

    const fix = await runCaptured(['fix', '--compose-project', PROJECT]);
    expect(fix.stderr).toBe('');
    expect(fix.code).toBe(EXIT.ok);
    writeFileSync(override, fix.stdout);

    // Compose's own validation and merge of both files.
    const merged = parse((await composeWithOverride('config')).stdout) as {
      services: Record<string, { read_only?: boolean; cap_drop?: string[]; pid?: string; volumes?: Array<{ target: string; read_only?: boolean }> }>;
    };
    for (const name of ['web', 'db']) {
      expect(merged.services[name]!.read_only).toBe(true);
      expect(merged.services[name]!.cap_drop).toEqual(['ALL']);
    }
    // Merged by target: the one /etc bind, now read-only. The host PID namespace stays (an override cannot remove it;
    // the override says so in a comment).
    expect(merged.services.db!.volumes).toEqual([expect.objectContaining({ target: '/host-etc', read_only: true })]);
    expect(merged.services.db!.pid).toBe('host');
    expect(fix.stdout).toMatch(/# in compose\.yml, remove --pid host/);

    // Applied: Compose recreates both services from the merged files, and they keep running under the hardening.
    await composeWithOverride('up', '-d');
    const ps = await compose('ps', '--services', '--filter', 'status=running');
    expect(ps.stdout.trim().split('\n').sort()).toEqual(['db', 'web']);

    const after = await scan();
    for (const name of ['web', 'db']) {
      const was = before.find((c) => c.name === `${PROJECT}_${name}_1`)!;
      const now = after.find((c) => c.name === `${PROJECT}_${name}_1`)!;
      expect(now.score!).toBeGreaterThan(was.score!);
      expect(now.findings.length).toBeLessThan(was.findings.length);
      expect(now.findings.map((f) => f.ruleId)).not.toContain('mounts/writable-root-filesystem');
    }
  }, 180_000);
});
