/** The delivery note (納品書) that travels with an appliance, in Japanese, drawn with pdfkit. */
import PDFDocument from 'pdfkit';
import type { Organization, Shipment, Site } from '@otasuke/shared';
import { BOLD, REGULAR } from '../billing/invoicePdf.ts';

export interface DeliveryNoteRenderer {
  render(note: { shipment: Shipment; organization: Organization; site: Site; issuerName: string; enrollment?: DeliveryNoteEnrollment }): Promise<Buffer>;
}

/** The sensor's one-time enrollment code, printed so the business only plugs the box in. */
export interface DeliveryNoteEnrollment {
  code: string;
  url: string;
  qrDataUrl: string;
  expiresAt: string;
}

const carrierNames: Record<Shipment['carrier'], string> = { yamato: 'ヤマト運輸', sagawa: '佐川急便', japan_post: '日本郵便', other: 'その他' };

export class PdfkitDeliveryNoteRenderer implements DeliveryNoteRenderer {
  render({ shipment, organization, site, issuerName, enrollment }: Parameters<DeliveryNoteRenderer['render']>[0]): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `納品書 ${shipment.serial}` } });
      const chunks: Buffer[] = [];
      doc.on('data', (chunk: Buffer) => chunks.push(chunk));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
      try {
        doc.registerFont('regular', REGULAR);
        doc.registerFont('bold', BOLD);
        doc.font('bold').fontSize(20).text('納品書', { align: 'center' });
        doc.moveDown();
        doc.font('bold').fontSize(13).text(`${organization.name} 御中`);
        doc.font('regular').fontSize(10).text(`${site.name}\u3000${site.postalCode ? `〒${site.postalCode} ` : ''}${site.address ?? ''}`);
        doc.moveDown();
        doc.text(`発送元: ${issuerName}`);
        doc.moveDown();
        const rows: Array<[string, string]> = [
          ['品名', 'お助け隊 セキュリティ機器（ネットワークセンサー） 1台'],
          ['製造番号', shipment.serial],
          ['配送業者', carrierNames[shipment.carrier]],
          ['お問い合わせ番号', shipment.trackingNumber],
          ['発送日', shipment.shippedOn],
          ['金額', '¥0（月額料金に含まれます）'],
        ];
        for (const [label, value] of rows) {
          const y = doc.y;
          doc.font('bold').text(label, 50, y, { width: 120 });
          doc.font('regular').text(value, 180, y, { width: 365 });
          doc.moveDown(0.4);
        }
        doc.moveDown();
        doc.font('bold').text('設置のしかた', 50);
        doc.font('regular').text('1. 機器の電源アダプターをコンセントにつなぎます。\n2. 同梱のLANケーブルで、ルーターの空いているポートにつなぎます。\n3. ランプが緑に点灯すれば設置は完了です。監視は自動で始まります。', { width: 495 });
        if (enrollment) {
          doc.moveDown();
          doc.font('bold').text('かんたん設定コード（センサーの登録）', 50);
          doc.font('regular').text('この機器をお客さまのセンサーとして登録するためのコードです（1回限り）。QRコードを読み取るか、コードを入力して登録します。わからないときは、相談窓口にこのコードをお伝えください。', { width: 495 });
          const top = doc.y + 6;
          doc.image(Buffer.from(enrollment.qrDataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'), 50, top, { width: 110 });
          doc.font('bold').fontSize(9).text(enrollment.code, 175, top + 10, { width: 370 });
          doc.font('regular').text(enrollment.url, 175, doc.y + 4, { width: 370 });
          doc.text(`有効期限: ${enrollment.expiresAt.slice(0, 10)}（1回限り）`, 175, doc.y + 4, { width: 370 });
          doc.x = 50;
          doc.y = Math.max(doc.y, top + 116);
          doc.fontSize(10);
        }
        doc.moveDown();
        doc.fontSize(9).text('ご解約の際は、同梱の返送用伝票で機器をご返送ください。', { width: 495 });
        doc.end();
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }
}
