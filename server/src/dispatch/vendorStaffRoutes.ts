/** The vendor registry's staff accounts: who of a vendor signs in to the vendor portal. */
import { User } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';
import { VendorStaffCreate, VendorStaffMember } from './vendorStaffSchemas.ts';

/** Who reads the registry (GET /vendors) reads its accounts; only operator_admin changes them. */
const registryReaders = { roles: ['operator_admin', 'analyst', 'helpdesk'] } as const;
const operatorAdmin = { roles: ['operator_admin'] } as const;
const tags = ['dispatch'];

export function vendorStaffRoutes({ vendorStaff }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/vendors/:id/staff',
      {
        config: { access: registryReaders },
        schema: { tags, summary: 'The vendor’s portal accounts (its vendor_staff users, disabled ones included) and where each invitation stands', params: z.object({ id: z.uuid() }), response: { 200: z.array(VendorStaffMember) } },
      },
      async (request) => vendorStaff.list(scopeOf(request), request.params.id),
    );
    app.post(
      '/vendors/:id/staff',
      {
        config: { access: operatorAdmin },
        schema: {
          tags,
          summary: 'Add a portal account for the vendor and mail the person an invitation to set a password (Japanese first; link valid 7 days, once)',
          params: z.object({ id: z.uuid() }),
          body: VendorStaffCreate,
          response: { 201: User },
        },
      },
      async (request, reply) => reply.status(201).send(await vendorStaff.add(requestContext(request), request.params.id, request.body)),
    );
    app.post(
      '/vendors/:id/staff/:userId/invitation',
      {
        config: { access: operatorAdmin },
        schema: {
          tags,
          summary: 'Mail a new invitation link to a person who has not set a password yet (their earlier links stop working; valid 7 days, once). Already accepted or disabled → 409 with details.reason',
          params: z.object({ id: z.uuid(), userId: z.uuid() }),
          response: { 200: VendorStaffMember },
        },
      },
      async (request) => vendorStaff.resendInvitation(requestContext(request), request.params.id, request.params.userId),
    );
    app.delete(
      '/vendors/:id/staff/:userId',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Disable a portal account of the vendor (sessions end; the account stays for the record)', params: z.object({ id: z.uuid(), userId: z.uuid() }), response: { 200: User } } },
      async (request) => vendorStaff.deactivate(requestContext(request), request.params.id, request.params.userId),
    );
  };
}
