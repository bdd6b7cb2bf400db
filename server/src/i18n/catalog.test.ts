import { describe, expect, it } from 'vitest';
import { bilingual, catalogs, translate } from './catalog.ts';

describe('server message catalog', () => {
  it('has every key in both languages, none empty', () => {
    expect(Object.keys(catalogs.en).sort()).toEqual(Object.keys(catalogs.ja).sort());
    for (const text of [...Object.values(catalogs.ja), ...Object.values(catalogs.en)]) expect(text.trim()).not.toBe('');
  });

  it('fills variables and writes Japanese first', () => {
    expect(translate('ja', 'mail.passwordReset.body', { name: '山田', minutes: 60, link: 'https://x/r' })).toContain('山田 様');
    const body = bilingual('ja', 'mail.passwordReset.body', { name: '山田', minutes: 60, link: 'https://x/r' });
    expect(body.indexOf('山田 様')).toBeLessThan(body.indexOf('Dear 山田'));
  });
});
