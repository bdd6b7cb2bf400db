import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FtpDataEvent } from './ftpControl.ts';
import { FtpFlowParser, parseEprt, parseEpsvReply, parseHostPort } from './ftpControl.ts';
import {
  expectationFor,
  FTP_DATA_EXPECTATION_LIFETIME_SEC,
  FTP_DATA_MAX_EXPECTATIONS,
  FTP_DATA_MAX_EXPECTATIONS_PER_CONTROL,
  FtpDataChannelTracker,
  FtpDataExpectations,
  FtpDataTransfer,
} from './ftpData.ts';
import type { FtpDataExpectation } from './ftpData.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const CONTROL = { clientIp: '10.0.0.5', serverIp: '203.0.113.7' };
const OWNER = {};

describe('FTP data-channel text, hostile and malformed', () => {
  it('PASV/PORT: six numbers 0..255, a port 1..65535, not part of a longer list', () => {
    expect(parseHostPort('Entering Passive Mode (192,168,1,32,160,191).')).toEqual({ host: '192.168.1.32', port: 41151 });
    expect(parseHostPort('=192,168,1,32,255,255')).toEqual({ host: '192.168.1.32', port: 65535 });
    expect(parseHostPort('(256,168,1,32,160,191)')).toBeUndefined();
    expect(parseHostPort('(192,168,1,999,160,191)')).toBeUndefined();
    expect(parseHostPort('(192,168,1,32,0,0)')).toBeUndefined();
    expect(parseHostPort('(1234,168,1,32,160,191)')).toBeUndefined();
    expect(parseHostPort('(1,192,168,1,32,160,191)')).toBeUndefined();
    expect(parseHostPort('(192,168,1,32,160)')).toBeUndefined();
    expect(parseHostPort('(192,168,1,32,-1,191)')).toBeUndefined();
    expect(parseHostPort('')).toBeUndefined();
  });

  it('EPRT: af 1 with a dotted quad, af 2 with an IPv6 address, a port 1..65535', () => {
    expect(parseEprt('|1|132.235.1.2|6275|')).toEqual({ host: '132.235.1.2', port: 6275 });
    expect(parseEprt('|2|2001:db8::1|6275|')).toEqual({ host: '2001:db8::1', port: 6275 });
    expect(parseEprt('!1!10.0.0.1!21!')).toEqual({ host: '10.0.0.1', port: 21 });
    expect(parseEprt('|1|132.235.1.256|6275|')).toBeUndefined();
    expect(parseEprt('|1|2001:db8::1|6275|')).toBeUndefined();
    expect(parseEprt('|2|132.235.1.2|6275|')).toBeUndefined();
    expect(parseEprt('|2|gggg::1|6275|')).toBeUndefined();
    expect(parseEprt('|3|132.235.1.2|6275|')).toBeUndefined();
    expect(parseEprt('|1|132.235.1.2|0|')).toBeUndefined();
    expect(parseEprt('|1|132.235.1.2|65536|')).toBeUndefined();
    expect(parseEprt('|1|132.235.1.2|123456|')).toBeUndefined();
    expect(parseEprt('|1|132.235.1.2|6275')).toBeUndefined();
    expect(parseEprt('|1|132.235.1.2|6275|x|')).toBeUndefined();
    expect(parseEprt('1|132.235.1.2|6275|')).toBeUndefined();
    expect(parseEprt('')).toBeUndefined();
  });

  it('EPSV: (|||port|) with a port 1..65535', () => {
    expect(parseEpsvReply('Entering Extended Passive Mode (|||6446|)')).toBe(6446);
    expect(parseEpsvReply('Entering Extended Passive Mode (!!!6446!)')).toBe(6446);
    expect(parseEpsvReply('Entering Extended Passive Mode (|||0|)')).toBeUndefined();
    expect(parseEpsvReply('Entering Extended Passive Mode (|||65536|)')).toBeUndefined();
    expect(parseEpsvReply('Entering Extended Passive Mode (|||99999|)')).toBeUndefined();
    expect(parseEpsvReply('Entering Extended Passive Mode (||6446|)')).toBeUndefined();
    expect(parseEpsvReply('Entering Extended Passive Mode (|||-1|)')).toBeUndefined();
  });
});

