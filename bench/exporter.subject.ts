// The exporter's rows of `npm run bench:live`: CPU and RSS of `isolens exporter` at N containers, scraped every 15 s.
import type { BenchContext, Row, Subject } from './live.bench.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { until } from '../e2e/harness/until.js';
import { median } from './median.js';

const SCRAPE_INTERVAL_MS = 15_000;

/** Containers named with the prefix in one exposition (their isolens_container_info series). */
function countIn(text: string, prefix: string): number {
  return text.split('\n').filter((line) => line.startsWith('isolens_container_info{') && line.includes(`name="${prefix}`)).length;
}

export function exporterSubject(prefix: string): Subject {
  return {
    name: 'isolens exporter',
    async run(context: BenchContext, rows: Row[]) {
      const { child, output } = context.spawnIsolens(['exporter', '--listen', '127.0.0.1:0']);
      try {
        const url = (await until('the exporter URL', () => /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(output()), 60_000, 250))[1]!;
        const startedAt = Date.now();
        let text = '';
        await until(`the exporter to list ${context.count} containers`, async () => {
          text = await fetch(url).then((response) => response.text()).catch(() => ''); // not listening yet: ask again
          return countIn(text, prefix) >= context.count;
        }, 300_000, 250);
        const series = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
        rows.push({
          subject: 'isolens exporter',
          condition: 'first snapshot after start',
          cpuPercent: null,
          rssMiB: null,
          engineExtraPercent: null,
          note: `${Date.now() - startedAt} ms; ${series} series, ${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB`,
        });
        await sleep(5000);

        // Prometheus' default: a scrape every 15 s. The first one at the window's start, then on the interval.
        const scrapes: number[] = [];
        const scanSeconds: number[] = [];
        let lastScrape = 0;
        const scrape = () => {
          if (Date.now() - lastScrape < SCRAPE_INTERVAL_MS) return;
          lastScrape = Date.now();
          const t = performance.now();
          void fetch(url)
            .then((r) => r.text())
            .then((body) => {
              scrapes.push(performance.now() - t);
              const scan = /^isolens_scan_duration_seconds (\S+)$/m.exec(body)?.[1];
              if (scan) scanSeconds.push(Number(scan));
            }, () => undefined);
        };
        scrape();
        rows.push({
          subject: 'isolens exporter',
          condition: 'scraped every 15 s',
          ...(await context.measureProcess(child.pid!, scrape)),
          note: `${scrapes.length} scrapes, median ${median(scrapes).toFixed(0)} ms; session rebuild ${(median(scanSeconds) * 1000).toFixed(0)} ms`,
        });
      } finally {
        await new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGINT');
          setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
        });
      }
    },
  };
}
