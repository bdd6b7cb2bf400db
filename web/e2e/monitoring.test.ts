/**
 * Monitoring in a real browser against a real server with the demo data: the demo sensors enroll
 * over HTTP and replay the project's own attack captures through the real agent, uplink and ingest
 * (server/src/demo/demoSensors.ts), so every incident here comes from packets. With the analyst's
 * queue open, one more capture is dropped into a demo sensor's watched folder: its incident arrives
 * live over the event stream, without a reload. The analyst opens an incident, notifies the customer
 * and resolves it; the owner, on a phone, sees 危険, acknowledges (the analyst's open queue shows it
 * at once) and presses the help button; the operator reads the statistics page.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/server.ts';
import { loadConfig } from '../../server/src/config/config.ts';
import { inboundPortScanCapture } from '../../server/src/demo/demoCaptures.ts';
import { type Credentials, artifacts, demoLogin, launchChromium, openFromMenu, signIn, signInWithTotpSetup, webDist } from './consoleHarness.ts';

const subscriberName = '株式会社なにわ精工';
/** The outside host of the demo port scan (demoCaptures.ts). */
const scanner = '203.0.113.45';

let server: RunningServer | undefined;
let browser: Browser | undefined;
let root: string | undefined;
let dataDir: string | undefined;
let analystPage: Page | undefined;
const contexts: BrowserContext[] = [];

function login(role: string, organization?: string): Credentials {
  return demoLogin(server, role, organization);
}

async function newPage(viewport = { width: 1280, height: 800 }, mobile = false): Promise<Page> {
  const context = await browser!.newContext({ viewport, isMobile: mobile, hasTouch: mobile, locale: 'ja-JP' });
  contexts.push(context);
  return context.newPage();
}



async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(artifacts, name), fullPage, animations: 'disabled' });
}


/**
 * A new capture in the watched folder of the subscriber's running demo sensor (written aside and
 * renamed in, as a capturing appliance rotates its files): the agent reads it, detects, spools and
 * uplinks, and ingest turns it into an incident.
 */
async function replayCapture(running: RunningServer, organization: string, capture: Uint8Array): Promise<void> {
  const org = (await sql<{ id: string }>`select id from organizations where name = ${organization}`.execute(running.database.db)).rows[0]!;
  const incoming = join(dataDir!, 'demo-sensors', org.id, 'incoming');
  if (!existsSync(incoming)) throw new Error(`the demo sensor of ${organization} has no watched folder at ${incoming}`);
  const name = `live-${Date.now()}.pcap`;
  writeFileSync(join(incoming, `${name}.part`), capture);
  renameSync(join(incoming, `${name}.part`), join(incoming, name));
}

