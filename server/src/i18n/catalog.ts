/**
 * Text the server writes for people (mails, later reports): Japanese first, English second.
 * Keys are stable; every key must exist in both catalogs (checked by catalog.test.ts).
 */
import type { Locale } from '@otasuke/shared';

const ja = {
  'mail.passwordReset.subject': '【お助け隊】パスワード再設定のご案内',
  'mail.passwordReset.body':
    '{{name}} 様\n\nパスワード再設定のお申し込みを受け付けました。\n下のリンクを開き、新しいパスワードを設定してください（有効期限: {{minutes}}分、1回限り）。\n\n{{link}}\n\nお心当たりがない場合は、このメールを破棄してください。パスワードは変更されません。\n\nサイバーセキュリティお助け隊',
} as const;

export type MessageKey = keyof typeof ja;

const en: Record<MessageKey, string> = {
  'mail.passwordReset.subject': '[Otasuke] Resetting your password',
  'mail.passwordReset.body':
    'Dear {{name}},\n\nWe received a request to reset your password.\nOpen the link below to set a new one (valid for {{minutes}} minutes, once).\n\n{{link}}\n\nIf you did not ask for this, ignore this mail; your password stays as it is.\n\nCybersecurity Otasuketai',
};

export const catalogs: Record<Locale, Record<MessageKey, string>> = { ja, en };

export function translate(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return catalogs[locale][key].replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(vars[name] ?? `{{${name}}}`));
}

/** A mail body in the reader's language first, then the other one, so nobody is left out. */
export function bilingual(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const other: Locale = locale === 'ja' ? 'en' : 'ja';
  return `${translate(locale, key, vars)}\n\n----------------------------------------\n\n${translate(other, key, vars)}`;
}
