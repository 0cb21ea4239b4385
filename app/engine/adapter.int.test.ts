// The ContainerEngine adapter on a real engine: what Isolens creates is always labelled, what it did not create it never removes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from './open.js';
import { OWNER_LABEL, type ContainerEngine } from './engine.js';
import { ensureTestImage, removeTestContainers, startContainer, testClient, TEST_IMAGE, type StartedContainer } from '../../e2e/harness/engine.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-adapter-';
const client = testClient();

describe.skipIf(noEngine)('DockerodeEngine on a real engine', () => {
  let adapter: ContainerEngine;
  let user: StartedContainer;
  const created: string[] = [];

  beforeAll(async () => {
    await ensureTestImage(client);
    await removeTestContainers(client, PREFIX);
    ({ adapter } = await openEngine({}));
    user = await startContainer(`${PREFIX}user`, {}, client);
  });

  afterAll(async () => {
    for (const id of created) await client.getContainer(id).remove({ force: true }).catch(() => undefined);
    await removeTestContainers(client, PREFIX);
  });

  it('createOwned labels the container with its role, and a caller label cannot replace the owner', async () => {
    const id = await adapter.createOwned({
      role: 'helper',
      create: { name: `${PREFIX}owned`, Image: TEST_IMAGE, Cmd: ['sleep', '30'], Labels: { [OWNER_LABEL]: 'someone-else', 'io.isolens.extra': 'x' }, HostConfig: { AutoRemove: false } },
    });
    created.push(id);
    const labels = (await client.getContainer(id).inspect()).Config.Labels;
    expect(labels).toMatchObject({ [OWNER_LABEL]: 'helper', 'io.isolens.extra': 'x' });
    expect((await adapter.listOwned('helper', { 'io.isolens.extra': 'x' })).map((c) => c.id)).toEqual([id]);
    expect(await adapter.listOwned('lab', { 'io.isolens.extra': 'x' })).toEqual([]);
    expect(await adapter.removeOwned(id)).toBe(true);
    expect(await adapter.removeOwned(id)).toBe(true); // already gone is gone
  });

  it("removeOwned refuses a container Isolens did not create, and leaves it running", async () => {
    const unlabelled = await client.createContainer({ name: `${PREFIX}unlabelled`, Image: TEST_IMAGE, Cmd: ['sleep', '30'] });
    created.push(unlabelled.id);
    await expect(adapter.removeOwned(unlabelled.id)).rejects.toThrow(/not Isolens' own/);
    expect((await unlabelled.inspect()).Id).toBe(unlabelled.id);
  });

  it('inspect is the validated document; exec returns output and exit code; images are listed and inspected', async () => {
    const inspected = await adapter.inspect(user.id);
    expect(inspected.ok && inspected.value.State.Pid).toBe(user.pid);
    expect(await adapter.listRunning()).toContain(user.id);
    const run = await adapter.exec(user.id, ['sh', '-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 10_000 });
    expect(run).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
    const slow = await adapter.exec(user.id, ['sleep', '5'], { timeoutMs: 200 });
    expect(slow.timedOut).toBe(true);
    expect(await adapter.listImageTags()).toContain(TEST_IMAGE);
    expect(await adapter.inspectImage(TEST_IMAGE)).toMatchObject({ RepoTags: expect.arrayContaining([TEST_IMAGE]) });
    expect(await adapter.inspectImage('isolens-test/no-such-image:latest')).toBeNull();
  });
});
