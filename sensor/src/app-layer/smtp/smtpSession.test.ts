import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Direction, FeedResult } from '../appLayer.ts';
import { FUZZ_RUNS, mustHold, mutatedInput, splitAt, splitPoints } from '../mutatedInput.ts';
import type { SmtpTransaction } from './smtpSession.ts';
import { SMTP_MAX_RECIPIENTS, SmtpFlowParser, smtpEve } from './smtpSession.ts';
import { decodeQuotedPrintable, headerParam, MIME_MAX_ATTACHMENT_BYTES, MIME_MAX_PARTS, parseMimeMessage } from './mimeMessage.ts';

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const PDF_B64 = Buffer.from('%PDF-1.4 fake').toString('base64');
const CLIENT = enc(
  'EHLO client.example.org\r\nMAIL FROM:<alice@example.org> SIZE=1234\r\nRCPT TO:<bob@example.com>\r\nRCPT TO:<carol@example.com>\r\nDATA\r\n' +
    'Received: from client.example.org by mx.example.com\r\nFrom: Alice <alice@example.org>\r\nTo: Bob <bob@example.com>, "Carol, C." <carol@example.com>\r\n' +
    'Cc: dave@example.com\r\nSubject: Quarterly\r\n report\r\nDate: Tue, 25 Nov 2025 10:00:00 +0900\r\nMessage-ID: <123@example.org>\r\nX-Mailer: Thunderbird 128\r\n' +
    'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="BOUND"\r\n\r\n' +
    'preamble\r\n--BOUND\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' +
    'Hi Bob=2C\r\n..this line was dot-stuffed=\r\n and soft-broken.\r\n' +
    `--BOUND\r\nContent-Type: application/pdf; name="report.pdf"\r\nContent-Disposition: attachment; filename="report.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${PDF_B64}\r\n` +
    "--BOUND\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename*=utf-8''na%C3%AFve.txt\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nna=C3=AFve=\r\n\r\n" +
    '--BOUND--\r\n.\r\nQUIT\r\n',
);
const SERVER = enc('220 mx.example.com ESMTP\r\n250-mx.example.com\r\n250 SIZE 10240000\r\n250 OK\r\n250 OK\r\n250 OK\r\n354 Go ahead\r\n250 queued\r\n221 bye\r\n');

function run(feeds: [Direction, Uint8Array][]): FeedResult<SmtpTransaction> {
  const p = new SmtpFlowParser();
  const out: FeedResult<SmtpTransaction> = { records: [], anomalies: [] };
  for (const [d, b] of [...feeds]) {
    const r = p.feed(d, b);
    out.records.push(...r.records);
    out.anomalies.push(...r.anomalies);
  }
  const e = p.end();
  out.records.push(...e.records);
  out.anomalies.push(...e.anomalies);
  return out;
}

describe('MIME pieces', () => {
  it('decodes quoted-printable and header parameters', () => {
    expect(Buffer.from(decodeQuotedPrintable('a=3Db=\r\nc').bytes).toString()).toBe('a=bc');
    expect(decodeQuotedPrintable('bad=ZZ').invalid).toBe(true);
    expect(headerParam('attachment; filename="a \\"b\\".txt"', 'filename')).toBe('a "b".txt');
    expect(headerParam('multipart/mixed; boundary=xyz', 'boundary')).toBe('xyz');
  });
});

