/**
 * The INSTREAM client: the protocol pieces on their own, then against a real clamd started with a
 * test-only signature database (skipped, loudly, where clamav-daemon is not installed), then the
 * failures that must come back as verdicts: clamd absent, clamd silent.
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClamdClient, ClamdEndpointError, formatClamdEndpoint, instreamFrames, parseClamdEndpoint, parseInstreamReply } from './clamdClient.ts';
import { clamdInstalled, eicarTestFile, startTestClamd } from './clamdTestDaemon.ts';
import type { TestClamd } from './clamdTestDaemon.ts';

describe('clamd protocol', () => {
  it('frames a stream as zINSTREAM, big-endian lengths and a zero terminator', () => {
    const frames = instreamFrames(Uint8Array.from([1, 2, 3, 4, 5]), 2);
    expect(Buffer.concat(frames).toString('hex')).toBe(
      `${Buffer.from('zINSTREAM\0').toString('hex')}000000020102000000020304000000010500000000`,
    );
    expect(Buffer.concat(instreamFrames(new Uint8Array(0), 2)).toString('hex')).toBe(`${Buffer.from('zINSTREAM\0').toString('hex')}00000000`);
  });

  it('reads the replies clamd gives', () => {
    expect(parseInstreamReply('stream: OK')).toEqual({ status: 'clean' });
    expect(parseInstreamReply('stream: Eicar-Signature FOUND\0')).toEqual({ status: 'infected', signature: 'Eicar-Signature' });
    expect(parseInstreamReply('3: stream: Win.Test.EICAR_HDB-1 FOUND')).toEqual({ status: 'infected', signature: 'Win.Test.EICAR_HDB-1' });
    expect(parseInstreamReply('INSTREAM size limit exceeded. ERROR')).toMatchObject({ status: 'failed', reason: 'size_limit' });
    expect(parseInstreamReply('stream: Can\'t allocate memory ERROR')).toMatchObject({ status: 'failed', reason: 'clamd_error' });
    expect(parseInstreamReply('UNKNOWN COMMAND')).toMatchObject({ status: 'failed', reason: 'protocol' });
  });

  it('takes a socket path or HOST:PORT, and says what is wrong otherwise', () => {
    expect(parseClamdEndpoint('/run/clamav/clamd.ctl')).toEqual({ kind: 'unix', path: '/run/clamav/clamd.ctl' });
    expect(parseClamdEndpoint('./clamd.sock')).toEqual({ kind: 'unix', path: './clamd.sock' });
    expect(parseClamdEndpoint('127.0.0.1:3310')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 3310 });
    expect(parseClamdEndpoint('[::1]:3310')).toEqual({ kind: 'tcp', host: '::1', port: 3310 });
    expect(formatClamdEndpoint(parseClamdEndpoint('[::1]:3310'))).toBe('[::1]:3310');
    expect(() => parseClamdEndpoint('clamd')).toThrow(ClamdEndpointError);
    expect(() => parseClamdEndpoint('localhost:0')).toThrow(/port 0 is not 1–65535/);
    expect(() => parseClamdEndpoint('')).toThrow(/invalid --clamd/);
  });
});

describe('clamd failures are verdicts, never exceptions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otasuke-clamd-fail-'));
  let silent: Server;
  let dropping: Server;
  let dead: Server;
  // Like clamd past StreamMaxLength when its answer is lost to the reset: drops an INSTREAM after
  // 64 KiB without a word, still answers PING. `dead` drops everything, PING included.
  const dropAfter = (answerPing: boolean) => (s: Socket) => {
    let got = 0;
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      if (got === 0 && d.subarray(0, 6).toString('latin1') === 'zPING\0' && answerPing) {
        s.end('PONG\0');
        return;
      }
      got += d.length;
      if (got > 64 * 1024) s.destroy();
    });
  };
  beforeAll(async () => {
    // Accepts, reads, never answers.
    silent = createServer((s) => s.on('data', () => undefined));
    dropping = createServer(dropAfter(true));
    dead = createServer((s) => s.destroy());
    await new Promise<void>((r) => silent.listen(join(dir, 'silent.sock'), r));
    await new Promise<void>((r) => dropping.listen(join(dir, 'dropping.sock'), r));
    await new Promise<void>((r) => dead.listen(join(dir, 'dead.sock'), r));
  });
  afterAll(async () => {
    await new Promise<void>((r) => silent.close(() => r()));
    await new Promise<void>((r) => dropping.close(() => r()));
    await new Promise<void>((r) => dead.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('clamd not running: unreachable', async () => {
    const v = await new ClamdClient({ kind: 'unix', path: join(dir, 'absent.sock') }).scan(Uint8Array.from([1]));
    expect(v).toMatchObject({ status: 'failed', reason: 'unreachable' });
    expect(await new ClamdClient({ kind: 'tcp', host: '127.0.0.1', port: 1 }).scan(Uint8Array.from([1]))).toMatchObject({ status: 'failed', reason: 'unreachable' });
  });

  it('a stream dropped mid-way by a clamd that still answers PING: size limit; by one that does not: clamd error', async () => {
    const big = new Uint8Array(4 * 1024 * 1024);
    const dropped = await new ClamdClient({ kind: 'unix', path: join(dir, 'dropping.sock') }).scan(big);
    expect(dropped).toMatchObject({ status: 'failed', reason: 'size_limit' });
    expect(dropped.status === 'failed' && dropped.detail).toMatch(/4194304 bytes .*StreamMaxLength/);
    const deadVerdict = await new ClamdClient({ kind: 'unix', path: join(dir, 'dead.sock') }).scan(big);
    expect(deadVerdict).toMatchObject({ status: 'failed', reason: 'clamd_error' });
  });

  it('clamd silent: timeout', async () => {
    const v = await new ClamdClient({ kind: 'unix', path: join(dir, 'silent.sock') }, { timeoutMs: 200 }).scan(Uint8Array.from([1, 2]));
    expect(v).toMatchObject({ status: 'failed', reason: 'timeout' });
  });
});

const haveClamd = clamdInstalled();
if (!haveClamd) console.warn('SKIPPED: real clamd tests — /usr/sbin/clamd is missing (apt-get install clamav-daemon)');

describe.skipIf(!haveClamd)('against a real clamd with a test-only signature database', () => {
  const fixture = Buffer.from('otasuke fixture: a file the test database knows by its MD5\n');
  let clamd: TestClamd;
  let client: ClamdClient;
  beforeAll(async () => {
    clamd = await startTestClamd(
      {
        files: [
          { name: 'Otasuke.Test.Fixture', content: fixture },
          { name: 'Otasuke.Test.Eicar', content: eicarTestFile() },
        ],
        bodies: [{ name: 'Otasuke.Test.Body', hex: Buffer.from('otasuke-malicious-marker').toString('hex') }],
      },
      { streamMaxLength: '1M' },
    );
    client = new ClamdClient({ kind: 'unix', path: clamd.socket });
  }, 90_000);
  afterAll(async () => {
    await clamd?.stop();
  });

  it('answers PING', async () => {
    expect(await client.ping()).toBe(true);
  });

  it('finds the EICAR file, a known file and a body signature; passes a clean one', async () => {
    expect(await client.scan(eicarTestFile())).toEqual({ status: 'infected', signature: 'Otasuke.Test.Eicar.UNOFFICIAL' });
    expect(await client.scan(fixture)).toEqual({ status: 'infected', signature: 'Otasuke.Test.Fixture.UNOFFICIAL' });
    const carrier = Buffer.concat([Buffer.alloc(200_000, 0x41), Buffer.from('otasuke-malicious-marker'), Buffer.alloc(1000, 0x42)]);
    expect(await new ClamdClient({ kind: 'unix', path: clamd.socket }, { chunkBytes: 4096 }).scan(carrier)).toEqual({ status: 'infected', signature: 'Otasuke.Test.Body.UNOFFICIAL' });
    expect(await client.scan(Buffer.from('nothing to see here\n'))).toEqual({ status: 'clean' });
    expect(await client.scan(new Uint8Array(0))).toEqual({ status: 'clean' });
  });

  it('reports a stream over StreamMaxLength as a size-limit failure', async () => {
    const v = await client.scan(new Uint8Array(3 * 1024 * 1024));
    expect(v).toMatchObject({ status: 'failed', reason: 'size_limit' });
  });

  it('scans concurrently', async () => {
    const verdicts = await Promise.all([eicarTestFile(), fixture, Buffer.from('clean')].map((c) => client.scan(c)));
    expect(verdicts.map((v) => v.status)).toEqual(['infected', 'infected', 'clean']);
  });
});
