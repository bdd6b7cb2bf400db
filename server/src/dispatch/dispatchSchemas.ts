/**
 * Response shapes of the dispatch pages (server-side: the shared DispatchJob plus the names a person
 * reads). The vendor is told the subscriber's company name with the place and contact — what it
 * needs at the door — and nothing else of the subscriber.
 */
import { DispatchJob, DispatchOffer } from '@otasuke/shared';
import { z } from 'zod';

export const DispatchOfferDetail = DispatchOffer.extend({ vendorName: z.string() }).meta({ id: 'DispatchOfferDetail' });

export const DispatchJobDetail = DispatchJob.extend({
  companyName: z.string().describe('the subscriber whose site it is'),
  vendorName: z.string().nullable().describe('the vendor holding the job'),
  /** Desk and customer only (null for vendors), with the vendors' names. */
  offers: z.array(DispatchOfferDetail).nullable(),
}).meta({ id: 'DispatchJobDetail' });
export type DispatchJobDetail = z.infer<typeof DispatchJobDetail>;

/** The desk's offer: without a vendor, the best candidate not yet asked; with one, that candidate. */
export const DispatchOfferRequest = z
  .object({ vendorId: z.uuid().optional().describe('a vendor from GET /dispatch/jobs/:id/candidates (the desk’s choice, e.g. the customer asks for the vendor of last time)') })
  .meta({ id: 'DispatchOfferRequest' });
export type DispatchOfferRequest = z.infer<typeof DispatchOfferRequest>;
