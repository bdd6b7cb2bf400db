import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DistributionScheduler } from '../bundles/distributionScheduler.ts';
import { startDistributionPlatform, type DistributionPlatform } from '../bundles/distributionTestPlatform.ts';
import { fetchFeed, FeedFetchError, isInternalAddress } from './feedFetcher.ts';

const FEED = ['# test feed', '1.2.3.4', 'evil.example', 'http://bad.example/payload.exe', 'ip 5.6.7.8 threat=botnet_cc', 'this is not an indicator at all', 'md5 zz', '1.2.3.4', '10.0.0.0/4'].join('\n');
const URLHAUS = [
  '################################################################',
  '# abuse.ch URLhaus Database Dump (CSV)                          #',
  '################################################################',
  '# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter',
  '"1","2026-03-01 10:00:00","http://203.0.113.10/bins/x86","online","2026-03-01 10:00:00","malware_download","elf,mirai","https://urlhaus.abuse.ch/url/1/","r"',
  '"2","2026-03-01 11:00:00","https://phish.example/login","online","2026-03-01 11:00:00","malware_download","","https://urlhaus.abuse.ch/url/2/","r"',
  '',
].join('\n');

/** A loopback HTTP server answering each path with a fixed handler; counts requests. */
function loopback(routes: Record<string, (res: ServerResponse) => void>): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const route = routes[req.url ?? ''];
    if (route) route(res);
    else res.writeHead(404).end('missing');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits })));
}

