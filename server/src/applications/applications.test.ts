/** The public application form: clear field errors for bad input, duplicates refused, operator review. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';

const valid = {
  companyName: '北浜テック株式会社',
  representativeName: '北浜 一郎',
  contactName: '北浜 次郎',
  email: 'Jiro@Kitahama.example',
  phone: '+81 6-1234-5678',
  postalCode: '5410041',
  prefecture: '大阪府',
  city: '大阪市中央区',
  address: '北浜1-1',
  employees: 8,
  membership: 'non_member',
  sites: [{ name: '本社', postalCode: '541-0041', address: '大阪府大阪市中央区北浜1-1' }],
  consentTerms: true,
  consentMetadata: true,
};

describe('applications', () => {
  let platform: TestPlatform;
  let op: Session;

  beforeAll(async () => {
    platform = await startTestPlatform();
    const operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.createUser(operatorId, 'operator_admin', 'op@apply.example');
    await platform.createUser(operatorId, 'analyst', 'analyst@apply.example');
    op = await platform.signIn('op@apply.example');
  });
  afterAll(async () => platform?.close());

  const fieldsOf = async (body: unknown) => {
    const response = await platform.request(null, 'POST', '/api/v1/applications', body);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
    return (response.json().error.details.fields as Array<{ field: string; message: string }>).map((f) => f.field).sort();
  };

  it('names each bad field', async () => {
    expect(await fieldsOf({ ...valid, postalCode: '530-00001' })).toEqual(['body.postalCode']);
    expect(await fieldsOf({ ...valid, postalCode: '〒530' })).toEqual(['body.postalCode']);
    expect(await fieldsOf({ ...valid, sites: [{ ...valid.sites[0], postalCode: '12-34567' }] })).toEqual(['body.sites.0.postalCode']);
    for (const phone of ['1234567890', '06-1234-567', '090-1234-56789', '03-1234-abcd', '+1 212 555 0100', '0120-12-345']) {
      expect(await fieldsOf({ ...valid, phone }), phone).toEqual(['body.phone']);
    }
    expect(await fieldsOf({ ...valid, membership: 'member' })).toEqual(['body.membershipNumber']);
    expect(await fieldsOf({ ...valid, membership: 'member', membershipNumber: '会員番号' })).toEqual(['body.membershipNumber']);
    expect(await fieldsOf({ ...valid, email: 'not-an-address' })).toEqual(['body.email']);
    expect(await fieldsOf({ ...valid, consentTerms: false, consentMetadata: false })).toEqual(['body.consentMetadata', 'body.consentTerms']);
    expect(await fieldsOf({ ...valid, sites: [] })).toEqual(['body.sites']);
    expect(await fieldsOf({ ...valid, employees: 0 })).toEqual(['body.employees']);
    const message = (await platform.request(null, 'POST', '/api/v1/applications', { ...valid, phone: '12345' })).json().error.details.fields[0].message;
    expect(message).toMatch(/Japanese number/);
  });

  it('accepts the Japanese phone formats and normalizes what it stores', async () => {
    const phones = ['06-1234-5678', '090-1234-5678', '(03)1234-5678', '050 1234 5678', '0120-123-456', '+81 90-1234-5678'];
    const stored: string[] = [];
    for (const [i, phone] of phones.entries()) {
      const response = await platform.request(null, 'POST', '/api/v1/applications', { ...valid, companyName: `電話テスト${i}`, phone });
      expect(response.statusCode, `${phone}: ${response.body}`).toBe(201);
      stored.push((await platform.request(op, 'GET', `/api/v1/applications/${response.json().id}`)).json().phone);
    }
    expect(stored).toEqual(['0612345678', '09012345678', '0312345678', '05012345678', '0120123456', '09012345678']);
  });

  it('refuses a duplicate open application with 409 and the fields, and allows it once the first is closed', async () => {
    const first = await platform.request(null, 'POST', '/api/v1/applications', valid);
    expect(first.statusCode, first.body).toBe(201);
    const stored = (await platform.request(op, 'GET', `/api/v1/applications/${first.json().id}`)).json();
    expect(stored).toMatchObject({ email: 'jiro@kitahama.example', postalCode: '541-0041', phone: '0612345678', status: 'pending' });
    const duplicate = await platform.request(null, 'POST', '/api/v1/applications', { ...valid, companyName: ' 北浜テック株式会社 ', email: 'jiro@kitahama.example' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.code).toBe('conflict');
    expect(duplicate.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual(['body.companyName', 'body.email']);

    const rejected = await platform.request(op, 'POST', `/api/v1/applications/${first.json().id}/reject`, { reason: '対象地域外のため' });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({ status: 'rejected', reviewNote: '対象地域外のため' });
    expect((await platform.request(null, 'POST', '/api/v1/applications', valid)).statusCode).toBe(201);
    const mails = await platform.services.outbox.list({ kind: 'all' }, { limit: 100 });
    expect(mails.filter((m) => m.to === 'jiro@kitahama.example').map((m) => m.subject)).toEqual(
      expect.arrayContaining(['【お助け隊】お申し込みを受け付けました', '【お助け隊】お申し込みについて']),
    );
  });

  it('asks for more information, then approves; a closed application cannot be reviewed again', async () => {
    const id = (await platform.request(null, 'POST', '/api/v1/applications', { ...valid, companyName: '追加情報株式会社', email: 'more@info.example' })).json().id;
    const asked = await platform.request(op, 'POST', `/api/v1/applications/${id}/request-info`, { message: '拠点の住所を番地までお知らせください。' });
    expect(asked.json().status).toBe('info_requested');
    const mail = (await platform.services.outbox.list({ kind: 'all' }, { limit: 100 })).find((m) => m.to === 'more@info.example' && m.subject.includes('確認'));
    expect(mail?.text).toContain('拠点の住所を番地までお知らせください。');
    const approved = await platform.request(op, 'POST', `/api/v1/applications/${id}/approve`, { startDate: '2026-04-15', minimumTermMonths: 12, insurancePolicyNumber: 'TM-0001' });
    expect(approved.statusCode, approved.body).toBe(200);
    const contract = (await platform.request(op, 'GET', `/api/v1/contracts/${approved.json().contractId}`)).json();
    expect(contract).toMatchObject({ planCode: 'non_member', minimumTermMonths: 12 });
    expect((await platform.request(op, 'POST', `/api/v1/applications/${id}/reject`, { reason: 'x' })).statusCode).toBe(409);
    // The minimum term: 2026-04-15 + 12 months − 1 day = 2027-04-14 is the earliest end.
    const early = await platform.request(op, 'POST', `/api/v1/contracts/${contract.id}/cancel`, { endDate: '2027-04-13', reason: '早期解約' });
    expect(early.statusCode).toBe(400);
    expect(early.json().error.details.fields).toEqual([{ field: 'body.endDate', message: 'must be on or after 2027-04-14' }]);
    expect((await platform.request(op, 'POST', `/api/v1/contracts/${contract.id}/cancel`, { endDate: '2027-04-14', reason: '満了' })).statusCode).toBe(200);
  });

  it('refuses approval when the applicant address already has an account', async () => {
    const id = (await platform.request(null, 'POST', '/api/v1/applications', { ...valid, companyName: '重複アカウント株式会社', email: 'op@apply.example' })).json().id;
    const response = await platform.request(op, 'POST', `/api/v1/applications/${id}/approve`, { startDate: '2026-04-15', insurancePolicyNumber: 'TM-0002' });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.details.fields).toEqual([{ field: 'email', message: 'already in use by a user' }]);
  });

  it('lets operator staff read applications but only operator_admin decide', async () => {
    const analyst = await platform.signIn('analyst@apply.example');
    expect((await platform.request(analyst, 'GET', '/api/v1/applications?status=pending')).statusCode).toBe(200);
    const [pending] = (await platform.request(analyst, 'GET', '/api/v1/applications?status=pending')).json();
    expect((await platform.request(analyst, 'POST', `/api/v1/applications/${pending.id}/reject`, { reason: 'x' })).statusCode).toBe(403);
  });
});
