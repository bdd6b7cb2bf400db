import { z } from 'zod';
import { Id } from './organizations.ts';
import { IsoDate } from './billing.ts';

export const Carrier = z.enum(['yamato', 'sagawa', 'japan_post', 'other']);
export type Carrier = z.infer<typeof Carrier>;
export const ShipmentStatus = z.enum(['shipped', 'delivered', 'returned']);
export type ShipmentStatus = z.infer<typeof ShipmentStatus>;

/** Hyphens and spaces dropped, letters upper-cased: 1234-5678-9012 → 123456789012. */
const TrackingNumber = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s-]/g, '').toUpperCase())
  .refine((v) => /^[0-9A-Z]{8,20}$/.test(v), 'tracking number: 8 to 20 letters or digits');

/**
 * ヤマト運輸 and 佐川急便 number parcels with 12 digits; 日本郵便 with 11–13 digits or an
 * international-style code (AB123456789JP).
 */
function trackingFits(carrier: Carrier, number: string): boolean {
  if (carrier === 'yamato' || carrier === 'sagawa') return /^\d{12}$/.test(number);
  if (carrier === 'japan_post') return /^\d{11,13}$/.test(number) || /^[A-Z]{2}\d{9}[A-Z]{2}$/.test(number);
  return true;
}

export const ShipmentCreate = z
  .object({
    serial: z.string().trim().regex(/^[0-9A-Za-z-]{4,40}$/, 'serial: 4 to 40 letters, digits or hyphens'),
    carrier: Carrier,
    trackingNumber: TrackingNumber,
    shippedOn: IsoDate,
    note: z.string().trim().max(500).optional(),
  })
  .superRefine((s, ctx) => {
    if (!trackingFits(s.carrier, s.trackingNumber)) {
      ctx.addIssue({ code: 'custom', path: ['trackingNumber'], message: s.carrier === 'japan_post' ? 'Japan Post tracking numbers have 11 to 13 digits' : 'this carrier uses 12-digit tracking numbers' });
    }
  })
  .meta({ id: 'ShipmentCreate' });
export type ShipmentCreate = z.infer<typeof ShipmentCreate>;

export const Shipment = z
  .object({
    id: Id,
    organizationId: Id,
    siteId: Id,
    serial: z.string(),
    carrier: Carrier,
    trackingNumber: z.string(),
    status: ShipmentStatus,
    shippedOn: IsoDate,
    deliveredOn: IsoDate.nullable(),
    returnedOn: IsoDate.nullable(),
    note: z.string().nullable(),
    createdAt: z.iso.datetime(),
    /** The sensor this appliance enrolls as (its code is printed on the delivery note). */
    sensorId: Id.nullable(),
  })
  .meta({ id: 'Shipment' });
export type Shipment = z.infer<typeof Shipment>;

export const ShipmentDelivered = z.object({ deliveredOn: IsoDate }).meta({ id: 'ShipmentDelivered' });
export const ShipmentReturned = z.object({ returnedOn: IsoDate, note: z.string().trim().max(500).optional() }).meta({ id: 'ShipmentReturned' });
export const ShipmentQuery = z.object({ organizationId: Id.optional(), siteId: Id.optional(), status: ShipmentStatus.optional() });
export type ShipmentQuery = z.infer<typeof ShipmentQuery>;
