/**
 * The operator console in a real browser against a real server with the demo data: the subscriber
 * list, a subscriber's page with its sensors' last 24 hours, an enrollment code created (QR shown)
 * and revoked, the rules/feeds distribution status, and the statistics page's charts for a period.
 *
 * Sensors, heartbeats, bundles and alerts come through the real paths: enrollment over HTTP,
 * heartbeats over HTTP (plus the earlier hours written as the heartbeat route stores them), feeds
 * imported by the feed service (which rebuilds the bundle), alerts stored and correlated as ingest does.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/server.ts';
import { loadConfig } from '../../server/src/config/config.ts';
import { c2Alert, insertAlertSeries, scanAlert } from '../../server/src/incidents/alertFixtures.ts';
import { createMonitoringHooks } from '../../server/src/incidents/monitoringHooks.ts';
import { artifacts, launchChromium, webDist } from './consoleHarness.ts';

const subscriberName = '株式会社なにわ精工';
const exploitAlert = { ...scanAlert, engine: 'rule' as const, explain: 'rule.attempted-admin', gid: 1, signatureId: 2_024_001, signature: 'ET EXPLOIT Possible Apache Struts OGNL Injection', category: 'Attempted Administrator Privilege Gain', severity: 1 };

let server: RunningServer | undefined;
let browser: Browser | undefined;
let dataDir: string | undefined;
const contexts: BrowserContext[] = [];
let page: Page | undefined;
let nextSeq = 1;
/** Uncaught errors in the console's pages: there must be none. */
const pageErrors: string[] = [];

function login(role: string): { email: string; password: string } {
  const found = server?.demoLogins?.find((l) => l.role === role);
  if (!found) throw new Error(`the demo data has no ${role} login`);
  return found;
}

async function screenshot(p: Page, name: string): Promise<void> {
  await p.evaluate(() => document.fonts.ready);
  await p.screenshot({ path: join(artifacts, name), fullPage: true, animations: 'disabled' });
}

async function openFromMenu(p: Page, name: string): Promise<void> {
  await p.getByRole('link', { name }).filter({ visible: true }).first().click();
  await p.getByRole('heading', { name, level: 2 }).waitFor();
}

async function api(method: string, path: string, body: unknown, bearer?: string): Promise<Response> {
  return fetch(`${server!.url}${path}`, { method, headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, body: JSON.stringify(body) });
}

/** A sensor enrolled over HTTP at the subscriber's first site; answers its id and credential. */
async function enrolledSensor(running: RunningServer, organization: string, name: string): Promise<{ organizationId: string; siteId: string; sensorId: string; credential: string }> {
  const db = running.database.db;
  const org = (await sql<{ id: string }>`select id from organizations where name = ${organization}`.execute(db)).rows[0]!;
  const site = (await sql<{ id: string }>`select id from sites where organization_id = ${org.id} order by created_at limit 1`.execute(db)).rows[0]!;
  const code = await running.services.enrollment.createCode(await operatorContext(running), site.id, { name });
  const enrolled = await api('POST', '/api/v1/sensors/enroll', { code: code.code, hostname: 'e2e', agentVersion: '1.0.0' });
  expect(enrolled.status).toBe(200);
  return { organizationId: org.id, siteId: site.id, sensorId: code.sensorId, credential: ((await enrolled.json()) as { credential: string }).credential };
}

async function operatorContext(running: RunningServer) {
  const db = running.database.db;
  const operator = (await sql<{ id: string }>`select id from organizations where kind = 'operator' limit 1`.execute(db)).rows[0]!;
  const user = (await sql<{ id: string }>`select id from users where organization_id = ${operator.id} and role = 'operator_admin' limit 1`.execute(db)).rows[0]!;
  return { scope: { userId: user.id, tokenId: null, sessionId: null, organizationId: operator.id, organizationKind: 'operator' as const, role: 'operator_admin' as const }, ip: null, requestId: 'e2e-setup' };
}

function heartbeat(bundleVersion: string | null, dropRate = 0) {
  return { sentAt: new Date().toISOString(), agentVersion: '1.0.0', bundleVersion, uptimeSec: 3600, packetsPerSec: 120, packetsTotal: 1_000_000, dropsTotal: 10, dropRate, cpuPercent: 12, memoryBytes: 200_000_000, diskFreeBytes: 5_000_000_000, spoolBacklogEvents: 0, spoolBacklogBytes: 0, spoolDropped: 0 };
}

