/**
 * Monitoring in a real browser against a real server with the demo data: an analyst finds a new
 * incident in the queue, opens it, notifies the customer and resolves it; the owner, on a phone,
 * sees 注意, acknowledges and presses the help button; the operator reads the statistics page.
 * The incidents come from alerts stored and correlated exactly as ingest does (the incidents'
 * fixtures + monitoring hooks), on a sensor added to the demo subscriber.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/server.ts';
import { loadConfig } from '../../server/src/config/config.ts';
import { c2Alert, insertAlertSeries, scanAlert } from '../../server/src/incidents/alertFixtures.ts';
import { createMonitoringHooks } from '../../server/src/incidents/monitoringHooks.ts';

const webDist = fileURLToPath(new URL('../dist', import.meta.url));
const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const subscriberName = '株式会社なにわ精工';

let server: RunningServer | undefined;
let browser: Browser | undefined;
let dataDir: string | undefined;
const contexts: BrowserContext[] = [];
let seeded: { organizationId: string; siteId: string; sensorId: string } | undefined;
let nextSeq = 1;

/** Alerts stored and correlated as ingest does (the monitoring hooks run after the insert). */
async function storeAlerts(running: RunningServer, alert: typeof c2Alert, count: number, start: Date, stepMs: number): Promise<void> {
  const refs = await insertAlertSeries(running.database.db, { ...seeded!, firstSeq: nextSeq, count, start, stepMs, alert });
  nextSeq += count;
  await createMonitoringHooks(running.services).afterStore(refs);
}

function login(role: string, organization?: string): { email: string; password: string } {
  const found = server?.demoLogins?.find((l) => l.role === role && (!organization || l.organization === organization));
  if (!found) throw new Error(`the demo data has no ${role} login${organization ? ` in ${organization}` : ''}`);
  return found;
}

async function newPage(viewport = { width: 1280, height: 800 }, mobile = false): Promise<Page> {
  const context = await browser!.newContext({ viewport, isMobile: mobile, hasTouch: mobile, locale: 'ja-JP' });
  contexts.push(context);
  return context.newPage();
}

async function signIn(page: Page, credentials: { email: string; password: string }): Promise<void> {
  await page.getByLabel(/^メールアドレス/).fill(credentials.email);
  await page.getByLabel(/^パスワード/).fill(credentials.password);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
}

/** Staff set up TOTP at their first sign-in. */
async function signInWithTotpSetup(page: Page, credentials: { email: string; password: string }, home: string): Promise<void> {
  await signIn(page, credentials);
  await page.getByRole('heading', { name: '二要素認証の設定' }).waitFor();
  const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
  await page.getByLabel(/^確認コード（6桁の数字）/).fill(new TOTP({ secret: Secret.fromBase32(secret) }).generate());
  await page.getByRole('button', { name: '設定を完了してログイン' }).click();
  await page.getByRole('heading', { name: home }).waitFor();
}

async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(artifacts, name), fullPage, animations: 'disabled' });
}

async function openFromMenu(page: Page, name: string): Promise<void> {
  await page.getByRole('link', { name }).filter({ visible: true }).first().click();
  await page.getByRole('heading', { level: 2 }).first().waitFor();
}

/** A sensor at the demo subscriber, and alerts on it correlated into incidents as ingest would. */
async function seedIncidents(running: RunningServer): Promise<void> {
  const db = running.database.db;
  const org = (await sql<{ id: string }>`select id from organizations where name = ${subscriberName}`.execute(db)).rows[0]!;
  const site = (await sql<{ id: string }>`select id from sites where organization_id = ${org.id} limit 1`.execute(db)).rows[0]!;
  const operator = (await sql<{ id: string }>`select id from organizations where kind = 'operator' limit 1`.execute(db)).rows[0]!;
  const scope = { userId: null, tokenId: null, sessionId: null, organizationId: operator.id, organizationKind: 'operator' as const, role: 'operator_admin' as const };
  const sensor = await running.services.organizations.createSensor({ scope, ip: null, requestId: 'e2e-setup' }, site.id, { name: '本社工場センサー' });
  seeded = { organizationId: org.id, siteId: site.id, sensorId: sensor.id };
  const now = Date.now();
  await storeAlerts(running, c2Alert, 12, new Date(now - 20 * 60_000), 60_000);
  await storeAlerts(running, scanAlert, 60, new Date(now - 10 * 60_000), 1_000);
}

