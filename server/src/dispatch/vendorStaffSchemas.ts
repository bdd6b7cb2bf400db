/** Request bodies and answers of the vendor registry's staff accounts. */
import { Email, Locale, User } from '@otasuke/shared';
import { z } from 'zod';

export const VendorStaffCreate = z
  .object({
    email: Email.describe('where the invitation goes; also the sign-in name (one account per address)'),
    displayName: z.string().trim().min(1).max(100).describe('the person’s name, as the mail addresses them'),
    locale: Locale.default('ja'),
  })
  .meta({ id: 'VendorStaffCreate' });
export type VendorStaffCreate = z.infer<typeof VendorStaffCreate>;

export const VendorStaffInvitation = z
  .object({
    state: z
      .enum(['accepted', 'pending', 'expired'])
      .describe('accepted: the person set a password with a link (or the account was created with one); pending: the newest link still works; expired: it no longer does (a new one can be sent)'),
    sentAt: z.iso.datetime().nullable().describe('when the deciding link was mailed (accepted: the link used); null for an account created with a password'),
    expiresAt: z.iso.datetime().nullable().describe('until when the newest unused link works (pending) or worked (expired); null once accepted'),
    acceptedAt: z.iso.datetime().nullable().describe('when the person first set a password with a link; null unless accepted'),
  })
  .meta({ id: 'VendorStaffInvitation' });
export type VendorStaffInvitation = z.infer<typeof VendorStaffInvitation>;

/** A portal account as the registry shows it: the user and where their invitation stands. */
export const VendorStaffMember = User.extend({ invitation: VendorStaffInvitation }).meta({ id: 'VendorStaffMember' });
export type VendorStaffMember = z.infer<typeof VendorStaffMember>;
