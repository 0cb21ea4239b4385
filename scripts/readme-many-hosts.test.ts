// Keeps README.md's "Many hosts" true: the port, every metric, every alert, the files it names, the run flags.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_EXPORTER_PORT } from '../app/exporter/server.js';
import { renderMetrics } from '../app/exporter/metrics.js';
import { loadSampleSnapshot } from '../app/report/fixtures/sample.js';

const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const section = readme.split('## Many hosts')[1]!.split('\n## ')[0]!;

describe('README, Many hosts', () => {
  it('names the default port the code uses', () => {
    expect(section).toContain(`**${DEFAULT_EXPORTER_PORT}**`);
    expect(section).toContain(`127.0.0.1:${DEFAULT_EXPORTER_PORT}/metrics`);
  });

  it('every file it names exists', () => {
    const paths = [...section.matchAll(/`?((?:deploy\/[\w./-]+)|Dockerfile)`?/g)].map((m) => m[1]!.replace(/[.,]$/, ''));
    expect(paths.length).toBeGreaterThan(5);
    for (const path of new Set(paths)) expect(existsSync(new URL(path, root)), path).toBe(true);
  });

  it('its metric table lists every metric the exporter writes', async () => {
    const text = await renderMetrics({ snapshot: loadSampleSnapshot(), engineUp: true, scanDurationSeconds: 1, scrapeErrorsTotal: 0 }, { findingSeries: true });
    const names = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) {
      const short = name.replace(/^isolens_container_/, '_');
      expect(section.includes(`\`${name}\``) || section.includes(`\`${short}\``), name).toBe(true);
    }
  });

  it('its alert table has every rule with its for and severity', () => {
    const rules = (parse(readFileSync(new URL('deploy/prometheus/isolens.rules.yml', root), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; for: string; labels: { severity: string } }> }> }).groups.flatMap((g) => g.rules);
    const lines = section.split('\n');
    for (const rule of rules) {
      const row = lines.find((line) => line.startsWith(`| \`${rule.alert}\` |`));
      expect(row, rule.alert).toBeDefined();
      expect(row!.endsWith(`| ${rule.for} | ${rule.labels.severity} |`), row).toBe(true);
    }
  });

  it('runs the image with the flags the Dockerfile and compose file use', () => {
    const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
    const compose = readFileSync(new URL('deploy/compose.yml', root), 'utf8');
    for (const flag of ['--pid=host', '--cgroupns=host', '--network=host', '--cap-drop ALL', '--cap-add SYS_PTRACE', '--security-opt no-new-privileges', '--read-only', '/var/run/docker.sock:/var/run/docker.sock', '/sys/fs/cgroup:/sys/fs/cgroup:ro']) {
      expect(section, flag).toContain(flag);
      expect(dockerfile, flag).toContain(flag);
    }
    for (const key of ['pid: host', 'cgroup: host', 'network_mode: host', 'read_only: true', 'cap_drop: [ALL]', 'cap_add: [SYS_PTRACE]', 'no-new-privileges:true']) expect(compose, key).toContain(key);
  });
});
