/**
 * Authentication is on for every route. A route states who may call it in `config.access`:
 * `{ public: true }` for the few open ones (health, login, OpenAPI), `{ sensor: true }` for routes
 * only an enrolled sensor calls (its credential as `Authorization: Bearer ots_…`; users and API tokens
 * are refused there, and a sensor credential opens nothing else), or the roles allowed. A route
 * that states nothing makes the server refuse to start (see app.ts onRoute), so a forgotten guard
 * can never ship.
 */
import type { Role } from '@otasuke/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import type { AccessScope, RequestContext } from '../access/accessScope.ts';
import type { AuthService } from '../auth/authService.ts';
import type { SensorIdentity } from '../enrollment/enrollmentService.ts';
import { AppError, ForbiddenError, UnauthenticatedError } from './errors.ts';

export type RouteAccess = { public: true } | { sensor: true } | { roles: readonly Role[] };

export interface SensorAuthenticator {
  authenticateSensor(bearer: string): Promise<SensorIdentity | null>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    scope: AccessScope | null;
    csrfToken: string | null;
    sensor: SensorIdentity | null;
  }
}

export const SESSION_COOKIE = 'otasuke_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function requestContext(request: FastifyRequest): RequestContext {
  return { scope: request.scope, ip: request.ip ?? null, requestId: request.id };
}

/** The caller's scope, for handlers of guarded routes (the guard has already checked it). */
export function scopeOf(request: FastifyRequest): AccessScope {
  if (!request.scope) throw new UnauthenticatedError();
  return request.scope;
}

/** The calling sensor, for handlers of `{ sensor: true }` routes (the guard has already checked it). */
export function sensorOf(request: FastifyRequest): SensorIdentity {
  if (!request.sensor) throw new UnauthenticatedError('a sensor credential is required');
  return request.sensor;
}

export function accessGuard(auth: AuthService, sensors: SensorAuthenticator) {
  return async function guard(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    request.scope = null;
    request.csrfToken = null;
    request.sensor = null;
    const access = request.routeOptions.config.access;
    if (!access) {
      // Only the not-found handler gets here (every registered route has a guard).
      return;
    }
    if ('sensor' in access) {
      // Sensor routes take only a sensor credential: no cookie, no API token.
      const authorization = request.headers.authorization;
      request.sensor = authorization?.startsWith('Bearer ') ? await sensors.authenticateSensor(authorization.slice(7).trim()) : null;
      if (!request.sensor) throw new UnauthenticatedError('a valid sensor credential is required (Authorization: Bearer ots_…); the sensor may be revoked or re-enrolled');
      return;
    }
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) {
      request.scope = await auth.authenticateApiToken(authorization.slice(7).trim());
      if (!request.scope && !('public' in access)) throw new UnauthenticatedError('the API token is invalid or revoked');
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      const session = cookie ? await auth.authenticateSession(cookie) : null;
      if (session) {
        request.scope = session.scope;
        request.csrfToken = session.csrfToken;
        // Cookies ride along with cross-site requests; a write must also prove it came from our page.
        if (!SAFE_METHODS.has(request.method) && !auth.csrfMatches(session.csrfToken, headerValue(request.headers['x-csrf-token']))) {
          throw new AppError('csrf_failed', 403, 'missing or wrong x-csrf-token header; reload the page and try again');
        }
      }
    }
    if ('public' in access) return;
    if (!request.scope) throw new UnauthenticatedError();
    if (!access.roles.includes(request.scope.role)) throw new ForbiddenError();
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
