/**
 * The subscriber's life through the API, with exact yen for a member and a non-member:
 * application → approval (organization, sites, admin invited, contract, insurance policy) →
 * first prorated invoice → full-month invoice → payment → cancellation → final prorated invoice,
 * plus the idempotent and resumable monthly job, reminders, credit notes and the CSV export.
 *
 * Hand-computed figures (tax excluded price × days ÷ days in month, rounded down; tax 10% once per
 * invoice, rounded down):
 *   Service starts 2026-05-20: May has 31 days, in service 20..31 = 12 days.
 *     member      6,000 × 12 ÷ 31 = 72,000 ÷ 31 = 2,322.58 → 2,322; tax 232.2 → 232; total 2,554
 *     non-member  7,500 × 12 ÷ 31 = 90,000 ÷ 31 = 2,903.22 → 2,903; tax 290.3 → 290; total 3,193
 *   June (30 days, all in service):
 *     member      6,000; tax 600; total 6,600
 *     non-member  7,500; tax 750; total 8,250
 *   Cancelled with end date 2026-07-10: July has 31 days, in service 1..10 = 10 days.
 *     member      6,000 × 10 ÷ 31 = 60,000 ÷ 31 = 1,935.48 → 1,935; tax 193.5 → 193; total 2,128
 *     non-member  7,500 × 10 ÷ 31 = 75,000 ÷ 31 = 2,419.35 → 2,419; tax 241.9 → 241; total 2,660
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';

const REGISTRATION = 'T7123456789012';

const application = (overrides: Record<string, unknown>) => ({
  companyName: 'さくら精機株式会社',
  companyNameKana: 'サクラセイキ',
  representativeName: '桜井 一郎',
  contactName: '桜井 花子',
  email: 'hanako@sakura.example',
  phone: '06-6944-6400',
  postalCode: '530-0001',
  prefecture: '大阪府',
  city: '大阪市北区',
  address: '梅田1-1-1',
  employees: 25,
  membership: 'member',
  membershipNumber: 'OCCI-12345',
  sites: [
    { name: '本社', postalCode: '530-0001', address: '大阪府大阪市北区梅田1-1-1' },
    { name: '堺工場', postalCode: '5900001', address: '大阪府堺市堺区1-2-3' },
  ],
  consentTerms: true,
  consentMetadata: true,
  ...overrides,
});

function hasPdftotext(): boolean {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const at = (iso: string) => new Date(`${iso}T09:00:00+09:00`);

describe(`subscriber lifecycle and billing (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let platform: TestPlatform;
  let op: Session;
  const subscribers: Record<'member' | 'nonMember', { orgId: string; contractId: string; email: string; siteId: string; session?: Session }> = {} as never;

  const invoicesOf = async (orgId: string) =>
    (await platform.request(op, 'GET', `/api/v1/invoices?organizationId=${orgId}`)).json() as Array<{
      id: string; billingMonth: string | null; kind: string; subtotalYen: number; taxYen: number; totalYen: number; status: string; taxes: unknown; lines: Array<{ amountYen: number; description: string }>;
      periodStart: string; periodEnd: string; issueDate: string; dueDate: string; invoiceNumber: string; issuerRegistrationNumber: string;
    }>;
  /** Moves the clock; sessions idle out after 12 hours, so everybody signs in again. */
  const travel = async (date: string) => {
    platform.clock.set(at(date));
    op = await platform.signIn('op@billing.example');
    for (const s of Object.values(subscribers)) if (s.session) s.session = await platform.signIn(s.email, 'a brand new password 42');
  };
  const amounts = (i: { subtotalYen: number; taxYen: number; totalYen: number }) => [i.subtotalYen, i.taxYen, i.totalYen];

  beforeAll(async () => {
    platform = await startTestPlatform();
    platform.clock.set(at('2026-05-10'));
    const operatorId = await platform.createOrganization({ kind: 'operator', name: '大阪商工会議所' });
    await platform.createUser(operatorId, 'operator_admin', 'op@billing.example');
    op = await platform.signIn('op@billing.example');
    const issuer = await platform.request(op, 'PUT', '/api/v1/billing/issuer', {
      issuerName: '大阪商工会議所', registrationNumber: REGISTRATION, postalCode: '540-0029', address: '大阪府大阪市中央区本町橋2-8', phone: '06-6944-6400',
    });
    expect(issuer.statusCode, issuer.body).toBe(200);
  });
  afterAll(async () => platform?.close());

  it('refuses a bad issuer registration number with a field error', async () => {
    const response = await platform.request(op, 'PUT', '/api/v1/billing/issuer', { issuerName: 'x', registrationNumber: 'T7123456789013', postalCode: '540-0029', address: 'x' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details.fields).toEqual([{ field: 'body.registrationNumber', message: expect.stringMatching(/check digit/) }]);
  });

  it('takes applications, approves them and creates everything a subscriber needs', async () => {
    for (const [key, body] of [
      ['member', application({})],
      ['nonMember', application({ companyName: '梅田デザイン合同会社', email: 'info@umeda.example', contactName: '梅田 太郎', membership: 'non_member', membershipNumber: undefined, phone: '090-1234-5678', sites: [{ name: '事務所', postalCode: '530-0012', address: '大阪府大阪市北区芝田2-2' }] })],
    ] as const) {
      const submitted = await platform.request(null, 'POST', '/api/v1/applications', body);
      expect(submitted.statusCode, submitted.body).toBe(201);
      const id = submitted.json().id as string;
      expect(submitted.json()).toEqual({ id, status: 'pending' });

      const approved = await platform.request(op, 'POST', `/api/v1/applications/${id}/approve`, { startDate: '2026-05-20', insurancePolicyNumber: `POL-${key}` });
      expect(approved.statusCode, approved.body).toBe(200);
      const result = approved.json();
      expect(result.application.status).toBe('approved');
      expect(result.siteIds).toHaveLength(body.sites.length);
      subscribers[key] = { orgId: result.organizationId, contractId: result.contractId, email: body.email, siteId: result.siteIds[0] };

      const organization = (await platform.request(op, 'GET', `/api/v1/organizations/${result.organizationId}`)).json();
      expect(organization).toMatchObject({ kind: 'subscriber', name: body.companyName, membership: body.membership, prefecture: '大阪府' });
      const contract = (await platform.request(op, 'GET', `/api/v1/contracts/${result.contractId}`)).json();
      expect(contract).toMatchObject({ planCode: body.membership, startDate: '2026-05-20', endDate: null, status: 'scheduled', membershipVerifiedAt: null });
      const policy = await platform.database.db.selectFrom('insurancePolicies').selectAll().where('id', '=', result.insurancePolicyId).executeTakeFirstOrThrow();
      expect(policy).toMatchObject({ organizationId: result.organizationId, policyNumber: `POL-${key}`, periodStart: '2026-05-20', periodEnd: '2027-05-19', insurerOrganizationId: null });

      // The admin is invited with a one-time link and sets a password with it.
      const mails = await platform.services.outbox.list({ kind: 'organization', organizationId: result.organizationId }, { limit: 10 });
      const invitation = mails.find((m) => m.subject.includes('ご利用開始'));
      expect(invitation?.to).toBe(body.email);
      const token = /reset-password\?token=([\w-]+)/.exec(invitation!.text)![1]!;
      const confirmed = await platform.request(null, 'POST', '/api/v1/auth/password-reset/confirm', { token, password: 'a brand new password 42' });
      expect(confirmed.statusCode, confirmed.body).toBe(204);
      subscribers[key].session = await platform.signIn(body.email, 'a brand new password 42');

      const again = await platform.request(op, 'POST', `/api/v1/applications/${id}/approve`, { startDate: '2026-05-20', insurancePolicyNumber: 'X' });
      expect(again.statusCode).toBe(409);
    }
    const audit = await platform.database.db.selectFrom('auditLog').select('action').where('action', 'like', 'application.%').execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['application.approve', 'application.approve', 'application.submit', 'application.submit']);
  });

  it('ships an appliance to each new site, and the sensor enrolls with the code printed on the delivery note', async () => {
    const hasPdftotext = (() => {
      try {
        execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
    for (const [i, key] of (['member', 'nonMember'] as const).entries()) {
      const { siteId, orgId } = subscribers[key];
      const shipped = await platform.request(op, 'POST', `/api/v1/sites/${siteId}/shipments`, { serial: `OTK-000${i + 1}`, carrier: 'yamato', trackingNumber: `12345678901${i}`, shippedOn: '2026-05-15' });
      expect(shipped.statusCode, shipped.body).toBe(201);
      const delivered = await platform.request(op, 'POST', `/api/v1/shipments/${shipped.json().id}/delivered`, { deliveredOn: '2026-05-18' });
      expect(delivered.json().status).toBe('delivered');

      // The one-time enrollment code travels on the delivery note (the only copy of it).
      const note = await platform.request(op, 'GET', `/api/v1/shipments/${shipped.json().id}/delivery-note`);
      expect(note.headers['content-type']).toContain('application/pdf');
      if (!hasPdftotext) {
        console.warn('!!! pdftotext missing (apt-get install poppler-utils): enrollment from the delivery note not checked');
        continue;
      }
      const text = execFileSync('pdftotext', ['-', '-'], { input: note.rawPayload }).toString('utf8');
      expect(text).toContain('かんたん設定コード');
      const code = /otse_[\w-]+/.exec(text)![0];
      const enrolled = await platform.request(null, 'POST', '/api/v1/sensors/enroll', { code, hostname: `otasuke-box-${i + 1}` });
      expect(enrolled.statusCode, enrolled.body).toBe(200);
      expect(enrolled.json().sensorId).toBe(shipped.json().sensorId);
      const sensor = (await platform.request(op, 'GET', `/api/v1/sensors/${enrolled.json().sensorId}`)).json();
      expect(sensor).toMatchObject({ organizationId: orgId, siteId, status: 'active' });
      // The code is single use.
      expect((await platform.request(null, 'POST', '/api/v1/sensors/enroll', { code })).statusCode).toBe(401);
    }
  });

  it('lets the operator verify membership, recorded in the contract history and the audit log', async () => {
    const { contractId } = subscribers.member;
    const verified = await platform.request(op, 'POST', `/api/v1/contracts/${contractId}/membership-verification`, { verified: true, note: '会員名簿で確認' });
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json().membershipVerifiedAt).toBe(platform.clock.now().toISOString());
    const history = (await platform.request(op, 'GET', `/api/v1/contracts/${contractId}/history`)).json();
    expect(history.map((h: { action: string }) => h.action)).toEqual(['contract.create', 'contract.membership_verification']);
    // A subscriber admin may read its contract but not verify itself.
    const self = await platform.request(subscribers.member.session!, 'POST', `/api/v1/contracts/${contractId}/membership-verification`, { verified: true });
    expect(self.statusCode).toBe(403);
    expect((await platform.request(subscribers.member.session!, 'GET', `/api/v1/contracts/${contractId}`)).statusCode).toBe(200);
    expect((await platform.request(subscribers.member.session!, 'GET', `/api/v1/contracts/${subscribers.nonMember.contractId}`)).statusCode).toBe(404);
  });

  it('does not bill a month that is not over yet', async () => {
    await travel('2026-05-31');
    const response = await platform.request(op, 'POST', '/api/v1/billing/runs', { month: '2026-05' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details.fields).toEqual([{ field: 'body.month', message: 'month not over yet' }]);
  });

  it('issues the first, prorated invoices once, however often the job runs', async () => {
    await travel('2026-06-01');
    const first = await platform.request(op, 'POST', '/api/v1/billing/runs', { month: '2026-05' });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ month: '2026-05', created: 2, existing: 0, mailed: 2 });
    const second = (await platform.request(op, 'POST', '/api/v1/billing/runs', { month: '2026-05' })).json();
    expect(second).toMatchObject({ created: 0, existing: 2, mailed: 0 });
    // Both at once, as two schedulers might: still one invoice each.
    await Promise.all([platform.services.billing.runMonthly({ scope: null, ip: null, requestId: 'job-a' }, '2026-05'), platform.services.billing.runMonthly({ scope: null, ip: null, requestId: 'job-b' }, '2026-05')]);
    const count = await sql<{ n: number }>`select count(*)::int as n from invoices where billing_month = '2026-05'`.execute(platform.database.db);
    expect(count.rows[0]!.n).toBe(2);

    const [member] = await invoicesOf(subscribers.member.orgId);
    expect(amounts(member!)).toEqual([2322, 232, 2554]);
    expect(member).toMatchObject({ billingMonth: '2026-05', periodStart: '2026-05-20', periodEnd: '2026-05-31', issueDate: '2026-06-01', dueDate: '2026-07-01', status: 'unpaid', issuerRegistrationNumber: REGISTRATION });
    expect(member!.taxes).toEqual([{ taxRatePercent: 10, amountYen: 2322, taxYen: 232 }]);
    expect(member!.lines[0]!.description).toBe('お助け隊サービス（会員） 2026年5月分（日割 12/31日）');
    expect(member!.invoiceNumber).toMatch(/^INV-202605-\d{6}$/);
    const [nonMember] = await invoicesOf(subscribers.nonMember.orgId);
    expect(amounts(nonMember!)).toEqual([2903, 290, 3193]);

    // The mail links to the PDF (the outbox carries no attachments).
    const mails = await platform.services.outbox.list({ kind: 'organization', organizationId: subscribers.member.orgId }, { limit: 10 });
    const invoiceMail = mails.find((m) => m.subject.includes('ご請求書'));
    expect(invoiceMail?.subject).toBe(`【お助け隊】2026年5月分 ご請求書（${member!.invoiceNumber}）`);
    expect(invoiceMail?.text).toContain(`http://otasuke.test/api/v1/invoices/${member!.id}/pdf`);
    expect(invoiceMail?.text).toContain('¥2,554');
  });

  it('issues full-month invoices: ¥6,600 and ¥8,250', async () => {
    await travel('2026-07-01');
    expect((await platform.request(op, 'POST', '/api/v1/billing/runs', { month: '2026-06' })).json()).toMatchObject({ created: 2 });
    const june = async (orgId: string) => (await invoicesOf(orgId)).find((i) => i.billingMonth === '2026-06')!;
    expect(amounts(await june(subscribers.member.orgId))).toEqual([6000, 600, 6600]);
    expect(amounts(await june(subscribers.nonMember.orgId))).toEqual([7500, 750, 8250]);
  });

  it('records a payment of the exact total, and refuses other amounts with a field error', async () => {
    const [may] = await invoicesOf(subscribers.member.orgId);
    const wrong = await platform.request(op, 'POST', `/api/v1/invoices/${may!.id}/payments`, { paidOn: '2026-06-15', amountYen: 2500 });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.details.fields).toEqual([{ field: 'body.amountYen', message: 'must be 2554' }]);
    const paid = await platform.request(op, 'POST', `/api/v1/invoices/${may!.id}/payments`, { paidOn: '2026-06-15', amountYen: 2554 });
    expect(paid.statusCode, paid.body).toBe(200);
    expect(paid.json()).toMatchObject({ status: 'paid', paidOn: '2026-06-15', paidAmountYen: 2554 });
    expect((await platform.request(op, 'POST', `/api/v1/invoices/${may!.id}/payments`, { paidOn: '2026-06-15', amountYen: 2554 })).statusCode).toBe(409);
    // The subscriber cannot mark its own invoice paid.
    const [june] = (await invoicesOf(subscribers.member.orgId)).filter((i) => i.billingMonth === '2026-06');
    expect((await platform.request(subscribers.member.session!, 'POST', `/api/v1/invoices/${june!.id}/payments`, { paidOn: '2026-07-02', amountYen: 6600 })).statusCode).toBe(403);
  });

  it('cancels with an end date and issues the final prorated invoices', async () => {
    for (const key of ['member', 'nonMember'] as const) {
      const cancelled = await platform.request(op, 'POST', `/api/v1/contracts/${subscribers[key].contractId}/cancel`, { endDate: '2026-07-10', reason: '事業縮小のため' });
      expect(cancelled.statusCode, cancelled.body).toBe(200);
      expect(cancelled.json()).toMatchObject({ endDate: '2026-07-10', status: 'cancelling', cancellationReason: '事業縮小のため' });
    }
    await travel('2026-08-01');
    expect((await platform.request(op, 'POST', '/api/v1/billing/runs', { month: '2026-07' })).json()).toMatchObject({ created: 2 });
    const july = async (orgId: string) => (await invoicesOf(orgId)).find((i) => i.billingMonth === '2026-07')!;
    const member = await july(subscribers.member.orgId);
    expect(amounts(member)).toEqual([1935, 193, 2128]);
    expect(member).toMatchObject({ periodStart: '2026-07-01', periodEnd: '2026-07-10' });
    expect(member.lines[0]!.description).toBe('お助け隊サービス（会員） 2026年7月分（日割 10/31日）');
    expect(amounts(await july(subscribers.nonMember.orgId))).toEqual([2419, 241, 2660]);

  });

  it('marks unpaid invoices overdue and reminds once a week (clock injected)', async () => {
    // On 2026-08-02: member June (due 07-31), non-member May (due 07-01) and June (due 07-31) are past due;
    // member May is paid, the July invoices are due 08-31.
    await travel('2026-08-02');
    const first = (await platform.request(op, 'POST', '/api/v1/billing/reminders')).json();
    expect(first).toEqual({ markedOverdue: 3, reminded: 3 });
    expect((await platform.request(op, 'POST', '/api/v1/billing/reminders')).json()).toEqual({ markedOverdue: 0, reminded: 0 });
    await travel('2026-08-10');
    expect((await platform.request(op, 'POST', '/api/v1/billing/reminders')).json()).toEqual({ markedOverdue: 0, reminded: 3 });
    const reminders = (await platform.services.outbox.list({ kind: 'organization', organizationId: subscribers.nonMember.orgId }, { limit: 50 })).filter((m) => m.subject.includes('お支払期限'));
    expect(reminders).toHaveLength(4);
    expect((await invoicesOf(subscribers.nonMember.orgId)).filter((i) => i.status === 'overdue')).toHaveLength(2);
  });

  it('corrects an invoice with a credit note referring to it', async () => {
    const july = (await invoicesOf(subscribers.nonMember.orgId)).find((i) => i.billingMonth === '2026-07')!;
    const response = await platform.request(op, 'POST', `/api/v1/invoices/${july.id}/credit-notes`, { reason: '解約日の誤り' });
    expect(response.statusCode, response.body).toBe(201);
    const note = response.json();
    expect(note).toMatchObject({ kind: 'credit_note', creditsInvoiceId: july.id, billingMonth: null, subtotalYen: -2419, taxYen: -241, totalYen: -2660 });
    expect(note.invoiceNumber).toMatch(/^CN-202608-\d{6}$/);
    expect(note.note).toBe(`${july.invoiceNumber} の訂正: 解約日の誤り`);
    // Nothing is left to credit.
    const more = await platform.request(op, 'POST', `/api/v1/invoices/${july.id}/credit-notes`, { reason: 'もう一度', lines: [{ description: '値引き', amountYen: 1, taxRatePercent: 10 }] });
    expect(more.statusCode).toBe(400);
    expect(more.json().error.details.fields[0].field).toBe('body.lines');
  });

  it('exports a month for the accounting system: UTF-8 with BOM, one row per invoice line', async () => {
    const response = await platform.request(op, 'GET', '/api/v1/invoices/export.csv?month=2026-07');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    const raw = response.rawPayload;
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = raw.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(rows[0]).toMatch(/^請求書番号,種別,元請求書ID,請求先ID,請求先名,/);
    expect(rows).toHaveLength(3); // header + two July invoices (the credit note was issued in August)
    expect(rows.some((r) => r.includes('さくら精機株式会社') && r.endsWith(',1935,1935,193,1935,193,2128'))).toBe(true);
    expect(rows.some((r) => r.endsWith(',2419,2419,241,2419,241,2660'))).toBe(true);
    const august = (await platform.request(op, 'GET', '/api/v1/invoices/export.csv?month=2026-08')).rawPayload.toString('utf8').trimEnd().split('\r\n');
    expect(august[1]).toMatch(/^CN-202608-\d{6},返還請求書,/);
    expect(august[1]).toMatch(/,-2419,-2419,-241,-2419,-241,-2660$/);
    expect((await platform.request(subscribers.member.session!, 'GET', '/api/v1/invoices/export.csv?month=2026-07')).statusCode).toBe(403);
  });

  it('shows a subscriber its own invoices and nobody else\'s', async () => {
    const mine = (await platform.request(subscribers.member.session!, 'GET', '/api/v1/invoices')).json();
    expect(mine).toHaveLength(3);
    expect(new Set(mine.map((i: { organizationId: string }) => i.organizationId))).toEqual(new Set([subscribers.member.orgId]));
    const theirs = (await invoicesOf(subscribers.nonMember.orgId))[0]!;
    const other = await platform.request(subscribers.member.session!, 'GET', `/api/v1/invoices/${theirs.id}`);
    const missing = await platform.request(subscribers.member.session!, 'GET', '/api/v1/invoices/00000000-0000-4000-8000-000000000000');
    expect(other.statusCode).toBe(404);
    expect(other.json().error).toEqual(missing.json().error);
    expect((await platform.request(subscribers.member.session!, 'GET', `/api/v1/invoices/${theirs.id}/pdf`)).statusCode).toBe(404);
    const filtered = (await platform.request(subscribers.member.session!, 'GET', `/api/v1/invoices?organizationId=${subscribers.nonMember.orgId}`)).json();
    expect(filtered).toEqual([]);
  });

  it('serves its own invoice as a PDF to the subscriber', async () => {
    const [invoice] = await invoicesOf(subscribers.member.orgId);
    const response = await platform.request(subscribers.member.session!, 'GET', `/api/v1/invoices/${invoice!.id}/pdf`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    if (!hasPdftotext()) {
      console.warn('SKIPPING the text check of the served invoice PDF: pdftotext (poppler-utils) is not installed');
      return;
    }
    const file = join(mkdtempSync(join(tmpdir(), 'otasuke-served-')), 'invoice.pdf');
    writeFileSync(file, response.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    for (const expected of ['適格請求書', `登録番号:${REGISTRATION}`, 'さくら精機株式会社御中', invoice!.invoiceNumber, '10%対象（税抜）¥2,322', '10%対象消費税¥232', '合計（税込）¥2,554']) {
      expect(text, expected).toContain(expected);
    }
  });

  it('bills nothing after the contract ended', async () => {
    await travel('2026-09-01');
    expect((await platform.request(op, 'POST', '/api/v1/billing/runs', { month: '2026-08' })).json()).toMatchObject({ created: 0, existing: 0 });
    expect((await platform.request(op, 'GET', `/api/v1/contracts/${subscribers.member.contractId}`)).json().status).toBe('ended');
  });
});

