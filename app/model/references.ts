// Where a finding's references live on the web: MITRE ATT&CK technique pages and the CIS Docker Benchmark; the only sites the app opens.

/** The hosts the desktop app hands to the system browser (main/ opens nothing else). */
export const REFERENCE_HOSTS: readonly string[] = ['attack.mitre.org', 'www.cisecurity.org'];

/** attack.mitre.org's page of a technique: T1611 → /techniques/T1611/, T1547.006 → /techniques/T1547/006/. */
export function attackTechniqueUrl(technique: string): string | null {
  const match = /^(T\d{4})(?:\.(\d{3}))?$/.exec(technique);
  if (!match) return null;
  return `https://attack.mitre.org/techniques/${match[1]}/${match[2] ? `${match[2]}/` : ''}`;
}

/** The CIS Docker Benchmark's page (its controls are in the PDF it links to; there is no page per control). */
export const CIS_DOCKER_BENCHMARK_URL = 'https://www.cisecurity.org/benchmark/docker';

/** Is this a reference link the app may open outside itself: https on one of REFERENCE_HOSTS, nothing else. */
export function isReferenceUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && REFERENCE_HOSTS.includes(parsed.hostname) && parsed.username === '' && parsed.password === '' && parsed.port === '';
  } catch {
    return false;
  }
}
