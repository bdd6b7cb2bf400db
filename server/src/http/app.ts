/**
 * The HTTP API: Fastify with zod schemas from @otasuke/shared on every request and response, the
 * OpenAPI 3.1 document generated from them, one access guard, one error mapper, request ids in
 * every log line, and Prometheus metrics. Route handlers are one line calling a service.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { apiTokenRoutes } from '../tokens/apiTokenRoutes.ts';
import { applicationRoutes } from '../applications/applicationRoutes.ts';
import { billingRoutes } from '../billing/billingRoutes.ts';
import { contractRoutes } from '../contracts/contractRoutes.ts';
import { enrollmentRoutes } from '../enrollment/enrollmentRoutes.ts';
import { auditRoutes } from '../audit/auditRoutes.ts';
import { authRoutes } from '../auth/authRoutes.ts';
import { healthRoutes } from '../health/healthRoutes.ts';
import { kpiRoutes } from '../kpi/kpiRoutes.ts';
import { organizationRoutes } from '../organizations/organizationRoutes.ts';
import { shipmentRoutes } from '../shipping/shipmentRoutes.ts';
import { userRoutes } from '../users/userRoutes.ts';
import { bundleRoutes } from '../bundles/bundleRoutes.ts';
import { feedRoutes } from '../feeds/feedRoutes.ts';
import { sensorHealthRoutes } from '../sensorHealth/sensorHealthRoutes.ts';
import { ingestRoutes } from '../ingest/ingestRoutes.ts';
import { alertRoutes } from '../alerts/alertRoutes.ts';
import { incidentRoutes } from '../incidents/incidentRoutes.ts';
import { acknowledgementLinkRoutes, notificationRoutes } from '../notifications/notificationRoutes.ts';
import { suppressionRoutes } from '../suppressions/suppressionRoutes.ts';
import { statsRoutes } from '../stats/statsRoutes.ts';
import { subscriberDirectoryRoutes } from '../subscriberDirectory/subscriberDirectoryRoutes.ts';
import { helpdeskRoutes } from '../helpdesk/helpdeskRoutes.ts';
import { dispatchRoutes } from '../dispatch/dispatchRoutes.ts';
import { vendorStaffRoutes } from '../dispatch/vendorStaffRoutes.ts';
import { insuranceRoutes } from '../insurance/insuranceRoutes.ts';
import { liveEventRoutes } from '../liveEvents/liveEventRoutes.ts';
import { accessGuard, type RouteAccess } from './accessGuard.ts';
import { errorBody, mapError } from './errorMapper.ts';
import type { Services } from './services.ts';

export interface AppOptions {
  services: Services;
  logger?: FastifyBaseLogger | boolean;
  bodyLimitBytes?: number;
  cookieSecure?: boolean;
  /** Folder of the built console (web/dist); served when it exists. */
  webDist?: string;
  publicUrl?: string;
}

export interface RouteGuardEntry {
  method: string;
  url: string;
  access: RouteAccess;
}

const REQUEST_ID = /^[\w.:-]{1,64}$/;

export async function buildApp(options: AppOptions): Promise<FastifyInstance & { routeGuards: RouteGuardEntry[] }> {
  const { services } = options;
  const app = Fastify({
    loggerInstance: typeof options.logger === 'object' ? options.logger : undefined,
    logger: typeof options.logger === 'boolean' ? options.logger : undefined,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    // A caller-supplied id (from a proxy) is kept when it is sane, so logs line up end to end.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const routeGuards: RouteGuardEntry[] = [];
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!access) throw new Error(`route ${methods.join(',')} ${route.url} has no access guard: set config.access to { public: true }, { sensor: true } or { roles: [...] }`);
    for (const method of methods) if (method !== 'HEAD') routeGuards.push({ method, url: route.url, access });
  });

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const requests = new Counter({ name: 'otasuke_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers: [metrics] });
  const durations = new Histogram({
    name: 'otasuke_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    durations.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
  });

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Otasuke API', version: '1.0.0', description: 'サイバーセキュリティお助け隊 platform API' },
      servers: options.publicUrl ? [{ url: options.publicUrl }] : [],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'otasuke_session' },
          apiToken: { type: 'http', scheme: 'bearer' },
          sensorCredential: { type: 'http', scheme: 'bearer', description: 'a sensor credential (ots_…) from POST /api/v1/sensors/enroll' },
        },
      },
      security: [{ session: [] }, { apiToken: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  app.addHook('onRequest', accessGuard(services.auth, services.enrollment));
  app.setErrorHandler((error, request, reply) => mapError(error as Error, request, reply));

  await app.register(healthRoutes(services, metrics));
  await app.register(acknowledgementLinkRoutes(services));
  app.get('/api/openapi.json', { config: { access: { public: true } }, schema: { hide: true } }, async () => app.swagger());
  await app.register(
    async (api) => {
      await api.register(authRoutes(services, { secure: options.cookieSecure ?? false }));
      await api.register(organizationRoutes(services));
      await api.register(userRoutes(services));
      await api.register(apiTokenRoutes(services));
      await api.register(auditRoutes(services));
      await api.register(contractRoutes(services));
      await api.register(billingRoutes(services));
      await api.register(applicationRoutes(services));
      await api.register(shipmentRoutes(services));
      await api.register(kpiRoutes(services));
      await api.register(enrollmentRoutes(services));
      await api.register(sensorHealthRoutes(services));
      await api.register(bundleRoutes(services));
      await api.register(feedRoutes(services));
      await api.register(ingestRoutes(services));
      await api.register(alertRoutes(services));
      await api.register(incidentRoutes(services));
      await api.register(suppressionRoutes(services));
      await api.register(statsRoutes(services));
      await api.register(subscriberDirectoryRoutes(services));
      await api.register(helpdeskRoutes(services));
      await api.register(dispatchRoutes(services));
      await api.register(vendorStaffRoutes(services));
      await api.register(insuranceRoutes(services));
      await api.register(notificationRoutes(services));
      await api.register(liveEventRoutes(services));
    },
    { prefix: '/api/v1' },
  );

  const webDist = options.webDist;
  const indexHtml = webDist && existsSync(join(webDist, 'index.html')) ? readFileSync(join(webDist, 'index.html'), 'utf8') : undefined;
  if (webDist && indexHtml) {
    await app.register(fastifyStatic, { root: webDist, prefix: '/', wildcard: false, index: false, serve: false });
    app.get('/*', { config: { access: { public: true } }, schema: { hide: true } }, async (request, reply) => {
      const path = (request.params as { '*': string })['*'];
      const file = join(webDist, path);
      // Built assets are served as files; every other path is a console route (the SPA decides).
      if (path && !path.includes('..') && existsSync(file) && !file.endsWith('/')) {
        return reply.sendFile(path, webDist, { maxAge: path.startsWith('assets/') ? '365d' : 0, immutable: path.startsWith('assets/') });
      }
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(indexHtml);
    });
  }

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody(request, 'not_found', `no route for ${request.method} ${request.url.split('?')[0]}`)),
  );

  await app.ready();
  return Object.assign(app, { routeGuards });
}
