// Bad arguments exit 2 in every command, before any engine is asked; selectors accept name globs and refuse an empty name.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchesContainer } from '../collect/scan.js';
import { EXIT } from './main.js';
import { runCaptured } from './captured.js';

// Nothing listens here: a command that got as far as the engine would exit 1 with this path in its message.
const NO_ENGINE = 'unix:///nonexistent/isolens-arguments-test.sock';

const cli = runCaptured;

describe('bad arguments exit 2, before the engine is asked', () => {
  it.each([
    ['lab with an unknown capability', ['lab', '--image', 'busybox', '--cap-add', 'FOO', '-H', NO_ENGINE], /--cap-add/],
    ['lab with a missing seccomp file', ['lab', '--image', 'busybox', '--seccomp', '/nonexistent/profile.json', '-H', NO_ENGINE], /--seccomp: no file at \/nonexistent\/profile\.json/],
    ['scan with an empty --container', ['scan', '--container', '', '-H', NO_ENGINE], /--container/],
    ['scan with a blank --container', ['scan', '-c', '  ', '-H', NO_ENGINE], /container name/],
    ['diff with an empty name', ['diff', '', 'web', '-H', NO_ENGINE], /container name/],
    ['fix with an empty name', ['fix', '', '-H', NO_ENGINE], /container name/],
    ['serve with a bad port', ['serve', '-p', '99999'], /port/],
    ['serve with a bad --retention', ['serve', '--retention', '7 days'], /--retention.*a duration such as/],
    ['exporter with a bad --retention, checked as serve checks it', ['exporter', '--retention', '0s', '-H', NO_ENGINE], /--retention.*a duration such as/],
    ['an unknown command', ['scna'], /unknown command/],
    ['an unknown option', ['scan', '--colour'], /unknown option/],
  ])('%s', async (_what, args, message) => {
    const { code, stderr } = await cli(args);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/isolens-arguments-test\.sock/);
  });

  it('a seccomp file that is not a profile is a bad argument too', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'isolens-seccomp-')), 'profile.json');
    writeFileSync(file, '{"syscalls": []}');
    const { code, stderr } = await cli(['lab', '--image', 'busybox', '--seccomp', file, '-H', NO_ENGINE]);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(/not a seccomp profile/);
  });

  it('valid lab options do reach the engine (the refusals above are not the only outcome)', async () => {
    const { code, stderr } = await cli(['lab', '--image', 'busybox', '--cap-drop-all', '--cap-add', 'NET_BIND_SERVICE', '-H', NO_ENGINE]);
    expect(code).toBe(EXIT.error);
    expect(stderr).toMatch(/isolens-arguments-test\.sock/);
  });
});

describe('-H to a path that is not a socket', () => {
  it.each([['/etc/passwd', 'a regular file'], ['/tmp', 'a directory'], ['/dev/null', 'a character device']])('%s says it is %s', async (path, kind) => {
    const { code, stderr } = await cli(['scan', '-H', `unix://${path}`]);
    expect(code).toBe(EXIT.error);
    expect(stderr).toBe(`isolens: ${path} is ${kind}, not a socket: no engine can listen there; check --host\n`);
  });
});

describe('container selectors', () => {
  const web1 = { Id: 'a1b2c3d4e5f6a7b8', Name: '/web-1' };
  const web2 = { Id: 'f0e1d2c3b4a59687', Name: '/web-2' };
  const db = { Id: '0123456789abcdef', Name: '/db' };
  it('take name globs as --ignore does', () => {
    expect([web1, web2, db].filter((c) => matchesContainer(c, 'web-*')).map((c) => c.Name)).toEqual(['/web-1', '/web-2']);
    expect([web1, web2, db].filter((c) => matchesContainer(c, 'web-?')).map((c) => c.Name)).toEqual(['/web-1', '/web-2']);
    expect([web1, web2, db].filter((c) => matchesContainer(c, '*')).length).toBe(3);
  });
  it('still take exact names and id prefixes, and a name without glob characters only matches itself', () => {
    expect(matchesContainer(db, 'db')).toBe(true);
    expect(matchesContainer(db, '/db')).toBe(true);
    expect(matchesContainer(web1, 'a1b2c3')).toBe(true);
    expect(matchesContainer(web1, 'web')).toBe(false);
    // Regular-expression characters in a name are literal.
    expect(matchesContainer({ Id: 'x', Name: '/a.b' }, 'a.b')).toBe(true);
    expect(matchesContainer({ Id: 'x', Name: '/aXb' }, 'a.b')).toBe(false);
  });
});
