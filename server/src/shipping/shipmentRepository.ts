import type { Shipment, ShipmentCreate, ShipmentQuery, ShipmentStatus } from '@otasuke/shared';
import type { Selectable } from 'kysely';
import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';
import type { ShipmentsTable } from '../db/tables.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';

// Every column but the stored delivery note, which only its own query reads.
const shipmentColumns = ['id', 'organizationId', 'siteId', 'serial', 'carrier', 'trackingNumber', 'status', 'shippedOn', 'deliveredOn', 'returnedOn', 'note', 'createdAt', 'sensorId'] as const;

const toShipment = (r: Omit<Selectable<ShipmentsTable>, 'deliveryNotePdf'>): Shipment => ({
  id: r.id,
  organizationId: r.organizationId,
  siteId: r.siteId,
  serial: r.serial,
  carrier: r.carrier,
  trackingNumber: r.trackingNumber,
  status: r.status,
  shippedOn: r.shippedOn,
  deliveredOn: r.deliveredOn,
  returnedOn: r.returnedOn,
  note: r.note,
  createdAt: r.createdAt.toISOString(),
  sensorId: r.sensorId,
});

const isUniqueViolation = (err: unknown) => (err as { code?: string } | null)?.code === '23505';

/** Appliances shipped to subscribers' sites. Every call is tenant-filtered. */
export class ShipmentRepository {
  constructor(private readonly db: Db) {}

  /** Undefined when the serial is already out (shipped or delivered, not returned). */
  async create(site: { id: string; organizationId: string }, input: ShipmentCreate): Promise<Shipment | undefined> {
    try {
      const row = await this.db
        .insertInto('shipments')
        .values({ organizationId: site.organizationId, siteId: site.id, serial: input.serial, carrier: input.carrier, trackingNumber: input.trackingNumber, shippedOn: input.shippedOn, note: input.note ?? null })
        .returning(shipmentColumns)
        .executeTakeFirstOrThrow();
      return toShipment(row);
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
  }

  async list(filter: TenantFilter, query: ShipmentQuery): Promise<Shipment[]> {
    let q = restrictToTenant(this.db.selectFrom('shipments').select(shipmentColumns), 'organizationId', filter);
    if (query.organizationId) q = q.where('organizationId', '=', query.organizationId);
    if (query.siteId) q = q.where('siteId', '=', query.siteId);
    if (query.status) q = q.where('status', '=', query.status);
    return (await q.orderBy('createdAt').orderBy('id').execute()).map(toShipment);
  }

  async get(filter: TenantFilter, id: string): Promise<Shipment | undefined> {
    const row = await restrictToTenant(this.db.selectFrom('shipments').select(shipmentColumns).where('id', '=', id), 'organizationId', filter).executeTakeFirst();
    return row && toShipment(row);
  }

  async attachDeliveryNote(id: string, sensorId: string, pdf: Buffer): Promise<void> {
    await this.db.updateTable('shipments').set({ sensorId, deliveryNotePdf: pdf }).where('id', '=', id).execute();
  }

  async storedDeliveryNote(filter: TenantFilter, id: string): Promise<Buffer | null> {
    const row = await restrictToTenant(this.db.selectFrom('shipments').select('deliveryNotePdf').where('id', '=', id), 'organizationId', filter).executeTakeFirst();
    return row?.deliveryNotePdf ?? null;
  }

  /** Moves a shipment from one of `from` to `to`; undefined when it is in another state (or not visible). */
  async transition(
    filter: TenantFilter,
    id: string,
    from: readonly ShipmentStatus[],
    to: ShipmentStatus,
    changes: { deliveredOn?: string; returnedOn?: string; note?: string | null },
  ): Promise<Shipment | undefined> {
    const row = await restrictToTenant(this.db.updateTable('shipments').set({ ...changes, status: to }).where('id', '=', id).where('status', 'in', from), 'organizationId', filter)
      .returning(shipmentColumns)
      .executeTakeFirst();
    return row && toShipment(row);
  }
}
