// vitest global setup for integration tests: a real engine must answer (in CI it must), the test image exists, no stale leftovers.
import { engineAnswers, ensureTestImage, removeTestContainers, testClient, TEST_NAME_PREFIX } from './engine.js';

/**
 * Leftovers of a crashed run are removed when older than this. Younger ones may belong to another run sharing the
 * engine (two terminals, an IDE), so they are left alone: every suite removes its own containers in afterAll.
 */
const LEFTOVER_AGE_SECONDS = 10 * 60;

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
  await removeTestContainers(client, TEST_NAME_PREFIX, LEFTOVER_AGE_SECONDS);
  await ensureTestImage(client);
}
