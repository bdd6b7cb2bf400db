/**
 * The invoice as a PDF in Japanese (A4), drawn with pdfkit and Noto Sans JP. It carries every item
 * a 適格請求書 (qualified invoice) needs: the issuer's name and registration number, the
 * transaction dates (the service period), what was supplied, the amounts summed per tax rate with
 * the rate, the consumption tax per rate, and the recipient's name. A credit note is titled
 * 適格返還請求書 and refers to the invoice it corrects.
 */
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { Invoice } from '@otasuke/shared';
import { formatYen } from './money.ts';

/** What the billing service needs from a PDF adapter, so tests can inject another. */
export interface InvoicePdfRenderer {
  render(invoice: Invoice): Promise<Buffer>;
}

const fontDir = dirname(createRequire(import.meta.url).resolve('@expo-google-fonts/noto-sans-jp/package.json'));
export const REGULAR = join(fontDir, '400Regular', 'NotoSansJP_400Regular.ttf');
export const BOLD = join(fontDir, '700Bold', 'NotoSansJP_700Bold.ttf');

const japaneseDate = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
};

export class PdfkitInvoiceRenderer implements InvoicePdfRenderer {
  render(invoice: Invoice): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${invoice.invoiceNumber}`, Author: invoice.issuerName } });
      const chunks: Buffer[] = [];
      doc.on('data', (chunk: Buffer) => chunks.push(chunk));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
      try {
        draw(doc, invoice);
        doc.end();
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }
}

function draw(doc: PDFKit.PDFDocument, invoice: Invoice): void {
  doc.registerFont('regular', REGULAR);
  doc.registerFont('bold', BOLD);
  const credit = invoice.kind === 'credit_note';
  const left = 50;
  const right = 545;

  doc.font('bold').fontSize(20).text(credit ? '適格返還請求書' : '適格請求書', left, 50, { width: right - left, align: 'center' });
  doc.font('regular').fontSize(9).text(credit ? '（返還インボイス）' : '（請求書）', { width: right - left, align: 'center' });

  // Recipient (left) and issuer (right).
  doc.font('bold').fontSize(13).text(`${invoice.recipientName} 御中`, left, 110, { width: 270 });
  doc.font('regular').fontSize(9);
  const meta: Array<[string, string]> = [
    [credit ? '返還請求書番号' : '請求書番号', invoice.invoiceNumber],
    ['発行日', japaneseDate(invoice.issueDate)],
    ['取引期間', `${japaneseDate(invoice.periodStart)} 〜 ${japaneseDate(invoice.periodEnd)}`],
  ];
  if (!credit) meta.push(['お支払期限', japaneseDate(invoice.dueDate)]);
  let y = 140;
  for (const [label, value] of meta) {
    doc.text(label, left, y, { width: 80 });
    doc.text(value, left + 85, y, { width: 200 });
    y += 15;
  }

  doc.font('bold').fontSize(11).text(invoice.issuerName, 330, 110, { width: right - 330 });
  doc.font('regular').fontSize(9);
  doc.text(`登録番号: ${invoice.issuerRegistrationNumber}`, 330, 128, { width: right - 330 });
  doc.text(invoice.issuerAddress, 330, 143, { width: right - 330 });

  // The amount due.
  y = Math.max(y, 185) + 10;
  doc.rect(left, y, right - left, 34).stroke();
  doc.font('bold').fontSize(13).text(credit ? '返還金額（税込）' : 'ご請求金額（税込）', left + 10, y + 10, { width: 200 });
  doc.text(formatYen(invoice.totalYen), left + 200, y + 10, { width: right - left - 210, align: 'right' });
  y += 50;

  if (credit && invoice.note) {
    doc.font('regular').fontSize(9).text(`返還の理由: ${invoice.note}`, left, y, { width: right - left });
    y += 18;
  }

  // Lines.
  const columns = { description: left + 5, period: left + 245, rate: left + 365, amount: left + 405 };
  doc.rect(left, y, right - left, 18).fillAndStroke('#eeeeee', '#000000');
  doc.fillColor('#000000').font('bold').fontSize(9);
  doc.text('品目', columns.description, y + 5, { width: 235 });
  doc.text('期間', columns.period, y + 5, { width: 115 });
  doc.text('税率', columns.rate, y + 5, { width: 35 });
  doc.text('金額（税抜）', columns.amount, y + 5, { width: right - columns.amount - 5, align: 'right' });
  y += 18;
  doc.font('regular');
  for (const line of invoice.lines) {
    const height = Math.max(18, doc.heightOfString(line.description, { width: 235 }) + 8);
    doc.rect(left, y, right - left, height).stroke();
    doc.text(line.description, columns.description, y + 5, { width: 235 });
    const period = line.periodStart && line.periodEnd ? `${line.periodStart.replaceAll('-', '/')}〜${line.periodEnd.slice(5).replace('-', '/')}` : '';
    doc.text(period, columns.period, y + 5, { width: 115 });
    doc.text(`${line.taxRatePercent}%`, columns.rate, y + 5, { width: 35 });
    doc.text(formatYen(line.amountYen), columns.amount, y + 5, { width: right - columns.amount - 5, align: 'right' });
    y += height;
  }

  // Amounts and tax per rate (one rounding per rate per invoice), then totals.
  y += 12;
  const summary: Array<[string, string]> = [];
  for (const tax of invoice.taxes) {
    summary.push([`${tax.taxRatePercent}%対象（税抜）`, formatYen(tax.amountYen)]);
    summary.push([`${tax.taxRatePercent}%対象 消費税`, formatYen(tax.taxYen)]);
  }
  summary.push(['小計（税抜）', formatYen(invoice.subtotalYen)]);
  summary.push(['消費税合計', formatYen(invoice.taxYen)]);
  summary.push(['合計（税込）', formatYen(invoice.totalYen)]);
  for (const [index, [label, value]] of summary.entries()) {
    const last = index === summary.length - 1;
    doc.font(last ? 'bold' : 'regular').fontSize(last ? 11 : 9);
    doc.text(label, 320, y, { width: 120 });
    doc.text(value, 440, y, { width: right - 440, align: 'right' });
    y += last ? 18 : 15;
  }

  y += 20;
  doc.font('regular').fontSize(8).fillColor('#333333');
  doc.text('消費税は税率ごとに請求書単位で1回計算し、1円未満を切り捨てています。月の途中の開始・終了月は日割（月額×利用日数÷当月日数、1円未満切り捨て）です。', left, y, { width: right - left });
  if (credit && invoice.creditsInvoiceId) doc.text('この返還請求書は元の請求書の金額を訂正するものです。', left, doc.y + 4, { width: right - left });
  doc.fillColor('#000000');
}
