/**
 * One place turns every failure into the uniform body `{error: {code, message, details?}, requestId}`.
 * Internals (stack traces, SQL) never leave the server; the request id ties the answer to the log.
 */
import type { ErrorBody } from '@otasuke/shared';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from './errors.ts';

export function errorBody(request: FastifyRequest, code: ErrorBody['error']['code'], message: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) }, requestId: request.id };
}

export function mapError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof AppError) {
    const retryAfter = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    if (retryAfter) reply.header('retry-after', String(retryAfter));
    return reply.status(error.statusCode).send(errorBody(request, error.code, error.message, error.details));
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const fields = error.validation.map((v) => ({
      field: `${error.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
      message: v.message ?? v.keyword,
    }));
    return reply
      .status(400)
      .send(errorBody(request, 'validation_failed', `invalid request: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, { fields }));
  }
  const fastifyError = error as FastifyError;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply.status(400).send(errorBody(request, 'invalid_json', 'the request body is not valid JSON'));
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply.status(413).send(errorBody(request, 'payload_too_large', 'the request body is too large'));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply.status(415).send(errorBody(request, 'unsupported_media_type', 'send the body as application/json'));
  }
  if (error instanceof SyntaxError || fastifyError.statusCode === 400) {
    return reply.status(400).send(errorBody(request, 'bad_request', 'the request could not be read'));
  }
  if (fastifyError.statusCode === 429) {
    return reply.status(429).send(errorBody(request, 'too_many_requests', 'too many requests; slow down'));
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send(errorBody(request, 'internal', 'something went wrong on our side; quote the request id when you contact us'));
}
