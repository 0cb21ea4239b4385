// Selecting containers by name, glob or id on a real engine: only the selected ones are inspected, not every running one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerEngine } from '../engine/engine.js';
import { openEngine } from '../engine/open.js';
import { inspectRunning } from './scan.js';
import { removeTestContainers, startContainer, testClient, type StartedContainer } from '../../e2e/harness/engine.js';

const noEngine = process.env.ISOLENS_NO_ENGINE;
const PREFIX = 'isolens-int-select-';
const client = testClient();

describe.skipIf(noEngine)('inspectRunning with a selector', () => {
  let adapter: ContainerEngine;
  let started: StartedContainer[];
  beforeAll(async () => {
    await removeTestContainers(client, PREFIX);
    ({ adapter } = await openEngine({}));
    started = [];
    for (const name of ['web-1', 'web-2', 'db']) started.push(await startContainer(`${PREFIX}${name}`));
    // One with a legacy link: the engine lists it under a second name, "/<linker>/<alias>", too.
    started.push(await startContainer(`${PREFIX}linker`, { HostConfig: { Links: [`${PREFIX}db:alias`] } }));
  });
  afterAll(() => removeTestContainers(client, PREFIX));

  /** The adapter, counting the containers it is asked to inspect. */
  function counting(): { engine: ContainerEngine; inspected: string[] } {
    const inspected: string[] = [];
    const engine: ContainerEngine = Object.create(adapter, {
      inspect: { value: (id: string) => (inspected.push(id), adapter.inspect(id)) },
    });
    return { engine, inspected };
  }

  it.each([
    ['a name', `${PREFIX}db`, ['db']],
    ['a glob', `${PREFIX}web-*`, ['web-1', 'web-2']],
    ['an id prefix', 'ID:db', ['db']],
    ['a name nothing has', `${PREFIX}nope`, []],
  ])('%s inspects only what it selects', async (_what, selector, names) => {
    const wanted = selector === 'ID:db' ? started.find((c) => c.name === `${PREFIX}db`)!.id.slice(0, 12) : selector;
    const { engine, inspected } = counting();
    const { inspects } = await inspectRunning(engine, { container: wanted });
    expect(inspects.map((inspect) => inspect.Name).sort()).toEqual(names.map((name) => `/${PREFIX}${name}`));
    expect(inspected.sort()).toEqual(inspects.map((inspect) => inspect.Id).sort());
  });

  it('the names the engine lists are each container\'s own, not its link aliases', async () => {
    const named = (await adapter.listRunningNamed()).filter((container) => container.name.startsWith(PREFIX));
    expect(named.map((container) => container.name).sort()).toEqual(['db', 'linker', 'web-1', 'web-2'].map((name) => `${PREFIX}${name}`));
  });

  it('without a selector every running container is inspected (the scan)', async () => {
    const { engine, inspected } = counting();
    const { inspects } = await inspectRunning(engine);
    expect(inspected.length).toBe(inspects.length);
    expect(inspects.filter((inspect) => inspect.Name.startsWith(`/${PREFIX}`))).toHaveLength(4);
  });
});
