/**
 * Sign-in and everything that proves who a request comes from: passwords (argon2id), TOTP as the
 * second factor (mandatory for operator staff), server-side sessions, API tokens, throttling and
 * lockout, and password reset by a mailed one-time link.
 */
import { rolesRequiringTotp, type LoginResponse, type SessionInfo } from '@otasuke/shared';
import QRCode from 'qrcode';
import type { AccessScope, RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { Clock } from '../clock.ts';
import { AppError, BadRequestError, UnauthenticatedError } from '../http/errors.ts';
import { bilingual, translate } from '../i18n/catalog.ts';
import { toOrganization } from '../organizations/organizationRepository.ts';
import { toUser } from '../users/userRepository.ts';
import type { AuthRepository, UserRow } from './authRepository.ts';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from './passwordHasher.ts';
import { constantTimeEqual, hashSecretToken, newSecretToken } from './secrets.ts';
import { newTotpSecret, totpUrl, verifyTotp } from './totp.ts';

export const authLimits = {
  /** Consecutive wrong passwords before the account is locked. */
  lockAfterFailures: 5,
  lockMinutes: 15,
  /** Failed logins from one IP address within the window before that address is blocked. */
  ipFailuresPerWindow: 20,
  ipWindowMinutes: 15,
  challengeMinutes: 5,
  challengeAttempts: 5,
  sessionAbsoluteDays: 7,
  passwordResetMinutes: 60,
} as const;

const MINUTE = 60_000;

export interface MailQueue {
  enqueue(mail: { organizationId: string | null; to: string; subject: string; text: string }): Promise<unknown>;
}

export interface AuthSettings {
  sessionIdleMinutes: number;
  publicUrl: string;
}

export interface LoginOutcome {
  response: LoginResponse;
  /** Set when a session was created: the cookie value (the token, never stored in clear). */
  sessionToken?: string;
}

export class AuthService {
  constructor(
    private readonly repository: AuthRepository,
    private readonly audit: AuditService,
    private readonly mail: MailQueue,
    private readonly clock: Clock,
    private readonly settings: AuthSettings,
  ) {}

  async login(context: RequestContext, email: string, password: string, userAgent: string | null): Promise<LoginOutcome> {
    const now = this.clock.now();
    const ipKey = `ip:${context.ip ?? 'unknown'}`;
    const blockedUntil = await this.repository.throttleBlockedUntil(ipKey);
    if (blockedUntil && blockedUntil > now) throw this.tooManyAttempts(blockedUntil, now);

    const user = await this.repository.userByEmail(email);
    if (user?.lockedUntil && user.lockedUntil > now) {
      throw new AppError('account_locked', 429, `this account is locked after too many failed sign-ins; try again after ${user.lockedUntil.toISOString()} or reset your password`, {
        lockedUntil: user.lockedUntil.toISOString(),
        retryAfterSeconds: Math.ceil((user.lockedUntil.getTime() - now.getTime()) / 1000),
      });
    }
    const passwordOk = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDecoy(password);
    if (!user || !passwordOk || user.disabledAt) {
      await this.countFailure(context, ipKey, user, now);
      throw new AppError('invalid_credentials', 401, 'the email address or password is incorrect');
    }
    await this.repository.clearFailedLogins(user.id);

    if (rolesRequiringTotp.includes(user.role) && !user.totpEnabled) {
      const secret = newTotpSecret();
      const challenge = await this.newChallenge(user.id, secret, now);
      const otpauthUrl = totpUrl(secret, user.email);
      return {
        response: { status: 'totp_setup_required', challenge, otpauthUrl, qrDataUrl: await QRCode.toDataURL(otpauthUrl), secret },
      };
    }
    if (user.totpEnabled) {
      return { response: { status: 'totp_required', challenge: await this.newChallenge(user.id, null, now) } };
    }
    return this.startSession(context, user, userAgent, now);
  }

  async completeTotp(context: RequestContext, challengeToken: string, code: string, userAgent: string | null): Promise<LoginOutcome> {
    const now = this.clock.now();
    const id = hashSecretToken(challengeToken);
    const challenge = await this.repository.challenge(id);
    if (!challenge || challenge.expiresAt <= now) {
      throw new AppError('unauthenticated', 401, 'the sign-in step has expired; sign in again with your password');
    }
    if ((await this.repository.countChallengeAttempt(id)) > authLimits.challengeAttempts) {
      await this.repository.deleteChallenge(id);
      throw new AppError('unauthenticated', 401, 'too many wrong codes; sign in again with your password');
    }
    let user = await this.repository.userById(challenge.userId);
    if (!user || user.disabledAt) throw new AppError('unauthenticated', 401, 'sign in again with your password');
    const secret = challenge.pendingTotpSecret ?? user.totpSecret;
    const step = secret ? verifyTotp(secret, code, now, challenge.pendingTotpSecret ? null : user.totpLastStep) : null;
    if (step === null) throw new AppError('invalid_totp', 401, 'the 6-digit code is not correct (check the time on your phone)');

    await this.repository.deleteChallenge(id);
    if (challenge.pendingTotpSecret) {
      await this.repository.enableTotp(user.id, challenge.pendingTotpSecret, step);
      user = { ...user, totpEnabled: true, totpSecret: challenge.pendingTotpSecret, totpLastStep: step };
      await this.audit.record({ ...context, scope: this.scopeOf(user, null, null) }, {
        action: 'auth.totp_enabled',
        organizationId: user.organizationId,
        targetType: 'user',
        targetId: user.id,
      });
    } else {
      await this.repository.setTotpStep(user.id, step);
    }
    return this.startSession(context, user, userAgent, now);
  }

  /** Resolves a session cookie into the caller's scope; expired or idle sessions are removed. */
  async authenticateSession(token: string): Promise<{ scope: AccessScope; csrfToken: string } | null> {
    const now = this.clock.now();
    const id = hashSecretToken(token);
    const session = await this.repository.session(id);
    if (!session) return null;
    const idleDeadline = session.lastSeenAt.getTime() + this.settings.sessionIdleMinutes * MINUTE;
    if (session.expiresAt <= now || idleDeadline <= now.getTime()) {
      await this.repository.deleteSession(id);
      return null;
    }
    const user = await this.repository.userById(session.userId);
    if (!user || user.disabledAt) return null;
    const organization = await this.repository.organization(user.organizationId);
    if (!organization) return null;
    // Write the idle timestamp at most once a minute: reads should not all become writes.
    if (now.getTime() - session.lastSeenAt.getTime() > MINUTE) await this.repository.touchSession(id, now);
    return {
      scope: { userId: user.id, tokenId: null, sessionId: id, organizationId: user.organizationId, organizationKind: organization.kind, role: user.role },
      csrfToken: session.csrfToken,
    };
  }

  async authenticateApiToken(token: string): Promise<AccessScope | null> {
    if (!token.startsWith('otk_')) return null;
    const row = await this.repository.apiTokenByHash(hashSecretToken(token));
    if (!row || row.revokedAt) return null;
    const organization = await this.repository.organization(row.organizationId);
    if (!organization) return null;
    const now = this.clock.now();
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > MINUTE) await this.repository.touchApiToken(row.id, now);
    return { userId: row.createdBy, tokenId: row.id, sessionId: null, organizationId: row.organizationId, organizationKind: organization.kind, role: row.role };
  }

  csrfMatches(expected: string, given: string | undefined): boolean {
    return given !== undefined && constantTimeEqual(expected, given);
  }

  async sessionInfo(scope: AccessScope, csrfToken: string): Promise<SessionInfo> {
    const user = scope.userId ? await this.repository.userById(scope.userId) : undefined;
    const organization = await this.repository.organization(scope.organizationId);
    if (!user || !organization) throw new UnauthenticatedError();
    return { user: toUser(user), organization: toOrganization(organization), csrfToken };
  }

  async logout(context: RequestContext): Promise<void> {
    const scope = context.scope;
    if (!scope?.sessionId) return;
    await this.repository.deleteSession(scope.sessionId);
    await this.audit.record(context, { action: 'auth.logout', organizationId: scope.organizationId, targetType: 'user', targetId: scope.userId ?? undefined });
  }

  /** Always answers the same way, whether or not the address has an account. */
  async requestPasswordReset(context: RequestContext, email: string): Promise<void> {
    const user = await this.repository.userByEmail(email);
    if (!user || user.disabledAt) return;
    const now = this.clock.now();
    const token = newSecretToken();
    await this.repository.createPasswordReset({
      tokenHash: hashSecretToken(token),
      userId: user.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + authLimits.passwordResetMinutes * MINUTE),
    });
    const vars = { name: user.displayName, minutes: authLimits.passwordResetMinutes, link: `${this.settings.publicUrl}/reset-password?token=${token}` };
    await this.mail.enqueue({
      organizationId: user.organizationId,
      to: user.email,
      subject: translate(user.locale, 'mail.passwordReset.subject'),
      text: bilingual(user.locale, 'mail.passwordReset.body', vars),
    });
    await this.audit.record(context, { action: 'auth.password_reset_requested', organizationId: user.organizationId, targetType: 'user', targetId: user.id });
  }

  async confirmPasswordReset(context: RequestContext, token: string, password: string): Promise<void> {
    const now = this.clock.now();
    const userId = await this.repository.consumePasswordReset(hashSecretToken(token), now);
    if (!userId) throw new BadRequestError('this reset link is invalid, already used or expired; ask for a new one');
    const user = await this.repository.userById(userId);
    if (!user) throw new BadRequestError('this reset link is invalid, already used or expired; ask for a new one');
    await this.repository.setPassword(userId, await hashPassword(password));
    await this.repository.deleteSessionsOf(userId);
    await this.audit.record({ ...context, scope: this.scopeOf(user, null, null) }, {
      action: 'auth.password_reset',
      organizationId: user.organizationId,
      targetType: 'user',
      targetId: userId,
    });
  }

  async changePassword(context: RequestContext, currentPassword: string, newPassword: string): Promise<void> {
    const userId = context.scope?.userId;
    const user = userId ? await this.repository.userById(userId) : undefined;
    if (!user) throw new UnauthenticatedError();
    if (!(await verifyPassword(user.passwordHash, currentPassword))) {
      throw new AppError('invalid_credentials', 401, 'the current password is incorrect');
    }
    await this.repository.setPassword(user.id, await hashPassword(newPassword));
    await this.repository.deleteSessionsOf(user.id);
    await this.audit.record(context, { action: 'auth.password_changed', organizationId: user.organizationId, targetType: 'user', targetId: user.id });
  }

  private async startSession(context: RequestContext, user: UserRow, userAgent: string | null, now: Date): Promise<LoginOutcome> {
    const token = newSecretToken();
    const csrfToken = newSecretToken(24);
    const id = hashSecretToken(token);
    await this.repository.createSession({
      id,
      userId: user.id,
      csrfToken,
      ip: context.ip,
      userAgent: userAgent?.slice(0, 300) ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + authLimits.sessionAbsoluteDays * 24 * 60 * MINUTE),
    });
    const scope = this.scopeOf(user, null, id);
    const organization = await this.repository.organization(user.organizationId);
    await this.audit.record({ ...context, scope }, { action: 'auth.login', organizationId: user.organizationId, targetType: 'user', targetId: user.id });
    return {
      response: { status: 'authenticated', session: { user: toUser(user), organization: toOrganization(organization!), csrfToken } },
      sessionToken: token,
    };
  }

  private async newChallenge(userId: string, pendingTotpSecret: string | null, now: Date): Promise<string> {
    const token = newSecretToken();
    await this.repository.createChallenge({
      id: hashSecretToken(token),
      userId,
      pendingTotpSecret,
      expiresAt: new Date(now.getTime() + authLimits.challengeMinutes * MINUTE),
    });
    return token;
  }

  private async countFailure(context: RequestContext, ipKey: string, user: UserRow | undefined, now: Date): Promise<void> {
    const failures = await this.repository.countThrottleFailure(ipKey, now, authLimits.ipWindowMinutes * MINUTE);
    if (failures >= authLimits.ipFailuresPerWindow) {
      await this.repository.blockThrottleKey(ipKey, new Date(now.getTime() + authLimits.ipWindowMinutes * MINUTE));
    }
    if (user) {
      const { lockedUntil } = await this.repository.recordFailedLogin(user.id, authLimits.lockAfterFailures, new Date(now.getTime() + authLimits.lockMinutes * MINUTE));
      await this.audit.record(context, {
        action: lockedUntil ? 'auth.account_locked' : 'auth.login_failed',
        organizationId: user.organizationId,
        targetType: 'user',
        targetId: user.id,
      });
    }
  }

  private tooManyAttempts(until: Date, now: Date): AppError {
    return new AppError('too_many_requests', 429, `too many failed sign-ins from this address; try again after ${until.toISOString()}`, {
      retryAfterSeconds: Math.ceil((until.getTime() - now.getTime()) / 1000),
    });
  }

  private scopeOf(user: UserRow, tokenId: string | null, sessionId: string | null): AccessScope {
    // organizationKind is not needed for audit records; operator scope checks never use this value.
    return { userId: user.id, tokenId, sessionId, organizationId: user.organizationId, organizationKind: 'subscriber', role: user.role };
  }
}
