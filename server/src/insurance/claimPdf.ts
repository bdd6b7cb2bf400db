/**
 * The claim summary (保険金請求 概要) as a Japanese A4 PDF: policy, incident, evidence count and
 * digest, tickets, on-site visits and their costs. pdfkit + Noto Sans JP, the fonts billing uses.
 */
import PDFDocument from 'pdfkit';
import { BOLD, REGULAR } from '../billing/invoicePdf.ts';

export interface ClaimSummary {
  claimNumber: string;
  filedAt: string;
  companyName: string;
  policyNumber: string;
  insurerName: string;
  incident: { title: string; priority: string; status: string; firstSeenAt: string; lastSeenAt: string; alertCount: number };
  evidenceCount: number;
  alertsSha256: string;
  description: string;
  claimedAmountYen: number;
  tickets: Array<{ number: string; subject: string; status: string }>;
  visits: Array<{ vendor: string; arrivedAt: string | null; minutesWorked: number | null; costYen: number | null; workDone: string | null }>;
}

const yen = (n: number) => `${n.toLocaleString('ja-JP')}円`;
const jst = (iso: string | null) => (iso ? new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' }) : '—');

export function renderClaimPdf(summary: ClaimSummary): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `保険金請求 ${summary.claimNumber}`, Author: 'サイバーセキュリティお助け隊' } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      doc.registerFont('regular', REGULAR);
      doc.registerFont('bold', BOLD);
      const width = doc.page.width - 100;
      doc.font('bold').fontSize(18).text('サイバー保険 保険金請求 概要', { width, align: 'center' });
      doc.moveDown();
      const line = (label: string, value: string) => doc.font('bold').fontSize(10).text(`${label}: `, { continued: true }).font('regular').text(value);
      line('請求番号', summary.claimNumber);
      line('請求日時', jst(summary.filedAt));
      line('契約者', summary.companyName);
      line('保険会社', summary.insurerName);
      line('証券番号', summary.policyNumber);
      line('請求額', yen(summary.claimedAmountYen));
      doc.moveDown();
      doc.font('bold').fontSize(12).text('インシデント');
      line('内容', summary.incident.title);
      line('優先度 / 状態', `${summary.incident.priority} / ${summary.incident.status}`);
      line('期間', `${jst(summary.incident.firstSeenAt)} 〜 ${jst(summary.incident.lastSeenAt)}`);
      line('検知件数', `${summary.incident.alertCount}件（証拠として収録: ${summary.evidenceCount}件）`);
      line('証拠のSHA-256', summary.alertsSha256);
      doc.moveDown();
      doc.font('bold').fontSize(12).text('被害の状況');
      doc.font('regular').fontSize(10).text(summary.description, { width });
      doc.moveDown();
      doc.font('bold').fontSize(12).text('相談窓口への問い合わせ');
      if (summary.tickets.length === 0) doc.font('regular').fontSize(10).text('なし');
      for (const t of summary.tickets) doc.font('regular').fontSize(10).text(`${t.number}  ${t.subject}（${t.status}）`, { width });
      doc.moveDown();
      doc.font('bold').fontSize(12).text('駆け付け対応と費用');
      if (summary.visits.length === 0) doc.font('regular').fontSize(10).text('なし');
      for (const v of summary.visits) {
        doc.font('regular').fontSize(10).text(`${v.vendor}  到着: ${jst(v.arrivedAt)}  作業時間: ${v.minutesWorked ?? '—'}分  費用: ${v.costYen === null ? '—' : yen(v.costYen)}`, { width });
        if (v.workDone) doc.text(`作業内容: ${v.workDone}`, { width });
      }
      const total = summary.visits.reduce((sum, v) => sum + (v.costYen ?? 0), 0);
      doc.moveDown().font('bold').text(`駆け付け費用 合計: ${yen(total)}`);
      doc.moveDown().font('regular').fontSize(8).fillColor('#333333').text('明細は同梱の JSON ファイル（manifest.json に各ファイルの SHA-256）を参照してください。', { width });
      doc.end();
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
