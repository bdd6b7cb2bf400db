import { z } from 'zod';

/** Stable error codes: clients branch on these, never on the message text. */
export const errorCodes = [
  'bad_request',
  'validation_failed',
  'invalid_json',
  'unauthenticated',
  'invalid_credentials',
  'account_locked',
  'too_many_requests',
  'totp_required',
  'invalid_totp',
  'csrf_failed',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'internal',
  'unavailable',
] as const;
export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z
  .object({
    error: z.object({
      code: ErrorCode,
      message: z.string(),
      details: z.unknown().optional(),
    }),
    requestId: z.string(),
  })
  .meta({ id: 'ErrorBody' });
export type ErrorBody = z.infer<typeof ErrorBody>;