async function seed(running: RunningServer): Promise<void> {
  const db = running.database.db;
  const context = await operatorContext(running);
  // A threat feed on the standard policy: two imports make two bundle versions.
  const feed = await running.services.feeds.create(context, { name: 'e2e C2リスト', format: 'plain', source: 'upload', scheduleMinutes: null, enabled: true });
  const standard = (await running.services.bundles.listPolicies()).find((p) => p.name === 'standard')!;
  await running.services.bundles.updatePolicy(context, standard.id, { feedIds: [feed.id] });
  const first = await running.services.feeds.importFeed(context, feed.id, Buffer.from('domain c2.example.net\nip 198.51.100.7\n'));
  const oldVersion = first.rebuilt[0]!.version;
  const second = await running.services.feeds.importFeed(context, feed.id, Buffer.from('domain c2.example.net\nip 198.51.100.7\nip 198.51.100.8\n'));
  const latestVersion = second.rebuilt[0]!.version;
  expect(latestVersion).not.toBe(oldVersion);

  // The subscriber's sensor: 23 earlier hours of heartbeats (a drop spike 5 hours ago, 2 silent hours), then one over HTTP.
  const naniwa = await enrolledSensor(running, subscriberName, '本社工場センサー');
  const hourStart = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  for (let h = 23; h >= 1; h--) {
    if (h === 9 || h === 10) continue;
    const beats = h === 12 ? 30 : 60;
    const at = new Date(hourStart - h * 3_600_000);
    await sql`insert into sensor_heartbeats (sensor_id, organization_id, received_at, sent_at, agent_version, bundle_version, uptime_sec, packets_per_sec, packets_total, drops_total, drop_rate, cpu_percent, memory_bytes, disk_free_bytes, spool_backlog_events, spool_backlog_bytes, spool_dropped)
      select ${naniwa.sensorId}, ${naniwa.organizationId}, ${at}::timestamptz + g * interval '1 minute', ${at}::timestamptz + g * interval '1 minute', '1.0.0', ${latestVersion}, 3600, 100, 1000, 0,
             ${h === 5 ? 0.08 : 0.002}, 10, 1, 1, 0, 0, 0
      from generate_series(0, ${beats - 1}) as g`.execute(db);
  }
  expect((await api('POST', '/api/v1/sensors/me/heartbeat', heartbeat(latestVersion), naniwa.credential)).status).toBe(204);
  // Another subscriber's sensor still runs the older bundle.
  const sakai = await enrolledSensor(running, '堺みなと物流株式会社', '本社センサー');
  expect((await api('POST', '/api/v1/sensors/me/heartbeat', heartbeat(oldVersion), sakai.credential)).status).toBe(204);

  // Detections this month: an exploit attempt (rule) and the C2 beacon (IOC), stored and correlated as ingest does.
  const now = Date.now();
  for (const [where, alert, count] of [[naniwa, exploitAlert, 30], [naniwa, c2Alert, 12], [sakai, exploitAlert, 8]] as const) {
    const refs = await insertAlertSeries(db, { organizationId: where.organizationId, siteId: where.siteId, sensorId: where.sensorId, firstSeq: nextSeq, count, start: new Date(now - 60 * 60_000), stepMs: 60_000, alert });
    nextSeq += count;
    await createMonitoringHooks(running.services).afterStore(refs);
  }
}

