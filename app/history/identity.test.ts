import { describe, expect, it } from 'vitest';
import { NotificationSettings } from '../model/history.js';
import { identityOf, MAX_IDENTITY_KEY_LENGTH } from './identity.js';

const compose = (project: string, service: string) => ({ name: 'x', labels: { 'com.docker.compose.project': project, 'com.docker.compose.service': service } });

describe('identityOf', () => {
  it('compose project and service, else the name', () => {
    expect(identityOf(compose('shop', 'web')).key).toBe('shop/web');
    expect(identityOf({ name: 'db', labels: {} }).key).toBe('db');
  });

  it('a 64 KiB compose label gives a bounded key that stays unique, stable and mutable', () => {
    const huge = `\u001b[2J</script>${'P'.repeat(65_536)}`;
    const a = identityOf(compose(huge, 'web'));
    const b = identityOf(compose(`${huge}Q`, 'web'));
    expect(a.key.length).toBeLessThanOrEqual(MAX_IDENTITY_KEY_LENGTH);
    expect(a.key).toMatch(/…#[0-9a-f]{16}$/);
    expect(identityOf(compose(huge, 'web')).key).toBe(a.key);
    expect(b.key).not.toBe(a.key);
    expect(a.project!.length).toBe(MAX_IDENTITY_KEY_LENGTH);
    // Muting it goes through the settings' validation.
    expect(NotificationSettings.safeParse({ mutedRules: [], mutedContainers: [a.key] }).success).toBe(true);
  });
});
