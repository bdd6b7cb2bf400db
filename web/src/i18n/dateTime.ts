import { useTranslation } from 'react-i18next';

/** Date and time in the reader's language and time zone (24-hour, as Japanese readers expect). */
export function useFormatDateTime(): (iso: string) => string {
  const { i18n } = useTranslation();
  const locale = i18n.language === 'ja' ? 'ja-JP' : 'en-GB';
  return (iso) => new Date(iso).toLocaleString(locale);
}
