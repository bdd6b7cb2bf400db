/** RFC 6238 time-based one-time passwords (30 s, 6 digits, SHA-1: what every authenticator app reads). */
import { Secret, TOTP } from 'otpauth';

const PERIOD = 30;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpFor(secret: string, label = 'Otasuke'): TOTP {
  return new TOTP({ issuer: 'Otasuke', label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) });
}

export function totpUrl(secret: string, email: string): string {
  return totpFor(secret, email).toString();
}

export function totpCode(secret: string, at: Date): string {
  return totpFor(secret).generate({ timestamp: at.getTime() });
}

/**
 * Accepts the current code and its neighbours (clock drift), and returns the time step used so the
 * caller can refuse a replay of the same or an older step.
 */
export function verifyTotp(secret: string, code: string, at: Date, lastUsedStep: number | null): number | null {
  const delta = totpFor(secret).validate({ token: code, timestamp: at.getTime(), window: 1 });
  if (delta === null) return null;
  const step = Math.floor(at.getTime() / 1000 / PERIOD) + delta;
  if (lastUsedStep !== null && step <= lastUsedStep) return null;
  return step;
}
