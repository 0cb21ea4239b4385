// A stand-in for a benchmark, for e2e/integration/bench-containers.test.ts: starts N bench containers the way the benches
// do (bench/containers.ts), says "ready", and waits to be interrupted or killed. Argv: PREFIX N.
import { testClient } from './engine.js';
import { benchContainers } from '../../bench/containers.js';

const [prefix, count] = process.argv.slice(2);
const containers = benchContainers(testClient(), prefix!);
for (let i = 0; i < Number(count); i++) await containers.start(`${prefix}${i}`, { HostConfig: { NetworkMode: 'none' } });
process.stdout.write(`ready ${containers.run}\n`);
setInterval(() => undefined, 60_000);
