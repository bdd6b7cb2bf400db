import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentLog } from './agentLog.ts';
import { ServerLink } from './serverLink.ts';
import { Spool } from './spool/spool.ts';
import { startIngestTestServer, sampleAlertRecord } from './testing/ingestTestServer.ts';
import type { IngestTestServer } from './testing/ingestTestServer.ts';
import { Uplink } from './uplink.ts';
import { uplinkAlertOf } from './uplinkAlert.ts';

const quiet: AgentLog = () => {};

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Uplink', () => {
  let dir: string;
  let server: IngestTestServer;
  let spool: Spool;
  let link: ServerLink;
  let uplink: Uplink;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otasuke-uplink-'));
    server = await startIngestTestServer();
    spool = Spool.open({ dir, maxBytes: 1 << 24, fsyncIntervalMs: 0 });
    link = new ServerLink({ serverUrl: server.url, credential: 'ots_test', caFile: null, timeoutMs: 2000 });
    uplink = new Uplink(spool, link, { batchMaxEvents: 50, batchMaxSeconds: 0.02, backoffMaxSeconds: 0.05, log: quiet });
  });
  afterEach(async () => {
    await uplink.stop();
    spool.close();
    link.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const append = (from: number, to: number): void => {
    for (let n = from; n <= to; n++) {
      const alert = uplinkAlertOf(sampleAlertRecord(n));
      spool.append({ severity: alert.severity, origin: '', encode: (seq) => Buffer.from(JSON.stringify({ seq, kind: 'alert', alert })) });
    }
    spool.commit();
  };

  it('delivers every event exactly once across a server outage, in seq order, and empties the spool', async () => {
    uplink.start();
    append(1, 120);
    await until(() => server.stored.size >= 50, 'the first events');
    server.down = true;
    append(121, 300);
    await until(() => uplink.stats().retries >= 3, 'retries while down');
    server.down = false;
    await until(() => server.stored.size === 300 && spool.stats().backlogEvents === 0, 'every event');
    expect([...server.stored.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect([...server.stored.values()].map((e) => e.alert.signatureId)).toEqual(Array.from({ length: 300 }, (_, i) => 9_000_001 + i));
    // Nothing was stored twice; a batch cut off mid-answer may arrive twice and is answered as a duplicate.
    expect(uplink.stats()).toMatchObject({ accepted: 300, ackedSeq: 300, dropped: { badEvent: 0, tooLarge: 0, damaged: 0 } });
  });

  it('isolates a bad event by bisection, drops and counts it, and delivers the others', async () => {
    server.poisonSeqs.add(37);
    append(1, 50);
    uplink.start();
    await until(() => spool.stats().backlogEvents === 0, 'the batch');
    expect(server.stored.size).toBe(49);
    expect(server.stored.has(37)).toBe(false);
    expect(uplink.stats().dropped).toEqual({ badEvent: 1, tooLarge: 0, damaged: 0 });
  });

  it('splits a batch answered 413 and honours Retry-After on 429', async () => {
    server.failNext.push({ status: 413 }, { status: 429, retryAfter: '0' }, { status: 503 });
    append(1, 40);
    uplink.start();
    await until(() => spool.stats().backlogEvents === 0, 'the batch');
    expect(server.stored.size).toBe(40);
    expect(server.requests.map((r) => r.status).slice(0, 4)).toEqual([413, 429, 503, 200]);
    expect(uplink.stats()).toMatchObject({ retries: 2, dropped: { tooLarge: 0 } });
  });

  it('stops on a refused credential with a clear state, keeps the events, and resumes with a new one', async () => {
    server.revoked.add('ots_test');
    append(1, 10);
    uplink.start();
    await until(() => uplink.stats().state === 'credential_refused', 'the refusal');
    expect(uplink.stats().lastError).toMatch(/re-enroll/);
    const requests = server.requests.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(server.requests.length).toBe(requests);
    expect(spool.stats().backlogEvents).toBe(10);
    server.credentials.add('ots_new');
    uplink.resume('ots_new');
    await until(() => spool.stats().backlogEvents === 0, 'delivery after re-enrollment');
    expect(server.stored.size).toBe(10);
  });
});
