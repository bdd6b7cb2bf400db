import { z } from 'zod';
import { OrganizationKind } from './roles.ts';

export const Id = z.uuid();

/** 都道府県 and 市区町村: vendors are dispatched by area, so addresses keep them apart. */
export const Area = z.object({
  prefecture: z.string().min(1).max(10).nullable(),
  city: z.string().min(1).max(50).nullable(),
});

export const Membership = z.enum(['member', 'non_member']);
export type Membership = z.infer<typeof Membership>;

export const Organization = z
  .object({
    id: Id,
    kind: OrganizationKind,
    name: z.string(),
    nameKana: z.string().nullable(),
    membership: Membership.nullable(),
    prefecture: z.string().nullable(),
    city: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Organization' });
export type Organization = z.infer<typeof Organization>;

export const OrganizationCreate = z
  .object({
    kind: OrganizationKind,
    name: z.string().trim().min(1).max(200),
    nameKana: z.string().trim().min(1).max(200).optional(),
    membership: Membership.optional(),
    prefecture: z.string().trim().min(1).max(10).optional(),
    city: z.string().trim().min(1).max(50).optional(),
  })
  .refine((o) => (o.kind === 'subscriber') === (o.membership !== undefined), {
    message: 'membership is required for subscribers and only for them',
    path: ['membership'],
  })
  .meta({ id: 'OrganizationCreate' });
export type OrganizationCreate = z.infer<typeof OrganizationCreate>;

export const OrganizationUpdate = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    nameKana: z.string().trim().min(1).max(200).nullable().optional(),
    membership: Membership.optional(),
    prefecture: z.string().trim().min(1).max(10).nullable().optional(),
    city: z.string().trim().min(1).max(50).nullable().optional(),
  })
  .meta({ id: 'OrganizationUpdate' });
export type OrganizationUpdate = z.infer<typeof OrganizationUpdate>;

export const Site = z
  .object({
    id: Id,
    organizationId: Id,
    name: z.string(),
    postalCode: z.string().nullable(),
    address: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Site' });
export type Site = z.infer<typeof Site>;

/** 郵便番号: seven digits, written 530-0001 or 5300001. */
export const PostalCode = z
  .string()
  .trim()
  .regex(/^\d{3}-?\d{4}$/, 'postal code must be 7 digits, e.g. 530-0001')
  .transform((v) => (v.includes('-') ? v : `${v.slice(0, 3)}-${v.slice(3)}`));

export const SiteCreate = z
  .object({
    name: z.string().trim().min(1).max(200),
    postalCode: PostalCode.optional(),
    address: z.string().trim().min(1).max(300).optional(),
  })
  .meta({ id: 'SiteCreate' });
export type SiteCreate = z.infer<typeof SiteCreate>;

export const SiteUpdate = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    postalCode: PostalCode.nullable().optional(),
    address: z.string().trim().min(1).max(300).nullable().optional(),
  })
  .meta({ id: 'SiteUpdate' });
export type SiteUpdate = z.infer<typeof SiteUpdate>;

export const SensorStatus = z.enum(['pending', 'active', 'revoked']);
export const Sensor = z
  .object({
    id: Id,
    organizationId: Id,
    siteId: Id,
    name: z.string(),
    status: SensorStatus,
    lastSeenAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Sensor' });
export type Sensor = z.infer<typeof Sensor>;

export const SensorCreate = z
  .object({ name: z.string().trim().min(1).max(100) })
  .meta({ id: 'SensorCreate' });
export type SensorCreate = z.infer<typeof SensorCreate>;
