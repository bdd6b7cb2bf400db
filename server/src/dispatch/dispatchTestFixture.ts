/**
 * The cast every dispatch test starts from: the operator's administrator and help desk signed in,
 * and one subscriber in Osaka with its owner (signed in) and a site. Tests add vendors, incidents
 * and jobs of their own.
 */
import type { TestPlatform, Session } from '../testing/testPlatform.ts';

export const setupContext = { scope: null, ip: null, requestId: 'setup' };

export interface DispatchCast {
  admin: Session;
  desk: Session;
  owner: Session;
  subscriberId: string;
  siteId: string;
  /** The owner's scope, for creating the subscriber's sensors and the like through the services. */
  ownerScope: { userId: string; tokenId: null; sessionId: null; organizationId: string; organizationKind: 'subscriber'; role: 'subscriber_admin' };
}

export async function startDispatchCast(platform: TestPlatform, subscriber: { name: string; ownerEmail: string; address: string; postalCode?: string }): Promise<DispatchCast> {
  const operator = await platform.createOrganization({ kind: 'operator', name: '運営' });
  await platform.createUser(operator, 'operator_admin', 'admin@op.example');
  await platform.createUser(operator, 'helpdesk', 'desk@op.example');
  const subscriberId = await platform.createOrganization({ kind: 'subscriber', name: subscriber.name, membership: 'member', prefecture: '大阪府', city: '大阪市北区' });
  const ownerUserId = await platform.createUser(subscriberId, 'subscriber_admin', subscriber.ownerEmail);
  const ownerScope = { userId: ownerUserId, tokenId: null, sessionId: null, organizationId: subscriberId, organizationKind: 'subscriber' as const, role: 'subscriber_admin' as const };
  const site = await platform.services.organizations.createSite({ ...setupContext, scope: ownerScope }, subscriberId, {
    name: '本店',
    address: subscriber.address,
    ...(subscriber.postalCode ? { postalCode: subscriber.postalCode } : {}),
  });
  return {
    admin: await platform.signIn('admin@op.example'),
    desk: await platform.signIn('desk@op.example'),
    owner: await platform.signIn(subscriber.ownerEmail),
    subscriberId,
    siteId: site.id,
    ownerScope,
  };
}
