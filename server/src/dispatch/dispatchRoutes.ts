import {
  DispatchArrival,
  DispatchCandidate,
  DispatchCreate,
  DispatchDecline,
  DispatchFileUpload,
  DispatchJob,
  DispatchReport,
  VendorProfile,
  VendorProfileInput,
} from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';
import { DispatchJobDetail, DispatchOfferRequest } from './dispatchSchemas.ts';

const deskStaff = { roles: ['operator_admin', 'analyst', 'helpdesk'] } as const;
const vendorStaff = { roles: ['vendor_staff'] } as const;
const subscriberPeople = { roles: ['subscriber_admin', 'subscriber_member'] } as const;
export const jobReaders = { roles: ['operator_admin', 'analyst', 'helpdesk', 'subscriber_admin', 'subscriber_member', 'vendor_staff'] } as const;
const IdParam = z.object({ id: z.uuid() });
const tags = ['dispatch'];
const binary = z.any().meta({ type: 'string', format: 'binary' });

export function dispatchRoutes({ dispatch }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/vendors',
      { config: { access: deskStaff }, schema: { tags, summary: 'The vendor registry (areas, skills, hours, rates, capacity, contact, open jobs)', response: { 200: z.array(VendorProfile) } } },
      async () => dispatch.listVendors(),
    );
    app.put(
      '/vendors/:id',
      { config: { access: { roles: ['operator_admin'] } }, schema: { tags, summary: 'Register or update the profile of a vendor organization', params: IdParam, body: VendorProfileInput, response: { 200: VendorProfile } } },
      async (request) => dispatch.putVendor(requestContext(request), request.params.id, request.body),
    );
    app.post(
      '/dispatch/jobs',
      { config: { access: deskStaff }, schema: { tags, summary: 'Create an on-site job from a ticket or incident', body: DispatchCreate, response: { 200: DispatchJob } } },
      async (request) => dispatch.create(requestContext(request), request.body),
    );
    app.get(
      '/dispatch/jobs',
      { config: { access: jobReaders }, schema: { tags, summary: 'Jobs (staff: all; customers: their own; vendors: the ones offered to or held by them)', querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }), response: { 200: z.array(DispatchJobDetail) } } },
      async (request) => dispatch.list(scopeOf(request), request.query.limit),
    );
    app.get(
      '/dispatch/jobs/:id',
      { config: { access: jobReaders }, schema: { tags, summary: 'One job (vendors see only what the job needs)', params: IdParam, response: { 200: DispatchJobDetail } } },
      async (request) => dispatch.get(scopeOf(request), request.params.id),
    );
    app.get(
      '/dispatch/jobs/:id/files/:fileId',
      {
        config: { access: jobReaders },
        schema: { tags, summary: 'Download a photo or document of a job (its vendor, its customer, the desk)', params: z.object({ id: z.uuid(), fileId: z.uuid() }), produces: ['application/octet-stream'], response: { 200: binary } },
      },
      async (request, reply) => {
        const file = await dispatch.file(scopeOf(request), request.params.id, request.params.fileId);
        // Served as an attachment with its own type; nosniff so an uploaded HTML file never runs here.
        return reply
          .type(file.contentType)
          .header('x-content-type-options', 'nosniff')
          .header('content-disposition', `attachment; filename="${asciiName(file.fileName)}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
          .send(file.content);
      },
    );
    app.get(
      '/dispatch/jobs/:id/candidates',
      { config: { access: deskStaff }, schema: { tags, summary: 'Vendors that could take the job, best first (same city, then prefecture; skill; room)', params: IdParam, response: { 200: z.array(DispatchCandidate) } } },
      async (request) => dispatch.candidates(scopeOf(request), request.params.id),
    );
    app.post(
      '/dispatch/jobs/:id/offer',
      {
        config: { access: deskStaff },
        schema: {
          tags,
          summary: 'Offer the job to the best vendor not yet asked, or to the candidate the desk names in vendorId (mailed; declines and expiries move on to the next best by themselves)',
          params: IdParam,
          body: DispatchOfferRequest.nullish(),
          response: { 200: DispatchJob },
        },
      },
      async (request) => dispatch.offer(requestContext(request), request.params.id, request.body?.vendorId),
    );
    app.post(
      '/dispatch/expire-offers',
      { config: { access: { roles: ['operator_admin'] } }, schema: { tags, summary: 'Expire offers past their deadline and offer those jobs to the next vendor (also run by the scheduler)', response: { 200: z.object({ expired: z.number().int() }) } } },
      async (request) => dispatch.expireOffers(requestContext(request)),
    );
    app.post(
      '/dispatch/jobs/:id/accept',
      { config: { access: vendorStaff }, schema: { tags, summary: 'Accept the job offered to your company (before its deadline)', params: IdParam, response: { 200: DispatchJob } } },
      async (request) => dispatch.accept(requestContext(request), request.params.id),
    );
    app.post(
      '/dispatch/jobs/:id/decline',
      { config: { access: vendorStaff }, schema: { tags, summary: 'Decline the job offered to your company', params: IdParam, body: DispatchDecline, response: { 200: z.object({ declined: z.literal(true) }) } } },
      async (request) => dispatch.decline(requestContext(request), request.params.id, request.body.reason),
    );
    app.post(
      '/dispatch/jobs/:id/arrival',
      { config: { access: vendorStaff }, schema: { tags, summary: 'Record arrival on site', params: IdParam, body: DispatchArrival, response: { 200: DispatchJob } } },
      async (request) => dispatch.arrive(requestContext(request), request.params.id, request.body.arrivedAt),
    );
    app.post(
      '/dispatch/jobs/:id/files',
      { config: { access: vendorStaff }, bodyLimit: 2 * 1024 * 1024, schema: { tags, summary: 'Attach a photo or document (base64, at most 1 MiB)', params: IdParam, body: DispatchFileUpload, response: { 200: DispatchJob } } },
      async (request) => dispatch.addFile(requestContext(request), request.params.id, request.body),
    );
    app.post(
      '/dispatch/jobs/:id/report',
      { config: { access: vendorStaff }, schema: { tags, summary: 'Close the visit with work done, time, cost and the report', params: IdParam, body: DispatchReport, response: { 200: DispatchJob } } },
      async (request) => dispatch.report(requestContext(request), request.params.id, request.body),
    );
    app.post(
      '/dispatch/jobs/:id/sign-off',
      { config: { access: subscriberPeople }, schema: { tags, summary: 'The customer signs off the vendor’s report', params: IdParam, response: { 200: DispatchJob } } },
      async (request) => dispatch.signOff(requestContext(request), request.params.id),
    );
  };
}

/** A quoted-string-safe fallback name for old clients (the UTF-8 name goes in filename*). */
function asciiName(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return ascii.trim() === '' ? 'file' : ascii;
}
