/**
 * The partners in a real browser against a real server with the demo data (issue #8): the desk
 * offers an on-site job; on a phone, the first vendor declines with a reason and the second accepts,
 * records its arrival, uploads a photo and reports; the owner signs the report off in the portal and
 * files an insurance claim; the insurer opens the claim, downloads the evidence pack (a ZIP with the
 * expected files), asks a question and approves with a payment; the operator keeps the vendor
 * registry. Screenshots of every screen go to test-artifacts/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { sql, type RawBuilder } from 'kysely';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/server.ts';
import { loadConfig } from '../../server/src/config/config.ts';
import { c2Alert, insertAlertSeries } from '../../server/src/incidents/alertFixtures.ts';
import { createMonitoringHooks } from '../../server/src/incidents/monitoringHooks.ts';
import { type Credentials, artifacts, demoLogin, launchChromium, webDist } from './consoleHarness.ts';

// OTASUKE_E2E_WEB_DIST lets a run use its own build instead of the shared web/dist.
const subscriberName = '株式会社なにわ精工';
const vendorAName = '北浜ITサポート株式会社';
const vendorBName = '東大阪パソコン救急';
const insurerName = 'あんしん損害保険株式会社';
const vendorB = { email: 'tech@higashiosaka-pc.example', password: 'partner-portal-e2e-pass' };
const phone = { width: 375, height: 812 };
// A real 2×2 PNG: the vendor's "photo".
const photo = Buffer.from('89504e470d0a1a0a0000000d49484452000000020000000208020000fdd49a730000001649444154789c63f8cfc0f01f0418181818fe0300000dfe01ff8c6d5b9d0000000049454e44ae426082', 'hex');

let server: RunningServer | undefined;
let browser: Browser | undefined;
let dataDir: string | undefined;
const contexts: BrowserContext[] = [];
const ids = { org: '', site: '', incident: '', job: '', vendorA: '', vendorB: '', claim: '' };
let deskPage: Page | undefined;

function login(role: string, organization?: string): Credentials {
  return demoLogin(server, role, organization);
}

async function newPage(viewport = { width: 1280, height: 800 }, mobile = false): Promise<Page> {
  const context = await browser!.newContext({ viewport, isMobile: mobile, hasTouch: mobile, locale: 'ja-JP', acceptDownloads: true });
  contexts.push(context);
  return context.newPage();
}

async function signIn(page: Page, credentials: { email: string; password: string }, home: string): Promise<void> {
  await page.goto(`${server!.url}/login`);
  await page.getByLabel(/^メールアドレス/).fill(credentials.email);
  await page.getByLabel(/^パスワード/).fill(credentials.password);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  await page.getByRole('heading', { name: home }).waitFor();
}

/** Staff set up TOTP at their first sign-in. */
async function signInWithTotpSetup(page: Page, credentials: { email: string; password: string }, home: string): Promise<void> {
  await page.goto(`${server!.url}/login`);
  await page.getByLabel(/^メールアドレス/).fill(credentials.email);
  await page.getByLabel(/^パスワード/).fill(credentials.password);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  await page.getByRole('heading', { name: '二要素認証の設定' }).waitFor();
  const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
  await page.getByLabel(/^確認コード（6桁の数字）/).fill(new TOTP({ secret: Secret.fromBase32(secret) }).generate());
  await page.getByRole('button', { name: '設定を完了してログイン' }).click();
  await page.getByRole('heading', { name: home }).waitFor();
}

async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  // A full-page shot of a scrolled page draws the fixed header in the middle.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(artifacts, name), fullPage, animations: 'disabled' });
}

async function fitsPhone(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
}

