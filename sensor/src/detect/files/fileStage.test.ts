/**
 * File inspection over the app layer's fileinfo records (HTTP both ways, multipart uploads, SMTP
 * attachments — driven through a real AppSession as the pipeline does), the scan limit, scanner
 * failures, the backlog bound, late verdicts awaited by finish, and a real clamd at the end.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Flow } from '../../flow/flow.ts';
import { AppSession } from '../../pipeline/appSession.ts';
import type { AppRecordOut } from '../../pipeline/appSession.ts';
import type { RaisedAlert, StreamData } from '../detectionStage.ts';
import { ClamdClient } from './clamdClient.ts';
import type { ClamdVerdict, FileScanner } from './clamdClient.ts';
import { clamdInstalled, eicarTestFile, startTestClamd } from './clamdTestDaemon.ts';
import type { TestClamd } from './clamdTestDaemon.ts';
import { FILE_SIDS, FileStage, formatFileStageCounters } from './fileStage.ts';

const md5 = (b: Uint8Array | string): string => createHash('md5').update(b).digest('hex');
const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

let flowIds = 0;
function httpFlow(): Flow {
  return new Flow(
    `k${++flowIds}`, flowIds, 6, 4, [],
    { addr: Uint8Array.from([192, 168, 1, 10]), ip: '192.168.1.10', port: 40000 + flowIds },
    { addr: Uint8Array.from([203, 0, 113, 5]), ip: '203.0.113.5', port: 80 },
    true, -1, -1, 1_700_000_000, 0,
  );
}

const MARKER = 'otasuke-malicious-marker';

/** Says "infected" for content holding MARKER; records what it saw. */
class FakeScanner implements FileScanner {
  readonly seen: number[] = [];
  constructor(
    private readonly delayMs = 0,
    private readonly failWith?: ClamdVerdict,
  ) {}
  async scan(content: Uint8Array): Promise<ClamdVerdict> {
    this.seen.push(content.length);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failWith !== undefined) return this.failWith;
    return Buffer.from(content).includes(MARKER) ? { status: 'infected', signature: 'Test.Marker' } : { status: 'clean' };
  }
}

/** The flow's bytes through the app layer as the pipeline runs it with detection on (nothing
 *  written); every record goes to the stage. Returns the fileinfo records. */
function feed(stage: FileStage, flow: Flow, alerts: RaisedAlert[], parts: [StreamData['direction'], string | Uint8Array][]): AppRecordOut[] {
  const raise = (a: RaisedAlert): void => void alerts.push(a);
  const files: AppRecordOut[] = [];
  const session = new AppSession(flow, { httpHeaders: false, fileHashes: {}, types: new Set(), detection: true, fileContentLimit: stage.fileContentLimit });
  const out = (rec: AppRecordOut): void => {
    if (rec.eventType === 'fileinfo') files.push(rec);
    stage.onAppRecord(rec, raise);
  };
  for (const [direction, data] of parts) session.chunk({ direction, data: typeof data === 'string' ? Buffer.from(data, 'latin1') : data, gapBefore: false }, out);
  session.end(out);
  return files;
}

function download(body: Uint8Array | string, path = '/files/setup.exe'): [StreamData['direction'], string | Uint8Array][] {
  const len = typeof body === 'string' ? Buffer.byteLength(body, 'latin1') : body.length;
  return [
    ['toServer', `GET ${path} HTTP/1.1\r\nHost: dl.example.net\r\n\r\n`],
    ['toClient', `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${len}\r\n\r\n`],
    ['toClient', body],
  ];
}

describe('FileStage input: the fileinfo records of detection', () => {
  it('gets an upload (unlogged) and a download, each with all three digests and its bytes', async () => {
    const scanner = new FakeScanner();
    const stage = new FileStage({ scanner });
    const flow = httpFlow();
    const alerts: RaisedAlert[] = [];
    const up = 'a report going out';
    const down = 'a file coming in';
    const files = feed(stage, flow, alerts, [
      ['toServer', `POST /drop/report.bin HTTP/1.1\r\nHost: files.example.net\r\nContent-Length: ${up.length}\r\n\r\n${up}`],
      ['toClient', `HTTP/1.1 200 OK\r\nContent-Length: ${down.length}\r\n\r\n${down}`],
    ]);
    await stage.finish();
    expect(alerts).toEqual([]);
    expect(files.map((r) => [r.direction, r.logged, r.fields.fileinfo, Buffer.from(r.source?.file?.content ?? []).toString()])).toEqual([
      ['toServer', false, { filename: '/drop/report.bin', gaps: false, state: 'CLOSED', md5: md5(up), sha1: createHash('sha1').update(up).digest('hex'), sha256: sha256(up), stored: false, size: up.length, tx_id: 0 }, up],
      ['toClient', false, { filename: '/drop/report.bin', gaps: false, state: 'CLOSED', md5: md5(down), sha1: createHash('sha1').update(down).digest('hex'), sha256: sha256(down), stored: false, size: down.length, tx_id: 0 }, down],
    ]);
    expect(scanner.seen).toEqual([up.length, down.length]);
    expect(stage.counters).toMatchObject({ files: 2, hashed: 2, hashMatches: 0, scanned: 2, clean: 2 });
  });

  it('without a scanner asks the app layer for no file bytes', () => {
    const stage = new FileStage({});
    expect(stage.fileContentLimit).toBe(0);
    const files = feed(stage, httpFlow(), [], download('abc'));
    expect(files).toHaveLength(1);
    expect(files[0]!.source?.file).toBeUndefined();
    expect(files[0]!.fields.fileinfo).toMatchObject({ md5: md5('abc'), size: 3 });
  });
});

