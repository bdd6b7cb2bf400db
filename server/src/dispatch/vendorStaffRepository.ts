/**
 * SQL of a vendor's staff accounts: the users of a vendor organization. Creating one is a single
 * insert that does nothing when the email address already has an account (the unique index decides,
 * so two operators adding the same person at once create one account).
 */
import type { User } from '@otasuke/shared';
import type { Db } from '../db/database.ts';
import { toUser, type NewUser } from '../users/userRepository.ts';

export class VendorStaffRepository {
  constructor(private readonly db: Db) {}

  /** The name of the vendor organization, or undefined when the id is not a vendor's. */
  async vendorName(organizationId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('organizations').select('name').where('id', '=', organizationId).where('kind', '=', 'vendor').executeTakeFirst();
    return row?.name;
  }

  async staff(organizationId: string): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().where('organizationId', '=', organizationId).orderBy('createdAt').orderBy('id').execute();
    return rows.map(toUser);
  }

  /** One user of the vendor, or undefined when the id is not one of this vendor's users. */
  async member(organizationId: string, userId: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', userId).where('organizationId', '=', organizationId).executeTakeFirst();
    return row && toUser(row);
  }

  /** The new user, or undefined when the email address is already taken (nothing is written then). */
  async createUnlessEmailTaken(user: NewUser, now: Date): Promise<User | undefined> {
    const row = await this.db
      .insertInto('users')
      .values({ ...user, createdAt: now })
      .onConflict((oc) => oc.column('email').doNothing())
      .returningAll()
      .executeTakeFirst();
    return row && toUser(row);
  }

  /**
   * Disables a user of the vendor (kept for the audit trail and job history), ends their sessions and
   * voids their unused set-password links. Undefined when the user is not one of this vendor's.
   */
  async deactivate(organizationId: string, userId: string, now: Date): Promise<User | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('users')
        .set((eb) => ({ disabledAt: eb.fn.coalesce('disabledAt', eb.val(now)) }))
        .where('id', '=', userId)
        .where('organizationId', '=', organizationId)
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      await trx.deleteFrom('sessions').where('userId', '=', userId).execute();
      // Voided by expiring them now, not by marking them used: a used link means the person set a password (auth/invitations.ts).
      await trx.updateTable('passwordResets').set({ expiresAt: now }).where('userId', '=', userId).where('usedAt', 'is', null).where('expiresAt', '>', now).execute();
      return toUser(row);
    });
  }
}
