import { z } from 'zod';
import { Id, Membership, PostalCode } from './organizations.ts';
import { Email } from './users.ts';
import { IsoDate } from './billing.ts';

/**
 * A Japanese phone number: fixed lines have 10 digits (03-1234-5678, 06-6944-6400), mobile and IP
 * phones 11 (090/080/070/050-xxxx-xxxx), toll-free 0120-xxx-xxx; +81 stands for the leading 0.
 * Hyphens, spaces and brackets are allowed and dropped; the stored form is digits only.
 */
export const PhoneNumber = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s\-()（）‐－]/g, '').replace(/^\+81/, '0'))
  .refine(
    (v) => /^0[1-9]\d{8}$/.test(v) || /^0[5789]0\d{8}$/.test(v),
    'phone number must be a Japanese number: 10 digits for fixed lines (06-1234-5678), 11 for mobile (090-1234-5678)',
  );

export const ApplicationSite = z.object({
  name: z.string().trim().min(1).max(200),
  postalCode: PostalCode,
  address: z.string().trim().min(1).max(300),
});

/** 申込: what a business sends from the public form. */
export const ApplicationCreate = z
  .object({
    companyName: z.string().trim().min(1).max(200),
    companyNameKana: z.string().trim().min(1).max(200).optional(),
    representativeName: z.string().trim().min(1).max(100),
    contactName: z.string().trim().min(1).max(100),
    email: Email,
    phone: PhoneNumber,
    postalCode: PostalCode,
    prefecture: z.string().trim().min(1).max(10),
    city: z.string().trim().min(1).max(50),
    address: z.string().trim().min(1).max(300),
    employees: z.number().int().min(1).max(100_000),
    membership: Membership,
    membershipNumber: z.string().trim().regex(/^[0-9A-Za-z-]{1,30}$/, 'membership number: letters, digits and hyphens').optional(),
    sites: z.array(ApplicationSite).min(1).max(20),
    desiredStartDate: IsoDate.optional(),
    consentTerms: z.literal(true, 'you must accept the terms of service'),
    consentMetadata: z.literal(true, 'you must consent to the collection of network metadata'),
  })
  .superRefine((a, ctx) => {
    if (a.membership === 'member' && !a.membershipNumber) {
      ctx.addIssue({ code: 'custom', path: ['membershipNumber'], message: 'membership number is required for chamber members' });
    }
  })
  .meta({ id: 'ApplicationCreate' });
export type ApplicationCreate = z.infer<typeof ApplicationCreate>;

export const ApplicationStatus = z.enum(['pending', 'info_requested', 'approved', 'rejected']);
export type ApplicationStatus = z.infer<typeof ApplicationStatus>;

export const Application = z
  .object({
    id: Id,
    status: ApplicationStatus,
    companyName: z.string(),
    companyNameKana: z.string().nullable(),
    representativeName: z.string(),
    contactName: z.string(),
    email: z.string(),
    phone: z.string(),
    postalCode: z.string(),
    prefecture: z.string(),
    city: z.string(),
    address: z.string(),
    employees: z.number().int(),
    membership: Membership,
    membershipNumber: z.string().nullable(),
    sites: z.array(z.object({ name: z.string(), postalCode: z.string(), address: z.string() })),
    desiredStartDate: IsoDate.nullable(),
    reviewNote: z.string().nullable(),
    reviewedAt: z.iso.datetime().nullable(),
    organizationId: Id.nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Application' });
export type Application = z.infer<typeof Application>;

/** What the applicant gets back: no more than that it was received. */
export const ApplicationReceipt = z.object({ id: Id, status: ApplicationStatus }).meta({ id: 'ApplicationReceipt' });

export const ApplicationQuery = z.object({ status: ApplicationStatus.optional() });

export const ApplicationApprove = z
  .object({
    startDate: IsoDate,
    minimumTermMonths: z.number().int().min(1).max(60).optional(),
    insurancePolicyNumber: z.string().trim().min(1).max(50),
    insurerOrganizationId: Id.optional(),
    insurancePeriodEnd: IsoDate.optional(),
  })
  .meta({ id: 'ApplicationApprove' });
export type ApplicationApprove = z.infer<typeof ApplicationApprove>;

export const ApplicationRequestInfo = z.object({ message: z.string().trim().min(1).max(2000) }).meta({ id: 'ApplicationRequestInfo' });
export const ApplicationReject = z.object({ reason: z.string().trim().min(1).max(2000) }).meta({ id: 'ApplicationReject' });

export const ApplicationApproval = z
  .object({
    application: Application,
    organizationId: Id,
    siteIds: z.array(Id),
    adminUserId: Id,
    contractId: Id,
    insurancePolicyId: Id,
  })
  .meta({ id: 'ApplicationApproval' });
export type ApplicationApproval = z.infer<typeof ApplicationApproval>;
