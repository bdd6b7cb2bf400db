/**
 * The operator's back office in a real browser against a real server with the demo data: the
 * dashboard's charts, the invoices with a payment recorded, the applications to review, and a
 * subscriber's admin seeing only its own invoices, on a desktop and on a phone-sized screen.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/server.ts';
import { loadConfig } from '../../server/src/config/config.ts';
import { type Credentials, artifacts, demoLogin, launchChromium, signIn, webDist } from './consoleHarness.ts';


let server: RunningServer | undefined;
let browser: Browser | undefined;
let dataDir: string | undefined;
const contexts: BrowserContext[] = [];
let operatorPage: Page | undefined;
let totpSecret = '';

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

async function openFromMenu(page: Page, name: string): Promise<void> {
  await page.getByRole('link', { name }).filter({ visible: true }).first().click();
  await page.getByRole('heading', { name, level: 2 }).waitFor();
}

beforeAll(async () => {
  if (!existsSync(join(webDist, 'index.html'))) throw new Error(`the console is not built (${webDist}/index.html is missing): run \`npm run build:web\` first`);
  mkdirSync(artifacts, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'otasuke-web-e2e-operator-'));
  const config = loadConfig({ env: { PORT: '0', HOST: '127.0.0.1', OTASUKE_DATA_DIR: dataDir, OTASUKE_DEMO: 'true', LOG_LEVEL: 'warn' } });
  server = await startServer(config, { webDist });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('operator back office', () => {
  it('the operator signs in (TOTP) and reads the dashboard with its charts', async () => {
    const page = await newPage();
    await page.goto(`${server!.url}/login`);
    await signIn(page, login('operator_admin'));
    await page.getByRole('heading', { name: '二要素認証の設定' }).waitFor();
    totpSecret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
    await page.getByLabel(/^確認コード（6桁の数字）/).fill(new TOTP({ secret: Secret.fromBase32(totpSecret) }).generate());
    await page.getByRole('button', { name: '設定を完了してログイン' }).click();
    await page.getByRole('heading', { name: '運営事務局のホーム' }).waitFor();
    operatorPage = page;

    await openFromMenu(page, '運営ダッシュボード');
    for (const chart of ['ご利用企業数と目標の線', '会員・非会員別のご利用企業数', '月額売上（税抜）', '請求額と入金額（税込）']) {
      await page.getByRole('img', { name: chart }).locator('canvas').first().waitFor();
    }
    // Three demo subscribers under contract now; the non-member's overdue invoice: ¥8,250.
    await page.getByText('3社', { exact: true }).waitFor();
    await page.getByText('8,250円', { exact: true }).first().waitFor();
    await page.getByText('1件', { exact: true }).waitFor();
    await page.getByRole('cell', { name: '東大阪市' }).waitFor();
    await screenshot(page, 'kpi-dashboard.png');
  });

  it('lists the invoices with their status, filters a month, and records a payment after confirming', async () => {
    const page = operatorPage!;
    await openFromMenu(page, '請求書');
    const overdueRow = page.getByRole('row').filter({ hasText: '支払期限切れ' });
    await expect.poll(() => overdueRow.count()).toBe(1);
    expect(await overdueRow.innerText()).toContain('堺みなと物流株式会社');
    expect(await page.getByRole('row').filter({ hasText: '入金済み' }).count()).toBeGreaterThan(3);
    const pdf = await page.getByRole('link', { name: 'PDFを開く' }).first().getAttribute('href');
    expect(pdf).toMatch(/^\/api\/v1\/invoices\/[\w-]+\/pdf$/);
    const pdfResponse = await page.request.get(`${server!.url}${pdf}`);
    expect(pdfResponse.headers()['content-type']).toContain('application/pdf');
    await screenshot(page, 'invoices.png');

    const overdueMonth = (await overdueRow.getByRole('cell').nth(2).innerText()).trim();
    await page.getByRole('combobox', { name: '対象月' }).click();
    await page.getByRole('option', { name: overdueMonth, exact: true }).click();
    const csv = page.getByRole('link', { name: `${overdueMonth}分をCSVで出力（会計ソフト用）` });
    expect(await csv.getAttribute('href')).toBe(`/api/v1/invoices/export.csv?month=${overdueMonth}`);
    expect((await page.request.get(`${server!.url}/api/v1/invoices/export.csv?month=${overdueMonth}`)).status()).toBe(200);

    await overdueRow.getByRole('button', { name: '入金を記録' }).click();
    const dialog = page.getByRole('dialog', { name: '入金を記録します' });
    await dialog.getByText('8,250円', { exact: false }).waitFor();
    await dialog.getByLabel(/^入金日/).fill('2026-11-20');
    await dialog.getByRole('button', { name: '記録する' }).click();
    await page.getByText('入金を記録しました。').waitFor();
    await expect.poll(() => page.getByRole('row').filter({ hasText: '支払期限切れ' }).count()).toBe(0);
    await page.getByRole('row').filter({ hasText: '入金日 2026-11-20' }).waitFor();
  });

  it('lists the applications waiting for review', async () => {
    const page = operatorPage!;
    // The public form's call, from outside any session.
    const applied = await fetch(`${server!.url}/api/v1/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        companyName: '天満橋商店株式会社', representativeName: '天満 一郎', contactName: '天満 花子', email: 'apply@tenmabashi.example', phone: '06-1234-5678', postalCode: '530-0001',
        prefecture: '大阪府', city: '大阪市北区', address: '天満1-1', employees: 8, membership: 'member', membershipNumber: 'OSK-12345',
        sites: [{ name: '本店', postalCode: '530-0001', address: '大阪府大阪市北区天満1-1' }], consentTerms: true, consentMetadata: true,
      }),
    });
    expect(applied.status).toBe(201);
    await openFromMenu(page, '申込みの審査');
    const row = page.getByRole('row').filter({ hasText: '天満橋商店株式会社' });
    await row.getByRole('button', { name: '追加情報を依頼' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^依頼する内容/).fill('会員証の写しをお送りください。');
    await dialog.getByRole('button', { name: '送信する' }).click();
    await page.getByText('処理しました。').waitFor();
    await page.getByText('この状態の申込みはありません。').waitFor();
    await page.getByText('追加情報の依頼中', { exact: true }).click();
    await page.getByRole('row').filter({ hasText: '天満橋商店株式会社' }).waitFor();
    await screenshot(page, 'applications.png');
  });

  it('the dashboard fits a phone-sized screen', async () => {
    const page = await newPage({ width: 375, height: 812 }, true);
    await page.goto(`${server!.url}/dashboard`);
    await signIn(page, login('operator_admin'));
    // A TOTP code is accepted once: the next 30-second step's code signs in the second time.
    await page.getByLabel(/^確認コード（6桁の数字）/).fill(new TOTP({ secret: Secret.fromBase32(totpSecret) }).generate({ timestamp: Date.now() + 30_000 }));
    await page.getByRole('button', { name: '確認する' }).click();
    await page.getByRole('heading', { name: '運営事務局のホーム' }).waitFor();
    await page.goto(`${server!.url}/dashboard`);
    await page.getByRole('img', { name: 'ご利用企業数と目標の線' }).locator('canvas').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'kpi-dashboard-mobile.png');
  });

  it("a subscriber's admin sees only its own invoices, on a phone-sized screen", async () => {
    const page = await newPage({ width: 375, height: 812 }, true);
    await page.goto(`${server!.url}/login`);
    await signIn(page, login('subscriber_admin', '株式会社なにわ精工'));
    await page.getByRole('heading', { name: 'お助け隊のホーム' }).waitFor();
    await page.getByRole('button', { name: 'メニューを開く' }).click();
    await openFromMenu(page, '請求書');
    await expect.poll(() => page.getByRole('link', { name: 'PDFを開く' }).count()).toBeGreaterThan(3);
    expect(await page.getByText('堺みなと物流株式会社').count()).toBe(0);
    expect(await page.getByRole('button', { name: '入金を記録' }).count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'invoices-mobile.png');
    // The dashboard is the operator's only.
    expect((await page.request.get(`${server!.url}/api/v1/kpi/subscribers`)).status()).toBe(403);
  });
});
