/**
 * The help desk in a real browser against a real server with the demo data (issue #8): the owner
 * presses the help button on a phone → the agent (helpdesk role, TOTP) finds the ticket in the queue,
 * reads the subscriber's context, replies with an edited canned reply (the mail lands in the outbox
 * with its Japanese intact), leaves an internal note, asks for remote support → the owner consents in
 * the portal → the agent starts and ends the session, requests an on-site visit and closes the ticket →
 * the owner rates it, and the agent sees the rating. Also: a phone call logged from the queue, and
 * canned replies edited on their tab. The open incidents come from alerts stored and correlated as
 * ingest does (as in monitoring.test.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/server.ts';
import { loadConfig } from '../../server/src/config/config.ts';
import { c2Alert, insertAlertSeries } from '../../server/src/incidents/alertFixtures.ts';
import { createMonitoringHooks } from '../../server/src/incidents/monitoringHooks.ts';
import { type Credentials, artifacts, demoLogin, launchChromium, openFromMenu, signIn, signInWithTotpSetup, webDist } from './consoleHarness.ts';

const subscriberName = '株式会社なにわ精工';
/** Characters that break in careless encodings (wave dash, circled digit, 髙, half-width kana). */
const tricky = '〜①髙ｶﾀｶﾅ';
const addedLine = `本日中に担当の山田からお電話します${tricky}`;

let server: RunningServer | undefined;
let browser: Browser | undefined;
let dataDir: string | undefined;
const contexts: BrowserContext[] = [];
let agentPage: Page | undefined;

function login(role: string, organization?: string): Credentials {
  return demoLogin(server, role, organization);
}

async function newPage(viewport = { width: 1280, height: 900 }, mobile = false): Promise<Page> {
  const context = await browser!.newContext({ viewport, isMobile: mobile, hasTouch: mobile, locale: 'ja-JP' });
  contexts.push(context);
  return context.newPage();
}



async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  // A full page is taken from the top, so the sticky header stays where a reader sees it.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(artifacts, name), fullPage, animations: 'disabled' });
}

/** One part of a page (the portal is long on a phone: its help-desk corner is what this test is about). */
async function screenshotOf(locator: Locator, name: string): Promise<void> {
  await locator.page().evaluate(() => document.fonts.ready);
  await locator.screenshot({ path: join(artifacts, name), animations: 'disabled' });
}


/** A sensor at the demo subscriber with a C2 incident on it, correlated as ingest would. */
async function seedIncident(running: RunningServer): Promise<void> {
  const db = running.database.db;
  const org = (await sql<{ id: string }>`select id from organizations where name = ${subscriberName}`.execute(db)).rows[0]!;
  const site = (await sql<{ id: string }>`select id from sites where organization_id = ${org.id} limit 1`.execute(db)).rows[0]!;
  const operator = (await sql<{ id: string }>`select id from organizations where kind = 'operator' limit 1`.execute(db)).rows[0]!;
  const scope = { userId: null, tokenId: null, sessionId: null, organizationId: operator.id, organizationKind: 'operator' as const, role: 'operator_admin' as const };
  const sensor = await running.services.organizations.createSensor({ scope, ip: null, requestId: 'e2e-setup' }, site.id, { name: '本社工場センサー' });
  const refs = await insertAlertSeries(db, { organizationId: org.id, siteId: site.id, sensorId: sensor.id, firstSeq: 1, count: 6, start: new Date(Date.now() - 15 * 60_000), stepMs: 60_000, alert: c2Alert });
  await createMonitoringHooks(running.services).afterStore(refs);
}

