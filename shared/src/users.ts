import { z } from 'zod';
import { Role } from './roles.ts';
import { Id } from './organizations.ts';

export const Locale = z.enum(['ja', 'en']);
export type Locale = z.infer<typeof Locale>;

export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .transform((e) => e.toLowerCase());

/** Long enough to resist guessing, short enough to remember; no composition rules (NIST 800-63B). */
export const Password = z.string().min(12, 'password must be at least 12 characters').max(256);

export const User = z
  .object({
    id: Id,
    organizationId: Id,
    email: z.string(),
    displayName: z.string(),
    role: Role,
    locale: Locale,
    totpEnabled: z.boolean(),
    disabled: z.boolean(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;

export const UserCreate = z
  .object({
    organizationId: Id,
    email: Email,
    displayName: z.string().trim().min(1).max(100),
    role: Role,
    locale: Locale.default('ja'),
    password: Password,
  })
  .meta({ id: 'UserCreate' });
export type UserCreate = z.infer<typeof UserCreate>;

export const UserUpdate = z
  .object({
    displayName: z.string().trim().min(1).max(100).optional(),
    role: Role.optional(),
    locale: Locale.optional(),
    disabled: z.boolean().optional(),
  })
  .meta({ id: 'UserUpdate' });
export type UserUpdate = z.infer<typeof UserUpdate>;
