/**
 * The console in a real browser against a real server: sign-in (with and without the TOTP step),
 * the Japanese/English switch, sign-out, the error for a wrong password, and a phone-sized screen.
 * Debian's Chromium is driven by playwright-core; no browser is ever downloaded.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/server.ts';
import { loadConfig } from '../../server/src/config/config.ts';
import { type Credentials, artifacts, demoLogin, launchChromium, webDist } from './consoleHarness.ts';


let server: RunningServer | undefined;
let browser: Browser | undefined;
let dataDir: string | undefined;
const contexts: BrowserContext[] = [];
/** Every URL the pages asked for: the console must fetch nothing from the internet. */
const requested: string[] = [];

function login(role: string, organization?: string): Credentials {
  return demoLogin(server, role, organization);
}

let operatorPage: Page | undefined;

async function newPage(options: { viewport?: { width: number; height: number }; mobile?: boolean } = {}): Promise<Page> {
  if (!browser) throw new Error('the browser did not start');
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    isMobile: options.mobile ?? false,
    hasTouch: options.mobile ?? false,
    locale: 'ja-JP',
  });
  contexts.push(context);
  const page = await context.newPage();
  page.on('request', (request) => requested.push(request.url()));
  return page;
}

async function signIn(page: Page, credentials: { email: string; password: string }): Promise<void> {
  // Required fields carry a trailing " *" in their label.
  await page.getByLabel(/^メールアドレス/).fill(credentials.email);
  await page.getByLabel(/^パスワード/).fill(credentials.password);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
}

async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  // Fonts load on demand (unicode-range slices); wait so the picture shows the real glyphs.
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(artifacts, name), fullPage: options.fullPage ?? true, animations: 'disabled' });
}

