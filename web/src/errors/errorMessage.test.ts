import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../api/apiError.ts';
import { ja } from '../i18n/ja.ts';
import { en } from '../i18n/en.ts';
import { errorMessage, showsRequestId } from './errorMessage.ts';

beforeAll(async () => {
  await i18next.init({ resources: { ja: { translation: ja }, en: { translation: en } }, lng: 'ja', interpolation: { escapeValue: false } });
});

const t = (language: 'ja' | 'en') => i18next.getFixedT(language);

describe('errorMessage', () => {
  it('translates by code, never by the server text', () => {
    const error = new ApiError(401, 'invalid_credentials', 'wrong email or password');
    expect(errorMessage(error, t('ja'), 'ja')).toBe(ja.errors.invalid_credentials);
    expect(errorMessage(error, t('en'), 'en')).toBe(en.errors.invalid_credentials);
  });

  it('shows when a locked account unlocks, in the reader’s time zone', () => {
    const lockedUntil = '2026-11-26T01:15:00.000Z';
    const error = new ApiError(429, 'account_locked', 'locked', { lockedUntil, retryAfterSeconds: 900 });
    const time = new Intl.DateTimeFormat('ja', { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(lockedUntil));
    const message = errorMessage(error, t('ja'), 'ja');
    expect(message).toContain(time);
    expect(message).toContain('ロック');
    expect(errorMessage(new ApiError(429, 'account_locked', 'locked'), t('ja'), 'ja')).toBe(ja.errors.account_locked_untimed);
  });

  it('says how many minutes to wait when throttled', () => {
    const error = new ApiError(429, 'too_many_requests', 'slow down', { retryAfterSeconds: 301 });
    expect(errorMessage(error, t('ja'), 'ja')).toContain('約6分後');
    expect(errorMessage(new ApiError(429, 'too_many_requests', 'slow down'), t('en'), 'en')).toBe(en.errors.too_many_requests_untimed);
  });

  it('falls back to the server message for a code this build does not know', () => {
    const error = new ApiError(418, 'brand_new_code' as never, 'the server explains it');
    expect(errorMessage(error, t('ja'), 'ja')).toBe('the server explains it');
  });

  it('gives a reference number only for server-side failures', () => {
    expect(showsRequestId(new ApiError(500, 'internal', 'boom', undefined, 'req-1'))).toBe(true);
    expect(showsRequestId(new ApiError(401, 'invalid_credentials', 'no', undefined, 'req-2'))).toBe(false);
    expect(errorMessage(new Error('not an api error'), t('en'), 'en')).toBe(en.errors.unknown);
  });
});
