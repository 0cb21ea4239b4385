// generateFix on captured containers: what each flag answers, hostile text quoted so a real shell reads it back verbatim.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { InspectDocument } from '../collect/config.js';
import { generateFix, imageDefaultsFrom, shellQuote, yamlString, FALLBACK_USER } from './fix.js';
import { assessed, inspectFixture, readFixture } from './fixtures/documents.js';

const HOSTILE = [
  "it's",
  '$(reboot)',
  '`id`',
  '"double" \\ back',
  "'; rm -rf / #",
  'new\nline',
  'tab\there',
  '',
  '--privileged',
  '*?[a]~{x,y}',
  "a'b'c''",
  '\u001b[2Jansi',
  'ünïcødé ‮ rtl',
];

/** How a real POSIX shell splits a generated command: `docker` replaced by a function that prints each argument NUL-terminated. */
function argvOf(command: string): string[] {
  const script = `docker() { for a in "$@"; do printf '%s\\0' "$a"; done; }\n${command}`;
  const out = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

/** The value after each occurrence of `flag` in argv. */
function valuesOf(argv: string[], flag: string): string[] {
  return argv.flatMap((word, index) => (word === flag ? [argv[index + 1]!] : []));
}

/** `key: value` lines of the generated compose text, values decoded (they are JSON strings with `$` doubled for compose). */
function composeValue(compose: string, key: string): unknown {
  const line = compose.split('\n').find((l) => l.trimStart().startsWith(`${key}: `));
  if (!line) return undefined;
  return JSON.parse(line.slice(line.indexOf(': ') + 2).replace(/\$\$/g, '$'));
}

describe('shellQuote', () => {
  it.each(HOSTILE)('a real shell reads %j back exactly', (text) => {
    const out = execFileSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(text)}`], { encoding: 'utf8' });
    expect(out).toBe(text);
  });

  it('leaves plain words bare and quotes everything else', () => {
    expect(shellQuote('NET_BIND_SERVICE')).toBe('NET_BIND_SERVICE');
    expect(shellQuote('127.0.0.1:18090:80/tcp')).toBe('127.0.0.1:18090:80/tcp');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
  });
});

describe('yamlString', () => {
  it.each(HOSTILE)('encodes %j as a double-quoted scalar with compose interpolation escaped', (text) => {
    const encoded = yamlString(text);
    expect(encoded.startsWith('"') && encoded.endsWith('"')).toBe(true);
    expect(encoded).not.toMatch(/\n/);
    expect(encoded.replace(/\$\$/g, '')).not.toContain('$');
    expect(JSON.parse(encoded.replace(/\$\$/g, '$'))).toBe(text);
  });
});

describe('generateFix on a weak container', () => {
  const inspect = inspectFixture('weak');
  const container = assessed(inspect);
  const image = imageDefaultsFrom(readFixture('image-inspect-busybox.json'));
  const fix = generateFix(container, inspect, { image });
  const argv = argvOf(fix.dockerRun);
  const answered = (flag: string) => fix.flags.find((f) => f.flag === flag)?.answers ?? [];

  it('drops every capability and adds back only NET_BIND_SERVICE, because it publishes ports below 1024', () => {
    expect(valuesOf(argv, '--cap-drop')).toEqual(['ALL']);
    expect(valuesOf(argv, '--cap-add')).toEqual(['NET_BIND_SERVICE']);
    expect(answered('--cap-drop ALL')).toEqual(expect.arrayContaining(['capabilities/sys-admin', 'capabilities/net-admin', 'capabilities/beyond-default', 'capabilities/net-raw']));
    expect(fix.notes.join(' ')).toMatch(/Not added back although the original added them: NET_ADMIN, SYS_ADMIN/);
  });

  it('removes the engine socket, host PID namespace and seccomp=unconfined, naming the findings', () => {
    expect(argv.join(' ')).not.toContain('docker.sock');
    expect(argv).not.toContain('--pid');
    expect(argv.join(' ')).not.toContain('unconfined');
    expect(fix.flags.find((f) => f.flag.startsWith('remove the mount /var/run/docker.sock'))?.answers).toEqual(['mounts/engine-socket']);
    expect(answered('remove --pid host')).toEqual(['namespaces/host-pid']);
    expect(answered('remove --security-opt seccomp=unconfined')).toEqual(['seccomp-lsm/seccomp-disabled']);
  });

  it('keeps the sensitive /etc mount but read-only, and says the narrower mount is left to the owner', () => {
    expect(valuesOf(argv, '--mount')).toEqual(['type=bind,source=/etc,target=/host-etc,readonly', 'type=bind,source=/tmp/isolens-lab-data,target=/data']);
    // A writable host /etc is host root one step away; the rule's fix for exactly this mount leads the flag's reason.
    const etc = fix.flags.find((f) => f.flag.includes('source=/etc'));
    expect(etc?.answers).toEqual(['mounts/host-root-read-write']);
    expect(etc?.why).toContain('Remove the mount of the host\'s /etc');
    expect(fix.unanswered.map((u) => u.ruleId)).not.toContain('mounts/host-root-read-write');
  });

  it('rebinds ports on every interface to 127.0.0.1 and keeps specific addresses', () => {
    expect(valuesOf(argv, '-p')).toEqual(['127.0.0.1:53:53/udp', '127.0.0.1:18090:80/tcp', '127.0.0.1:18091:443/tcp']);
    expect(fix.flags.find((f) => f.answers.includes('network/all-interfaces'))?.flag).toBe('-p 127.0.0.1:53:53/udp -p 127.0.0.1:18090:80/tcp');
    expect(fix.unanswered.find((u) => u.ruleId === 'network/privileged-host-port')?.why).toMatch(/host port is kept/);
  });

  it('adds read-only root, tmpfs, no-new-privileges, limits and a non-root user, each answering its finding', () => {
    expect(argv).toContain('--read-only');
    expect(valuesOf(argv, '--tmpfs')).toEqual(['/tmp:rw,nosuid,nodev,size=64m', '/run:rw,nosuid,nodev,size=64m']);
    expect(valuesOf(argv, '--security-opt')).toEqual(['no-new-privileges']);
    expect(valuesOf(argv, '--memory')).toEqual(['512m']);
    expect(valuesOf(argv, '--memory-swap')).toEqual(['512m']);
    expect(valuesOf(argv, '--cpus')).toEqual(['1']);
    expect(valuesOf(argv, '--pids-limit')).toEqual(['256']);
    expect(valuesOf(argv, '--user')).toEqual([FALLBACK_USER]);
    const all = fix.flags.flatMap((f) => f.answers);
    expect(all).toEqual(
      expect.arrayContaining([
        'mounts/writable-root-filesystem',
        'runtime/new-privileges-allowed',
        'resources/memory-unlimited',
        'resources/cpu-unlimited',
        'resources/pids-unlimited',
        'namespaces/root-in-host-userns',
      ]),
    );
  });

  it('claims only findings the container has, and accounts for every other finding', () => {
    const ids = container.findings.map((f) => f.ruleId);
    const claimed = fix.flags.flatMap((f) => f.answers);
    for (const id of claimed) expect(ids).toContain(id);
    expect(new Set([...claimed, ...fix.unanswered.map((u) => u.ruleId)])).toEqual(new Set(ids));
  });

  it('never copies an env value, leaves out what the image sets, and keeps the restart policy and command', () => {
    expect(fix.dockerRun).not.toContain('hunter2');
    expect(fix.compose).not.toContain('hunter2');
    expect(valuesOf(argv, '-e')).toEqual(['SECRET_TOKEN=<value>', 'PATH_EXTRA=<value>']);
    expect(valuesOf(argv, '--restart')).toEqual(['always']);
    expect(argv.slice(-3)).toEqual(['isolens-test/busybox', 'sleep', '3600']);
    expect(valuesOf(argv, '--label')).toEqual(['io.isolens.owner=test']);
  });

  it('renders the same service for compose', () => {
    expect(composeValue(fix.compose, 'image')).toBe('isolens-test/busybox');
    expect(composeValue(fix.compose, 'cap_drop')).toEqual(['ALL']);
    expect(composeValue(fix.compose, 'cap_add')).toEqual(['NET_BIND_SERVICE']);
    expect(composeValue(fix.compose, 'read_only')).toBe(true);
    expect(composeValue(fix.compose, 'security_opt')).toEqual(['no-new-privileges:true']);
    expect(composeValue(fix.compose, 'user')).toBe(FALLBACK_USER);
    expect(composeValue(fix.compose, 'ports')).toEqual(['127.0.0.1:53:53/udp', '127.0.0.1:18090:80/tcp', '127.0.0.1:18091:443/tcp']);
    expect(composeValue(fix.compose, 'environment')).toEqual(['SECRET_TOKEN=<value>', 'PATH_EXTRA=<value>']);
    expect(composeValue(fix.compose, 'command')).toEqual(['sleep', '3600']);
    expect(composeValue(fix.compose, 'pids_limit')).toBe(256);
    expect(fix.compose).toMatch(/^services:\n {2}isolens-int-lab-fixture-weak:\n/);
    expect(fix.compose).not.toMatch(/docker\.sock|pid: host|unconfined/);
  });
});

describe('generateFix on a hardened container', () => {
  const inspect = inspectFixture('hardened');
  const container = assessed(inspect);
  const fix = generateFix(container, inspect, { image: imageDefaultsFrom(readFixture('image-inspect-busybox.json')) });
  const argv = argvOf(fix.dockerRun);

  it('keeps its own user, limits, tmpfs and the capability it added, and adds /run', () => {
    expect(valuesOf(argv, '--user')).toEqual(['1000:1000']);
    expect(valuesOf(argv, '--memory')).toEqual(['128m']);
    expect(valuesOf(argv, '--cpus')).toEqual(['0.5']);
    expect(valuesOf(argv, '--pids-limit')).toEqual(['100']);
    expect(valuesOf(argv, '--tmpfs')).toEqual(['/tmp', '/run:rw,nosuid,nodev,size=64m']);
    // Added explicitly and not rated high or critical: the heuristic keeps it.
    expect(valuesOf(argv, '--cap-add')).toEqual(['NET_BIND_SERVICE']);
    expect(fix.flags.find((f) => f.flag === '--cap-add NET_BIND_SERVICE')?.why).toMatch(/Added explicitly/);
    expect(fix.flags.flatMap((f) => f.answers)).toEqual([]);
  });
});

describe('generateFix with hostile labels, env names and command', () => {
  const inspect = inspectFixture('hostile');
  const container = assessed(inspect);
  const fix = generateFix(container, inspect);
  const argv = argvOf(fix.dockerRun);

  it('passes every label, env name and command word through a real shell verbatim', () => {
    expect(valuesOf(argv, '--label')).toEqual(['io.isolens.owner=test', `note=it's $(reboot) \`id\` "q" \\ ; rm -rf / #`, "x'y=z"]);
    expect(valuesOf(argv, '-e')).toEqual(["WEIRD'NAME=<value>", 'FOO=<value>', 'PATH=<value>']);
    expect(argv.slice(-4)).toEqual(['isolens-test/busybox', 'sh', '-c', `sleep 3600 # it's $(whoami) \`id\` "x" \\ $HOME; echo 'a'"b"`]);
    expect(fix.dockerRun).not.toContain('$(id)');
  });

  it('quotes them in compose so neither YAML nor compose interpolation changes them', () => {
    expect(composeValue(fix.compose, 'labels')).toEqual(['io.isolens.owner=test', `note=it's $(reboot) \`id\` "q" \\ ; rm -rf / #`, "x'y=z"]);
    expect(composeValue(fix.compose, 'command')).toEqual(['sh', '-c', `sleep 3600 # it's $(whoami) \`id\` "x" \\ $HOME; echo 'a'"b"`]);
    expect(fix.compose).toContain('$$(reboot)');
  });

  it('quotes a hostile container name, mount path and image-declared user', () => {
    const renamed = generateFix({ ...container, name: "x'; reboot; '" }, {
      ...inspect,
      Mounts: [{ Type: 'bind', Source: "/srv/it's, odd:path", Destination: '/data"x', RW: true, Mode: '', Propagation: 'rprivate' }],
    } as unknown as InspectDocument);
    const words = argvOf(renamed.dockerRun);
    expect(valuesOf(words, '--name')).toEqual(["x'; reboot; '"]);
    expect(valuesOf(words, '--mount')).toEqual([`type=bind,"source=/srv/it's, odd:path","target=/data""x"`]);
    expect(renamed.compose).toMatch(/^services:\n {2}x-reboot:\n/);
  });
});
