import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerLink, ServerUnreachableError } from './serverLink.ts';
import { startIngestTestServer } from './testing/ingestTestServer.ts';
import type { IngestTestServer } from './testing/ingestTestServer.ts';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const openssl = hasOpenssl();
if (!openssl) console.warn('\n!!! openssl is absent: the HTTPS-with-private-CA test is SKIPPED !!!\n');

describe.skipIf(!openssl)('ServerLink over HTTPS with a private CA', () => {
  let dir: string;
  let server: IngestTestServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otasuke-tls-'));
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Otasuke Test CA');
    run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'san.ext');
    server = await startIngestTestServer({ tls: { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) } });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('trusts the server through caFile, and refuses it without', async () => {
    const trusted = new ServerLink({ serverUrl: server.url, credential: 'ots_test', caFile: join(dir, 'ca.pem'), timeoutMs: 5000 });
    const answer = await trusted.exchange('GET', '/api/v1/bundles/public-key');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString()).publicKey).toContain('BEGIN PUBLIC KEY');
    trusted.close();
    const untrusted = new ServerLink({ serverUrl: server.url, credential: 'ots_test', caFile: null, timeoutMs: 5000 });
    const error = await untrusted.exchange('GET', '/api/v1/bundles/public-key').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerUnreachableError);
    expect((error as ServerUnreachableError).code).toMatch(/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/);
    untrusted.close();
  });
});

describe('ServerLink', () => {
  it('says clearly when nothing listens', async () => {
    const link = new ServerLink({ serverUrl: 'http://127.0.0.1:9', credential: 'x', caFile: null, timeoutMs: 2000 });
    const error = await link.exchange('GET', '/api/v1/sensors/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerUnreachableError);
    expect((error as Error).message).toBe('cannot reach http://127.0.0.1:9: ECONNREFUSED');
    link.close();
  });
});
