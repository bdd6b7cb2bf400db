/**
 * The invoice PDF renders Japanese and carries the items of a qualified invoice. Checked with
 * poppler: pdftotext for the text, pdftoppm for a page image (kept in the temp folder for a human
 * to look at). Skips, saying so, when poppler-utils is not installed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Invoice } from '@otasuke/shared';
import { describe, expect, it } from 'vitest';
import { invoiceTotals } from './money.ts';
import { PdfkitInvoiceRenderer } from './invoicePdf.ts';

function hasTool(tool: string): boolean {
  try {
    execFileSync(tool, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const poppler = hasTool('pdftoppm') && hasTool('pdftotext');
if (!poppler) console.warn('SKIPPING the invoice PDF image check: pdftoppm/pdftotext (poppler-utils) are not installed');

const lines = [{ lineNo: 1, description: 'お助け隊サービス（非会員） 2026年5月分（日割 12/31日）', periodStart: '2026-05-20', periodEnd: '2026-05-31', amountYen: 2903, taxRatePercent: 10 }];
const totals = invoiceTotals(lines);
const invoice: Invoice = {
  id: '11111111-1111-4111-8111-111111111111',
  organizationId: '22222222-2222-4222-8222-222222222222',
  contractId: null,
  kind: 'invoice',
  invoiceNumber: 'INV-202605-000002',
  billingMonth: '2026-05',
  creditsInvoiceId: null,
  issueDate: '2026-06-01',
  periodStart: '2026-05-20',
  periodEnd: '2026-05-31',
  dueDate: '2026-07-01',
  issuerName: '大阪商工会議所',
  issuerRegistrationNumber: 'T7123456789012',
  issuerAddress: '〒540-0029 大阪府大阪市中央区本町橋2-8　TEL 06-6944-6400',
  recipientName: '梅田デザイン合同会社',
  note: null,
  lines,
  taxes: totals.taxes,
  subtotalYen: totals.subtotalYen,
  taxYen: totals.taxYen,
  totalYen: totals.totalYen,
  status: 'unpaid',
  paidOn: null,
  paidAmountYen: null,
  reminderSentAt: null,
  mailedAt: null,
  createdAt: '2026-06-01T00:00:00.000Z',
};

describe('invoice PDF', () => {
  it('is a PDF', async () => {
    const pdf = await new PdfkitInvoiceRenderer().render(invoice);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it.skipIf(!poppler)('renders Japanese text and every qualified-invoice item (pdftotext, pdftoppm)', async () => {
    const dir = join(tmpdir(), 'otasuke-invoice-pdf');
    mkdirSync(dir, { recursive: true });
    for (const [name, document] of [
      ['invoice', invoice],
      ['credit-note', { ...invoice, kind: 'credit_note', invoiceNumber: 'CN-202608-000009', billingMonth: null, creditsInvoiceId: invoice.id, note: 'INV-202605-000002 の訂正: 解約日の誤り', lines: lines.map((l) => ({ ...l, amountYen: -l.amountYen })), taxes: [{ taxRatePercent: 10, amountYen: -2903, taxYen: -290 }], subtotalYen: -2903, taxYen: -290, totalYen: -3193 } as Invoice],
    ] as const) {
      const file = join(dir, `${name}.pdf`);
      writeFileSync(file, await new PdfkitInvoiceRenderer().render(document));
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', file, join(dir, name)]);
      const png = join(dir, `${name}.png`);
      expect(existsSync(png)).toBe(true);
      expect(statSync(png).size).toBeGreaterThan(10_000);
      const compact = text.replace(/\s+/g, '');
      if (name === 'invoice') {
        for (const expected of ['適格請求書', '登録番号:T7123456789012', '大阪商工会議所', '梅田デザイン合同会社御中', 'INV-202605-000002', '2026年5月20日〜2026年5月31日', '10%対象（税抜）¥2,903', '10%対象消費税¥290', '合計（税込）¥3,193', 'お支払期限2026年7月1日', '日割12/31']) {
          expect(compact, expected).toContain(expected);
        }
      } else {
        for (const expected of ['適格返還請求書', '登録番号:T7123456789012', 'CN-202608-000009', 'INV-202605-000002の訂正', '10%対象消費税-¥290', '合計（税込）-¥3,193']) {
          expect(compact, expected).toContain(expected);
        }
      }
    }
  });
});