beforeAll(async () => {
  if (!existsSync(join(webDist, 'index.html'))) {
    throw new Error(`the console is not built (${webDist}/index.html is missing): run \`npm run build:web\` first`);
  }
  mkdirSync(artifacts, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'otasuke-web-e2e-'));
  const config = loadConfig({
    env: { PORT: '0', HOST: '127.0.0.1', OTASUKE_DATA_DIR: dataDir, OTASUKE_DEMO: 'true', LOG_LEVEL: 'warn' },
  });
  server = await startServer(config, { webDist });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('console sign-in', () => {
  it('a subscriber admin signs in, sees the shell in Japanese, switches to English and signs out', async () => {
    const page = await newPage();
    await page.goto(server!.url);
    await page.waitForURL('**/login');
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('ja');
    await page.getByRole('heading', { name: 'ログイン' }).waitFor();
    await screenshot(page, 'login-ja.png');

    const owner = server!.demoLogins!.find((l) => l.role === 'subscriber_admin' && l.organization === '株式会社なにわ精工');
    if (!owner) throw new Error('the demo data has no subscriber_admin of 株式会社なにわ精工');
    await signIn(page, owner);

    await page.getByRole('heading', { name: 'お助け隊のホーム' }).waitFor();
    await page.getByText('株式会社なにわ精工').filter({ visible: true }).first().waitFor();
    await page.getByText('ようこそ、浪速 太郎 さん').waitFor();
    await page.getByText('ご利用企業 管理者', { exact: false }).filter({ visible: true }).first().waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    // The bundled Noto Sans JP is what renders the Japanese text.
    expect(await page.evaluate(async () => {
      await document.fonts.ready;
      return document.fonts.check('16px "Noto Sans JP"', 'お助け隊') && [...document.fonts].some((f) => f.family.includes('Noto Sans JP') && f.status === 'loaded');
    })).toBe(true);
    await screenshot(page, 'shell-ja.png');

    await page.getByText('English', { exact: true }).filter({ visible: true }).first().click();
    await page.getByRole('heading', { name: 'Otasuketai home' }).waitFor();
    await page.getByText('Subscriber administrator', { exact: false }).filter({ visible: true }).first().waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.title()).toBe('Cybersecurity Otasuketai');
    await screenshot(page, 'shell-en.png');

    await page.getByRole('button', { name: 'Sign out' }).filter({ visible: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    // The session really ended on the server, and the language choice was remembered.
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
  });

  it('the operator admin sets up TOTP on first sign-in and reaches the shell', async () => {
    const page = await newPage();
    await page.goto(`${server!.url}/login`);
    await signIn(page, login('operator_admin'));

    await page.getByRole('heading', { name: '二要素認証の設定' }).waitFor();
    await page.getByText('Google Authenticator', { exact: false }).first().waitFor();
    await page.getByRole('img', { name: '認証アプリに登録するためのQRコード' }).waitFor();
    const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]+=*$/);
    await screenshot(page, 'totp-setup.png');

    const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
    const codeInput = page.getByLabel(/^確認コード（6桁の数字）/);
    expect(await codeInput.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await codeInput.getAttribute('inputmode')).toBe('numeric');
    await codeInput.fill(code);
    await page.getByRole('button', { name: '設定を完了してログイン' }).click();

    await page.getByRole('heading', { name: '運営事務局のホーム' }).waitFor();
    await page.getByText('サイバーセキュリティお助け隊 運営事務局（大阪）').filter({ visible: true }).first().waitFor();
    await page.getByText('運営事務局 管理者', { exact: false }).filter({ visible: true }).first().waitFor();

    // The next sign-in asks for the code only; a wrong one is explained, the right one gets in.
    await page.getByRole('button', { name: 'ログアウト' }).filter({ visible: true }).click();
    await signIn(page, login('operator_admin'));
    await page.getByRole('heading', { name: '確認コードの入力' }).waitFor();
    await page.getByLabel(/^確認コード（6桁の数字）/).fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: '確認する' }).click();
    expect(await page.getByTestId('error-alert').innerText()).toContain('確認コードが正しくありません');
    // The code of the next 30-second step: the one used above may not be replayed.
    const nextCode = new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + 30_000 });
    await page.getByLabel(/^確認コード（6桁の数字）/).fill(nextCode);
    await page.getByRole('button', { name: '確認する' }).click();
    await page.getByRole('heading', { name: '運営事務局のホーム' }).waitFor();
    operatorPage = page;
  });

  it('a wrong password shows the Japanese error and stays on the sign-in page', async () => {
    const page = await newPage();
    await page.goto(`${server!.url}/login`);
    const staff = login('subscriber_member');
    // Keyboard only: Tab reaches the email field, then the password, and Enter submits.
    await page.getByRole('heading', { name: 'ログイン' }).waitFor();
    for (let i = 0; i < 8 && !(await page.evaluate(() => document.activeElement?.getAttribute('name') === 'email')); i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('email');
    await page.keyboard.type(staff.email);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('password');
    await page.keyboard.type(`${staff.password}-wrong`);
    await page.keyboard.press('Enter');
    const alert = page.getByTestId('error-alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('メールアドレスまたはパスワードが正しくありません。');
    expect(await alert.innerText()).not.toContain('{');
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.locator('button[type="submit"]:not([data-loading])').waitFor();
    await screenshot(page, 'login-error-ja.png');
  });

  it('signs in on a phone-sized screen (375×812), with the menu behind the burger', async () => {
    const page = await newPage({ viewport: { width: 375, height: 812 }, mobile: true });
    await page.goto(server!.url);
    await page.getByRole('heading', { name: 'ログイン' }).waitFor();
    await screenshot(page, 'mobile-login.png');
    await signIn(page, login('subscriber_admin', '心斎橋デザイン合同会社'));

    await page.getByRole('heading', { name: 'お助け隊のホーム' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'mobile.png');

    await page.getByRole('button', { name: 'メニューを開く' }).click();
    await page.getByText('心斎橋デザイン合同会社').filter({ visible: true }).first().waitFor();
    await page.getByRole('button', { name: 'ログアウト' }).filter({ visible: true }).waitFor();
    // The open navbar is fixed to the viewport, so a full-page picture would cut it off.
    await screenshot(page, 'mobile-menu.png', { fullPage: false });
  });

  it('a forgotten password is reset through the mailed link, then the new one signs in', async () => {
    const page = await newPage();
    await page.goto(`${server!.url}/login`);
    await page.getByRole('link', { name: 'パスワードをお忘れの方' }).click();
    await page.getByRole('heading', { name: 'パスワードの再設定' }).waitFor();
    const vendor = login('vendor_staff');
    await page.getByLabel(/^メールアドレス/).fill(vendor.email);
    await page.getByRole('button', { name: '再設定のメールを送る' }).click();
    await page.getByText('再設定のためのリンクをお送りしました', { exact: false }).waitFor();

    // The mail sits in the outbox (no SMTP in tests); its link carries the one-time token.
    let token: string | undefined;
    await expect.poll(async () => {
      const mails = await server!.services.outbox.list({ kind: 'all' }, { limit: 50 });
      token = mails.filter((m) => m.to === vendor.email).map((m) => /reset-password\?token=([\w-]+)/.exec(m.text)?.[1]).find(Boolean);
      return token;
    }).toBeTruthy();

    await page.goto(`${server!.url}/reset-password?token=${token}`);
    await page.getByRole('heading', { name: '新しいパスワードの設定' }).waitFor();
    const newPassword = 'kitahama-new-passw0rd';
    await page.getByLabel(/^新しいパスワード \*?$/).fill(newPassword);
    await page.getByLabel(/^新しいパスワード（確認のためもう一度）/).fill(newPassword);
    await page.getByRole('button', { name: 'パスワードを変更する' }).click();
    await page.getByText('パスワードを変更しました。', { exact: false }).waitFor();

    await page.getByRole('link', { name: 'ログイン画面に戻る' }).click();
    await signIn(page, { email: vendor.email, password: newPassword });
    await page.getByRole('heading', { name: '駆け付け協力会社のホーム' }).waitFor();
  });

  it('the operator reads the reset mail in the dev mailbox and the audit log', async () => {
    const page = operatorPage!;
    await page.getByRole('link', { name: '送信メール（開発用メールボックス）' }).filter({ visible: true }).first().click();
    await page.getByRole('heading', { name: '送信メール（開発用メールボックス）' }).waitFor();
    await page.getByRole('button', { name: '【お助け隊】パスワード再設定のご案内' }).first().click();
    await page.getByText('パスワード再設定のお申し込みを受け付けました。', { exact: false }).first().waitFor();
    await page.getByText(`${server!.publicUrl}/reset-password?token=`, { exact: false }).first().waitFor();
    await screenshot(page, 'dev-mailbox.png', { fullPage: false });
    await page.getByRole('button', { name: '閉じる' }).click();

    await page.getByRole('link', { name: '監査ログ' }).filter({ visible: true }).first().click();
    await page.getByRole('heading', { name: '監査ログ' }).waitFor();
    await page.getByText('auth.password_reset', { exact: true }).first().waitFor();
    await page.getByLabel('操作で絞り込み（前方一致）').fill('auth.totp');
    await page.getByText('auth.totp_enabled', { exact: true }).first().waitFor();
    await expect.poll(async () => page.getByText('auth.login', { exact: true }).count()).toBe(0);
    await screenshot(page, 'audit-log.png');
  });

  it('fetched nothing from outside the server', () => {
    const origin = new URL(server!.url).origin;
    const outside = requested.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'));
    expect(outside).toEqual([]);
    expect(requested.some((url) => /\/assets\/noto-sans-jp-.*\.woff2$/.test(url))).toBe(true);
  });
});
