import { useTranslation } from 'react-i18next';

// One formatter per language: building an Intl formatter per call costs more than formatting
// (a queue page formats hundreds of dates).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(locale: string): Intl.DateTimeFormat {
  let formatter = formatters.get(locale);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(locale, formatter);
  }
  return formatter;
}

/** Date and time in the reader's language and time zone (24-hour, as Japanese readers expect). */
export function useFormatDateTime(): (iso: string) => string {
  const { i18n } = useTranslation();
  const formatter = formatterOf(i18n.language === 'ja' ? 'ja-JP' : 'en-GB');
  return (iso) => formatter.format(new Date(iso));
}
