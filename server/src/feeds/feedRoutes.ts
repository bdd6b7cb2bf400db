import { FeedImportResult, ThreatFeed, ThreatFeedCreate } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';
import { FeedOverview } from './feedOverviewSchemas.ts';

const tags = ['feeds'];
const operatorAdmin = { roles: ['operator_admin'] } as const;
const operatorStaff = { roles: ['operator_admin', 'analyst', 'helpdesk'] } as const;
const IdParam = z.object({ id: z.uuid() });

/** The request body as the feed's bytes: text and files as sent, a JSON document re-serialised. */
function uploadOf(body: unknown): Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (Buffer.isBuffer(body)) return body.length > 0 ? body : undefined;
  if (typeof body === 'string') return body.length > 0 ? Buffer.from(body, 'utf8') : undefined;
  return Buffer.from(JSON.stringify(body), 'utf8');
}

export function feedRoutes({ feeds }: Services): FastifyPluginAsyncZod {
  const bodyLimit = feeds.maxUploadBytes;
  return async (app) => {
    // Feed files come as CSV or arbitrary bytes too; only inside this plugin.
    app.addContentTypeParser(['text/csv', 'application/octet-stream', 'application/xml', 'text/xml'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    app.get('/feeds', { config: { access: operatorStaff }, schema: { tags, summary: 'Threat feeds and their last import', response: { 200: z.array(ThreatFeed) } } }, async () => feeds.list());
    app.get(
      '/feeds/overview',
      { config: { access: operatorStaff }, schema: { tags, summary: 'Threat feeds with their last import, last successful import and the policies that carry them', response: { 200: z.array(FeedOverview) } } },
      async () => feeds.overview(),
    );
    app.get('/feeds/:id', { config: { access: operatorStaff }, schema: { tags, summary: 'One threat feed', params: IdParam, response: { 200: ThreatFeed } } }, async (request) => feeds.get(request.params.id));
    app.post(
      '/feeds',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Register a threat feed (uploaded files, or an http(s) URL imported on a schedule)', body: ThreatFeedCreate, response: { 201: ThreatFeed } } },
      async (request, reply) => reply.status(201).send(await feeds.create(requestContext(request), request.body)),
    );
    app.post(
      '/feeds/:id/import',
      {
        bodyLimit,
        config: { access: operatorAdmin },
        schema: {
          tags,
          summary: "Import the feed: the request body is the feed file; without a body the feed's URL is fetched. Rebuilds the bundles of policies using it",
          params: IdParam,
          body: z.any().optional(),
          response: { 200: FeedImportResult },
        },
      },
      async (request) => feeds.importFeed(requestContext(request), request.params.id, uploadOf(request.body)),
    );
  };
}
