import { useTranslation } from 'react-i18next';

/** Whole yen with thousands separators, in the reader's language ("12,000円" / "¥12,000"). */
export function useFormatYen(): (yen: number) => string {
  const { t } = useTranslation();
  return (yen) => t('kpi.yen', { amount: new Intl.NumberFormat('ja-JP').format(yen) });
}

/** The current month in Japan, YYYY-MM. */
export function currentMonth(): string {
  return new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 7);
}

/** `month` (YYYY-MM) moved by `delta` months. */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + m - 1 + delta;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}
