/**
 * Credentials, sessions, login challenges, throttling and reset tokens. These lookups come before
 * anyone has a tenant (a login names an email, a cookie names a session), so they are the only
 * queries not filtered by tenant; they return just what authentication needs.
 */
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ApiTokensTable, LoginChallengesTable, OrganizationsTable, SessionsTable, UsersTable } from '../db/tables.ts';

export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ChallengeRow = Selectable<LoginChallengesTable>;
export type OrganizationRow = Selectable<OrganizationsTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;

export class AuthRepository {
  constructor(private readonly db: Db) {}

  userByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  userById(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  organization(id: string): Promise<OrganizationRow | undefined> {
    return this.db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async recordFailedLogin(userId: string, lockAfter: number, lockedUntil: Date): Promise<{ failedLogins: number; lockedUntil: Date | null }> {
    const row = await this.db
      .updateTable('users')
      .set((eb) => ({ failedLogins: eb('failedLogins', '+', 1) }))
      .where('id', '=', userId)
      .returning(['failedLogins'])
      .executeTakeFirstOrThrow();
    if (row.failedLogins >= lockAfter) {
      await this.db.updateTable('users').set({ lockedUntil, failedLogins: 0 }).where('id', '=', userId).execute();
      return { failedLogins: row.failedLogins, lockedUntil };
    }
    return { failedLogins: row.failedLogins, lockedUntil: null };
  }

  async clearFailedLogins(userId: string): Promise<void> {
    await this.db.updateTable('users').set({ failedLogins: 0, lockedUntil: null }).where('id', '=', userId).execute();
  }

  /** Counts a failure for a key (an IP) in a fixed window; returns the failures so far. */
  async countThrottleFailure(key: string, now: Date, windowMs: number): Promise<number> {
    const windowStart = new Date(now.getTime() - windowMs);
    const row = await this.db
      .insertInto('loginThrottle')
      .values({ key, failures: 1, windowStartedAt: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          failures: eb.case().when('loginThrottle.windowStartedAt', '<', windowStart).then(1).else(eb('loginThrottle.failures', '+', 1)).end(),
          windowStartedAt: eb.case().when('loginThrottle.windowStartedAt', '<', windowStart).then(now).else(eb.ref('loginThrottle.windowStartedAt')).end(),
        })),
      )
      .returning('failures')
      .executeTakeFirstOrThrow();
    return row.failures;
  }

  async blockThrottleKey(key: string, until: Date): Promise<void> {
    await this.db.updateTable('loginThrottle').set({ blockedUntil: until }).where('key', '=', key).execute();
  }

  async throttleBlockedUntil(key: string): Promise<Date | null> {
    const row = await this.db.selectFrom('loginThrottle').select('blockedUntil').where('key', '=', key).executeTakeFirst();
    return row?.blockedUntil ?? null;
  }

  async createChallenge(row: { id: string; userId: string; pendingTotpSecret: string | null; expiresAt: Date }): Promise<void> {
    await this.db.insertInto('loginChallenges').values(row).execute();
  }

  challenge(id: string): Promise<ChallengeRow | undefined> {
    return this.db.selectFrom('loginChallenges').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async countChallengeAttempt(id: string): Promise<number> {
    const row = await this.db
      .updateTable('loginChallenges')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .returning('attempts')
      .executeTakeFirst();
    return row?.attempts ?? Number.MAX_SAFE_INTEGER;
  }

  async deleteChallenge(id: string): Promise<void> {
    await this.db.deleteFrom('loginChallenges').where('id', '=', id).execute();
  }

  async enableTotp(userId: string, secret: string, step: number): Promise<void> {
    await this.db.updateTable('users').set({ totpSecret: secret, totpEnabled: true, totpLastStep: step }).where('id', '=', userId).execute();
  }

  async setTotpStep(userId: string, step: number): Promise<void> {
    await this.db.updateTable('users').set({ totpLastStep: step }).where('id', '=', userId).execute();
  }

  async createSession(row: { id: string; userId: string; csrfToken: string; ip: string | null; userAgent: string | null; createdAt: Date; lastSeenAt: Date; expiresAt: Date }): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  session(id: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async touchSession(id: string, now: Date): Promise<void> {
    await this.db.updateTable('sessions').set({ lastSeenAt: now }).where('id', '=', id).execute();
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  async deleteSessionsOf(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('userId', '=', userId).execute();
  }

  async setPassword(userId: string, passwordHash: string): Promise<void> {
    await this.db.updateTable('users').set({ passwordHash, failedLogins: 0, lockedUntil: null }).where('id', '=', userId).execute();
  }

  async createPasswordReset(row: { tokenHash: string; userId: string; createdAt: Date; expiresAt: Date }): Promise<void> {
    await this.db.insertInto('passwordResets').values(row).execute();
  }

  /**
   * Voids the user's unused set-password links (their expiry becomes `now`; `usedAt` stays null, so a
   * used link always means the person set a password with it) and stores the new one, in one transaction.
   */
  async replacePasswordResets(row: { tokenHash: string; userId: string; createdAt: Date; expiresAt: Date }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('passwordResets').set({ expiresAt: row.createdAt }).where('userId', '=', row.userId).where('usedAt', 'is', null).where('expiresAt', '>', row.createdAt).execute();
      await trx.insertInto('passwordResets').values(row).execute();
    });
  }

  /** Every set-password link of these users (used, unused, expired), for the state of their invitations. */
  async passwordResetsOf(userIds: readonly string[]): Promise<Array<{ userId: string; createdAt: Date; expiresAt: Date; usedAt: Date | null }>> {
    if (userIds.length === 0) return [];
    return this.db.selectFrom('passwordResets').select(['userId', 'createdAt', 'expiresAt', 'usedAt']).where('userId', 'in', userIds).execute();
  }

  /** Marks the token used and returns its user, only if it was unused and unexpired. */
  async consumePasswordReset(tokenHash: string, now: Date): Promise<string | undefined> {
    const row = await this.db
      .updateTable('passwordResets')
      .set({ usedAt: now })
      .where('tokenHash', '=', tokenHash)
      .where('usedAt', 'is', null)
      .where('expiresAt', '>', now)
      .returning('userId')
      .executeTakeFirst();
    return row?.userId;
  }

  apiTokenByHash(secretHash: string): Promise<ApiTokenRow | undefined> {
    return this.db.selectFrom('apiTokens').selectAll().where('secretHash', '=', secretHash).executeTakeFirst();
  }

  async touchApiToken(id: string, now: Date): Promise<void> {
    await this.db.updateTable('apiTokens').set({ lastUsedAt: now }).where('id', '=', id).execute();
  }
}