describe('FTP control: data events as soon as they are said', () => {
  it('PASV reply, EPSV reply, PORT and EPRT commands, then the transfer commands', () => {
    const p = new FtpFlowParser();
    const events: FtpDataEvent[] = [];
    const feed = (d: 'toServer' | 'toClient', s: string): void => void events.push(...p.feed(d, enc(s)).dataEvents);
    feed('toServer', 'PASV\r\n');
    feed('toClient', '227 Entering Passive Mode (192,168,1,32,160,191).\r\n');
    feed('toServer', 'RETR MSVIDEO.DLL\r\n');
    feed('toServer', 'EPSV\r\n');
    feed('toClient', '229 Entering Extended Passive Mode (|||6446|)\r\n');
    feed('toServer', 'STOR up load.bin\r\nPORT 10,0,0,5,4,1\r\nAPPE log.txt\r\nEPRT |2|2001:db8::1|6275|\r\nSTOU\r\nLIST -a\r\n');
    // Malformed ones announce nothing.
    feed('toServer', 'PORT 10,0,0,5,4,256\r\nEPRT |1|10.0.0.300|21|\r\nPASV\r\n');
    feed('toClient', '150 Here it comes\r\n226 ok\r\n200 ok\r\n200 ok\r\n200 ok\r\n200 ok\r\n200 ok\r\n200 ok\r\n500 no\r\n500 no\r\n227 Entering Passive Mode (1,2,3,4,0,0).\r\n');
    expect(events).toEqual([
      { kind: 'channel', channel: { mode: 'passive', host: '192.168.1.32', port: 41151 } },
      { kind: 'command', command: 'RETR', argument: 'MSVIDEO.DLL' },
      { kind: 'channel', channel: { mode: 'passive', port: 6446 } },
      { kind: 'command', command: 'STOR', argument: 'up load.bin' },
      { kind: 'channel', channel: { mode: 'active', host: '10.0.0.5', port: 1025 } },
      { kind: 'command', command: 'APPE', argument: 'log.txt' },
      { kind: 'channel', channel: { mode: 'active', host: '2001:db8::1', port: 6275 } },
      { kind: 'command', command: 'STOU', argument: '' },
      { kind: 'command', command: 'LIST', argument: '-a' },
    ]);
  });
});