/** The subscriber's incident, both vendors' profiles, the second vendor's login and the policy with its insurer. */
async function seed(running: RunningServer): Promise<void> {
  const db = running.database.db;
  const one = async <T>(query: RawBuilder<T>): Promise<T> => (await query.execute(db)).rows[0]!;
  const org = await one(sql<{ id: string }>`select id from organizations where name = ${subscriberName}`);
  const site = await one(sql<{ id: string }>`select id from sites where organization_id = ${org.id} limit 1`);
  const operator = await one(sql<{ id: string }>`select id from organizations where kind = 'operator' limit 1`);
  const context = { scope: { userId: null, tokenId: null, sessionId: null, organizationId: operator.id, organizationKind: 'operator' as const, role: 'operator_admin' as const }, ip: null, requestId: 'e2e-setup' };
  ids.org = org.id;
  ids.site = site.id;
  const sensor = await running.services.organizations.createSensor(context, site.id, { name: '本社工場センサー' });
  const refs = await insertAlertSeries(db, { organizationId: org.id, siteId: site.id, sensorId: sensor.id, firstSeq: 1, count: 6, start: new Date(Date.now() - 30 * 60_000), stepMs: 60_000, alert: c2Alert });
  await createMonitoringHooks(running.services).afterStore(refs);
  ids.incident = (await one(sql<{ id: string }>`select id from incidents where organization_id = ${org.id} order by created_at limit 1`)).id;

  const profile = (companyName: string, hourlyRateYen: number, contactEmail: string) => ({
    companyName, areas: [{ prefecture: '大阪府', city: '東大阪市' }, { prefecture: '大阪府', city: null }], skills: ['pc_repair', 'network'], businessHours: '平日 9:00〜18:00',
    hourlyRateYen, callOutFeeYen: 5000, capacity: 3, contactName: '技術 担当', contactEmail, contactPhone: '06-6000-0000', active: true,
  });
  ids.vendorA = (await one(sql<{ id: string }>`select id from organizations where name = ${vendorAName}`)).id;
  // The cheaper vendor is asked first: A declines, the offer moves on to B.
  await running.services.dispatch.putVendor(context, ids.vendorA, profile(vendorAName, 7000, 'dispatch@kitahama-it.example'));
  ids.vendorB = (await running.services.organizations.create(context, { kind: 'vendor', name: vendorBName, prefecture: '大阪府', city: '東大阪市' })).id;
  await running.services.users.create(context, { organizationId: ids.vendorB, email: vendorB.email, displayName: '東大阪 技術', role: 'vendor_staff', locale: 'ja', password: vendorB.password });
  await running.services.dispatch.putVendor(context, ids.vendorB, profile(vendorBName, 8000, 'dispatch@higashiosaka-pc.example'));

  const insurer = await one(sql<{ id: string }>`select id from organizations where name = ${insurerName}`);
  const policy = await one(sql<{ id: string }>`insert into insurance_policies (organization_id, policy_number, period_start) values (${org.id}, 'AN-2026-0107', '2026-01-01') returning id`);
  await running.services.insurance.updatePolicy(context, policy.id, {
    insurerOrganizationId: insurer.id,
    coverage: [{ code: 'first_response', nameJa: '初動対応費用', limitYen: 300000 }, { code: 'onsite', nameJa: '駆け付け費用', limitYen: 100000 }],
  });
  ids.job = (await running.services.dispatch.create(context, { incidentId: ids.incident, siteId: site.id, skill: 'pc_repair', problem: '事務所のパソコン1台が不審な通信をしています。現地で確認し、必要なら初期化してください。', contactName: '浪速 花子', contactPhone: '06-6789-0123', offerMinutes: 120 })).id;
}

