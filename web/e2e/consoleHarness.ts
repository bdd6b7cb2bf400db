/**
 * What every browser test of the console shares: where the built console and the screenshots are,
 * Debian's Chromium started the way the project allows (never a downloaded browser), the demo
 * logins, and the sign-in steps as a person does them.
 */
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import type { RunningServer } from '../../server/src/server.ts';

/** The built console (`npm run build:web`); OTASUKE_E2E_WEB_DIST lets a run use its own build. */
export const webDist = process.env.OTASUKE_E2E_WEB_DIST ?? fileURLToPath(new URL('../dist', import.meta.url));
/** Screenshots are test artifacts, kept out of git. */
export const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

export interface Credentials {
  email: string;
  password: string;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

/** A demo user's login of that role (and organization), as the demo data printed it. */
export function demoLogin(server: RunningServer | undefined, role: string, organization?: string): Credentials {
  const found = server?.demoLogins?.find((l) => l.role === role && (!organization || l.organization === organization));
  if (!found) throw new Error(`the demo data has no ${role} login${organization ? ` in ${organization}` : ''}`);
  return found;
}

/** Fills the login form and submits it (the caller waits for what should follow). */
export async function signIn(page: Page, credentials: Credentials): Promise<void> {
  await page.getByLabel(/^メールアドレス/).fill(credentials.email);
  await page.getByLabel(/^パスワード/).fill(credentials.password);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
}

/** Staff set up TOTP at their first sign-in: read the secret off the page, answer with a code. */
export async function signInWithTotpSetup(page: Page, credentials: Credentials, home: string): Promise<void> {
  await signIn(page, credentials);
  await page.getByRole('heading', { name: '二要素認証の設定' }).waitFor();
  const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
  await page.getByLabel(/^確認コード（6桁の数字）/).fill(new TOTP({ secret: Secret.fromBase32(secret) }).generate());
  await page.getByRole('button', { name: '設定を完了してログイン' }).click();
  await page.getByRole('heading', { name: home }).waitFor();
}

/** Opens a page from the navigation menu and waits for its content. */
export async function openFromMenu(page: Page, name: string): Promise<void> {
  await page.getByRole('link', { name }).filter({ visible: true }).first().click();
  await page.getByRole('heading', { level: 2 }).first().waitFor();
}
