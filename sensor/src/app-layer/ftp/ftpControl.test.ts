import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Direction, FeedResult } from '../appLayer.ts';
import { FUZZ_RUNS, mustHold, mutatedInput, splitAt, splitPoints } from '../mutatedInput.ts';
import type { FtpTransaction } from './ftpControl.ts';
import { FTP_MAX_LINE_LEN, FTP_MAX_REPLY_LINES, FtpFlowParser, ftpEve, parseEprt, parseEpsvReply, parseHostPort } from './ftpControl.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const CLIENT = enc('USER anonymous\r\nPASS guest@\r\nPASV\r\nRETR file.txt\r\nEPRT |2|2001:db8::1|6275|\r\nQUIT\r\n');
const SERVER = enc(
  '220-Welcome\r\n220 FTP ready\r\n331 Password required\r\n230 Logged in\r\n227 Entering Passive Mode (192,168,1,2,19,137).\r\n' +
    '150 Opening BINARY mode data connection\r\n226 Transfer complete\r\n200 EPRT command successful\r\n221 Goodbye\r\n',
);

function run(feeds: [Direction, Uint8Array][], p = new FtpFlowParser()): FeedResult<FtpTransaction> {
  const out: FeedResult<FtpTransaction> = { records: [], anomalies: [] };
  for (const [d, b] of feeds) {
    const r = p.feed(d, b);
    out.records.push(...r.records);
    out.anomalies.push(...r.anomalies);
  }
  out.records.push(...p.end().records);
  return out;
}

describe('FTP data-channel addresses', () => {
  it('parses PORT, 227, EPRT and 229', () => {
    expect(parseHostPort('10,0,0,1,4,1')).toEqual({ host: '10.0.0.1', port: 1025 });
    expect(parseHostPort('10,0,0,1,4,256')).toBeUndefined();
    expect(parseEprt('|1|132.235.1.2|6275|')).toEqual({ host: '132.235.1.2', port: 6275 });
    expect(parseEprt('|2|::1|99999|')).toBeUndefined();
    expect(parseEpsvReply('Entering Extended Passive Mode (|||6446|)')).toBe(6446);
  });
});

describe('FtpFlowParser', () => {
  it('pairs commands with (multi-line, preliminary) replies into EVE ftp records', () => {
    const p = new FtpFlowParser();
    const step = (c: string, s: string): unknown[] => {
      if (c !== '') p.feed('toServer', enc(c));
      return p.feed('toClient', enc(s)).records.map(ftpEve);
    };
    expect(step('', '220-Welcome\r\n220 FTP ready\r\n')).toEqual([{ reply: ['Welcome', 'FTP ready'], completion_code: ['220', '220'], reply_received: 'yes', reply_truncated: false }]);
    expect(step('USER anonymous\r\n', '331 Password required\r\n')).toEqual([
      { command: 'USER', command_data: 'anonymous', command_truncated: false, reply: ['Password required'], completion_code: ['331'], reply_received: 'yes', reply_truncated: false },
    ]);
    expect(step('PASV\r\n', '227 Entering Passive Mode (192,168,1,2,19,137).\r\n')).toEqual([
      { command: 'PASV', command_truncated: false, reply: ['Entering Passive Mode (192,168,1,2,19,137).'], completion_code: ['227'], reply_received: 'yes', reply_truncated: false, dynamic_port: 5001, mode: 'passive' },
    ]);
    expect(step('RETR file.txt\r\n', '150 Opening BINARY mode data connection\r\n')).toEqual([]);
    expect(step('', '226 Transfer complete\r\n')).toEqual([
      { command: 'RETR', command_data: 'file.txt', command_truncated: false, reply: ['Opening BINARY mode data connection', 'Transfer complete'], completion_code: ['150', '226'], reply_received: 'yes', reply_truncated: false },
    ]);
    expect(step('EPRT |2|2001:db8::1|6275|\r\n', '200 EPRT command successful\r\n')).toEqual([
      { command: 'EPRT', command_data: '|2|2001:db8::1|6275|', command_truncated: false, reply: ['EPRT command successful'], completion_code: ['200'], reply_received: 'yes', reply_truncated: false, dynamic_port: 6275, mode: 'active' },
    ]);
    p.feed('toServer', enc('QUIT\r\n'));
    expect(p.end().records.map(ftpEve)).toEqual([{ command: 'QUIT', command_truncated: false, reply_received: 'no' }]);
  });

  it('pairs correctly when the banner arrives before the first command', () => {
    const p = new FtpFlowParser();
    const banner = p.feed('toClient', enc('220 ready\r\n'));
    expect(banner.records.map(ftpEve)).toEqual([{ reply: ['ready'], completion_code: ['220'], reply_received: 'yes', reply_truncated: false }]);
    p.feed('toServer', enc('EPSV\r\n'));
    expect(p.feed('toClient', enc('229 Entering Extended Passive Mode (|||6446|)\r\n')).records.map(ftpEve)[0]).toMatchObject({ command: 'EPSV', dynamic_port: 6446, mode: 'passive' });
  });

  it('gives identical results whatever byte boundary splits either direction', () => {
    const whole = run([['toServer', CLIENT], ['toClient', SERVER]]);
    for (let i = 0; i <= CLIENT.length; i++) expect(run([['toServer', CLIENT.slice(0, i)], ['toServer', CLIENT.slice(i)], ['toClient', SERVER]])).toEqual(whole);
    for (let i = 0; i <= SERVER.length; i++) expect(run([['toServer', CLIENT], ['toClient', SERVER.slice(0, i)], ['toClient', SERVER.slice(i)]])).toEqual(whole);
  });

  it('truncates over-long lines and raises the Suricata anomaly', () => {
    const r = run([['toServer', enc(`STOR ${'x'.repeat(10_000)}\r\n`)]]);
    expect(r.anomalies).toEqual([{ name: 'ftp.request_command_too_long', direction: 'toServer' }]);
    expect(r.records[0]?.commandData?.length).toBe(FTP_MAX_LINE_LEN - 5);
    expect(r.records[0]?.commandTruncated).toBe(true);
  });

  const fuzz = (client: fc.Arbitrary<Uint8Array>, server: fc.Arbitrary<Uint8Array>): void =>
    fc.assert(
      fc.property(client, server, splitPoints, (c, s, cuts) => {
        const p = new FtpFlowParser();
        const r = run([...splitAt(c, cuts).map((x) => ['toServer', x] as [Direction, Uint8Array]), ...splitAt(s, cuts).map((x) => ['toClient', x] as [Direction, Uint8Array])], p);
        for (const tx of r.records) {
          mustHold(tx.replies.length <= FTP_MAX_REPLY_LINES, 'reply lines capped');
          mustHold((tx.commandData ?? '').length <= FTP_MAX_LINE_LEN, 'command data capped');
        }
        mustHold(r.records.length <= c.length + s.length + 1, 'transactions bounded by input');
      }),
      // 100k runs in all over the two tests, so each stays well under 15 s on a busy 2-core box.
      { numRuns: Math.ceil(FUZZ_RUNS / 2) },
    );

  it('fuzz: mutated commands against valid replies: no throw, bounded', () => fuzz(mutatedInput([CLIENT]), fc.constant(SERVER)));

  it('fuzz: valid commands against mutated replies: no throw, bounded', () => fuzz(fc.constant(CLIENT), mutatedInput([SERVER])));
});
