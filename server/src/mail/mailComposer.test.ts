import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMail, type ComposableMail } from './mailComposer.ts';

const from = 'お助け隊 <no-reply@otasuke.example>';
const date = new Date('2026-04-01T00:00:00.000Z');
const subject = '【お助け隊】不審な通信を検知しました';
const text = 'お世話になっております。\n拠点「本社」のセンサーが不審な通信を検知しました。\n\n検知時刻: 2026-04-01 09:00\n詳細はコンソールをご覧ください。\n';
const mail: ComposableMail = { id: '0f8e5a4c-1b2d-4e6f-8a9b-0c1d2e3f4a5b', to: '山田 太郎 <yamada@example.jp>', subject, text, html: null, charset: 'utf-8' };

const isSevenBit = (raw: Buffer) => raw.every((byte) => byte < 0x80);

describe('composeMail', () => {
  it('UTF-8: nodemailer builds it; headers and text decode to the originals', async () => {
    const composed = await composeMail(mail, { from, date });
    expect(composed.charset).toBe('utf-8');
    expect(composed.fallbackReason).toBeUndefined();
    expect(composed.messageId).toBe('<0f8e5a4c-1b2d-4e6f-8a9b-0c1d2e3f4a5b@otasuke.example>');
    expect(composed.envelope).toEqual({ from: 'no-reply@otasuke.example', to: ['yamada@example.jp'] });
    const parsed = await simpleParser(composed.raw);
    expect(parsed.subject).toBe(subject);
    expect(parsed.text).toBe(text);
    expect(parsed.messageId).toBe(composed.messageId);
    expect(parsed.date).toEqual(date);
    expect(parsed.from?.value).toEqual([{ name: 'お助け隊', address: 'no-reply@otasuke.example' }]);
    expect(composed.raw.toString('latin1')).toContain('Content-Type: text/plain; charset=utf-8');
    expect(composed.raw.toString('latin1')).toContain('MIME-Version: 1.0');
  });

  it('ISO-2022-JP: 7bit text, encoded-word Subject, decoding to the originals', async () => {
    const composed = await composeMail({ ...mail, charset: 'iso-2022-jp' }, { from, date });
    expect(composed.charset).toBe('iso-2022-jp');
    expect(composed.fallbackReason).toBeUndefined();
    const raw = composed.raw.toString('latin1');
    expect(raw).toContain('Content-Type: text/plain; charset=ISO-2022-JP\r\n');
    expect(raw).toContain('Content-Transfer-Encoding: 7bit\r\n');
    expect(raw).toContain('Subject: =?ISO-2022-JP?B?GyRCIVokKj11JDFCYiFbSVQ/MyRKREw/LiRyOCFDTiQ3GyhC?=\r\n');
    expect(raw).toContain('\x1b$B$*@$OC$K$J$C$F$*$j$^$9!#\x1b(B\r\n');
    expect(isSevenBit(composed.raw)).toBe(true);
    const parsed = await simpleParser(composed.raw);
    expect(parsed.subject).toBe(subject);
    expect(parsed.text).toBe(text);
    expect(parsed.messageId).toBe(composed.messageId);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : undefined).toEqual([{ name: '山田 太郎', address: 'yamada@example.jp' }]);
  });

  it('ISO-2022-JP with html: a multipart/alternative of two ISO-2022-JP parts', async () => {
    const html = '<p>不審な通信を検知しました。</p>';
    const composed = await composeMail({ ...mail, html, charset: 'iso-2022-jp' }, { from, date });
    const raw = composed.raw.toString('latin1');
    expect(raw).toContain('Content-Type: multipart/alternative;');
    expect(raw).toContain('Content-Type: text/html; charset=ISO-2022-JP\r\n');
    expect(isSevenBit(composed.raw)).toBe(true);
    const parsed = await simpleParser(composed.raw);
    expect(parsed.text).toBe(text);
    expect(parsed.html).toBe(html);
  });

  it('ISO-2022-JP: 〜 goes out as JIS 1-33, which readers decode as ～ (the same character)', async () => {
    const composed = await composeMail({ ...mail, subject: '受付 10:00〜12:00', charset: 'iso-2022-jp' }, { from, date });
    expect(composed.charset).toBe('iso-2022-jp');
    expect((await simpleParser(composed.raw)).subject).toBe('受付 10:00～12:00');
  });

  it('ISO-2022-JP with half-width kana: falls back to UTF-8, says why, and the text arrives unaltered', async () => {
    const kana = 'ご契約ありがとうございます。\nﾊﾝｶｸｶﾅ の表記もそのまま届きます。\n';
    const composed = await composeMail({ ...mail, text: kana, charset: 'iso-2022-jp' }, { from, date });
    expect(composed.charset).toBe('utf-8');
    expect(composed.fallbackReason).toBe('ISO-2022-JP cannot represent "ﾊ" (U+FF8A); sent as UTF-8');
    expect(composed.raw.toString('latin1')).toContain('charset=utf-8');
    const parsed = await simpleParser(composed.raw);
    expect(parsed.subject).toBe(subject);
    expect(parsed.text).toBe(kana);
  });

  it('ISO-2022-JP with a line too long for SMTP: base64, still ISO-2022-JP', async () => {
    const long = `${'長'.repeat(600)}\n`;
    const composed = await composeMail({ ...mail, text: long, charset: 'iso-2022-jp' }, { from, date });
    const raw = composed.raw.toString('latin1');
    expect(raw).toContain('Content-Type: text/plain; charset=ISO-2022-JP\r\n');
    expect(raw).toContain('Content-Transfer-Encoding: base64\r\n');
    expect(Math.max(...raw.split('\r\n').map((line) => line.length))).toBeLessThanOrEqual(78);
    expect((await simpleParser(composed.raw)).text).toBe(long);
  });

  it('refuses a mail with no recipient address', async () => {
    await expect(composeMail({ ...mail, to: '' }, { from, date })).rejects.toThrow('no recipient address in ""');
  });
});