beforeAll(async () => {
  if (!existsSync(join(webDist, 'index.html'))) throw new Error(`the console is not built (${webDist}/index.html is missing): run \`npm run build:web\` first`);
  mkdirSync(artifacts, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'otasuke-web-e2e-console-'));
  const config = loadConfig({ env: { PORT: '0', HOST: '127.0.0.1', OTASUKE_DATA_DIR: dataDir, OTASUKE_DEMO: 'true', LOG_LEVEL: 'warn' } });
  server = await startServer(config, { webDist });
  await seed(server);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  expect(pageErrors).toEqual([]);
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('operator console', () => {
  it('the operator signs in and finds a subscriber in the list', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    contexts.push(context);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server!.url}/login`);
    const credentials = login('operator_admin');
    await page.getByLabel(/^メールアドレス/).fill(credentials.email);
    await page.getByLabel(/^パスワード/).fill(credentials.password);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.getByRole('heading', { name: '二要素認証の設定' }).waitFor();
    const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
    await page.getByLabel(/^確認コード（6桁の数字）/).fill(new TOTP({ secret: Secret.fromBase32(secret) }).generate());
    await page.getByRole('button', { name: '設定を完了してログイン' }).click();
    await page.getByRole('heading', { name: '運営事務局のホーム' }).waitFor();

    await openFromMenu(page, 'ご利用企業');
    const row = page.getByRole('row').filter({ hasText: subscriberName });
    await row.waitFor();
    // Contract, 1 of 1 sensors online, open incidents, and the time of the last detection.
    expect(await row.innerText()).toMatch(/契約中[\s\S]*1 \/ 1 台/);
    expect(Number((await row.getByRole('cell').nth(5).innerText()).trim())).toBeGreaterThan(0);
    expect(await page.getByRole('row').filter({ hasText: '心斎橋デザイン合同会社' }).innerText()).toContain('0 / 0 台');
    await screenshot(page, 'operator-subscribers.png');
    await page.getByLabel('検索').fill('堺');
    await expect.poll(() => page!.getByRole('row').filter({ hasText: subscriberName }).count()).toBe(0);
    await page.getByRole('row').filter({ hasText: '堺みなと物流株式会社' }).waitFor();
    await page.getByLabel('検索').fill('');
    await page.getByRole('link', { name: subscriberName }).click();
    await page.getByRole('heading', { name: subscriberName, level: 2 }).waitFor();
  });

  it("shows the subscriber's sensor with its last 24 hours, contacts and incidents", async () => {
    const p = page!;
    const sparkline = p.getByTestId('health-sparkline');
    await sparkline.waitFor();
    // 21 full hours + a half hour + the current hour's heartbeat; the 8 % spike is the highest drop rate.
    expect(await sparkline.getAttribute('aria-label')).toBe('本社工場センサー の直近24時間：応答 1231 回、最大の取りこぼし率 8.0%');
    await p.getByText('稼働中', { exact: true }).waitFor();
    await p.getByRole('link', { name: 'ET EXPLOIT Possible Apache Struts OGNL Injection' }).waitFor();
    const incident = await p.getByRole('link', { name: 'OTASUKE IOC known C2 server' }).getAttribute('href');
    expect(incident).toMatch(/^\/incidents\/[0-9a-f-]{36}$/);
    await screenshot(p, 'operator-subscriber-detail.png');
  });

  it('creates an enrollment code with its QR, and revokes it', async () => {
    const p = page!;
    await p.getByLabel(/^センサー名/).fill('2階事務所センサー');
    await p.getByRole('button', { name: '登録コードを発行' }).click();
    const qr = p.getByRole('img', { name: '登録用QRコード' });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(await qr.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);
    const code = (await p.getByTestId('enrollment-code').innerText()).trim();
    expect(code).toMatch(/^otse_/);
    await p.getByText(new RegExp(`^https?://[^/]+/enroll\\?code=${code.replace(/[-_]/g, '\\$&')}$`)).waitFor();
    await p.getByText('2階事務所センサー（本社工場）').waitFor();
    await screenshot(p, 'operator-enrollment-code.png');

    p.once('dialog', (dialog) => void dialog.accept());
    await p.getByRole('button', { name: '取り消す' }).click();
    await p.getByText('登録コードを取り消しました。').waitFor();
    await p.getByText('未使用の登録コードはありません。').waitFor();
    // The revoked code no longer enrolls a sensor.
    expect((await api('POST', '/api/v1/sensors/enroll', { code })).status).toBe(401);
  });

  it('shows the feeds, the bundles with their signatures, and the sensor that is behind', async () => {
    const p = page!;
    await openFromMenu(p, 'ルール・脅威情報の配信');
    const feedRow = p.getByRole('row').filter({ hasText: 'e2e C2リスト' });
    await feedRow.waitFor();
    expect(await feedRow.innerText()).toMatch(/成功[\s\S]*3[\s\S]*standard/);
    const bundles = p.getByRole('table', { name: 'ルール配信パッケージ' });
    await bundles.getByText('最新', { exact: true }).first().waitFor();
    expect(await bundles.getByRole('row').count()).toBeGreaterThanOrEqual(3);
    await p.getByText('最新 1 台・遅れ 1 台・未受信 0 台').waitFor();
    const behind = p.getByRole('row').filter({ hasText: '堺みなと物流株式会社' });
    expect(await behind.innerText()).toContain('遅れ');
    await screenshot(p, 'operator-feeds.png');
  });

  it('opens the statistics for a period and draws its charts', async () => {
    const p = page!;
    await openFromMenu(p, '検知の統計');
    const today = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
    // The period: this month and the two before it.
    const [year, month] = today.split('-').map(Number) as [number, number];
    const start = new Date(Date.UTC(year, month - 3, 1)).toISOString().slice(0, 10);
    await p.getByLabel('開始日').fill(start);
    await p.getByLabel('終了日').fill(today);
    for (const chart of ['月別の検知件数（区分別）', '検知があった企業の割合（区分別・月別）', '期間中に多かった検知（上位 10 件）']) {
      await p.getByRole('img', { name: chart }).locator('canvas').first().waitFor();
    }
    const top = p.getByRole('table', { name: '期間中に多かった検知（上位 10 件）' });
    const first = top.getByRole('row').nth(1);
    expect(await first.innerText()).toMatch(/ET EXPLOIT Possible Apache Struts OGNL Injection[\s\S]*1:2024001[\s\S]*外→内 IPS[\s\S]*38[\s\S]*2/);
    await screenshot(p, 'operator-statistics.png');
  });

  it("the subscriber's page fits a phone-sized screen", async () => {
    const p = page!;
    await p.setViewportSize({ width: 375, height: 812 });
    await p.goto(`${server!.url}/subscribers`);
    await p.getByRole('link', { name: subscriberName }).click();
    await p.getByTestId('health-sparkline').waitFor();
    await p.getByRole('button', { name: '登録コードを発行' }).waitFor();
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(p, 'operator-subscriber-detail-mobile.png');
  });
});
