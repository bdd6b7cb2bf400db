import { BundleBuildRequest, BundlePolicy, BundlePolicyCreate, BundlePolicyUpdate, BundlePublicKey, BundleStatus, BundleSummary } from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, sensorOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';
import { BundleVersionInfo, SensorBundleList, SensorBundleQuery } from './bundleFleetSchemas.ts';

const tags = ['bundles'];
const operatorAdmin = { roles: ['operator_admin'] } as const;
const operatorStaff = { roles: ['operator_admin', 'analyst', 'helpdesk'] } as const;
const IdParam = z.object({ id: z.uuid() });
const binary = z.any().meta({ type: 'string', format: 'binary' });

export const BUNDLE_SIGNATURE_HEADER = 'x-otasuke-signature';

export function bundleRoutes({ bundles }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/sensors/me/bundle',
      {
        config: { access: { sensor: true } },
        schema: {
          tags,
          summary: "The latest rules/IOC bundle of the sensor's policy: gzip JSON, ETag = version (send If-None-Match), x-otasuke-signature = base64 Ed25519 of the body",
          security: [{ sensorCredential: [] }],
          produces: ['application/gzip'],
          response: { 200: binary, 304: z.null() },
        },
      },
      async (request, reply) => {
        const bundle = await bundles.forSensor(sensorOf(request), request.headers['if-none-match']);
        reply.header('etag', `"${bundle.version}"`).header('cache-control', 'no-cache');
        if (bundle.status === 'not_modified') return reply.status(304).send(null);
        return reply.type('application/gzip').header(BUNDLE_SIGNATURE_HEADER, bundle.signature).send(bundle.body);
      },
    );
    app.get(
      '/bundles/public-key',
      { config: { access: { public: true } }, schema: { tags, summary: 'The public key (PEM, SPKI) that verifies bundle signatures', response: { 200: BundlePublicKey } } },
      async () => bundles.publicKey(),
    );
    app.get(
      '/bundles',
      { config: { access: operatorStaff }, schema: { tags, summary: 'Per policy: the latest bundle and how many sensors run it', response: { 200: z.array(BundleStatus) } } },
      async () => bundles.status(),
    );
    app.get(
      '/bundles/versions',
      { config: { access: operatorStaff }, schema: { tags, summary: 'The kept bundles of every policy: version, created, signature, content counts, sensors on each', response: { 200: z.array(BundleVersionInfo) } } },
      async () => bundles.versions(),
    );
    app.get(
      '/bundles/sensors',
      { config: { access: operatorStaff }, schema: { tags, summary: "Which active sensor runs which bundle version against its policy's latest (behind first)", querystring: SensorBundleQuery, response: { 200: SensorBundleList } } },
      async (request) => bundles.sensorBundles(request.query),
    );
    app.post(
      '/bundles/build',
      {
        config: { access: operatorAdmin },
        schema: { tags, summary: 'Build (and sign) the bundle of one policy, or of every policy', body: BundleBuildRequest.optional(), response: { 200: z.array(BundleSummary) } },
      },
      async (request) => bundles.build(requestContext(request), request.body?.policy),
    );
    app.get(
      '/bundle-policies',
      { config: { access: operatorStaff }, schema: { tags, summary: 'Bundle policies', response: { 200: z.array(BundlePolicy) } } },
      async () => bundles.listPolicies(),
    );
    app.post(
      '/bundle-policies',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Create a bundle policy', body: BundlePolicyCreate, response: { 201: BundlePolicy } } },
      async (request, reply) => reply.status(201).send(await bundles.createPolicy(requestContext(request), request.body)),
    );
    app.patch(
      '/bundle-policies/:id',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Change a bundle policy (build afterwards)', params: IdParam, body: BundlePolicyUpdate, response: { 200: BundlePolicy } } },
      async (request) => bundles.updatePolicy(requestContext(request), request.params.id, request.body),
    );
    app.put(
      '/organizations/:id/bundle-policy',
      {
        config: { access: operatorAdmin },
        schema: { tags, summary: "Put a subscriber on a bundle policy (null = 'standard')", params: IdParam, body: z.object({ policyId: z.uuid().nullable() }), response: { 200: BundlePolicy } },
      },
      async (request) => bundles.setOrganizationPolicy(requestContext(request), request.params.id, request.body.policyId),
    );
  };
}
