import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/otasuke.mjs', import.meta.url));
const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'otasuke-cli-'));

async function otasuke(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, OTASUKE_DATA_DIR: dataDir, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('otasuke CLI', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('lists its commands', async () => {
    const { code, stdout } = await otasuke(['--help']);
    expect(code).toBe(0);
    for (const command of ['server', 'db', 'admin', 'demo', 'sensor']) expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect((await otasuke(['admin', '--help'])).stdout).toContain('create-user');
  });

  it('stops with exit code 2 and lists every configuration problem', async () => {
    const { code, stderr } = await otasuke(['db', 'migrate', '--database-url', 'mysql://nope'], { PORT: 'x', SMTP_URL: 'mail.example' });
    expect(code).toBe(2);
    expect(stderr).toContain('invalid configuration:');
    expect(stderr).toContain('port (PORT)');
    expect(stderr).toContain('databaseUrl (DATABASE_URL)');
    expect(stderr).toContain('smtpUrl (SMTP_URL)');
  });

  it('answers an unknown command with exit code 2', async () => {
    expect((await otasuke(['frobnicate'])).code).toBe(2);
  });

  it('migrates, creates an organization and a user on the embedded database', async () => {
    expect((await otasuke(['db', 'migrate'])).stdout).toContain('applied: 0001_foundation');
    expect((await otasuke(['db', 'migrate'])).stdout).toContain('the database is up to date');
    const org = await otasuke(['admin', 'create-organization', '--kind', 'operator', '--name', '運営事務局']);
    expect(org.stdout).toMatch(/created operator organization [0-9a-f-]{36} \(運営事務局\)/);
    const user = await otasuke(['admin', 'create-user', '--organization', '運営事務局', '--email', 'Admin@Example.jp', '--role', 'operator_admin']);
    expect(user.stdout).toMatch(/created user admin@example.jp \(operator_admin\), password: \S{16}/);
    const wrongRole = await otasuke(['admin', 'create-user', '--organization', '運営事務局', '--email', 'x@example.jp', '--role', 'vendor_staff']);
    expect(wrongRole.code).toBe(2);
    expect(wrongRole.stderr).toBe('error: role vendor_staff is not allowed in an organization of kind operator (allowed: operator_admin, analyst, helpdesk)\n');
  }, 120_000);
});