beforeAll(async () => {
  if (!existsSync(join(webDist, 'index.html'))) throw new Error(`the console is not built (${webDist}/index.html is missing): run \`npm run build:web\` first`);
  mkdirSync(artifacts, { recursive: true });
  root = mkdtempSync(join(tmpdir(), 'otasuke-web-e2e-monitoring-'));
  dataDir = join(root, 'data');
  // No ET rules in the bundle: the demo's own rule file and IOC list are what the sensors use.
  mkdirSync(join(root, 'no-rules'));
  const config = loadConfig({ env: { PORT: '0', HOST: '127.0.0.1', OTASUKE_DATA_DIR: dataDir, OTASUKE_DEMO: 'true', OTASUKE_RULES_DIR: join(root, 'no-rules'), LOG_LEVEL: 'warn' } });
  server = await startServer(config, { webDist, demoSensors: true });
  await server.demoSensors!.started;
  await server.demoSensors!.delivered;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('monitoring console', () => {
  it('the analyst sees a replayed attack arrive live, opens an incident, notifies the customer and resolves it', async () => {
    // A desktop screen: every column of the queue in view.
    const page = await newPage({ width: 1600, height: 1000 });
    analystPage = page;
    await page.goto(`${server!.url}/login`);
    await signInWithTotpSetup(page, login('analyst'), '監視担当のホーム');
    await openFromMenu(page, 'インシデント');
    // The demo sensor's C2 beacon: a dozen requests to the listed domain, one incident ("+N" more).
    const c2Facts = (
      await sql<{ alertCount: string }>`select i.alert_count from incidents i join organizations o on o.id = i.organization_id
        where o.name = ${subscriberName} and i.explain = 'c2_communication' and i.status = 'new'`.execute(server!.database.db)
    ).rows;
    expect(c2Facts).toHaveLength(1);
    const c2Alerts = Number(c2Facts[0]!.alertCount);
    expect(c2Alerts).toBeGreaterThanOrEqual(12);
    const c2 = page.getByRole('row').filter({ hasText: subscriberName }).filter({ hasText: `+${c2Alerts - 1}` });
    await c2.waitFor();
    const scans = page.getByRole('row').filter({ hasText: subscriberName }).filter({ hasText: 'ポートスキャン' });
    expect(await scans.count()).toBe(1);
    await page.locator('[data-testid="live-state"][data-state="open"]').waitFor();

    // A live arrival: the same scanner probes again now; the capture goes sensor → uplink → ingest,
    // and the incident shows up in the open queue over the event stream (the page never reloads,
    // and the fallback poll, 30 s, is off while the stream is open).
    await page.evaluate(() => Object.assign(window, { otasukeNoReload: true }));
    const dropped = Date.now();
    await replayCapture(server!, subscriberName, inboundPortScanCapture(Math.floor(Date.now() / 1000)));
    await page.getByTestId('arrived-count').filter({ hasText: '新着 1 件' }).waitFor({ timeout: 25_000 });
    const arrivedMs = Date.now() - dropped;
    const fresh = page.locator('tr[data-fresh]');
    expect(await fresh.count()).toBe(1);
    expect(await fresh.innerText()).toContain(subscriberName);
    expect(await fresh.innerText()).toContain(scanner);
    expect(await fresh.innerText()).toContain('新着');
    expect(await scans.count()).toBe(2);
    expect(await page.evaluate(() => (window as unknown as { otasukeNoReload?: boolean }).otasukeNoReload)).toBe(true);
    console.log(`monitoring e2e: replayed capture → incident in the open queue in ${arrivedMs} ms`);
    await screenshot(page, 'monitoring-queue.png');
    // The first page from a cold load (printed, not asserted: figures belong to benches).
    const started = Date.now();
    await page.goto(`${server!.url}/incidents`);
    await c2.waitFor();
    console.log(`monitoring e2e: queue first page rendered in ${Date.now() - started} ms (demo data)`);

    // The keyboard: j moves down to the C2 incident's row; Enter opens it.
    // The menu link keeps the focus after the click: let it go, as a reader clicking the page would.
    const index = Number(await c2.getAttribute('data-row-index'));
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    for (let i = 0; i < index; i++) await page.keyboard.press('j');
    expect(await c2.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/incidents\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: `証拠（最新 ${c2Alerts} 件）` }).waitFor();
    await page.getByText('198.51.100.66').first().waitFor();
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

  it('the owner sees 危険 on a phone, acknowledges (the analyst’s queue shows it at once), then sees 注意, and presses the help button', async () => {
    // The analyst's queue stays open while the owner acts.
    const queue = analystPage!;
    await queue.goto(`${server!.url}/incidents`);
    await queue.locator('[data-testid="live-state"][data-state="open"]').waitFor();
    const owner = login('subscriber_admin', subscriberName);
    const ownerName = (await sql<{ displayName: string }>`select display_name from users where email = ${owner.email}`.execute(server!.database.db)).rows[0]!.displayName;
    expect(await queue.getByRole('row').filter({ hasText: ownerName }).count()).toBe(0);

    const page = await newPage({ width: 375, height: 812 }, true);
    await page.goto(`${server!.url}/login`);
    await signIn(page, owner);
    await page.getByRole('heading', { name: 'お助け隊のホーム' }).waitFor();
    await page.getByRole('button', { name: 'メニューを開く' }).click();
    await openFromMenu(page, '安全状況');
    const safety = page.getByTestId('safety');
    await safety.waitFor();
    // The C2 beacon is resolved, but the rule hit on the evil download (P1) and the test file (P2)
    // are open and nobody has looked at them yet.
    expect(await safety.innerText()).toContain('危険');
    await page.getByTestId('portal-incident').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'monitoring-portal.png');

    // The owner acknowledges each urgent incident; with none left that nobody has looked at, the
    // answer turns to 注意 (still being handled), not 安全.
    const acknowledge = page.getByRole('button', { name: '内容を確認しました' });
    const urgent = await acknowledge.count();
    expect(urgent).toBeGreaterThan(0);
    for (let left = urgent; left > 0; left--) {
      await acknowledge.first().click();
      await expect.poll(() => acknowledge.count(), { timeout: 10_000 }).toBe(left - 1);
    }
    await page.getByText('確認済みです').first().waitFor();
    await expect.poll(() => safety.innerText(), { timeout: 10_000 }).toContain('注意');
    await screenshot(page, 'monitoring-portal-acknowledged.png');

    // The analyst's queue, never reloaded, shows who acknowledged and how.
    const acknowledged = queue.getByRole('row').filter({ hasText: subscriberName }).filter({ hasText: ownerName }).first();
    await acknowledged.waitFor({ timeout: 15_000 });
    expect(await acknowledged.innerText()).toContain('お客様ページ');
    await screenshot(queue, 'monitoring-queue-acknowledged.png');

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