beforeAll(async () => {
  if (!existsSync(join(webDist, 'index.html'))) throw new Error(`the console is not built (${webDist}/index.html is missing): run \`npm run build:web\` first`);
  mkdirSync(artifacts, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'otasuke-web-e2e-monitoring-'));
  const config = loadConfig({ env: { PORT: '0', HOST: '127.0.0.1', OTASUKE_DATA_DIR: dataDir, OTASUKE_DEMO: 'true', LOG_LEVEL: 'warn' } });
  server = await startServer(config, { webDist });
  await seedIncidents(server);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('monitoring console', () => {
  it('the analyst finds the new incident, opens it, notifies the customer and resolves it', async () => {
    const page = await newPage();
    await page.goto(`${server!.url}/login`);
    await signInWithTotpSetup(page, login('analyst'), '監視担当のホーム');
    await openFromMenu(page, 'インシデント');
    const row = page.getByRole('row').filter({ hasText: subscriberName }).filter({ hasText: '攻撃者サーバーとの通信' });
    await row.waitFor();
    expect(await row.innerText()).toContain('+11');
    expect(await page.getByRole('row').filter({ hasText: 'ポートスキャン' }).count()).toBe(1);
    // A live arrival: a new incident shows up without a reload (the queue polls every 10 s).
    await storeAlerts(server!, { ...scanAlert, srcIp: '203.0.113.77' }, 60, new Date(Date.now() - 60_000), 500);
    await page.getByText('新着 1 件').waitFor({ timeout: 20_000 });
    expect(await page.getByRole('row').filter({ hasText: '新着' }).filter({ hasText: '203.0.113.77' }).count()).toBe(1);
    await screenshot(page, 'monitoring-queue.png');
    // The first page from a cold load (printed, not asserted: figures belong to benches).
    const started = Date.now();
    await page.goto(`${server!.url}/incidents`);
    await row.waitFor();
    console.log(`monitoring e2e: queue first page rendered in ${Date.now() - started} ms (demo data)`);

    // The keyboard: the c2 incident sorts first (higher priority); Enter opens it.
    // The menu link keeps the focus after the click: let it go, as a reader clicking the page would.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/incidents\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: '証拠（最新 12 件）' }).waitFor();
    await page.getByText('c2.example.net').first().waitFor();
    await page.getByTestId('owner-text').waitFor();

    await page.getByRole('button', { name: '確認した' }).click();
    await page.getByText('状態を「確認済み」にしました。').waitFor();
    await page.getByRole('button', { name: 'お客様に通知' }).click();
    await page.getByText('状態を「お客様に通知済み」にしました。').waitFor();
    await screenshot(page, 'monitoring-incident.png');

    await page.getByRole('button', { name: '解決にする' }).click();
    const dialog = page.getByRole('dialog', { name: 'インシデントを解決にします' });
    await dialog.getByRole('combobox', { name: /^結果/ }).click();
    await page.getByRole('option', { name: '実際の脅威だった' }).click();
    await dialog.getByLabel('メモ（任意）').fill('端末を隔離し、駆除を確認した。');
    await dialog.getByRole('button', { name: '解決にする' }).click();
    await page.getByText('状態を「解決済み」にしました。').waitFor();
    await page.getByText('状態: お客様に通知済み → 解決済み').waitFor();
  });

  it('the owner sees 注意 on a phone, acknowledges and presses the help button', async () => {
    const page = await newPage({ width: 375, height: 812 }, true);
    await page.goto(`${server!.url}/login`);
    await signIn(page, login('subscriber_admin', subscriberName));
    await page.getByRole('heading', { name: 'お助け隊のホーム' }).waitFor();
    await page.getByRole('button', { name: 'メニューを開く' }).click();
    await openFromMenu(page, '安全状況');
    const safety = page.getByTestId('safety');
    await safety.waitFor();
    // The c2 incident is resolved; the scan (low priority) is still open.
    expect(await safety.innerText()).toContain('注意');
    await page.getByTestId('portal-incident').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'monitoring-portal.png');

    const acknowledge = page.getByRole('button', { name: '内容を確認しました' }).first();
    await acknowledge.click();
    await page.getByText('確認済みです').first().waitFor();

    // One press sends the request; the desk's ticket number comes back.
    await page.getByRole('button', { name: '助けを求める' }).click();
    const help = page.getByRole('dialog', { name: '相談窓口に助けを求める' });
    await help.getByText(/^相談窓口にご依頼を送りました（受付番号 .+）。$/).waitFor();
    await screenshot(page, 'monitoring-portal-help.png', false);
  });

  it('the operator opens the statistics page', async () => {
    const page = await newPage();
    await page.goto(`${server!.url}/login`);
    await signInWithTotpSetup(page, login('operator_admin'), '運営事務局のホーム');
    await openFromMenu(page, '検知の統計');
    await page.getByRole('columnheader', { name: '検知企業数' }).waitFor();
    await page.getByRole('rowheader', { name: '「内→外」の不正通信 合計' }).waitFor();
    await page.getByRole('img', { name: '月別の検知件数（区分別）' }).locator('canvas').first().waitFor();
    const csv = await page.getByRole('link', { name: 'CSVをダウンロード' }).getAttribute('href');
    expect(csv).toMatch(/^\/api\/v1\/stats\/detections\.csv\?from=\d{4}-\d{2}-01&to=\d{4}-\d{2}-\d{2}$/);
    expect((await page.request.get(`${server!.url}${csv}`)).status()).toBe(200);
    await screenshot(page, 'monitoring-stats.png');
  });
});