describe('FileStage with a scanner (files from the flow bytes)', () => {
  it('scans a download and raises the verdict when it comes; finish waits for it', async () => {
    const scanner = new FakeScanner(20);
    const stage = new FileStage({ scanner });
    const flow = httpFlow();
    const alerts: RaisedAlert[] = [];
    const body = `MZ....${MARKER}....`;
    feed(stage, flow, alerts, download(body));
    expect(alerts).toEqual([]);
    await stage.finish();
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a).toMatchObject({ engine: 'file', explain: 'malware_file', signatureId: FILE_SIDS.clamav, signature: 'ClamAV: Test.Marker', severity: 1, direction: 'toClient', txId: 0 });
    expect(a.metadata).toEqual({ clamav_signature: ['Test.Marker'] });
    expect(a.app?.fileinfo).toEqual({ filename: '/files/setup.exe', gaps: false, state: 'CLOSED', md5: md5(body), sha1: createHash('sha1').update(body).digest('hex'), sha256: sha256(body), stored: false, size: body.length, tx_id: 0 });
    expect((a.app?.http as { url: string }).url).toBe('/files/setup.exe');
    expect(stage.counters).toMatchObject({ files: 1, scanned: 1, infected: 1, clean: 0 });
  });

  it('finds uploads: a multipart form part and a plain request body', async () => {
    const scanner = new FakeScanner();
    const stage = new FileStage({ scanner });
    const alerts: RaisedAlert[] = [];
    const form = [
      '--XyZ', 'Content-Disposition: form-data; name="comment"', '', 'hello',
      '--XyZ', 'Content-Disposition: form-data; name="file"; filename="invoice.doc"', 'Content-Type: application/msword', '', `doc ${MARKER} doc`,
      '--XyZ--', '',
    ].join('\r\n');
    feed(stage, httpFlow(), alerts, [
      ['toServer', `POST /upload HTTP/1.1\r\nHost: files.example.net\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: ${form.length}\r\n\r\n${form}`],
      ['toClient', 'HTTP/1.1 204 No Content\r\n\r\n'],
    ]);
    const raw = `raw ${MARKER}`;
    feed(stage, httpFlow(), alerts, [
      ['toServer', `PUT /backup/data.bin HTTP/1.1\r\nHost: files.example.net\r\nContent-Length: ${raw.length}\r\n\r\n${raw}`],
      ['toClient', 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n'],
    ]);
    await stage.finish();
    expect(alerts.map((a) => [a.direction, (a.app?.fileinfo as { filename: string }).filename, (a.app?.fileinfo as { md5: string }).md5])).toEqual([
      ['toServer', 'invoice.doc', md5(`doc ${MARKER} doc`)],
      ['toServer', '/backup/data.bin', md5(raw)],
    ]);
    expect(scanner.seen).toEqual([`doc ${MARKER} doc`.length, raw.length]);
  });

  it('finds an SMTP attachment', async () => {
    const stage = new FileStage({ scanner: new FakeScanner() });
    const alerts: RaisedAlert[] = [];
    const flow = httpFlow();
    const attachment = Buffer.from(`attached ${MARKER}`).toString('base64');
    feed(stage, flow, alerts, [
      ['toClient', '220 mx.example.net ESMTP\r\n'],
      ['toServer', 'EHLO pc\r\n'],
      ['toClient', '250 ok\r\n'],
      ['toServer', 'MAIL FROM:<a@example.jp>\r\n'],
      ['toClient', '250 ok\r\n'],
      ['toServer', 'RCPT TO:<b@example.net>\r\n'],
      ['toClient', '250 ok\r\n'],
      ['toServer', 'DATA\r\n'],
      ['toClient', '354 go\r\n'],
      ['toServer', `From: a@example.jp\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b1\r\nContent-Type: application/octet-stream; name="a.exe"\r\nContent-Disposition: attachment; filename="a.exe"\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--b1--\r\n.\r\n`],
      ['toClient', '250 queued\r\n'],
      ['toServer', 'QUIT\r\n'],
    ]);
    await stage.finish();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ direction: 'toServer', signature: 'ClamAV: Test.Marker' });
    expect((alerts[0]!.app?.fileinfo as { filename: string }).filename).toBe('a.exe');
    expect(alerts[0]!.app?.smtp).toBeDefined();
  });

  it('hashes a file over the scan limit whole, without keeping or scanning it', async () => {
    const scanner = new FakeScanner();
    const stage = new FileStage({ scanner, scanLimit: 100_000 });
    const alerts: RaisedAlert[] = [];
    const big = Buffer.alloc(3_000_000, 0x41);
    big.write(MARKER, 10);
    // An upload (a download's hashes are the IOC stage's to match).
    const parts: [StreamData['direction'], string | Uint8Array][] = [['toServer', `PUT /backup.img HTTP/1.1\r\nHost: nas.example.net\r\nContent-Length: ${big.length}\r\n\r\n`]];
    for (let off = 0; off < big.length; off += 65536) parts.push(['toServer', big.subarray(off, off + 65536)]);
    parts.push(['toClient', 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n']);
    const files = feed(stage, httpFlow(), alerts, parts);
    await stage.finish();
    expect(alerts).toEqual([]);
    expect(scanner.seen).toEqual([]);
    expect(files).toHaveLength(1);
    expect(files[0]!.source?.file).toBeUndefined();
    expect(files[0]!.fields.fileinfo).toMatchObject({ state: 'CLOSED', size: big.length, sha256: sha256(big), sha1: createHash('sha1').update(big).digest('hex'), md5: md5(big) });
    expect(stage.counters).toMatchObject({ files: 1, hashed: 1, tooLarge: 1, scanned: 0 });
  });

  it('counts scanner failures and raises nothing', async () => {
    const stage = new FileStage({ scanner: new FakeScanner(0, { status: 'failed', reason: 'unreachable', detail: 'down' }) });
    const alerts: RaisedAlert[] = [];
    feed(stage, httpFlow(), alerts, download(MARKER));
    feed(stage, httpFlow(), alerts, download(MARKER));
    await stage.finish();
    expect(alerts).toEqual([]);
    expect(stage.counters.scanFailures).toEqual({ unreachable: 2 });
    expect(formatFileStageCounters(stage.counters)).toBe(
      'files: 2 seen, 2 hashed, 0 truncated, 0 hash matches, 0 scanned (0 infected), 0 over the scan limit, 0 skipped (scan backlog full), scan failures: unreachable 2',
    );
  });

  it('bounds the scan backlog', async () => {
    const scanner = new FakeScanner(30);
    const stage = new FileStage({ scanner, maxConcurrentScans: 1, maxQueuedScanBytes: 1000 });
    const alerts: RaisedAlert[] = [];
    const body = `${MARKER}${'x'.repeat(600)}`;
    for (let i = 0; i < 4; i++) feed(stage, httpFlow(), alerts, download(body));
    await stage.finish();
    // One running, one queued (600 bytes); the rest would pass 1000 queued bytes.
    expect(stage.counters).toMatchObject({ files: 4, scanned: 2, backlogFull: 2 });
    expect(alerts).toHaveLength(2);
  });

  it('ignores flows that are not HTTP or SMTP, and forgets ended flows', () => {
    const stage = new FileStage({ scanner: new FakeScanner() });
    const alerts: RaisedAlert[] = [];
    feed(stage, httpFlow(), alerts, [['toServer', 'SSH-2.0-OpenSSH_9.6\r\n'], ['toClient', 'SSH-2.0-OpenSSH_9.6\r\n']]);
    expect(stage.counters.files).toBe(0);
  });
});

