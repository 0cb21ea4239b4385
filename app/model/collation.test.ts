// compareText against ICU's collator: every printable ASCII character, random strings, and when it must defer to ICU.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRootAsciiForTest, compareText, defaultOrderIsRoot } from './collation.js';

const icu = new Intl.Collator('en-US').compare;
const sign = (n: number): number => Math.sign(n);
const PRINTABLE = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i));

describe('compareText', () => {
  it('orders every printable ASCII character as ICU does, each against each', () => {
    for (const a of PRINTABLE) for (const b of PRINTABLE) expect(sign(compareRootAsciiForTest(a, b)), `${a} ${b}`).toBe(sign(icu(a, b)));
    expect([...PRINTABLE].sort(compareRootAsciiForTest)).toEqual([...PRINTABLE].sort(icu));
  });

  it('orders random printable ASCII strings as ICU does: names, ids, paths, case and prefixes', () => {
    const character = fc.constantFrom(...PRINTABLE, 'a', 'A', 'b', '/', '-', '_', '.', '0');
    const text = fc.array(character, { maxLength: 12 }).map((characters) => characters.join(''));
    fc.assert(
      fc.property(text, text, text, (prefix, a, b) => {
        expect(sign(compareRootAsciiForTest(prefix + a, prefix + b))).toBe(sign(icu(prefix + a, prefix + b)));
        expect(sign(compareRootAsciiForTest(a, b))).toBe(sign(icu(a, b)));
      }),
      { numRuns: 20_000 },
    );
  });

  it('sorts real names and mount paths as localeCompare did', () => {
    const names = ['web-2', 'Web-1', 'web_1', 'web.1', 'web1', 'db', 'DB', 'a b', 'isolens-bench-scan-10', 'isolens-bench-scan-9', '/etc/hosts', '/etc/hostname', '/dev/shm', '/sys/fs/cgroup', '/proc', '/'];
    expect([...names].sort(compareText)).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it('defers to ICU for text outside printable ASCII', () => {
    const names = ['zürich', 'zurich', 'Zebra', 'éclair', 'eclair', 'tab\there', 'tabhere', '日本'];
    expect([...names].sort(compareText)).toEqual([...names].sort(new Intl.Collator().compare));
  });
});

describe('defaultOrderIsRoot', () => {
  it('holds for C, POSIX and English locales, unset or empty variables', () => {
    for (const value of [undefined, '', 'C', 'POSIX', 'C.UTF-8', 'en', 'en_US.UTF-8', 'en_GB.utf8']) expect(defaultOrderIsRoot({ LANG: value }), String(value)).toBe(true);
    expect(defaultOrderIsRoot({})).toBe(true);
  });

  it('does not hold where a locale tailors ASCII, whichever variable names it, under Electron, an ICU flag or without a process', () => {
    // Danish sorts "aa" after "z"; Turkish puts I before i; Lithuanian puts y between i and j.
    for (const value of ['da_DK.UTF-8', 'tr_TR.UTF-8', 'lt_LT', 'de_DE.UTF-8', 'en_US@posix', 'en_US_POSIX']) {
      expect(defaultOrderIsRoot({ LANG: value }), value).toBe(false);
      expect(defaultOrderIsRoot({ LANG: 'en_US.UTF-8', LC_ALL: value }), value).toBe(false);
      expect(defaultOrderIsRoot({ LC_MESSAGES: value, LANG: 'C' }), value).toBe(false);
    }
    expect(defaultOrderIsRoot({ LANG: 'en_US.UTF-8' }, { electron: '39.0.0' })).toBe(false);
    expect(defaultOrderIsRoot({}, { execArgv: ['--icu-locale=da'] })).toBe(false);
    expect(defaultOrderIsRoot({}, { execArgv: ['--import', './icu-probe.mjs'] })).toBe(true);
    expect(defaultOrderIsRoot(undefined)).toBe(false);
  });

  it('agrees with this process\'s own collator where it holds', () => {
    if (!defaultOrderIsRoot(process.env, { electron: process.versions.electron, execArgv: process.execArgv })) return;
    const text = fc.array(fc.constantFrom(...PRINTABLE), { maxLength: 8 }).map((characters) => characters.join(''));
    const own = new Intl.Collator().compare;
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(sign(compareText(a, b))).toBe(sign(own(a, b)));
      }),
      { numRuns: 5_000 },
    );
  });
});
