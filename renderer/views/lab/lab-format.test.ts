import { describe, expect, it } from 'vitest';
import { LabOptions } from '../../../app/model/lab.js';
import type { ProbeResult } from '../../../app/lab/probes.js';
import type { OperationId } from '../../../app/model/schema.js';
import { headlineText, INITIAL_LAB_FORM, labHeadline, labOptionsFromForm, outcomeTone, predictionCheck, probeLine, signedDelta } from './lab-format.js';

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

describe('lab headline', () => {
  const result = (probeId: ProbeResult['probeId'], outcome: ProbeResult['outcome']): ProbeResult => ({ probeId, title: probeId, destructive: false, outcome, errno: outcome === 'blocked' ? 'EPERM' : null, signal: null, output: '', responsible: '', durationMs: 1 });
  const operations: Partial<Record<string, OperationId>> = { 'mount-tmpfs': 'mount', 'create-device-node': 'mknod', 'raw-socket': 'raw-socket' };
  const operationOf = (id: string) => operations[id] ?? null;

  it('leads with blocked out of all and the change since the previous run, and lists what is still allowed', () => {
    const before = [result('mount-tmpfs', 'blocked'), result('create-device-node', 'allowed'), result('raw-socket', 'allowed'), result('chmod-file', 'allowed')];
    const after = [result('mount-tmpfs', 'blocked'), result('create-device-node', 'blocked'), result('raw-socket', 'allowed'), result('chmod-file', 'allowed')];
    const headline = labHeadline(after, before, operationOf);
    expect(headline).toMatchObject({ blocked: 2, total: 4, delta: 1 });
    // chmod is allowed for any file owner: not something left to fix.
    expect(headline.stillAllowed.map((p) => p.probeId)).toEqual(['raw-socket']);
    expect(headlineText(headline)).toBe('probes blocked 2/4, +1');
    expect(headlineText(labHeadline(before, null, operationOf))).toBe('probes blocked 1/4');
    expect(headlineText(labHeadline(before, after, operationOf))).toBe('probes blocked 1/4, −1');
  });

  it('tones an allowed probe red only where it stands for an operation', () => {
    expect([outcomeTone('allowed', 'mknod'), outcomeTone('allowed', null), outcomeTone('blocked', null), outcomeTone('error', 'mount')]).toEqual(['allowed', 'harmless', 'blocked', 'error']);
  });

  it('sets the predicted verdict beside the observed one, and flags a disagreement only where both are known', () => {
    const ops = [
      { id: 'mknod' as const, verdict: 'allowed' as const, because: [] },
      { id: 'mount' as const, verdict: 'unknown' as const, because: [] },
    ];
    expect(predictionCheck(ops, 'mknod', 'allowed')).toEqual({ predicted: 'allowed', differs: false });
    expect(predictionCheck(ops, 'mknod', 'blocked')).toEqual({ predicted: 'allowed', differs: true });
    expect(predictionCheck(ops, 'mknod', 'error')).toEqual({ predicted: 'allowed', differs: false });
    expect(predictionCheck(ops, 'mount', 'blocked')).toEqual({ predicted: 'unknown', differs: false });
    expect(predictionCheck(ops, null, 'allowed')).toBeNull();
    expect(predictionCheck(undefined, 'mknod', 'allowed')).toBeNull();
  });
});
