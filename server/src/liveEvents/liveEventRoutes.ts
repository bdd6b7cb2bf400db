/**
 * `GET /api/v1/events`: the console's live stream (server-sent events, `text/event-stream`). Each
 * `incident.created` / `incident.updated` event carries a LiveIncidentEvent as JSON; a comment line
 * every 15 s keeps proxies from closing the connection. Same sign-in as every route (the session
 * cookie, or an API token); the reader gets only the incidents it may see. The plumbing below only
 * moves text to the socket: what is sent, to whom, and when is LiveEventHub's.
 */
import { LiveIncidentEvent } from '@otasuke/shared';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AccessScope } from '../access/accessScope.ts';
import type { AuthService } from '../auth/authService.ts';
import { scopeOf, SESSION_COOKIE } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';
import { incidentReaders } from '../incidents/incidentRoutes.ts';

/** A reader further behind than this (bytes queued on its socket) is dropped; it reconnects. */
const MAX_QUEUED_BYTES = 1024 * 1024;

/** The same credential, asked again: false once the session ended or the user changed. */
function credentialCheck(auth: AuthService, request: FastifyRequest, scope: AccessScope): () => Promise<boolean> {
  const authorization = request.headers.authorization;
  const cookie = request.cookies[SESSION_COOKIE];
  const same = (now: AccessScope | null | undefined) => !!now && now.userId === scope.userId && now.role === scope.role && now.organizationId === scope.organizationId;
  if (authorization?.startsWith('Bearer ')) {
    const token = authorization.slice(7).trim();
    return async () => same(await auth.authenticateApiToken(token));
  }
  return async () => (cookie ? same((await auth.authenticateSession(cookie))?.scope) : false);
}

export function liveEventRoutes({ liveEvents, auth }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    // Open streams would keep the server from closing: end them first.
    app.addHook('preClose', async () => liveEvents.close());
    app.get(
      '/events',
      {
        config: { access: incidentReaders },
        // A HEAD would open a stream with nothing to carry.
        exposeHeadRoute: false,
        schema: {
          tags: ['events'],
          summary:
            'Live events (server-sent events): `incident.created` and `incident.updated`, each `data:` line one LiveIncidentEvent, only for incidents the reader may see; a comment every 15 s; 429 past 5 open streams per user',
          produces: ['text/event-stream'],
          response: { 200: LiveIncidentEvent },
        },
      },
      async (request, reply) => {
        const scope = scopeOf(request);
        // Refused (429) before anything is written, as a normal error answer.
        const start = liveEvents.admit(scope);
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          // The socket ends with the stream: nothing idles on after it (a closing server waits for none).
          connection: 'close',
          // nginx and similar proxies would otherwise hold the events back.
          'x-accel-buffering': 'no',
          'x-request-id': request.id,
          'x-content-type-options': 'nosniff',
        });
        const stop = start({
          scope,
          stillValid: credentialCheck(auth, request, scope),
          sink: {
            write: (chunk) => {
              if (raw.destroyed || raw.writableEnded) return false;
              raw.write(chunk);
              return raw.writableLength <= MAX_QUEUED_BYTES;
            },
            end: () => {
              if (!raw.writableEnded) raw.end();
            },
          },
        });
        // The browser went away (tab closed, network lost): forget the stream at once.
        raw.on('close', stop);
      },
    );
  };
}
