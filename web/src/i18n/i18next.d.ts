// Typed keys: t('login.titel') is a compile error, and the Japanese catalog defines the keys.
import 'i18next';
import type { ja } from './ja.ts';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof ja };
  }
}