describe('feed fetcher', () => {
  let site: Awaited<ReturnType<typeof loopback>>;
  beforeAll(async () => {
    site = await loopback({
      '/feed.txt': (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(FEED),
      '/moved': (res) => res.writeHead(302, { location: '/feed.txt' }).end(),
      '/huge': (res) => {
        res.writeHead(200);
        // No content-length: the cap must stop the stream itself.
        const chunk = Buffer.alloc(64 * 1024, 0x41);
        for (let i = 0; i < 40; i++) res.write(chunk);
        res.end();
      },
      '/slow': (res) => {
        res.writeHead(200);
        res.write('1.2.3.4\n');
        // never ends
      },
    });
  });
  afterAll(async () => {
    site?.server.closeAllConnections();
    await new Promise((r) => site?.server.close(r));
  });

  it('tells internal and metadata addresses from public ones', () => {
    for (const ip of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', 'not-an-ip']) {
      expect(isInternalAddress(ip), ip).toBe(true);
    }
    for (const ip of ['8.8.8.8', '172.32.0.1', '203.0.113.10', '2001:4860:4860::8888', '1.1.1.1']) expect(isInternalAddress(ip), ip).toBe(false);
  });

  it('refuses loopback, metadata and internal names by default, before any byte is sent', async () => {
    const before = site.hits();
    await expect(fetchFeed(`${site.url}/feed.txt`)).rejects.toThrow(/127\.0\.0\.1 is an internal or metadata address/);
    await expect(fetchFeed('http://169.254.169.254/latest/meta-data/')).rejects.toThrow(/169\.254\.169\.254 is an internal or metadata address/);
    await expect(fetchFeed('http://[::1]:9/feed')).rejects.toThrow(/::1 is an internal or metadata address/);
    await expect(fetchFeed(`http://localhost:${new URL(site.url).port}/feed.txt`)).rejects.toThrow(/localhost is resolved to .*an internal or metadata address/);
    await expect(fetchFeed('file:///etc/passwd')).rejects.toThrow(/only http and https/);
    await expect(fetchFeed('ftp://example.com/feed')).rejects.toThrow(FeedFetchError);
    expect(site.hits()).toBe(before);
  });

  it('fetches from loopback when allowed, following a redirect, bounded in size and time', async () => {
    const allow = { allowPrivateAddresses: true };
    expect((await fetchFeed(`${site.url}/feed.txt`, allow)).toString()).toBe(FEED);
    expect((await fetchFeed(`${site.url}/moved`, allow)).toString()).toBe(FEED);
    await expect(fetchFeed(`${site.url}/nothing`, allow)).rejects.toThrow(/answered HTTP 404/);
    await expect(fetchFeed(`${site.url}/huge`, { ...allow, maxBytes: 1024 * 1024 })).rejects.toThrow(/larger than the limit of 1048576 bytes/);
    await expect(fetchFeed(`${site.url}/slow`, { ...allow, timeoutMs: 300 })).rejects.toThrow(/within 0 s|within 1 s/);
  });
});

describe(`threat feeds (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let d: DistributionPlatform;
  let strict: DistributionPlatform['services'];
  let site: Awaited<ReturnType<typeof loopback>>;
  let body = URLHAUS;

  beforeAll(async () => {
    site = await loopback({ '/urlhaus.csv': (res) => res.writeHead(200, { 'content-type': 'text/csv' }).end(body) });
    d = await startDistributionPlatform({ bundles: { rulesDir: fileURLToPath(new URL('../bundles/fixtures/rules', import.meta.url)) }, feeds: { allowPrivateAddresses: true, maxBytes: 256 * 1024 } }, 'feeds');
    // The same database with the default (strict) fetch settings.
    const { createServices } = await import('../services.ts');
    strict = createServices(d.platform.database.db, d.platform.clock, { publicUrl: 'http://otasuke.test', sessionIdleMinutes: 720, mailCharset: 'utf-8' });
  });
  afterAll(async () => {
    await d?.close();
    await new Promise((r) => site?.server.close(r));
  });

  const createFeed = async (input: Record<string, unknown>) => {
    const response = await d.request(d.sessions.operator, 'POST', '/api/v1/feeds', input);
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; name: string };
  };
  const upload = (id: string, payload: string | Buffer, contentType = 'text/plain') =>
    d.request(d.sessions.operator, 'POST', `/api/v1/feeds/${id}/import`, payload, { 'content-type': contentType });

  it('imports an uploaded file: distinct indicators kept, each bad line reported, policies using it rebuilt', async () => {
    const feed = await createFeed({ name: 'local-list', source: 'upload' });
    const policy = (await d.request(d.sessions.operator, 'POST', '/api/v1/bundle-policies', { name: 'with-feed', feedIds: [feed.id] })).json();
    const response = await upload(feed.id, FEED);
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json();
    expect(result).toMatchObject({ status: 'partial', entryCount: 4, entriesByType: { ip: 2, domain: 1, url: 1 }, errorCount: 3 });
    expect(result.errors).toEqual([
      { line: 6, message: '"this is not an indicator at all" is not an indicator line (one value, or "type value", per line)' },
      { line: 7, message: '"zz" is not an MD5 (32 hex digits)' },
      { line: 9, message: 'CIDR /4 is too wide for an indicator (at least /8)' },
    ]);
    expect(result.rebuilt).toEqual([{ policy: 'with-feed', version: expect.stringMatching(/^[0-9a-f]{16}$/), changed: true }]);
    const listed = (await d.request(d.sessions.analyst, 'GET', `/api/v1/feeds/${feed.id}`)).json();
    expect(listed).toMatchObject({ name: 'local-list', entryCount: 4, lastImport: { status: 'partial', errorCount: 3 } });

    // The bundle of the policy carries the feed as plain `type value` lines.
    await d.request(d.sessions.operator, 'PUT', `/api/v1/organizations/${d.subscriberId}/bundle-policy`, { policyId: policy.id });
    const sensor = await d.enrollSensor('subscriber');
    const bundle = await d.sensorRequest(sensor.credential, 'GET', '/api/v1/sensors/me/bundle');
    const content = JSON.parse(gunzipSync(bundle.rawPayload).toString('utf8'));
    expect(content.iocFeeds).toEqual([{ name: 'local-list', lines: 'ip 1.2.3.4\ndomain evil.example\nurl bad.example/payload.exe\nip 5.6.7.8 threat=botnet_cc\n' }]);
    expect(bundle.headers.etag).toBe(`"${result.rebuilt[0].version}"`);
  });

  it('survives hostile uploads and keeps the previous entries when nothing can be read', async () => {
    const feed = await createFeed({ name: 'hostile', source: 'upload' });
    expect((await upload(feed.id, '203.0.113.7\n')).json()).toMatchObject({ status: 'ok', entryCount: 1, errorCount: 0 });
    const binary = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x41]);
    expect((await upload(feed.id, binary, 'application/octet-stream')).json()).toMatchObject({ status: 'failed', entryCount: 0, message: expect.stringMatching(/binary/) });
    const garbage = await upload(feed.id, `${'x'.repeat(10_000)}\n${'not an ioc line\n'.repeat(300)}`);
    expect(garbage.json()).toMatchObject({ status: 'failed', entryCount: 0, errorCount: 301 });
    expect(garbage.json().errors).toHaveLength(100);
    expect(garbage.json().errors[0]).toEqual({ line: 1, message: 'line longer than 4096 bytes' });
    const broken = await upload(feed.id, '{"type": "bundle", "objects": [', 'text/plain');
    expect(broken.json()).toMatchObject({ status: 'failed' });
    expect(broken.json().errors[0].message).toMatch(/not valid JSON/);
    // Too big for the route (feedMaxBytes = 256 KiB here): refused before parsing.
    expect((await upload(feed.id, '1.1.1.1\n'.repeat(40_000))).statusCode).toBe(413);
    // After all that the feed still holds its one good entry.
    expect((await d.request(d.sessions.operator, 'GET', `/api/v1/feeds/${feed.id}`)).json()).toMatchObject({ entryCount: 1, lastImport: { status: 'failed' } });
    expect((await d.request(d.sessions.operator, 'POST', `/api/v1/feeds/${feed.id}/import`)).statusCode).toBe(400);
  });

  it('takes a JSON feed (STIX 2.1) sent as application/json', async () => {
    const feed = await createFeed({ name: 'stix', format: 'stix2', source: 'upload' });
    const stix = {
      type: 'bundle',
      id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d',
      objects: [
        { type: 'indicator', spec_version: '2.1', id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', created: '2026-01-01T00:00:00Z', modified: '2026-01-01T00:00:00Z', pattern: "[ipv4-addr:value = '198.51.100.7']", pattern_type: 'stix', valid_from: '2026-01-01T00:00:00Z' },
        { type: 'indicator', spec_version: '2.1', id: 'indicator--1a2b2d2b-17d4-4cbf-938f-98ee46b3cd3f', created: '2026-01-01T00:00:00Z', modified: '2026-01-01T00:00:00Z', pattern: "[domain-name:value = 'c2.example']", pattern_type: 'stix', valid_from: '2026-01-01T00:00:00Z' },
      ],
    };
    const response = await d.request(d.sessions.operator, 'POST', `/api/v1/feeds/${feed.id}/import`, stix);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', entryCount: 2, entriesByType: { ip: 1, domain: 1 } });
  });

  it('imports a URL feed from loopback when the config allows it, and refuses it by default', async () => {
    const feed = await createFeed({ name: 'urlhaus', format: 'urlhaus-csv', source: `${site.url}/urlhaus.csv`, scheduleMinutes: 60 });
    const response = await d.request(d.sessions.operator, 'POST', `/api/v1/feeds/${feed.id}/import`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', entryCount: 2, entriesByType: { url: 2 }, errorCount: 0 });

    const cli = { scope: null, ip: null, requestId: 'test' };
    const refused = await strict.feeds.importFeed(cli, feed.id);
    expect(refused).toMatchObject({ status: 'failed', message: expect.stringMatching(/127\.0\.0\.1 is an internal or metadata address.*previous entries are kept/) });
    expect((await strict.feeds.get(feed.id)).entryCount).toBe(2);

    const metadata = await createFeed({ name: 'metadata', source: 'http://169.254.169.254/latest/meta-data/' });
    expect((await strict.feeds.importFeed(cli, metadata.id)).message).toMatch(/169\.254\.169\.254 is an internal or metadata address/);
  });

  it('imports URL feeds on their schedule', async () => {
    const feed = (await d.services.feeds.list()).find((f) => f.name === 'urlhaus')!;
    const scheduler = new DistributionScheduler(d.services, d.platform.clock);
    const importedAt = () => d.services.feeds.get(feed.id).then((f) => f.lastImport?.importedAt);
    const first = await importedAt();
    await scheduler.tick();
    expect(await importedAt()).toBe(first);
    body = `${URLHAUS}"3","2026-03-02 10:00:00","http://203.0.113.11/x","online","2026-03-02 10:00:00","malware_download","","https://urlhaus.abuse.ch/url/3/","r"\n`;
    d.platform.clock.advance(61 * 60_000);
    await scheduler.tick();
    expect(await d.services.feeds.get(feed.id)).toMatchObject({ entryCount: 3, lastImport: { importedAt: d.platform.clock.now().toISOString(), status: 'ok' } });
  });

  it('lets only operator admins create and import feeds', async () => {
    expect((await d.request(d.sessions.analyst, 'POST', '/api/v1/feeds', { name: 'x', source: 'upload' })).statusCode).toBe(403);
    expect((await d.request(d.sessions.admin, 'GET', '/api/v1/feeds')).statusCode).toBe(403);
    expect((await d.request(d.sessions.operator, 'POST', '/api/v1/feeds', { name: 'local-list', source: 'upload' })).statusCode).toBe(409);
    expect((await d.request(d.sessions.operator, 'POST', '/api/v1/feeds', { name: 'bad', source: 'gopher://x' })).statusCode).toBe(400);
    expect((await d.request(d.sessions.operator, 'POST', '/api/v1/feeds', { name: 'bad2', source: 'upload', scheduleMinutes: 60 })).statusCode).toBe(400);
  });
});
