/** Schemas of the statistics page's series (top signatures, detections per month); the table's own are in @otasuke/shared. */
import { DetectionStats, IsoDate } from '@otasuke/shared';
import { z } from 'zod';

export const TopSignaturesQuery = z.object({
  from: IsoDate.describe('first day of the period (Japan), YYYY-MM-DD'),
  to: IsoDate.describe('last day of the period (Japan), included'),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});
export type TopSignaturesQuery = z.infer<typeof TopSignaturesQuery>;

export const TopSignature = z
  .object({
    gid: z.number().int(),
    signatureId: z.number().int(),
    signature: z.string(),
    direction: z.enum(['inbound', 'outbound']),
    box: z.enum(['ips', 'virus', 'other']).describe('ips = engines rule and ioc, virus = file, other = behaviour (as in the detection table)'),
    detections: z.number().int(),
    companies: z.number().int(),
  })
  .meta({ id: 'TopSignature' });
export type TopSignature = z.infer<typeof TopSignature>;

export const TopSignatures = z
  .object({ from: IsoDate, to: IsoDate, signatures: z.array(TopSignature) })
  .meta({ id: 'TopSignatures' });
export type TopSignatures = z.infer<typeof TopSignatures>;

export const MonthlyDetectionsQuery = z.object({
  from: IsoDate.describe('first day of the period (Japan)'),
  to: IsoDate.describe('last day of the period (Japan), included; at most 24 calendar months'),
});
export type MonthlyDetectionsQuery = z.infer<typeof MonthlyDetectionsQuery>;

export const MonthlyDetections = z
  .object({
    from: IsoDate,
    to: IsoDate,
    /** One detection table per calendar month of the period, each clipped to the period. */
    months: z.array(z.object({ month: z.string().describe('YYYY-MM'), stats: DetectionStats })),
  })
  .meta({ id: 'MonthlyDetections' });
export type MonthlyDetections = z.infer<typeof MonthlyDetections>;