const haveClamd = clamdInstalled();
if (!haveClamd) console.warn('SKIPPED: FileStage with a real clamd — /usr/sbin/clamd is missing (apt-get install clamav-daemon)');

describe.skipIf(!haveClamd)('FileStage with a real clamd', () => {
  let clamd: TestClamd;
  beforeAll(async () => {
    clamd = await startTestClamd({ files: [{ name: 'Otasuke.Test.Eicar', content: eicarTestFile() }] });
  }, 90_000);
  afterAll(async () => {
    await clamd?.stop();
  });

  it('raises ClamAV: <name> for an EICAR download and nothing for a clean one', async () => {
    const stage = new FileStage({ scanner: new ClamdClient({ kind: 'unix', path: clamd.socket }) });
    const alerts: RaisedAlert[] = [];
    feed(stage, httpFlow(), alerts, download(eicarTestFile(), '/eicar.com'));
    feed(stage, httpFlow(), alerts, download('just a text file\n', '/readme.txt'));
    await stage.finish();
    expect(alerts.map((a) => [a.signature, a.metadata, (a.app?.fileinfo as { filename: string }).filename])).toEqual([
      ['ClamAV: Otasuke.Test.Eicar.UNOFFICIAL', { clamav_signature: ['Otasuke.Test.Eicar.UNOFFICIAL'] }, '/eicar.com'],
    ]);
    expect(stage.counters).toMatchObject({ scanned: 2, clean: 1, infected: 1 });
  });
});
