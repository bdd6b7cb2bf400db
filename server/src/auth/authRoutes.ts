import { LoginRequest, LoginResponse, PasswordChange, PasswordResetConfirm, PasswordResetRequest, SessionInfo, TotpRequest, roles } from '@otasuke/shared';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestContext, scopeOf, SESSION_COOKIE } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';
import type { LoginOutcome } from './authService.ts';

const anyone = { roles } as const;

export function authRoutes(services: Services, cookie: { secure: boolean }): FastifyPluginAsyncZod {
  const setSessionCookie = (reply: FastifyReply, outcome: LoginOutcome) => {
    if (outcome.sessionToken) {
      reply.setCookie(SESSION_COOKIE, outcome.sessionToken, { httpOnly: true, sameSite: 'lax', secure: cookie.secure, path: '/' });
    }
    return outcome.response;
  };

  return async (app) => {
    app.post(
      '/auth/login',
      {
        config: { access: { public: true } },
        schema: { tags: ['auth'], summary: 'Sign in with email and password', body: LoginRequest, response: { 200: LoginResponse } },
      },
      async (request, reply) =>
        setSessionCookie(reply, await services.auth.login(requestContext(request), request.body.email, request.body.password, request.headers['user-agent'] ?? null)),
    );

    app.post(
      '/auth/login/totp',
      {
        config: { access: { public: true } },
        schema: { tags: ['auth'], summary: 'Second sign-in step: the 6-digit code (or first code when setting TOTP up)', body: TotpRequest, response: { 200: LoginResponse } },
      },
      async (request, reply) =>
        setSessionCookie(reply, await services.auth.completeTotp(requestContext(request), request.body.challenge, request.body.code, request.headers['user-agent'] ?? null)),
    );

    app.post(
      '/auth/logout',
      { config: { access: anyone }, schema: { tags: ['auth'], summary: 'Sign out (ends this session)', response: { 204: z.null() } } },
      async (request, reply) => {
        await services.auth.logout(requestContext(request));
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/auth/me',
      { config: { access: anyone }, schema: { tags: ['auth'], summary: 'The signed-in user, organization and CSRF token', response: { 200: SessionInfo } } },
      async (request) => services.auth.sessionInfo(scopeOf(request), request.csrfToken ?? ''),
    );

    app.post(
      '/auth/password',
      { config: { access: anyone }, schema: { tags: ['auth'], summary: 'Change your own password (signs out every session)', body: PasswordChange, response: { 204: z.null() } } },
      async (request, reply) => {
        await services.auth.changePassword(requestContext(request), request.body.currentPassword, request.body.newPassword);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/auth/password-reset/request',
      {
        config: { access: { public: true } },
        schema: { tags: ['auth'], summary: 'Mail a one-time reset link (answers the same whether or not the address exists)', body: PasswordResetRequest, response: { 202: z.null() } },
      },
      async (request, reply) => {
        await services.auth.requestPasswordReset(requestContext(request), request.body.email);
        return reply.status(202).send(null);
      },
    );

    app.post(
      '/auth/password-reset/confirm',
      { config: { access: { public: true } }, schema: { tags: ['auth'], summary: 'Set a new password with the mailed token', body: PasswordResetConfirm, response: { 204: z.null() } } },
      async (request, reply) => {
        await services.auth.confirmPasswordReset(requestContext(request), request.body.token, request.body.password);
        return reply.status(204).send(null);
      },
    );
  };
}