describe('a billing run that fails half-way', () => {
  let platform: TestPlatform;
  afterAll(async () => platform?.close());

  it('resumes without duplicates and mails every invoice once', async () => {
    platform = await startTestPlatform();
    platform.clock.set(at('2026-04-01'));
    const cli = { scope: null, ip: null, requestId: 'job' };
    const operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.services.billingRepository.putIssuer(operatorId, { issuerName: '運営', registrationNumber: REGISTRATION, postalCode: '540-0029', address: '大阪市', paymentTermDays: 30 }, platform.clock.now());
    const orgs: string[] = [];
    for (const [name, membership] of [['一号商店', 'member'], ['二号商店', 'non_member'], ['三号商店', 'member']] as const) {
      const orgId = await platform.createOrganization({ kind: 'subscriber', name, membership });
      await platform.createUser(orgId, 'subscriber_admin', `admin@${orgs.length}.example`);
      await platform.services.contracts.create(cli, { organizationId: orgId, planCode: membership, startDate: '2026-03-01' });
      orgs.push(orgId);
    }
    const insert = platform.services.billingRepository.insertInvoice.bind(platform.services.billingRepository);
    let calls = 0;
    const spy = vi.spyOn(platform.services.billingRepository, 'insertInvoice').mockImplementation(async (...args) => {
      if (++calls === 2) throw new Error('database went away');
      return insert(...args);
    });
    await expect(platform.services.billing.runMonthly(cli, '2026-03')).rejects.toThrow('database went away');
    expect(await platform.database.db.selectFrom('invoices').select('organizationId').execute()).toEqual([{ organizationId: orgs[0] }]);
    expect(await platform.database.db.selectFrom('invoiceLines').select('organizationId').execute()).toEqual([{ organizationId: orgs[0] }]);
    spy.mockRestore();

    const resumed = await platform.services.billing.runMonthly(cli, '2026-03');
    expect(resumed).toMatchObject({ created: 2, existing: 1, mailed: 3 });
    const rows = await platform.database.db.selectFrom('invoices').select(['organizationId', 'totalYen']).orderBy('totalYen').execute();
    expect(rows.map((r) => r.totalYen)).toEqual([6600, 6600, 8250]);
    expect(new Set(rows.map((r) => r.organizationId))).toEqual(new Set(orgs));
    const mails = await platform.services.outbox.list({ kind: 'all' }, { limit: 50 });
    expect(mails.filter((m) => m.subject.includes('ご請求書'))).toHaveLength(3);
    expect(await platform.services.billing.runMonthly(cli, '2026-03')).toMatchObject({ created: 0, existing: 3, mailed: 0 });
  });
});
