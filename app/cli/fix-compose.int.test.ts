// `isolens fix --compose-project NAME` on a real engine: containers labelled as one compose project (two replicas of one
// service, a risky second service, and another project's container) give one override file, read back by a YAML parser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXIT } from './main.js';
import { removeTestContainers, startContainer, testClient } from '../../e2e/harness/engine.js';
import { runCaptured } from './captured.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-fixcompose-';
const PROJECT = `isolens-int-shop-${process.pid}`;
const OTHER = `isolens-int-other-${process.pid}`;
const client = testClient();

const composeLabels = (project: string, service: string, number: number) => ({
  'com.docker.compose.project': project,
  'com.docker.compose.service': service,
  'com.docker.compose.container-number': String(number),
});

const cli = runCaptured;

describe.skipIf(noEngine)('isolens fix --compose-project', () => {
  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    await startContainer(`${PREFIX}web-1`, { Labels: composeLabels(PROJECT, 'web', 1) });
    await startContainer(`${PREFIX}web-2`, { Labels: composeLabels(PROJECT, 'web', 2) });
    await startContainer(`${PREFIX}db-1`, { Labels: composeLabels(PROJECT, 'db', 1), HostConfig: { PidMode: 'host', Binds: ['/etc:/host-etc'] } });
    await startContainer(`${PREFIX}other-1`, { Labels: composeLabels(OTHER, 'worker', 1) });
  });
  afterAll(() => removeTestContainers(client, PREFIX));

  it('prints one override file: each service of the project once, hardened, with what it cannot remove as comments', async () => {
    const { code, stdout, stderr } = await cli(['fix', '--compose-project', PROJECT]);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT.ok);
    const doc = parse(stdout) as { services: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc)).toEqual(['services']);
    // Two replicas are one service; the other project's container is not in it.
    expect(Object.keys(doc.services)).toEqual(['db', 'web']);
    for (const service of Object.values(doc.services)) {
      expect(service.read_only).toBe(true);
      expect(service.cap_drop).toEqual(['ALL']);
      expect(service.security_opt).toContain('no-new-privileges:true');
      expect(service.pids_limit).toEqual(expect.any(Number));
    }
    // The host's /etc, mounted read-write, comes back read-only at the same target (compose merges volumes by target).
    expect(doc.services.db!.volumes).toEqual([{ type: 'bind', source: '/etc', target: '/host-etc', read_only: true }]);
    expect(stdout).toMatch(/# in compose\.yml, remove --pid host/);
    expect(stdout).toContain(`# from container ${PREFIX}web-1`);
  });

  it('an unknown project is an error naming the running projects; a name with the flag, neither, or an empty one is a bad argument', async () => {
    const unknown = await cli(['fix', '--compose-project', 'isolens-int-no-such-project']);
    expect(unknown.code).toBe(EXIT.error);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain(PROJECT);
    expect((await cli(['fix', `${PREFIX}web-1`, '--compose-project', PROJECT])).code).toBe(EXIT.usage);
    expect((await cli(['fix'])).code).toBe(EXIT.usage);
    expect((await cli(['fix', '--compose-project', ''])).code).toBe(EXIT.usage);
  });
});