beforeAll(async () => {
  if (!existsSync(join(webDist, 'index.html'))) throw new Error(`the console is not built (${webDist}/index.html is missing): run \`npm run build:web\` first`);
  mkdirSync(artifacts, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'otasuke-web-e2e-helpdesk-'));
  const config = loadConfig({ env: { PORT: '0', HOST: '127.0.0.1', OTASUKE_DATA_DIR: dataDir, OTASUKE_DEMO: 'true', LOG_LEVEL: 'warn' } });
  server = await startServer(config, { webDist });
  await seedIncident(server);
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('help desk console', () => {
  it('takes a help request from the portal through reply, remote support, dispatch and close to the rating', { timeout: 240_000 }, async () => {
    // The owner, on a phone, presses the help button.
    const owner = await newPage({ width: 375, height: 812 }, true);
    await owner.goto(`${server!.url}/login`);
    const ownerLogin = login('subscriber_admin', subscriberName);
    await signIn(owner, ownerLogin);
    await owner.getByRole('heading', { name: 'お助け隊のホーム' }).waitFor();
    await owner.goto(`${server!.url}/portal`);
    await owner.getByTestId('safety').waitFor();
    await owner.getByRole('button', { name: '助けを求める' }).click();
    const help = owner.getByRole('dialog', { name: '相談窓口に助けを求める' });
    const sent = help.getByText(/^相談窓口にご依頼を送りました（受付番号 .+）。$/);
    await sent.waitFor();
    const number = /受付番号 (T-\d+)/.exec(await sent.innerText())![1]!;
    await help.getByRole('button', { name: '閉じる' }).last().click();
    const support = owner.getByTestId('portal-support');
    await support.getByText(`受付番号 ${number}`, { exact: false }).waitFor();
    expect(await owner.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(owner, 'helpdesk-portal-request.png');
    await screenshotOf(support, 'helpdesk-portal-request-support.png');

    // The agent signs in (TOTP) and finds it in the queue, with its counts.
    const agent = await newPage();
    agentPage = agent;
    await agent.goto(`${server!.url}/login`);
    await signInWithTotpSetup(agent, login('helpdesk'), '相談窓口のホーム');
    await openFromMenu(agent, '相談窓口');
    await agent.getByRole('heading', { name: '相談窓口', level: 2 }).waitFor();
    const counts = agent.getByTestId('ticket-counts');
    await counts.getByText('対応中の合計').waitFor();
    await agent.getByRole('combobox', { name: '受付経路' }).click();
    await agent.getByRole('option', { name: 'Web（お助けボタン）' }).click();
    const row = agent.getByTestId('ticket-row').filter({ hasText: number });
    await row.waitFor();
    expect(await row.innerText()).toContain(subscriberName);
    expect(await row.innerText()).toContain('担当者なし');
    await screenshot(agent, 'helpdesk-queue.png');
    await row.getByRole('link').first().click();
    await agent.waitForURL(/\/helpdesk\/[0-9a-f-]{36}$/);

    // The subscriber's context: sensors, the open incident (linked), recent alerts.
    const context = agent.getByTestId('subscriber-context');
    await context.getByText(subscriberName).waitFor();
    await context.getByText('本社工場センサー').waitFor();
    const incidentLink = context.getByRole('link', { name: '攻撃者サーバーとの通信' }).first();
    await incidentLink.waitFor();
    expect(await incidentLink.getAttribute('href')).toMatch(/^\/incidents\/[0-9a-f-]{36}$/);
    await context.getByText(/^最近7日間の検知（\d+ 件）$/).waitFor();
    await agent.getByTestId('sla-card').getByText('最初の回答', { exact: true }).waitFor();

    // A canned reply fills the box; the agent edits it and sends it.
    await agent.getByRole('button', { name: '自分が担当する' }).click();
    await agent.getByText('担当者を変えました。').waitFor();
    await agent.getByRole('combobox', { name: '定型文から選ぶ' }).click();
    await agent.getByRole('option', { name: '受付のご連絡' }).click();
    const box = agent.getByRole('textbox', { name: 'お客様への返信' });
    const template = await box.inputValue();
    expect(template).toContain('お問い合わせありがとうございます。');
    await box.fill(`${template}\n${addedLine}`);
    await agent.getByRole('button', { name: '返信を送る' }).click();
    await agent.getByText('返信を送りました。お客様にメールでお知らせしています。').waitFor();
    await agent.getByTestId('message-reply').getByText(addedLine, { exact: false }).waitFor();
    const mail = (
      await sql<{ subject: string; textBody: string; toAddress: string }>`select subject, text_body, to_address from mail_outbox where subject like ${`%[#${number}]%`} order by created_at desc limit 1`.execute(server!.database.db)
    ).rows[0];
    expect(mail?.toAddress).toBe(ownerLogin.email);
    expect(mail?.textBody).toContain(template);
    expect(mail?.textBody).toContain(addedLine);

    // An internal note, shown apart and never to the customer.
    // The segmented control's radio is visually hidden: press its label, as a person does.
    await agent.locator('label').filter({ hasText: /^社内メモ$/ }).first().click();
    expect(await agent.getByRole('radio', { name: '社内メモ' }).isChecked()).toBe(true);
    await agent.getByRole('textbox', { name: '社内メモ' }).fill('C2通信の端末はおそらく経理のPC。遠隔で確認する。');
    await agent.getByRole('button', { name: 'メモを残す' }).click();
    await agent.getByText('社内メモを残しました。').waitFor();
    await agent.getByTestId('message-internal').getByText('C2通信の端末はおそらく経理のPC。', { exact: false }).waitFor();

    // Remote support: asked, then waiting for the customer's consent.
    await agent.getByRole('button', { name: '遠隔サポートの同意をお願いする' }).click();
    await agent.getByTestId('remote-session').getByText('お客様の同意を待っています').waitFor();
    expect(await agent.getByRole('button', { name: '遠隔サポートを開始' }).count()).toBe(0);
    await screenshot(agent, 'helpdesk-ticket.png');

    // The owner sees the reply (not the note) and consents.
    await owner.reload();
    const consent = owner.getByTestId('consent-request');
    await consent.waitFor({ timeout: 20_000 });
    await owner.getByTestId('portal-ticket').filter({ hasText: number }).getByRole('button').first().click();
    await owner.getByText(addedLine, { exact: false }).waitFor();
    expect(await owner.getByText('C2通信の端末はおそらく経理のPC。', { exact: false }).count()).toBe(0);
    await screenshotOf(owner.getByTestId('portal-support'), 'helpdesk-portal-consent.png');
    await consent.getByRole('button', { name: '同意する' }).click();
    await consent.waitFor({ state: 'detached' });

    // The agent's page notices the consent by itself (it polls while waiting), starts and ends the session.
    const session = agent.getByTestId('remote-session');
    await session.getByText('同意済み・開始できます').waitFor({ timeout: 20_000 });
    await session.getByTestId('remote-consent').getByText(/さんが .+ に同意しました。$/).waitFor();
    await session.getByRole('button', { name: '遠隔サポートを開始' }).click();
    await session.getByText('実施中').waitFor();
    await session.getByRole('textbox', { name: '行った作業（記録に残ります）' }).fill('経理PCの不審なプロセスを停止し、駆除ツールで検査した。');
    await session.getByRole('button', { name: '終了して記録する' }).click();
    await session.getByText('経理PCの不審なプロセスを停止し、駆除ツールで検査した。').waitFor();
    await session.getByText('終了', { exact: true }).waitFor();

    // 駆け付け: a dispatch request from the ticket, linked to its page.
    await agent.getByRole('button', { name: '駆け付けを依頼' }).click();
    const dispatch = agent.getByRole('dialog', { name: '駆け付けを依頼' });
    await dispatch.getByRole('combobox', { name: /^必要な作業/ }).fill('pc_repair');
    await dispatch.getByRole('textbox', { name: '現地の連絡先（お名前）' }).fill('なにわ 太郎');
    await dispatch.getByRole('textbox', { name: '現地の連絡先（電話番号）' }).fill('06-6000-0000');
    await dispatch.getByRole('button', { name: '依頼を作る' }).click();
    const jobLink = agent.getByRole('link', { name: '依頼を開く' });
    await jobLink.waitFor();
    expect(await jobLink.getAttribute('href')).toMatch(/^\/dispatches\/[0-9a-f-]{36}$/);
    await agent.getByTestId('dispatch').getByText('依頼作成').waitFor();

    // Close; the rating is awaited.
    await agent.getByRole('button', { name: '完了にする' }).click();
    await agent.getByText('状態を「完了」にしました。').waitFor();
    await agent.getByTestId('satisfaction').getByText('お客様の評価を待っています。').waitFor();
    await screenshot(agent, 'helpdesk-ticket-closed.png');

    // The owner rates the help.
    await owner.reload();
    const rate = owner.getByTestId('rate-request');
    await rate.waitFor({ timeout: 20_000 });
    // The stars' radios are visually hidden: press the fourth star, as a person does.
    const fourth = rate.getByRole('radio', { name: '5段階中 4' });
    await rate.locator(`label[for="${await fourth.getAttribute('id')}"]`).click();
    expect(await fourth.isChecked()).toBe(true);
    await rate.getByRole('textbox', { name: 'ひとこと（任意）' }).fill('すぐに対応してもらえて助かりました。');
    await screenshotOf(owner.getByTestId('portal-support'), 'helpdesk-portal-rate.png');
    await rate.getByRole('button', { name: '評価を送る' }).click();
    await rate.waitFor({ state: 'detached' });
    expect(await owner.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    await agent.reload();
    await agent.getByTestId('satisfaction').getByText('5段階中 4').waitFor();
    await agent.getByText('すぐに対応してもらえて助かりました。').waitFor();
    await screenshot(agent, 'helpdesk-ticket-rated.png');
  });

  it('logs a phone call for a chosen subscriber and keeps the canned replies', async () => {
    // The agent signed in above (TOTP set up once) goes on in the same browser.
    const agent = agentPage!;
    await agent.goto(`${server!.url}/helpdesk`);
    await agent.getByRole('button', { name: '電話の相談を記録' }).click();
    const call = agent.getByRole('dialog', { name: '電話の相談を記録します' });
    await call.getByRole('combobox', { name: /^ご利用企業/ }).fill('なにわ');
    await agent.getByRole('option', { name: subscriberName }).click();
    await call.getByRole('textbox', { name: /^お電話の方のお名前/ }).fill('なにわ 花子');
    await call.getByRole('textbox', { name: '折り返しの電話番号' }).fill('06-6000-1111');
    await call.getByRole('textbox', { name: /^件名/ }).fill('請求書の宛名を変えたい');
    await call.getByRole('textbox', { name: /^ご相談の内容/ }).fill('来月から宛名を「株式会社なにわ精工 経理部」にしてほしい。');
    await call.getByRole('combobox', { name: '分類' }).click();
    await agent.getByRole('option', { name: '請求' }).click();
    await screenshot(agent, 'helpdesk-phone-call.png', false);
    await call.getByRole('button', { name: '記録してチケットを開く' }).click();
    await agent.waitForURL(/\/helpdesk\/[0-9a-f-]{36}$/);
    await agent.getByRole('heading', { name: '請求書の宛名を変えたい' }).waitFor();
    await agent.getByText('電話', { exact: true }).first().waitFor();
    await agent.getByTestId('message-customer').getByText('なにわ 花子（06-6000-1111）', { exact: false }).waitFor();
    // The call was the first response; the ticket is the agent's own.
    await agent.getByTestId('sla-card').getByText(/^完了: /).first().waitFor();
    expect(await agent.getByRole('combobox', { name: '担当者' }).inputValue()).toBe('相談窓口 担当');

    // Canned replies: add one, edit it, see it offered in the reply box.
    await agent.goto(`${server!.url}/helpdesk/canned-replies`);
    await agent.getByRole('tab', { name: '定型文', selected: true }).waitFor();
    await agent.getByRole('button', { name: '定型文を追加' }).click();
    const add = agent.getByRole('dialog', { name: '定型文を追加' });
    await add.getByRole('textbox', { name: /^題名/ }).fill('請求書の宛名変更');
    await add.getByRole('textbox', { name: /^本文/ }).fill('宛名の変更を承りました。来月分の請求書から変更します。');
    await add.getByRole('button', { name: '保存' }).click();
    await add.waitFor({ state: 'detached' });
    await agent.getByRole('button', { name: '「請求書の宛名変更」を編集' }).click();
    const edit = agent.getByRole('dialog', { name: '定型文を編集' });
    await edit.getByRole('combobox', { name: '分類' }).click();
    await agent.getByRole('option', { name: '請求' }).click();
    await edit.getByRole('textbox', { name: /^本文/ }).fill(`宛名の変更を承りました。来月分の請求書から「株式会社なにわ精工 経理部」様宛てにします${tricky}。`);
    await edit.getByRole('button', { name: '保存' }).click();
    await edit.waitFor({ state: 'detached' });
    const card = agent.getByTestId('canned-reply').filter({ hasText: '請求書の宛名変更' });
    await card.getByText(`経理部」様宛てにします${tricky}。`, { exact: false }).waitFor();
    await screenshot(agent, 'helpdesk-canned.png');
    const audit = await sql<{ action: string }>`select action from audit_log where action like 'canned_reply.%' order by id`.execute(server!.database.db);
    expect(audit.rows.map((r) => r.action)).toEqual(['canned_reply.create', 'canned_reply.update']);
  });
});
