/** Request bodies of the vendor registry's staff accounts (the answers are the shared `User`). */
import { Email, Locale } from '@otasuke/shared';
import { z } from 'zod';

export const VendorStaffCreate = z
  .object({
    email: Email.describe('where the invitation goes; also the sign-in name (one account per address)'),
    displayName: z.string().trim().min(1).max(100).describe('the person’s name, as the mail addresses them'),
    locale: Locale.default('ja'),
  })
  .meta({ id: 'VendorStaffCreate' });
export type VendorStaffCreate = z.infer<typeof VendorStaffCreate>;
