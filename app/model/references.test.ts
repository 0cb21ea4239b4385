import { describe, expect, it } from 'vitest';
import { attackTechniqueUrl, CIS_DOCKER_BENCHMARK_URL, isReferenceUrl } from './references.js';

describe('references', () => {
  it('builds ATT&CK technique and sub-technique pages, and refuses anything that is not a technique id', () => {
    expect(attackTechniqueUrl('T1611')).toBe('https://attack.mitre.org/techniques/T1611/');
    expect(attackTechniqueUrl('T1547.006')).toBe('https://attack.mitre.org/techniques/T1547/006/');
    expect(attackTechniqueUrl('T1611/../../evil')).toBeNull();
    expect(attackTechniqueUrl('javascript:alert(1)')).toBeNull();
  });

  it('lets only https reference pages out of the app', () => {
    expect(isReferenceUrl(attackTechniqueUrl('T1611')!)).toBe(true);
    expect(isReferenceUrl(CIS_DOCKER_BENCHMARK_URL)).toBe(true);
    for (const url of ['http://attack.mitre.org/techniques/T1611/', 'https://attack.mitre.org.evil.example/', 'https://user@attack.mitre.org/', 'https://attack.mitre.org:8443/', 'file:///etc/passwd', 'not a url']) {
      expect(isReferenceUrl(url), url).toBe(false);
    }
  });
});
