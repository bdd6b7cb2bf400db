/**
 * Inbound mail as Japanese mailers send it, built byte for byte: bodies encoded with iconv-lite
 * (Shift_JIS as Windows writes it) or the server's own ISO-2022-JP encoder, subjects as RFC 2047
 * encoded words. Characters chosen to catch mapping mistakes: 〜 (wave dash), ① and 髙 (vendor
 * extensions), ｶﾀｶﾅ (half-width kana).
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { encodeIso2022jp } from '../mail/iso2022jp.ts';
import { inboundMailToTicket, newText } from './inboundMail.ts';

export function encodedWord(text: string, charset: 'UTF-8' | 'Shift_JIS' | 'ISO-2022-JP'): string {
  const bytes = charset === 'UTF-8' ? Buffer.from(text, 'utf8') : charset === 'Shift_JIS' ? iconv.encode(text, 'shift_jis') : encodeIso2022jp(text);
  return `=?${charset}?B?${bytes.toString('base64')}?=`;
}

export function japaneseMail(options: {
  charset: 'UTF-8' | 'Shift_JIS' | 'ISO-2022-JP';
  from: string;
  subject: string;
  body: string;
  messageId?: string;
  inReplyTo?: string;
}): Buffer {
  const { charset } = options;
  const body = charset === 'UTF-8' ? Buffer.from(options.body, 'utf8') : charset === 'Shift_JIS' ? iconv.encode(options.body, 'shift_jis') : encodeIso2022jp(options.body);
  // ISO-2022-JP travels as 7bit; Shift_JIS and UTF-8 as base64, as most mailers send them.
  const transfer = charset === 'ISO-2022-JP' ? '7bit' : 'base64';
  const encodedBody = transfer === 'base64' ? (body.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n') : body.toString('latin1').replace(/\n/g, '\r\n');
  const headers = [
    `From: ${encodedWord('山田 髙子', charset === 'ISO-2022-JP' ? 'UTF-8' : charset)} <${options.from}>`,
    'To: soudan@otasuke.example',
    `Subject: ${encodedWord(options.subject, charset)}`,
    `Message-ID: <${options.messageId ?? `${charset}.1@customer.example`}>`,
    ...(options.inReplyTo ? [`In-Reply-To: <${options.inReplyTo}>`, `References: <${options.inReplyTo}>`] : []),
    'Date: Wed, 01 Apr 2026 10:00:00 +0900',
    'MIME-Version: 1.0',
    `Content-Type: text/plain; charset=${charset}`,
    `Content-Transfer-Encoding: ${transfer}`,
  ];
  return Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(encodedBody, 'latin1'), Buffer.from('\r\n', 'latin1')]);
}

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
