/** Appliance shipments: field errors, the shipped → delivered → returned states, the delivery note PDF. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';

function hasTool(tool: string): boolean {
  try {
    execFileSync(tool, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const poppler = hasTool('pdftoppm') && hasTool('pdftotext');
if (!poppler) console.warn('SKIPPING the delivery note PDF text check: pdftoppm/pdftotext (poppler-utils) are not installed');

describe('shipping', () => {
  let platform: TestPlatform;
  let op: Session;
  let admin: Session;
  let siteId: string;
  let otherSiteId: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    const operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.createUser(operatorId, 'operator_admin', 'op@ship.example');
    op = await platform.signIn('op@ship.example');
    const orgId = await platform.createOrganization({ kind: 'subscriber', name: 'さくら精機株式会社', membership: 'member' });
    await platform.createUser(orgId, 'subscriber_admin', 'admin@sakura.example');
    admin = await platform.signIn('admin@sakura.example');
    siteId = (await platform.request(op, 'POST', `/api/v1/organizations/${orgId}/sites`, { name: '本社', postalCode: '5300001', address: '大阪府大阪市北区梅田1-1-1' })).json().id;
    const otherId = await platform.createOrganization({ kind: 'subscriber', name: '他社', membership: 'non_member' });
    otherSiteId = (await platform.request(op, 'POST', `/api/v1/organizations/${otherId}/sites`, { name: '他社本社' })).json().id;
  });
  afterAll(async () => platform?.close());

  it('names bad fields', async () => {
    const fields = async (body: Record<string, unknown>) => {
      const response = await platform.request(op, 'POST', `/api/v1/sites/${siteId}/shipments`, { serial: 'OTK-0001', carrier: 'yamato', trackingNumber: '1234-5678-9012', shippedOn: '2026-04-01', ...body });
      expect(response.statusCode, response.body).toBe(400);
      return response.json().error.details.fields.map((f: { field: string }) => f.field);
    };
    expect(await fields({ trackingNumber: '1234-5678' })).toEqual(['body.trackingNumber']);
    expect(await fields({ carrier: 'sagawa', trackingNumber: 'AB123456789JP' })).toEqual(['body.trackingNumber']);
    expect(await fields({ serial: 'シリアル' })).toEqual(['body.serial']);
    expect(await fields({ carrier: 'fedex' })).toEqual(['body.carrier']);
    expect(await fields({ shippedOn: '2026-13-01' })).toEqual(['body.shippedOn']);
  });

  it('ships, delivers and takes back an appliance; a serial is out once at a time', async () => {
    const created = await platform.request(op, 'POST', `/api/v1/sites/${siteId}/shipments`, { serial: 'OTK-0001', carrier: 'yamato', trackingNumber: '1234-5678-9012', shippedOn: '2026-04-01' });
    expect(created.statusCode, created.body).toBe(201);
    const shipment = created.json();
    expect(shipment).toMatchObject({ status: 'shipped', trackingNumber: '123456789012', siteId });
    const again = await platform.request(op, 'POST', `/api/v1/sites/${otherSiteId}/shipments`, { serial: 'OTK-0001', carrier: 'japan_post', trackingNumber: 'AB123456789JP', shippedOn: '2026-04-02' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.details.fields).toEqual([{ field: 'body.serial', message: 'already shipped' }]);

    expect((await platform.request(op, 'POST', `/api/v1/shipments/${shipment.id}/delivered`, { deliveredOn: '2026-03-31' })).statusCode).toBe(400);
    const delivered = await platform.request(op, 'POST', `/api/v1/shipments/${shipment.id}/delivered`, { deliveredOn: '2026-04-02' });
    expect(delivered.json()).toMatchObject({ status: 'delivered', deliveredOn: '2026-04-02' });
    expect((await platform.request(op, 'POST', `/api/v1/shipments/${shipment.id}/delivered`, { deliveredOn: '2026-04-03' })).statusCode).toBe(409);

    // The subscriber follows its shipment but cannot change it.
    expect((await platform.request(admin, 'GET', `/api/v1/shipments?siteId=${siteId}`)).json()).toHaveLength(1);
    expect((await platform.request(admin, 'POST', `/api/v1/shipments/${shipment.id}/returned`, { returnedOn: '2026-05-01' })).statusCode).toBe(403);

    const returned = await platform.request(op, 'POST', `/api/v1/shipments/${shipment.id}/returned`, { returnedOn: '2027-04-20', note: '解約による返却' });
    expect(returned.json()).toMatchObject({ status: 'returned', returnedOn: '2027-04-20', note: '解約による返却' });
    // Back home, the appliance can go out again.
    expect((await platform.request(op, 'POST', `/api/v1/sites/${otherSiteId}/shipments`, { serial: 'OTK-0001', carrier: 'japan_post', trackingNumber: 'AB123456789JP', shippedOn: '2027-05-01' })).statusCode).toBe(201);
    const actions = await platform.database.db.selectFrom('auditLog').select('action').where('action', 'like', 'shipment.%').execute();
    expect(actions.map((a) => a.action)).toEqual(['shipment.create', 'shipment.delivered', 'shipment.returned', 'shipment.create']);
  });

  it.skipIf(!poppler)('prints a Japanese delivery note', async () => {
    const [shipment] = (await platform.request(admin, 'GET', '/api/v1/shipments')).json();
    const response = await platform.request(admin, 'GET', `/api/v1/shipments/${shipment.id}/delivery-note`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    const dir = join(tmpdir(), 'otasuke-invoice-pdf');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'delivery-note.pdf');
    writeFileSync(file, response.rawPayload);
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', file, join(dir, 'delivery-note')]);
    expect(existsSync(join(dir, 'delivery-note.png'))).toBe(true);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    for (const expected of ['納品書', 'さくら精機株式会社御中', '〒530-0001大阪府大阪市北区梅田1-1-1', 'OTK-0001', 'ヤマト運輸', '123456789012', '設置のしかた']) expect(text, expected).toContain(expected);
  });
});
