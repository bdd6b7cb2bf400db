/**
 * A received mail, decoded (mailparser: UTF-8, ISO-2022-JP and Shift_JIS bodies and RFC 2047
 * subjects), reduced to what the help desk needs to open a ticket or add a comment: the sender, the
 * subject, the new text (quoted history cut off), and the thread markers — `[#T-123]` in the subject,
 * In-Reply-To and References. No database here; the service decides which ticket it belongs to.
 */
import { simpleParser, type AddressObject } from 'mailparser';

export interface InboundTicketMail {
  fromAddress: string | null;
  fromName: string | null;
  subject: string;
  text: string;
  messageId: string | null;
  /** In-Reply-To first, then References newest first. */
  threadIds: string[];
  /** From `[#T-123]` in the subject. */
  ticketNumber: number | null;
}

export const MAX_INBOUND_MAIL_BYTES = 5 * 1024 * 1024;
const TICKET_TAG = /\[#T-(\d{1,12})\]/;
// Where a reply's quoted history starts: "On … wrote:", "2026年4月1日(水) … <x@y>:", or "-----Original Message-----".
const QUOTE_HEADER = /^(On .+ wrote:|\d{4}年\d{1,2}月\d{1,2}日.*[:：]\s*$|-{2,}\s*Original Message\s*-{2,}|-{2,}\s*元のメッセージ\s*-{2,})/m;

export async function inboundMailToTicket(raw: Buffer): Promise<InboundTicketMail> {
  if (raw.length > MAX_INBOUND_MAIL_BYTES) throw new RangeError(`mail of ${raw.length} bytes is over the ${MAX_INBOUND_MAIL_BYTES}-byte limit`);
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const from = firstAddress(parsed.from);
  const headerBlock = raw.subarray(0, headerEnd(raw)).toString('latin1');
  const subjectIsJis = /^subject:[^\n]*=\?iso-2022-jp\?/im.test(headerBlock);
  const subject = (subjectIsJis ? jisMapping(parsed.subject ?? '') : (parsed.subject ?? '')).trim();
  const tag = TICKET_TAG.exec(subject);
  const references = typeof parsed.references === 'string' ? [parsed.references] : (parsed.references ?? []);
  const threadIds = [...(parsed.inReplyTo ? [parsed.inReplyTo] : []), ...[...references].reverse()].map(normalizeMessageId).filter((id, i, all) => id && all.indexOf(id) === i);
  const decoded = parsed.text ?? (typeof parsed.html === 'string' ? parsed.html.replace(/<[^>]+>/g, ' ') : '');
  const body = /charset\s*=\s*"?iso-2022-jp/i.test(raw.toString('latin1')) ? jisMapping(decoded) : decoded;
  return {
    fromAddress: from?.address?.toLowerCase() ?? null,
    fromName: from?.name || null,
    subject: subject || '（件名なし）',
    text: newText(body),
    messageId: parsed.messageId ? normalizeMessageId(parsed.messageId) : null,
    threadIds,
    ticketNumber: tag ? Number(tag[1]) : null,
  };
}

/**
 * mailparser decodes ISO-2022-JP with Microsoft's table (1-33 as ～ FULLWIDTH TILDE, …). RFC 1468
 * text is JIS X 0208, whose own mapping is 〜 WAVE DASH; our outbound encoder writes both as 1-33, so
 * this turns the Microsoft variants back into JIS's for ISO-2022-JP mail (Shift_JIS mail is CP932 in
 * practice, as its ① and 髙 show, and keeps the Microsoft mapping).
 */
const JIS_VARIANTS: Record<string, string> = { '\uff5e': '\u301c', '\u2225': '\u2016', '\uff0d': '\u2212', '\uffe0': '\u00a2', '\uffe1': '\u00a3', '\uffe2': '\u00ac', '\u2015': '\u2014' };
export function jisMapping(text: string): string {
  return text.replace(/[\uff5e\u2225\uff0d\uffe0\uffe1\uffe2\u2015]/g, (c) => JIS_VARIANTS[c]!);
}

function headerEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf, lf].filter((i) => i >= 0);
  return ends.length ? Math.min(...ends) : raw.length;
}

function firstAddress(value: AddressObject | AddressObject[] | undefined): { address?: string | undefined; name: string } | undefined {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((a) => a.value)[0];
}

export function normalizeMessageId(id: string): string {
  return id.trim().replace(/^<|>$/g, '').toLowerCase();
}

/** The part of a reply the customer just wrote: quoted lines ("> …") and the quoted history dropped. */
export function newText(body: string): string {
  const normalized = body.replace(/\r\n/g, '\n');
  const header = QUOTE_HEADER.exec(normalized);
  const head = header ? normalized.slice(0, header.index) : normalized;
  const kept = head.split('\n').filter((line) => !line.startsWith('>'));
  const text = kept.join('\n').trim();
  return text || normalized.trim();
}