describe('SmtpFlowParser', () => {
  it('builds EVE smtp and email records and extracts attachments', () => {
    const r = run([['toClient', SERVER], ['toServer', CLIENT]]);
    expect(r.anomalies).toEqual([]);
    expect(r.records).toHaveLength(1);
    const tx = r.records[0] as SmtpTransaction;
    expect(smtpEve(tx)).toEqual({
      smtp: { helo: 'client.example.org', mail_from: '<alice@example.org>', rcpt_to: ['<bob@example.com>', '<carol@example.com>'] },
      email: {
        status: 'PARSE_DONE', from: 'Alice <alice@example.org>', to: ['Bob <bob@example.com>', '"Carol, C." <carol@example.com>'], cc: ['dave@example.com'],
        subject: 'Quarterly report', date: 'Tue, 25 Nov 2025 10:00:00 +0900', message_id: '<123@example.org>', x_mailer: 'Thunderbird 128',
        received: ['from client.example.org by mx.example.com'], attachment: ['report.pdf', 'naïve.txt'],
      },
    });
    const [pdf, txt] = tx.message?.attachments ?? [];
    expect(Buffer.from(pdf?.content ?? []).toString()).toBe('%PDF-1.4 fake');
    expect(pdf?.contentType).toBe('application/pdf');
    expect(Buffer.from(txt?.content ?? []).toString()).toBe('naïve');
  });

  it('unstuffs dots in DATA', () => {
    const r = run([['toServer', enc('MAIL FROM:<a@b>\r\nDATA\r\nSubject: x\r\n\r\n..leading dot\r\n...\r\n.\r\n')]]);
    expect(r.records[0]?.messageSize).toBe('Subject: x\r\n\r\n.leading dot\r\n..\r\n'.length);
  });

  it('gives identical results whatever byte boundary splits the client stream', () => {
    const whole = run([['toServer', CLIENT]]);
    for (let i = 0; i <= CLIENT.length; i++) expect(run([['toServer', CLIENT.slice(0, i)], ['toServer', CLIENT.slice(i)]])).toEqual(whole);
  });

  it('logs envelope-only transactions, stops at STARTTLS, flags long lines and bad replies', () => {
    const r = run([['toServer', enc('HELO x\r\nMAIL FROM:<a@b>\r\nRSET\r\nSTARTTLS\r\n\x16\x03\x01garbage\r\n')]]);
    expect(r.records.map(smtpEve)).toEqual([{ smtp: { helo: 'x', mail_from: '<a@b>' } }]);
    expect(run([['toServer', enc(`HELO ${'x'.repeat(5000)}\r\n`)]]).anomalies).toEqual([{ name: 'smtp.max_command_line_len_exceeded', direction: 'toServer' }]);
    expect(run([['toClient', enc('hello there\r\n')]]).anomalies).toEqual([{ name: 'smtp.invalid_reply', direction: 'toClient' }]);
  });

  it('caps MIME parts and attachment size', () => {
    const many = Array.from({ length: 300 }, (_, i) => `--B\r\nContent-Disposition: attachment; filename="f${i}"\r\n\r\nx\r\n`).join('');
    const m = parseMimeMessage(enc(`Content-Type: multipart/mixed; boundary=B\r\n\r\n${many}--B--\r\n`));
    expect(m.attachments.length).toBeLessThan(MIME_MAX_PARTS);
    expect(m.anomalies).toContain('smtp.mime_parse_failed');
    const big = Buffer.alloc(MIME_MAX_ATTACHMENT_BYTES + 10, 0x41).toString('base64');
    const b = parseMimeMessage(enc(`Content-Disposition: attachment; filename=big\r\nContent-Transfer-Encoding: base64\r\n\r\n${big}`));
    expect(b.attachments[0]?.content.length).toBe(MIME_MAX_ATTACHMENT_BYTES);
    expect(b.attachments[0]?.size).toBe(MIME_MAX_ATTACHMENT_BYTES + 10);
    expect(b.attachments[0]?.truncated).toBe(true);
  });

  const fuzz = (seeds: Uint8Array[]): void =>
    fc.assert(
      fc.property(mutatedInput(seeds, 2048), splitPoints, (input, cuts) => {
        const r = run(splitAt(input, cuts).map((x) => ['toServer', x] as [Direction, Uint8Array]));
        for (const tx of r.records) {
          mustHold(tx.rcptTo.length <= SMTP_MAX_RECIPIENTS, 'recipients capped');
          mustHold((tx.message?.attachments.length ?? 0) <= MIME_MAX_PARTS, 'attachments capped');
        }
        mustHold(r.records.length <= input.length, 'transactions bounded by input');
      }),
      // 100k runs in all over the two tests, so each stays well under 15 s on a busy 2-core box.
      { numRuns: Math.ceil(FUZZ_RUNS / 2) },
    );

  it('fuzz: a multipart message with attachments, mutated: no throw, bounded', () => fuzz([CLIENT]));

  it('fuzz: pipelined plain messages and envelope commands, mutated: no throw, bounded', () =>
    fuzz([
      enc('HELO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: s\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nx=3D1\r\n.\r\nMAIL FROM:<e@f>\r\nRCPT TO:<g@h>\r\nDATA\r\n\r\n..\r\n.\r\nRSET\r\nSTARTTLS\r\n'),
      enc('EHLO b\r\nMAIL FROM:<>\r\nRCPT TO:<postmaster>\r\nDATA\r\nContent-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/mixed; boundary=y\r\n\r\n--y\r\nContent-Disposition: attachment; filename=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\nQUJD\r\n--y--\r\n--x--\r\n.\r\nQUIT\r\n'),
    ]));
});
