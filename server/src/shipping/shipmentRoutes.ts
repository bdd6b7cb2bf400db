import { Shipment, ShipmentCreate, ShipmentDelivered, ShipmentQuery, ShipmentReturned } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contractReaders } from '../contracts/contractRoutes.ts';
import { requestContext, scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

const operatorAdmin = { roles: ['operator_admin'] } as const;
const IdParam = z.object({ id: z.uuid() });
const tags = ['shipping'];

export function shipmentRoutes({ shipping }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/shipments',
      { config: { access: contractReaders }, schema: { tags, summary: 'Appliance shipments you can see', querystring: ShipmentQuery, response: { 200: z.array(Shipment) } } },
      async (request) => shipping.list(scopeOf(request), request.query),
    );
    app.post(
      '/sites/:id/shipments',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Record an appliance shipped to a site', params: IdParam, body: ShipmentCreate, response: { 201: Shipment } } },
      async (request, reply) => reply.status(201).send(await shipping.create(requestContext(request), request.params.id, request.body)),
    );
    app.get('/shipments/:id', { config: { access: contractReaders }, schema: { tags, params: IdParam, response: { 200: Shipment } } }, async (request) => shipping.get(scopeOf(request), request.params.id));
    app.post(
      '/shipments/:id/delivered',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Record the delivery', params: IdParam, body: ShipmentDelivered, response: { 200: Shipment } } },
      async (request) => shipping.delivered(requestContext(request), request.params.id, request.body.deliveredOn),
    );
    app.post(
      '/shipments/:id/returned',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Record the return of the appliance', params: IdParam, body: ShipmentReturned, response: { 200: Shipment } } },
      async (request) => shipping.returned(requestContext(request), request.params.id, request.body.returnedOn, request.body.note),
    );
    app.get(
      '/shipments/:id/delivery-note',
      { config: { access: contractReaders }, schema: { tags, summary: 'The delivery note (納品書) as a PDF', params: IdParam, produces: ['application/pdf'], response: { 200: z.any().meta({ type: 'string', format: 'binary' }) } } },
      async (request, reply) => reply.type('application/pdf').send(await shipping.deliveryNote(scopeOf(request), request.params.id)),
    );
  };
}
