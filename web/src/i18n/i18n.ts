/**
 * i18next set-up: Japanese by default, the reader's choice kept in localStorage, and <html lang>
 * and the document title following the language (screen readers and fonts depend on lang).
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { ja } from './ja.ts';
import { en } from './en.ts';

export const languages = ['ja', 'en'] as const;
export type Language = (typeof languages)[number];

const storageKey = 'otasuke.language';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

function storedLanguage(): Language | null {
  try {
    const value = localStorage.getItem(storageKey);
    return isLanguage(value) ? value : null;
  } catch {
    // Storage can be blocked (private mode, policies); the default language still works.
    return null;
  }
}

/** True when the reader has picked a language on this browser (it then wins over the account's). */
export function hasStoredLanguage(): boolean {
  return storedLanguage() !== null;
}

export async function setLanguage(language: Language, options: { remember: boolean } = { remember: true }): Promise<void> {
  if (options.remember) {
    try {
      localStorage.setItem(storageKey, language);
    } catch {
      // Not remembered, but the switch still applies to this page.
    }
  }
  await i18next.changeLanguage(language);
}

export function currentLanguage(): Language {
  return isLanguage(i18next.language) ? i18next.language : 'ja';
}

i18next.on('languageChanged', (language) => {
  document.documentElement.lang = language;
  document.title = i18next.t('app.documentTitle');
});

export async function initI18n(): Promise<typeof i18next> {
  await i18next.use(initReactI18next).init({
    resources: { ja: { translation: ja }, en: { translation: en } },
    lng: storedLanguage() ?? 'ja',
    fallbackLng: 'ja',
    supportedLngs: [...languages],
    // React escapes text itself.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return i18next;
}
