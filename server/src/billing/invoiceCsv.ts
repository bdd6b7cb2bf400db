/**
 * The accounting export: UTF-8 with a byte-order mark (so Excel opens Japanese correctly), CRLF
 * line ends, one row per invoice line, with the invoice's per-rate amounts and totals repeated on
 * each of its rows. Pure: invoices in, text out.
 */
import type { Invoice } from '@otasuke/shared';

export const CSV_HEADER = [
  '請求書番号', '種別', '元請求書ID', '請求先ID', '請求先名', '発行日', '取引期間開始', '取引期間終了', '支払期限', '状態',
  '行番号', '品目', '行期間開始', '行期間終了', '税率', '金額(税抜)', '税率別対象額(税抜)', '税率別消費税', '請求書小計(税抜)', '請求書消費税', '請求書合計(税込)',
];

function cell(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function invoiceCsv(invoices: readonly Invoice[]): string {
  const rows: Array<Array<string | number | null>> = [CSV_HEADER];
  for (const invoice of invoices) {
    for (const line of invoice.lines) {
      const tax = invoice.taxes.find((t) => t.taxRatePercent === line.taxRatePercent);
      rows.push([
        invoice.invoiceNumber,
        invoice.kind === 'invoice' ? '請求書' : '返還請求書',
        invoice.creditsInvoiceId,
        invoice.organizationId,
        invoice.recipientName,
        invoice.issueDate,
        invoice.periodStart,
        invoice.periodEnd,
        invoice.dueDate,
        invoice.status,
        line.lineNo,
        line.description,
        line.periodStart,
        line.periodEnd,
        line.taxRatePercent,
        line.amountYen,
        tax?.amountYen ?? null,
        tax?.taxYen ?? null,
        invoice.subtotalYen,
        invoice.taxYen,
        invoice.totalYen,
      ]);
    }
  }
  return `\uFEFF${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}
