/**
 * Inbound mail as Japanese mailers send it, built byte for byte (japaneseMailFixture.ts).
 * Characters chosen to catch mapping mistakes: 〜 (wave dash), ① and 髙 (vendor extensions),
 * ｶﾀｶﾅ (half-width kana).
 */
import { describe, expect, it } from 'vitest';
import { japaneseMail } from './japaneseMailFixture.ts';
import { inboundMailToTicket, newText } from './inboundMail.ts';

describe('inboundMailToTicket', () => {
  it('decodes a UTF-8 mail with every tricky character intact', async () => {
    const mail = await inboundMailToTicket(japaneseMail({ charset: 'UTF-8', from: 'Yamada@Customer.example', subject: 'ウイルス感染の疑い', body: '事務所のパソコンが重いです〜。\n①警告が出ました\n担当: 髙橋 ｶﾀｶﾅ\n' }));
    expect(mail).toEqual({
      fromAddress: 'yamada@customer.example',
      fromName: '山田 髙子',
      subject: 'ウイルス感染の疑い',
      text: '事務所のパソコンが重いです〜。\n①警告が出ました\n担当: 髙橋 ｶﾀｶﾅ',
      messageId: 'utf-8.1@customer.example',
      threadIds: [],
      ticketNumber: null,
    });
  });

  it('decodes a Shift_JIS mail as Windows writes it (① 髙 ｶﾀｶﾅ from the vendor extensions, ～ as 0x8160)', async () => {
    const raw = japaneseMail({ charset: 'Shift_JIS', from: 'sjis@customer.example', subject: 'ウイルス感染の疑い ①', body: '至急ご対応ください～\n①画面に警告\n髙橋 ｶﾀｶﾅ\n' });
    // The body bytes really are Shift_JIS: 0x8160 for the wave, 0x8740 for ①, 0xFBFC for 髙, 0xB6 for ｶ.
    const bytes = raw.toString('latin1');
    expect(Buffer.from(bytes.split('\r\n\r\n')[1]!.replace(/\r\n/g, ''), 'base64').toString('hex')).toContain('8160');
    const mail = await inboundMailToTicket(raw);
    expect(mail.subject).toBe('ウイルス感染の疑い ①');
    expect(mail.fromName).toBe('山田 髙子');
    expect(mail.text).toBe('至急ご対応ください～\n①画面に警告\n髙橋 ｶﾀｶﾅ');
  });

  it('decodes an ISO-2022-JP mail (7bit, JIS X 0208, 〜 as 1-33)', async () => {
    const raw = japaneseMail({ charset: 'ISO-2022-JP', from: 'jis@customer.example', subject: 'ウイルス感染の疑い', body: '不審なメールを開いてしまいました〜\n至急ご連絡ください。\n' });
    expect(raw.every((byte) => byte < 0x80)).toBe(true);
    const mail = await inboundMailToTicket(raw);
    expect(mail.subject).toBe('ウイルス感染の疑い');
    expect(mail.text).toBe('不審なメールを開いてしまいました〜\n至急ご連絡ください。');
  });

  it('reads the thread markers of a reply: [#T-n] in the subject, In-Reply-To and References', async () => {
    const mail = await inboundMailToTicket(japaneseMail({ charset: 'UTF-8', from: 'a@customer.example', subject: 'Re: 【お助け隊】[#T-42] ウイルス感染の疑い', body: '承知しました。\n\n2026年4月1日(水) 10:00 お助け隊 <soudan@otasuke.example>:\n> 前のメール\n', inReplyTo: 'Abc@Otasuke.example' }));
    expect(mail.ticketNumber).toBe(42);
    expect(mail.threadIds).toEqual(['abc@otasuke.example']);
    expect(mail.text).toBe('承知しました。');
  });

  it('keeps the whole body when it is all quoted, and refuses oversized mail', async () => {
    expect(newText('> 引用だけ\n')).toBe('> 引用だけ');
    await expect(inboundMailToTicket(Buffer.alloc(6 * 1024 * 1024, 0x41))).rejects.toThrow(/limit/);
  });
});
