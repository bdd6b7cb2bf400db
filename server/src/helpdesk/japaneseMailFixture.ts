/**
 * Japanese mail as real mailers send it, built byte for byte for tests: bodies encoded with
 * iconv-lite (Shift_JIS as Windows writes it, i.e. CP932) or the server's own ISO-2022-JP encoder,
 * subjects as RFC 2047 encoded words.
 */
import iconv from 'iconv-lite';
import { encodeIso2022jp } from '../mail/iso2022jp.ts';

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
