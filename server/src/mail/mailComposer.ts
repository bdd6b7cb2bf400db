/**
 * Builds the raw RFC 5322 message for an outbox mail. UTF-8 is nodemailer's MailComposer as is.
 * ISO-2022-JP, which nodemailer cannot write, keeps nodemailer for the headers (addresses, Date,
 * Message-ID, MIME-Version, multipart boundaries) and supplies only the pieces it cannot: the
 * encoded Subject and the 7-bit body.
 */
import type { MailCharset } from '@otasuke/shared';
import MailComposer from 'nodemailer/lib/mail-composer';
import MimeNode from 'nodemailer/lib/mime-node';
import { encodeIso2022jp, encodeIso2022jpWords, iso2022jpObstacle } from './iso2022jp.ts';

export interface ComposableMail {
  /** The outbox id: it becomes the Message-ID, so a retried mail keeps one identity. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  charset: MailCharset;
}

export interface ComposedMail {
  raw: Buffer;
  /** With angle brackets, as in the header. */
  messageId: string;
  envelope: { from: string; to: string[] };
  /** The charset actually written: UTF-8 when ISO-2022-JP was asked for but cannot carry the mail. */
  charset: MailCharset;
  /** Why the asked charset was not used, when it was not. */
  fallbackReason?: string;
}

/** Longest line SMTP allows, CRLF excluded (RFC 5321 4.5.3.1.6). */
const MAX_LINE_OCTETS = 998;

/** Why this mail cannot go out as ISO-2022-JP, or undefined if it can. */
export function iso2022jpObstacleOfMail(mail: Pick<ComposableMail, 'subject' | 'text' | 'html'>): string | undefined {
  return iso2022jpObstacle(mail.subject) ?? iso2022jpObstacle(mail.text) ?? iso2022jpObstacle(mail.html ?? '');
}

export async function composeMail(original: ComposableMail, options: { from: string; date: Date }): Promise<ComposedMail> {
  // Text travels in canonical form, CRLF line ends (RFC 2046 4.1.1), whatever the caller wrote.
  const mail = { ...original, text: crlf(original.text), html: original.html === null ? null : crlf(original.html) };
  const messageId = `<${mail.id}@${domainOf(options.from)}>`;
  const obstacle = mail.charset === 'iso-2022-jp' ? iso2022jpObstacleOfMail(mail) : undefined;
  const composed =
    mail.charset === 'iso-2022-jp' && !obstacle
      ? await composeIso2022jp(mail, options, messageId)
      : await composeUtf8(mail, options, messageId);
  // SMTP would refuse these too, but only after a connection; and retrying cannot help.
  if (!composed.envelope.from) throw new Error(`no sender address in ${JSON.stringify(options.from)}`);
  if (composed.envelope.to.length === 0) throw new Error(`no recipient address in ${JSON.stringify(mail.to)}`);
  return obstacle ? { ...composed, fallbackReason: `${obstacle}; sent as UTF-8` } : composed;
}

async function composeUtf8(mail: ComposableMail, options: { from: string; date: Date }, messageId: string): Promise<ComposedMail> {
  const root = new MailComposer({
    from: options.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html === null ? {} : { html: mail.html }),
    date: options.date,
    messageId,
    newline: 'windows',
  }).compile();
  return { raw: await root.build(), messageId, envelope: envelopeOf(root), charset: 'utf-8' };
}

async function composeIso2022jp(mail: ComposableMail, options: { from: string; date: Date }, messageId: string): Promise<ComposedMail> {
  const root = new MimeNode(mail.html === null ? 'text/plain; charset=ISO-2022-JP' : 'multipart/alternative');
  root.setHeader({ From: options.from, To: mail.to, Date: options.date, 'Message-ID': messageId });
  // Already encoded words: nodemailer would otherwise re-encode the Subject as UTF-8.
  root.setHeader('Subject', { prepared: true, value: encodeIso2022jpWords(mail.subject.replace(/[\r\n]+/g, ' ')) });
  if (mail.html === null) {
    setIso2022jpBody(root, mail.text);
  } else {
    setIso2022jpBody(root.createChild('text/plain; charset=ISO-2022-JP'), mail.text);
    setIso2022jpBody(root.createChild('text/html; charset=ISO-2022-JP'), mail.html);
  }
  return { raw: await root.build(), messageId, envelope: envelopeOf(root), charset: 'iso-2022-jp' };
}

/**
 * 7bit, the form Japanese mail readers expect. nodemailer re-encodes any text with an ESC byte as
 * quoted-printable or base64, so the part goes in as raw (its own headers, built by nodemailer,
 * and the body). A line too long for SMTP goes as base64 instead, still ISO-2022-JP.
 */
function setIso2022jpBody(node: MimeNode, text: string): void {
  const body = encodeIso2022jp(text);
  if (longestLine(body) > MAX_LINE_OCTETS) {
    node.setHeader('Content-Transfer-Encoding', 'base64');
    node.setContent(body);
    return;
  }
  node.setHeader('Content-Transfer-Encoding', '7bit');
  node.setRaw(Buffer.concat([Buffer.from(`${node.buildHeaders()}\r\n\r\n`), body]));
}

function crlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\r\n');
}

function longestLine(body: Buffer): number {
  let longest = 0;
  let start = 0;
  for (let i = body.indexOf('\r\n'); i !== -1; i = body.indexOf('\r\n', start)) {
    longest = Math.max(longest, i - start);
    start = i + 2;
  }
  return Math.max(longest, body.length - start);
}

function envelopeOf(root: MimeNode): { from: string; to: string[] } {
  const envelope = root.getEnvelope();
  return { from: envelope.from || '', to: envelope.to };
}

function domainOf(from: string): string {
  const address = /<([^>]*)>/.exec(from)?.[1] ?? from;
  const domain = address.slice(address.lastIndexOf('@') + 1).trim();
  return domain && address.includes('@') ? domain : 'localhost';
}
