import { z } from 'zod';
import { Email, Password, User } from './users.ts';
import { Organization } from './organizations.ts';

export const LoginRequest = z
  .object({ email: Email, password: z.string().min(1).max(256) })
  .meta({ id: 'LoginRequest' });
export type LoginRequest = z.infer<typeof LoginRequest>;

export const SessionInfo = z
  .object({
    user: User,
    organization: Organization,
    /** Sent back in the x-csrf-token header on every cookie-authenticated write. */
    csrfToken: z.string(),
  })
  .meta({ id: 'SessionInfo' });
export type SessionInfo = z.infer<typeof SessionInfo>;

export const LoginResponse = z
  .discriminatedUnion('status', [
    z.object({ status: z.literal('authenticated'), session: SessionInfo }),
    z.object({ status: z.literal('totp_required'), challenge: z.string() }),
    z.object({
      status: z.literal('totp_setup_required'),
      challenge: z.string(),
      /** otpauth:// URL for authenticator apps, and the same as a QR code (data: URL, PNG). */
      otpauthUrl: z.string(),
      qrDataUrl: z.string(),
      secret: z.string(),
    }),
  ])
  .meta({ id: 'LoginResponse' });
export type LoginResponse = z.infer<typeof LoginResponse>;

export const TotpRequest = z
  .object({ challenge: z.string().min(1).max(200), code: z.string().regex(/^\d{6}$/, 'code must be 6 digits') })
  .meta({ id: 'TotpRequest' });
export type TotpRequest = z.infer<typeof TotpRequest>;

export const PasswordResetRequest = z.object({ email: Email }).meta({ id: 'PasswordResetRequest' });
export const PasswordResetConfirm = z
  .object({ token: z.string().min(1).max(200), password: Password })
  .meta({ id: 'PasswordResetConfirm' });

export const PasswordChange = z
  .object({ currentPassword: z.string().min(1).max(256), newPassword: Password })
  .meta({ id: 'PasswordChange' });

export const ApiToken = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    name: z.string(),
    prefix: z.string(),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiToken' });
export type ApiToken = z.infer<typeof ApiToken>;

export const ApiTokenCreate = z.object({ name: z.string().trim().min(1).max(100) }).meta({ id: 'ApiTokenCreate' });
export const ApiTokenCreated = z
  .object({ token: ApiToken, secret: z.string().describe('Shown once; store it now.') })
  .meta({ id: 'ApiTokenCreated' });
