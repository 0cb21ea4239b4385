// vitest global setup for integration tests: a real engine must answer (in CI it must), the test image exists, no leftovers.
import { engineAnswers, ensureTestImage, removeTestContainers, testClient, TEST_NAME_PREFIX } from './engine.js';

/** Leftovers of crashed runs are removed by name prefix; narrow it (ISOLENS_CLEANUP_PREFIX) when several runs share an engine. */
const cleanupPrefix = process.env.ISOLENS_CLEANUP_PREFIX ?? TEST_NAME_PREFIX;

export async function setup(): Promise<void> {
  const client = testClient();
  if (!(await engineAnswers(client))) {
    const message =
      'Integration tests need a running Docker engine at /var/run/docker.sock (or DOCKER_HOST=unix://…). ' +
      'Start one (sudo dockerd &) or run only the unit tests: npm run test:unit';
    if (process.env.CI) throw new Error(message);
    process.env.ISOLENS_NO_ENGINE = message;
    console.warn(`\n[isolens] SKIPPING integration tests: ${message}\n`);
    return;
  }
  await removeTestContainers(client, cleanupPrefix);
  await ensureTestImage(client);
}

export async function teardown(): Promise<void> {
  const client = testClient();
  if (await engineAnswers(client)) await removeTestContainers(client, cleanupPrefix);
}