describe('FTP data expectations', () => {
  it('passive RETR: the client connects to the server, the file travels toClient', () => {
    expect(expectationFor(CONTROL, { mode: 'passive', host: '192.168.1.32', port: 41151 }, 'retr', 'a.exe', 100, OWNER)).toEqual({
      initiatorIp: '10.0.0.5', responderIp: '203.0.113.7', responderPort: 41151, command: 'RETR', filename: 'a.exe', fileDirection: 'toClient', expiresSec: 100 + FTP_DATA_EXPECTATION_LIFETIME_SEC, owner: OWNER,
    });
  });

  it('the four cases of mode × direction, and commands that carry no file', () => {
    const dir = (mode: 'active' | 'passive', command: string): [string, string, string] | undefined => {
      const e = expectationFor(CONTROL, { mode, port: 2000 }, command, 'f', 0, OWNER);
      return e === undefined ? undefined : [e.initiatorIp, e.responderIp, e.fileDirection];
    };
    expect(dir('passive', 'RETR')).toEqual(['10.0.0.5', '203.0.113.7', 'toClient']);
    expect(dir('passive', 'STOR')).toEqual(['10.0.0.5', '203.0.113.7', 'toServer']);
    expect(dir('active', 'RETR')).toEqual(['203.0.113.7', '10.0.0.5', 'toServer']);
    expect(dir('active', 'STOU')).toEqual(['203.0.113.7', '10.0.0.5', 'toClient']);
    expect(dir('active', 'APPE')).toEqual(['203.0.113.7', '10.0.0.5', 'toClient']);
    expect(dir('passive', 'LIST')).toBeUndefined();
    expect(dir('passive', 'NLST')).toBeUndefined();
  });

  it('a channel is used up by the next data command, a listing included', () => {
    const t = new FtpDataChannelTracker(CONTROL, OWNER);
    expect(t.event({ kind: 'command', command: 'RETR', argument: 'early' }, 0)).toBeUndefined();
    expect(t.event({ kind: 'channel', channel: { mode: 'passive', port: 5000 } }, 0)).toBeUndefined();
    expect(t.event({ kind: 'command', command: 'LIST', argument: '' }, 0)).toBeUndefined();
    expect(t.event({ kind: 'command', command: 'RETR', argument: 'no channel' }, 0)).toBeUndefined();
    t.event({ kind: 'channel', channel: { mode: 'passive', port: 5001 } }, 0);
    t.event({ kind: 'channel', channel: { mode: 'active', port: 5002 } }, 0);
    expect(t.event({ kind: 'command', command: 'STOR', argument: 'x' }, 7)).toMatchObject({ responderPort: 5002, initiatorIp: '203.0.113.7', filename: 'x', expiresSec: 7 + FTP_DATA_EXPECTATION_LIFETIME_SEC });
  });

  const exp = (port: number, nowSec: number, owner: object = OWNER): FtpDataExpectation =>
    expectationFor(CONTROL, { mode: 'passive', port }, 'RETR', `f${port}`, nowSec, owner) as FtpDataExpectation;

  it('matches the exact initiator, responder and port, once, within its lifetime', () => {
    const t = new FtpDataExpectations();
    t.add(exp(5000, 10), 10);
    expect(t.take('10.0.0.6', '203.0.113.7', 5000, 11)).toBeUndefined();
    expect(t.take('203.0.113.7', '10.0.0.5', 5000, 11)).toBeUndefined();
    expect(t.take('10.0.0.5', '203.0.113.7', 5001, 11)).toBeUndefined();
    expect(t.take('10.0.0.5', '203.0.113.7', 5000, 11)?.filename).toBe('f5000');
    expect(t.take('10.0.0.5', '203.0.113.7', 5000, 11)).toBeUndefined();
    expect(t.size).toBe(0);
    t.add(exp(5000, 10), 10);
    expect(t.take('10.0.0.5', '203.0.113.7', 5000, 10 + FTP_DATA_EXPECTATION_LIFETIME_SEC + 1)).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('a newer expectation of the same connection replaces the older', () => {
    const t = new FtpDataExpectations();
    t.add(exp(5000, 10), 10);
    t.add({ ...exp(5000, 11), filename: 'second' }, 11);
    expect(t.size).toBe(1);
    expect(t.take('10.0.0.5', '203.0.113.7', 5000, 12)?.filename).toBe('second');
  });

  it('bounded per control connection, in all, and in time (hostile input)', () => {
    const t = new FtpDataExpectations();
    for (let port = 1; port <= 100; port++) t.add(exp(port, 0), 0);
    expect(t.size).toBe(FTP_DATA_MAX_EXPECTATIONS_PER_CONTROL);
    expect(t.take('10.0.0.5', '203.0.113.7', 92, 0)).toBeUndefined();
    expect(t.take('10.0.0.5', '203.0.113.7', 93, 0)?.filename).toBe('f93');

    const all = new FtpDataExpectations();
    for (let i = 0; i < FTP_DATA_MAX_EXPECTATIONS + 50; i++) all.add(exp(1 + (i % 60000), 0, {}), 0);
    expect(all.size).toBe(FTP_DATA_MAX_EXPECTATIONS);
    expect(all.take('10.0.0.5', '203.0.113.7', 50, 0)).toBeUndefined();
    expect(all.take('10.0.0.5', '203.0.113.7', 51, 0)?.filename).toBe('f51');

    // Expired ones are dropped as new ones come.
    all.add(exp(60001, 1000), 1000);
    expect(all.size).toBe(1);
  });
});

describe('FTP data expectations under hostile control channels', () => {
  it('fuzz: random replies and commands from many control connections: no throw, bounded', () => {
    const line = fc.oneof(
      fc.constantFrom('PASV', 'EPSV', 'RETR a', 'STOR b', 'LIST', 'PORT 10,0,0,5,4,1', 'EPRT |1|10.0.0.5|99|'),
      fc.string({ maxLength: 40 }).map((s) => `PORT ${s}`),
      fc.string({ maxLength: 40 }).map((s) => `EPRT ${s}`),
      fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300)).map(([a, b, c]) => `227 (1,2,3,${a},${b},${c})`),
      fc.nat(70000).map((n) => `229 (|||${n}|)`),
      fc.string({ maxLength: 40 }).map((s) => `227 ${s}`),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), fc.boolean(), line, fc.nat(500)), { maxLength: 300 }), (steps) => {
        const table = new FtpDataExpectations();
        const controls = [0, 1, 2, 3].map((i) => ({ parser: new FtpFlowParser(), tracker: new FtpDataChannelTracker({ clientIp: `10.0.0.${i}`, serverIp: '203.0.113.7' }, {}) }));
        let now = 0;
        for (const [who, toServer, text, dt] of steps) {
          now += dt;
          const c = controls[who]!;
          const r = c.parser.feed(toServer || !/^\d/.test(text) ? 'toServer' : 'toClient', enc(`${text}\r\n`));
          for (const ev of r.dataEvents) {
            if (ev.kind === 'channel') expect(ev.channel.port >= 1 && ev.channel.port <= 65535).toBe(true);
            const e = c.tracker.event(ev, now);
            if (e !== undefined) table.add(e, now);
          }
          expect(table.size).toBeLessThanOrEqual(4 * FTP_DATA_MAX_EXPECTATIONS_PER_CONTROL);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('FTP data transfer: the file of a data connection', () => {
  const hashes = { md5: true, sha1: true, sha256: true };
  const e = exp2();
  function exp2(): FtpDataExpectation {
    return expectationFor(CONTROL, { mode: 'passive', port: 5000 }, 'RETR', 'a.bin', 0, OWNER) as FtpDataExpectation;
  }

  it('hashes the bytes of the file direction as they stream, ignores the other way', () => {
    const t = new FtpDataTransfer(e, hashes, Infinity, 4);
    t.feed('toClient', enc('hello '));
    t.feed('toServer', enc('ignored'));
    t.feed('toClient', enc('world'));
    const f = t.finish();
    expect(f).toEqual({
      filename: 'a.bin',
      command: 'RETR',
      size: 11,
      truncated: false,
      gaps: false,
      content: enc('hell'),
      digests: {
        md5: createHash('md5').update('hello world').digest('hex'),
        sha1: createHash('sha1').update('hello world').digest('hex'),
        sha256: createHash('sha256').update('hello world').digest('hex'),
      },
    });
  });

  it('a gap or a file over the hash limit: truncated, no digests', () => {
    const gap = new FtpDataTransfer(e, hashes, Infinity, 0);
    gap.feed('toClient', enc('abc'));
    gap.gap('toServer');
    expect(gap.finish()).toMatchObject({ truncated: false, gaps: false });
    const gap2 = new FtpDataTransfer(e, hashes, Infinity, 0);
    gap2.gap('toClient');
    gap2.feed('toClient', enc('abc'));
    const g = gap2.finish();
    expect([g.truncated, g.gaps, g.size, g.digests]).toEqual([true, true, 3, undefined]);
    const big = new FtpDataTransfer(e, hashes, 4, 0);
    big.feed('toClient', enc('abcde'));
    const b = big.finish();
    expect([b.truncated, b.gaps, b.size, b.digests, b.content.length]).toEqual([true, false, 5, undefined, 0]);
  });
});
