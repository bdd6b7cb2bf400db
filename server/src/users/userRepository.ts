import type { User, UserUpdate } from '@otasuke/shared';
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { UsersTable } from '../db/tables.ts';
import type { TenantFilter } from '../access/accessScope.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';

export type UserRow = Selectable<UsersTable>;

export const toUser = (r: UserRow): User => ({
  id: r.id,
  organizationId: r.organizationId,
  email: r.email,
  displayName: r.displayName,
  role: r.role,
  locale: r.locale,
  totpEnabled: r.totpEnabled,
  disabled: r.disabledAt !== null,
  createdAt: r.createdAt.toISOString(),
});

export interface NewUser {
  organizationId: string;
  email: string;
  displayName: string;
  role: User['role'];
  locale: User['locale'];
  passwordHash: string;
}

export class UserRepository {
  constructor(private readonly db: Db) {}

  async list(filter: TenantFilter, organizationId?: string): Promise<User[]> {
    let q = restrictToTenant(this.db.selectFrom('users').selectAll(), 'organizationId', filter);
    if (organizationId) q = q.where('organizationId', '=', organizationId);
    return (await q.orderBy('createdAt').orderBy('id').execute()).map(toUser);
  }

  async get(filter: TenantFilter, id: string): Promise<User | undefined> {
    const row = await restrictToTenant(this.db.selectFrom('users').selectAll().where('id', '=', id), 'organizationId', filter).executeTakeFirst();
    return row && toUser(row);
  }

  async emailTaken(email: string): Promise<boolean> {
    return (await this.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) !== undefined;
  }

  async create(user: NewUser): Promise<User> {
    return toUser(await this.db.insertInto('users').values(user).returningAll().executeTakeFirstOrThrow());
  }

  async update(filter: TenantFilter, id: string, input: UserUpdate, now: Date): Promise<User | undefined> {
    const { disabled, ...rest } = input;
    const set = { ...rest, ...(disabled === undefined ? {} : { disabledAt: disabled ? now : null }) };
    if (Object.keys(set).length === 0) return this.get(filter, id);
    const row = await restrictToTenant(this.db.updateTable('users').set(set).where('id', '=', id), 'organizationId', filter)
      .returningAll()
      .executeTakeFirst();
    return row && toUser(row);
  }

  async delete(filter: TenantFilter, id: string): Promise<boolean> {
    const result = await restrictToTenant(this.db.deleteFrom('users').where('id', '=', id), 'organizationId', filter).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
