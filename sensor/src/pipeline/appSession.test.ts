/**
 * The app session's detection side: files reach detection as fileinfo records (downloads, uploads,
 * mail attachments; all three digests; bytes up to the scanner's limit) whether or not fileinfo is
 * written; flows of unknown protocol still reach raw-stream detection, bounded; an alert raised
 * before the response completes sees the response so far.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Flow } from '../flow/flow.ts';
import type { ReassembledChunk } from '../stream/tcpReassembler.ts';
import { AppSession, FAILED_STREAM_MAX_BYTES } from './appSession.ts';
import type { AppRecordOut, AppSessionOptions } from './appSession.ts';

const md5 = (b: string | Uint8Array): string => createHash('md5').update(b).digest('hex');
const sha1 = (b: string | Uint8Array): string => createHash('sha1').update(b).digest('hex');
const sha256 = (b: string | Uint8Array): string => createHash('sha256').update(b).digest('hex');

let ids = 0;
function tcpFlow(port = 80): Flow {
  ids++;
  return new Flow(
    `s${ids}`, ids, 6, 4, [],
    { addr: Uint8Array.from([192, 168, 1, 10]), ip: '192.168.1.10', port: 41000 + ids },
    { addr: Uint8Array.from([203, 0, 113, 9]), ip: '203.0.113.9', port },
    true, -1, -1, 1_700_000_000, 0,
  );
}

interface Run {
  records: AppRecordOut[];
  chunks: { direction: string; text: string }[];
  session: AppSession;
}

function run(parts: [ReassembledChunk['direction'], string | Uint8Array][], options: Partial<AppSessionOptions>, port = 80): Run {
  const records: AppRecordOut[] = [];
  const chunks: Run['chunks'] = [];
  const session = new AppSession(tcpFlow(port), {
    httpHeaders: false, fileHashes: {}, types: new Set(), ...options,
    onChunk: (_f, c) => void chunks.push({ direction: c.direction, text: Buffer.from(c.data).toString('latin1') }),
  });
  const out = (r: AppRecordOut): void => void records.push(r);
  for (const [direction, data] of parts) {
    // As the pipeline: a side's bytes wait for the other side's acknowledgement.
    session.release(direction === 'toServer' ? 'toClient' : 'toServer', out);
    session.defer({ direction, data: typeof data === 'string' ? Buffer.from(data, 'latin1') : data, gapBefore: false }, out);
  }
  session.release('toServer', out);
  session.release('toClient', out);
  session.end(out);
  return { records, chunks, session };
}

const fileinfos = (r: Run): unknown[] =>
  r.records.filter((x) => x.eventType === 'fileinfo').map((x) => [x.direction, x.logged, x.fields.fileinfo, x.source?.file === undefined ? null : Buffer.from(x.source.file.content).toString('latin1')]);

describe('AppSession files for detection', () => {
  const up = 'form data going out';
  const down = 'MZ a program coming in';
  const exchange: [ReassembledChunk['direction'], string][] = [
    ['toServer', `PUT /backup/data.bin HTTP/1.1\r\nHost: nas.example.net\r\nContent-Length: ${up.length}\r\n\r\n${up}`],
    ['toClient', `HTTP/1.1 200 OK\r\nContent-Disposition: attachment; filename="tool.exe"\r\nContent-Length: ${down.length}\r\n\r\n${down}`],
  ];

  it('hands uploads and downloads to detection, unlogged, with every digest and the bytes', () => {
    const r = run(exchange, { detection: true, fileContentLimit: 1000 });
    const info = (name: string, body: string) => ({ filename: name, gaps: false, state: 'CLOSED', md5: md5(body), sha1: sha1(body), sha256: sha256(body), stored: false, size: body.length, tx_id: 0 });
    expect(fileinfos(r)).toEqual([
      ['toServer', false, info('/backup/data.bin', up), up],
      ['toClient', false, info('tool.exe', down), down],
    ]);
  });

  it('keeps no bytes of a file over the limit, and none without a limit', () => {
    expect(fileinfos(run(exchange, { detection: true, fileContentLimit: 10 })).map((x) => (x as unknown[])[3])).toEqual([null, null]);
    expect(fileinfos(run(exchange, { detection: true })).map((x) => (x as unknown[])[3])).toEqual([null, null]);
  });

  it('writes downloads only, with the configured digests, when detection is off (as before)', () => {
    const r = run(exchange, { types: new Set(['fileinfo']), fileHashes: { md5: true } });
    expect(fileinfos(r)).toEqual([['toClient', true, { filename: 'tool.exe', gaps: false, state: 'CLOSED', md5: md5(down), stored: false, size: down.length, tx_id: 0 }, null]]);
    expect(fileinfos(run(exchange, {}))).toEqual([]);
  });

  it('splits a multipart upload into its file parts', () => {
    const form = ['--b', 'Content-Disposition: form-data; name="f"; filename="invoice.doc"', '', 'doc body', '--b--', ''].join('\r\n');
    const r = run([
      ['toServer', `POST /upload HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${form.length}\r\n\r\n${form}`],
      ['toClient', 'HTTP/1.1 204 No Content\r\n\r\n'],
    ], { detection: true, fileContentLimit: 100 });
    expect(fileinfos(r)).toEqual([['toServer', false, expect.objectContaining({ filename: 'invoice.doc', md5: md5('doc body'), size: 8 }), 'doc body']]);
  });

  it('hands mail attachments to detection, named or not', () => {
    const att = Buffer.from('attached bytes').toString('base64');
    const r = run([
      ['toClient', '220 mx.example.net ESMTP\r\n'], ['toServer', 'EHLO pc\r\n'], ['toClient', '250 ok\r\n'],
      ['toServer', 'MAIL FROM:<a@example.jp>\r\n'], ['toClient', '250 ok\r\n'], ['toServer', 'RCPT TO:<b@example.net>\r\n'], ['toClient', '250 ok\r\n'],
      ['toServer', 'DATA\r\n'], ['toClient', '354 go\r\n'],
      ['toServer', `Subject: x\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="a.exe"\r\nContent-Transfer-Encoding: base64\r\n\r\n${att}\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\n${att}\r\n--b1--\r\n.\r\n`],
      ['toClient', '250 queued\r\n'], ['toServer', 'QUIT\r\n'], ['toClient', '221 bye\r\n'],
    ], { detection: true, fileContentLimit: 100 }, 25);
    expect(fileinfos(r).map((x) => { const [d, logged, info, content] = x as [string, boolean, { filename: string; sha256: string }, string]; return [d, logged, info.filename, info.sha256, content]; })).toEqual([
      ['toServer', false, 'a.exe', sha256('attached bytes'), 'attached bytes'],
      ['toServer', false, '', sha256('attached bytes'), 'attached bytes'],
    ]);
  });
});

describe('AppSession raw streams of flows no parser takes', () => {
  it('gives every in-order byte of a POP3 session (not taken for FTP) to onChunk, writes nothing', () => {
    const r = run([
      ['toClient', '+OK POP3 ready\r\n'], ['toServer', 'USER alice\r\n'], ['toClient', '+OK\r\n'], ['toServer', 'PASS s3cret\r\n'], ['toClient', '+OK logged in\r\n'], ['toServer', 'QUIT\r\n'],
    ], { detection: true, types: new Set(['ftp', 'anomaly']) }, 110);
    expect(r.session.proto).toBe('failed');
    expect(r.records).toEqual([]);
    expect(r.chunks.map((c) => c.text).join('')).toBe('+OK POP3 ready\r\nUSER alice\r\n+OK\r\nPASS s3cret\r\n+OK logged in\r\nQUIT\r\n');
  });

  it('stops after FAILED_STREAM_MAX_BYTES per direction', () => {
    const block = Buffer.alloc(256 * 1024, 0x41);
    const parts: [ReassembledChunk['direction'], Uint8Array][] = [['toServer', Buffer.from('\x00\x01binary hello')], ['toClient', Buffer.from('\x02\x03binary reply')]];
    for (let i = 0; i < 6; i++) parts.push(['toServer', block]);
    const r = run(parts, { detection: true });
    expect(r.session.proto).toBe('failed');
    const sum = (d: string): number => r.chunks.filter((c) => c.direction === d).reduce((n, c) => n + c.text.length, 0);
    expect(sum('toServer')).toBe(FAILED_STREAM_MAX_BYTES);
    expect(sum('toClient')).toBe(14);
  });
});

describe('AppSession HTTP request seen alone', () => {
  it('shows the response so far on the request\'s transaction while the body is still coming', () => {
    const records: AppRecordOut[] = [];
    const session = new AppSession(tcpFlow(), { httpHeaders: false, fileHashes: {}, types: new Set(['http']), detection: true });
    const out = (r: AppRecordOut): void => void records.push(r);
    session.chunk({ direction: 'toServer', data: Buffer.from('GET /big HTTP/1.1\r\nHost: h\r\n\r\n'), gapBefore: false }, out);
    const early = records.find((r) => r.source?.phase === 'request')!.source!.http!;
    expect(early.response).toBeUndefined();
    session.chunk({ direction: 'toClient', data: Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100\r\n\r\n0123456789'), gapBefore: false }, out);
    expect(early.response).toMatchObject({ status: 200, bodyLength: 10 });
    session.chunk({ direction: 'toClient', data: Buffer.alloc(90, 0x41), gapBefore: false }, out);
    expect(early.response).toMatchObject({ status: 200, bodyLength: 100 });
    expect(records.filter((r) => r.eventType === 'http' && r.logged !== false).map((r) => r.fields.http)).toEqual([
      { hostname: 'h', url: '/big', http_method: 'GET', protocol: 'HTTP/1.1', http_content_type: 'text/html', status: 200, length: 100 },
    ]);
  });
});
