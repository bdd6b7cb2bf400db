/** Small pieces the scale-mode and fault tests share: a sensor made straight through the services, and polling. */
import type { AppServices } from '../services.ts';

const cli = { scope: null, ip: '127.0.0.1', requestId: 'test' } as const;

export async function enrollTestSensor(services: AppServices, orgName = `試験${Math.random().toString(36).slice(2, 8)}株式会社`): Promise<{ sensorId: string; organizationId: string; credential: string }> {
  const org = await services.organizations.create(cli, { kind: 'subscriber', name: orgName, membership: 'member' });
  const scope = { userId: null, tokenId: null, sessionId: null, organizationId: org.id, organizationKind: 'subscriber' as const, role: 'subscriber_admin' as const };
  const site = await services.organizations.createSite({ ...cli, scope }, org.id, { name: '本社' });
  const code = await services.enrollment.createCode({ ...cli, scope }, site.id, {});
  const enrolled = await services.enrollment.enroll(cli, { code: code.code });
  return { sensorId: enrolled.sensorId, organizationId: org.id, credential: enrolled.credential };
}

export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
