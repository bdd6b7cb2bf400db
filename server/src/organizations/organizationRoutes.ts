import {
  Organization, OrganizationCreate, OrganizationKind, OrganizationUpdate, Sensor, SensorCreate, Site, SiteCreate, SiteUpdate, roles,
} from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

const anyone = { roles } as const;
const admins = { roles: ['operator_admin', 'subscriber_admin'] } as const;
const IdParam = z.object({ id: z.uuid() });

export function organizationRoutes({ organizations }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/organizations',
      { config: { access: anyone }, schema: { tags: ['organizations'], summary: 'Organizations you can see', querystring: z.object({ kind: OrganizationKind.optional() }), response: { 200: z.array(Organization) } } },
      async (request) => organizations.list(scopeOf(request), request.query.kind),
    );
    app.post(
      '/organizations',
      { config: { access: { roles: ['operator_admin'] } }, schema: { tags: ['organizations'], summary: 'Create an organization', body: OrganizationCreate, response: { 201: Organization } } },
      async (request, reply) => reply.status(201).send(await organizations.create(requestContext(request), request.body)),
    );
    app.get(
      '/organizations/:id',
      { config: { access: anyone }, schema: { tags: ['organizations'], params: IdParam, response: { 200: Organization } } },
      async (request) => organizations.get(scopeOf(request), request.params.id),
    );
    app.patch(
      '/organizations/:id',
      { config: { access: admins }, schema: { tags: ['organizations'], params: IdParam, body: OrganizationUpdate, response: { 200: Organization } } },
      async (request) => organizations.update(requestContext(request), request.params.id, request.body),
    );

    app.get(
      '/sites',
      { config: { access: anyone }, schema: { tags: ['sites'], summary: 'Sites you can see', querystring: z.object({ organizationId: z.uuid().optional() }), response: { 200: z.array(Site) } } },
      async (request) => organizations.listSites(scopeOf(request), request.query.organizationId),
    );
    app.post(
      '/organizations/:id/sites',
      { config: { access: admins }, schema: { tags: ['sites'], summary: "Add a site to a subscriber", params: IdParam, body: SiteCreate, response: { 201: Site } } },
      async (request, reply) => reply.status(201).send(await organizations.createSite(requestContext(request), request.params.id, request.body)),
    );
    app.get(
      '/sites/:id',
      { config: { access: anyone }, schema: { tags: ['sites'], params: IdParam, response: { 200: Site } } },
      async (request) => organizations.getSite(scopeOf(request), request.params.id),
    );
    app.patch(
      '/sites/:id',
      { config: { access: admins }, schema: { tags: ['sites'], params: IdParam, body: SiteUpdate, response: { 200: Site } } },
      async (request) => organizations.updateSite(requestContext(request), request.params.id, request.body),
    );
    app.delete(
      '/sites/:id',
      { config: { access: admins }, schema: { tags: ['sites'], params: IdParam, response: { 204: z.null() } } },
      async (request, reply) => {
        await organizations.deleteSite(requestContext(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/sensors',
      { config: { access: anyone }, schema: { tags: ['sensors'], summary: 'Sensors you can see', querystring: z.object({ siteId: z.uuid().optional() }), response: { 200: z.array(Sensor) } } },
      async (request) => organizations.listSensors(scopeOf(request), request.query.siteId),
    );
    app.post(
      '/sites/:id/sensors',
      { config: { access: admins }, schema: { tags: ['sensors'], summary: 'Register a sensor at a site', params: IdParam, body: SensorCreate, response: { 201: Sensor } } },
      async (request, reply) => reply.status(201).send(await organizations.createSensor(requestContext(request), request.params.id, request.body)),
    );
    app.get(
      '/sensors/:id',
      { config: { access: anyone }, schema: { tags: ['sensors'], params: IdParam, response: { 200: Sensor } } },
      async (request) => organizations.getSensor(scopeOf(request), request.params.id),
    );
    app.post(
      '/sensors/:id/revoke',
      { config: { access: admins }, schema: { tags: ['sensors'], summary: 'Revoke a sensor (it can no longer send data)', params: IdParam, response: { 200: Sensor } } },
      async (request) => organizations.revokeSensor(requestContext(request), request.params.id),
    );
  };
}
