import { describe, expect, it } from 'vitest';
import { LabOptions } from '../../../app/model/lab.js';
import { INITIAL_LAB_FORM, labOptionsFromForm, probeLine, signedDelta } from './lab-format.js';

describe('lab form', () => {
  it('refuses to run without an image', () => {
    expect(labOptionsFromForm(INITIAL_LAB_FORM)).toEqual({ ok: false, reason: 'Choose an image' });
  });

  it('turns every field into options the backend schema accepts', () => {
    const result = labOptionsFromForm({
      ...INITIAL_LAB_FORM,
      image: 'isolens-test/busybox:latest',
      dropAllCapabilities: true,
      addCapabilities: ['NET_BIND_SERVICE'],
      readOnly: true,
      tmpfsText: '/tmp, /run',
      user: ' 1000:1000 ',
      memoryMebibytesText: '64',
      cpusText: '0.5',
      pidsLimitText: '32',
      networkNone: true,
    });
    if (!result.ok) throw new Error(result.reason);
    const parsed = LabOptions.parse(result.options);
    expect(parsed).toMatchObject({ tmpfs: ['/tmp', '/run'], user: '1000:1000', memoryBytes: 64 * 1024 * 1024, cpus: 0.5, pidsLimit: 32, addCapabilities: ['CAP_NET_BIND_SERVICE'] });
  });

  it('leaves limits out when empty and says which number is wrong', () => {
    const empty = labOptionsFromForm({ ...INITIAL_LAB_FORM, image: 'busybox' });
    expect(empty.ok && [empty.options.memoryBytes, empty.options.cpus, empty.options.pidsLimit, empty.options.user]).toEqual([null, null, null, null]);
    expect(labOptionsFromForm({ ...INITIAL_LAB_FORM, image: 'busybox', cpusText: 'two' })).toEqual({ ok: false, reason: 'CPUs must be a positive number (or empty for no limit)' });
    expect(labOptionsFromForm({ ...INITIAL_LAB_FORM, image: 'busybox', pidsLimitText: '8.5' }).ok).toBe(false);
  });
});

describe('probe text', () => {
  it('reads as outcome, errno or signal, and the responsible flag', () => {
    expect(probeLine({ title: 'Mount a filesystem', outcome: 'blocked', errno: 'EPERM', signal: null, responsible: 'CAP_SYS_ADMIN dropped' })).toBe('Mount a filesystem: blocked (EPERM) — CAP_SYS_ADMIN dropped');
    expect(probeLine({ title: 'Allocate', outcome: 'blocked', errno: null, signal: 'SIGKILL', responsible: '' })).toBe('Allocate: blocked (SIGKILL)');
    expect(probeLine({ title: 'mknod', outcome: 'allowed', errno: null, signal: null, responsible: 'CAP_MKNOD held' })).toBe('mknod: allowed — CAP_MKNOD held');
  });

  it('signs score deltas', () => {
    expect([signedDelta(12.4), signedDelta(-5), signedDelta(0.2), signedDelta(null)]).toEqual(['+12', '−5', '±0', '—']);
  });
});