beforeAll(async () => {
  if (!existsSync(join(webDist, 'index.html'))) throw new Error(`the console is not built (${webDist}/index.html is missing): run \`npm run build:web\` first`);
  mkdirSync(artifacts, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'otasuke-web-e2e-partners-'));
  const config = loadConfig({ env: { PORT: '0', HOST: '127.0.0.1', OTASUKE_DATA_DIR: dataDir, OTASUKE_DEMO: 'true', LOG_LEVEL: 'warn' } });
  server = await startServer(config, { webDist, demoSensors: false });
  await seed(server);
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('vendor and insurer portals', () => {
  it('the desk sees the candidates and offers the job to the best one', async () => {
    const page = await newPage();
    await signInWithTotpSetup(page, login('helpdesk'), '相談窓口のホーム');
    deskPage = page;
    await page.goto(`${server!.url}/dispatches/${ids.job}`);
    await page.getByRole('heading', { name: `駆け付け: ${subscriberName}（本社工場）` }).waitFor();
    const candidates = page.getByTestId('candidates');
    await candidates.getByRole('row').filter({ hasText: vendorAName }).waitFor();
    expect(await candidates.getByRole('row').nth(1).innerText()).toContain(vendorAName);
    expect(await candidates.getByRole('row').nth(2).innerText()).toContain(vendorBName);
    // Each candidate can also be picked by name (e.g. the vendor of last time); this story takes the next best.
    const pickB = candidates.getByRole('button', { name: `この業者に依頼する（${vendorBName}）` });
    expect(await pickB.isEnabled()).toBe(true);
    await page.getByRole('button', { name: '次の候補に依頼する' }).click();
    await page.getByTestId('offers').getByRole('row').filter({ hasText: vendorAName }).filter({ hasText: '返事待ち' }).waitFor();
    // While A has not answered, no other vendor can be picked.
    expect(await pickB.isDisabled()).toBe(true);
    await screenshot(page, 'partners-desk-offered.png');
  });

  it('vendor A, on a phone, sees the offer with its deadline and declines it with a reason', async () => {
    const page = await newPage(phone, true);
    await signIn(page, login('vendor_staff', vendorAName), '駆け付け協力会社のホーム');
    await page.getByRole('button', { name: 'メニューを開く' }).click();
    await page.getByRole('link', { name: '駆け付けの仕事' }).filter({ visible: true }).first().click();
    await page.getByRole('heading', { name: '駆け付けの仕事', level: 2 }).waitFor();
    const card = page.getByTestId('vendor-job');
    await card.filter({ hasText: 'までにお返事ください' }).waitFor();
    expect(await card.innerText()).toContain(`${subscriberName}（本社工場）`);
    await fitsPhone(page);
    await screenshot(page, 'partners-vendor-offers-mobile.png');

    await card.getByRole('link').click();
    await page.getByText('この仕事を引き受けていただけますか').waitFor();
    // Only what the job needs: company, place, contact and problem — no incident, no ticket.
    for (const text of [subscriberName, '東大阪市荒本北1-1-1', '浪速 花子', '06-6789-0123', '不審な通信']) await page.getByText(text, { exact: false }).first().waitFor();
    expect(await page.getByText('インシデント').count()).toBe(0);
    await fitsPhone(page);
    await screenshot(page, 'partners-vendor-offer-detail-mobile.png');

    await page.getByRole('button', { name: '断る' }).click();
    const dialog = page.getByRole('dialog', { name: 'この依頼を断ります' });
    await dialog.getByLabel(/^断る理由/).fill('本日は技術者が全員出払っています。');
    await screenshot(page, 'partners-vendor-decline-mobile.png', false);
    await dialog.getByRole('button', { name: '断る' }).click();
    await page.getByText('いまお願いしている仕事はありません。', { exact: false }).waitFor();
    // The declined job is gone for A, and so are its files.
    expect((await page.request.get(`${server!.url}/api/v1/dispatch/jobs/${ids.job}`)).status()).toBe(404);
  });

  it('vendor B accepts, records its arrival, uploads a photo and reports the work', async () => {
    const page = await newPage(phone, true);
    await signIn(page, vendorB, '駆け付け協力会社のホーム');
    await page.goto(`${server!.url}/vendor/jobs`);
    await page.getByTestId('vendor-job').getByRole('link').click();
    await page.getByRole('button', { name: '引き受ける' }).click();
    await page.getByRole('button', { name: '現地に到着しました' }).click();
    await page.getByText('現地到着:', { exact: false }).first().waitFor();
    await page.locator('input[type=file]').setInputFiles({ name: '現地の写真.png', mimeType: 'image/png', buffer: photo });
    const link = page.getByTestId('job-files').getByRole('link', { name: '現地の写真.png' });
    await link.waitFor();
    const download = await page.request.get(`${server!.url}${await link.getAttribute('href')}`);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-type']).toBe('image/png');
    expect(Buffer.from(await download.body()).equals(photo)).toBe(true);

    await page.getByLabel(/^行った作業/).fill('ウイルス対策ソフトで全体を検査し、不審なプログラムを1件削除しました。');
    await page.getByLabel(/^作業時間（分）/).fill('90');
    await page.getByLabel(/^費用（円・税込）/).fill('19800');
    await page.getByLabel(/^お客様へのご報告/).fill('パソコンは安全な状態に戻りました。パスワードを変更してください。');
    await fitsPhone(page);
    await screenshot(page, 'partners-vendor-report-form-mobile.png');
    await page.getByRole('button', { name: '作業報告を送る' }).click();
    const report = page.getByTestId('job-report');
    await report.getByText('お客様の確認を待っています。').waitFor();
    expect(await report.innerText()).toContain('1時間30分');
    expect(await report.innerText()).toContain('19,800円');
    await fitsPhone(page);
    await screenshot(page, 'partners-vendor-reported-mobile.png');
  });

  it('the desk sees the decline with its reason and the acceptance in the offer history', async () => {
    const page = deskPage!;
    await page.goto(`${server!.url}/dispatches`);
    await page.getByRole('row').filter({ hasText: subscriberName }).filter({ hasText: '報告済み（確認待ち）' }).filter({ hasText: vendorBName }).waitFor();
    await screenshot(page, 'partners-desk-list.png');
    await page.goto(`${server!.url}/dispatches/${ids.job}`);
    const offers = page.getByTestId('offers');
    await offers.getByRole('row').filter({ hasText: vendorAName }).filter({ hasText: 'お断り' }).filter({ hasText: '本日は技術者が全員出払っています。' }).waitFor();
    await offers.getByRole('row').filter({ hasText: vendorBName }).filter({ hasText: '引き受け' }).waitFor();
    await page.getByTestId('job-files').getByRole('link', { name: '現地の写真.png' }).waitFor();
    expect((await page.request.get(`${server!.url}/api/v1/dispatch/jobs/${ids.job}/files/${(await page.getByTestId('job-files').getByRole('link').first().getAttribute('href'))!.split('/').pop()}`)).status()).toBe(200);
    await screenshot(page, 'partners-desk-detail.png');
  });

  it('the owner signs the report off in the portal and files a claim', async () => {
    const page = await newPage(phone, true);
    await signIn(page, login('subscriber_admin', subscriberName), 'お助け隊のホーム');
    await page.goto(`${server!.url}/portal`);
    const visit = page.getByTestId('portal-dispatch');
    await visit.getByText(`${vendorBName} が 本社工場 に伺います`).waitFor();
    await visit.getByText('パソコンは安全な状態に戻りました。', { exact: false }).waitFor();
    await fitsPhone(page);
    await screenshot(page, 'partners-portal-signoff-mobile.png');
    await visit.screenshot({ path: join(artifacts, 'partners-portal-signoff-card-mobile.png'), animations: 'disabled' });
    await visit.getByRole('button', { name: '作業の内容を確認しました' }).click();
    await visit.getByText('お客様が確認しました', { exact: false }).waitFor();
    expect(await visit.getByTestId('dispatch-status').innerText()).toBe('完了（お客様確認済み）');

    await page.getByRole('button', { name: '保険金を請求する' }).click();
    await page.getByRole('combobox', { name: 'どの出来事についての請求ですか' }).click();
    await page.getByRole('option').first().click();
    await page.getByLabel(/^被害や費用の内容/).fill('ウイルス感染の疑いで技術者に来てもらい、駆け付け費用 19,800円がかかりました。');
    await page.getByLabel(/^請求額（円）/).fill('19800');
    await page.getByRole('button', { name: '請求する', exact: true }).locator('xpath=ancestor::div[contains(@class,"mantine-Card-root")][1]').screenshot({ path: join(artifacts, 'partners-portal-claim-form-mobile.png'), animations: 'disabled' });
    await page.getByRole('button', { name: '請求する', exact: true }).click();
    const claim = page.getByTestId('portal-claim');
    await claim.getByText('審査中').waitFor();
    ids.claim = (await (await page.request.get(`${server!.url}/api/v1/insurance/claims`)).json())[0].id;
    await fitsPhone(page);
    await screenshot(page, 'partners-portal-claim-mobile.png');
  });

  it('the insurer opens the claim, downloads the evidence pack, asks a question and approves', async () => {
    const page = await newPage();
    await signIn(page, login('insurer_staff', insurerName), '保険会社のホーム');
    await page.getByRole('link', { name: '保険金請求' }).filter({ visible: true }).first().click();
    await page.getByRole('heading', { name: '保険金請求', level: 2 }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'AN-2026-0107' });
    await row.getByText('審査中').waitFor();
    expect(await page.getByRole('row').count()).toBe(2);
    await screenshot(page, 'partners-insurer-claims.png');

    await row.getByRole('link').click();
    await page.getByText(subscriberName).first().waitFor();
    for (const text of ['初動対応費用', '300,000円', '駆け付け費用', '100,000円', '請求額 19,800円']) await page.getByText(text, { exact: true }).first().waitFor();
    const packRows = page.getByTestId('pack-files').getByRole('row');
    await expect.poll(() => packRows.count()).toBe(8);
    const pack = page.getByRole('link', { name: /^ZIPをダウンロード/ });
    const [download] = await Promise.all([page.waitForEvent('download'), pack.click()]);
    expect(download.suggestedFilename()).toMatch(/^claim-C-\d+-evidence\.zip$/);
    const path = await download.path();
    const zip = unzipSync(new Uint8Array(readFileSync(path)));
    expect(Object.keys(zip).sort()).toEqual(['alerts.json', 'dispatch.json', 'incident.json', 'manifest.json', 'notifications.json', 'summary.pdf', 'tickets.json', 'timeline.json']);
    const dispatch = JSON.parse(strFromU8(zip['dispatch.json']!));
    expect(dispatch.visits[0]).toMatchObject({ vendor: vendorBName, costYen: 19800, minutesWorked: 90, status: 'signed_off' });
    expect(dispatch.visits[0].files[0].fileName).toBe('現地の写真.png');
    expect(strFromU8(zip['summary.pdf']!.subarray(0, 5))).toBe('%PDF-');

    await page.getByLabel(/^ご利用企業・運営事務局への質問/).fill('駆け付けの領収書の写しをお送りください。');
    await page.getByRole('button', { name: '送信する' }).click();
    await page.getByTestId('claim-comment').filter({ hasText: '駆け付けの領収書の写しをお送りください。' }).waitFor();
    await screenshot(page, 'partners-insurer-claim-detail.png');

    await page.getByText('全額支払う').click();
    await page.getByLabel(/^ご利用企業へのコメント/).fill('ご請求どおりお支払いします。');
    await page.getByRole('button', { name: 'この結果で確定する' }).click();
    const outcome = page.getByTestId('claim-outcome');
    await outcome.getByText('お支払い額 19,800円').waitFor();
    expect(await outcome.getByTestId('claim-status').innerText()).toBe('支払い決定');
    await screenshot(page, 'partners-insurer-decided.png');
  });

  it('the owner reads the insurer’s question and decision', async () => {
    const page = await newPage(phone, true);
    await signIn(page, login('subscriber_admin', subscriberName), 'お助け隊のホーム');
    await page.goto(`${server!.url}/portal`);
    const claim = page.getByTestId('portal-claim');
    await claim.getByText('支払い決定').waitFor();
    await claim.getByText('お支払い額 19,800円').waitFor();
    await claim.getByTestId('claim-comment').filter({ hasText: '保険会社' }).filter({ hasText: '領収書の写し' }).waitFor();
    await fitsPhone(page);
    await screenshot(page, 'partners-portal-decided-mobile.png');
    await claim.screenshot({ path: join(artifacts, 'partners-portal-claim-card-mobile.png'), animations: 'disabled' });
  });

  it('the operator keeps the vendor registry', async () => {
    const page = await newPage();
    await signInWithTotpSetup(page, login('operator_admin'), '運営事務局のホーム');
    await page.getByRole('link', { name: '駆け付け協力会社' }).filter({ visible: true }).first().click();
    await page.getByRole('heading', { name: '駆け付け協力会社', level: 2 }).waitFor();
    await page.getByRole('row').filter({ hasText: vendorAName }).getByText('大阪府 東大阪市').waitFor();
    await page.getByRole('button', { name: '協力会社を追加' }).click();
    const dialog = page.getByRole('dialog', { name: '協力会社を追加します' });
    await dialog.getByLabel(/^会社名/).fill('堺ネットワーク工房');
    await dialog.getByLabel(/^対応地域/).fill('大阪府 堺市堺区\n大阪府 堺市西区');
    await dialog.getByLabel(/^対応できる作業/).fill('network');
    await dialog.getByLabel(/^対応できる作業/).press('Enter');
    await dialog.getByLabel(/^営業時間/).fill('毎日 8:00〜20:00');
    await dialog.getByLabel(/^1時間あたりの料金/).fill('6500');
    await dialog.getByLabel(/^出張費/).fill('3000');
    await dialog.getByLabel(/^担当者名/).fill('堺 工房');
    await dialog.getByLabel(/^電話番号/).fill('072-000-0000');
    await dialog.getByLabel(/^メールアドレス/).fill('sakai@network-kobo.example');
    await screenshot(page, 'partners-vendors-add.png', false);
    await dialog.getByRole('button', { name: '保存する' }).click();
    await page.getByText('保存しました。').waitFor();
    const row = page.getByRole('row').filter({ hasText: '堺ネットワーク工房' });
    await row.getByText('大阪府 堺市西区').waitFor();
    expect(await row.innerText()).toContain('1時間 6,500円');
    expect((await (await page.request.get(`${server!.url}/api/v1/organizations?kind=vendor`)).json()).filter((o: { name: string }) => o.name === '堺ネットワーク工房')).toHaveLength(1);
    await screenshot(page, 'partners-vendors.png');

    // The new vendor's first portal account: invited by mail, the invitation re-sent, then used.
    await row.getByRole('button', { name: 'ログインアカウント' }).click();
    const staff = page.getByRole('dialog', { name: '堺ネットワーク工房 のログインアカウント' });
    await staff.getByText('まだアカウントがありません。', { exact: false }).waitFor();
    await staff.getByLabel(/^氏名/).fill('堺 太郎');
    await staff.getByLabel(/^メールアドレス/).fill('taro@network-kobo.example');
    await staff.getByRole('button', { name: '追加して招待メールを送る' }).click();
    await staff.getByText('taro@network-kobo.example に招待メールを送りました。', { exact: false }).waitFor();
    const person = staff.getByRole('row').filter({ hasText: '堺 太郎' });
    await person.getByText('招待中').waitFor();
    await person.getByRole('button', { name: '招待メールを再送' }).click();
    await staff.getByText('taro@network-kobo.example に招待メールを再送しました。', { exact: false }).waitFor();
    await screenshot(page, 'partners-vendor-staff.png', false);

    // Two invitations in the outbox; only the newer link sets the password.
    const links = async () =>
      (await server!.services.outbox.list({ kind: 'all' }, { limit: 200 })).filter((m) => m.to === 'taro@network-kobo.example').map((m) => /reset-password\?token=([\w-]+)/.exec(m.text)?.[1]);
    await expect.poll(async () => (await links()).length).toBe(2);
    const tokens = await links();
    const invitee = await newPage();
    const password = 'sakai-kobo-passw0rd';
    const setPassword = async (token: string | undefined) => {
      await invitee.goto(`${server!.url}/reset-password?token=${token}`);
      await invitee.getByRole('heading', { name: '新しいパスワードの設定' }).waitFor();
      await invitee.getByLabel(/^新しいパスワード \*?$/).fill(password);
      await invitee.getByLabel(/^新しいパスワード（確認のためもう一度）/).fill(password);
      await invitee.getByRole('button', { name: 'パスワードを変更する' }).click();
    };
    // The outbox lists newest first: the older link is the second.
    await setPassword(tokens[1]);
    await invitee.getByTestId('error-alert').waitFor();
    await setPassword(tokens[0]);
    await invitee.getByText('パスワードを変更しました。', { exact: false }).waitFor();
    await signIn(invitee, { email: 'taro@network-kobo.example', password }, '駆け付け協力会社のホーム');

    await page.reload();
    await page.getByRole('row').filter({ hasText: '堺ネットワーク工房' }).getByRole('button', { name: 'ログインアカウント' }).click();
    await staff.getByRole('row').filter({ hasText: '堺 太郎' }).getByText('利用中').waitFor();
  });
});
