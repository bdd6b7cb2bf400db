/**
 * Ed25519 signatures of bundle bytes (node:crypto). The signature covers the exact gzip body the
 * sensor downloads, so a byte changed in transit or at rest fails verification.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export interface SigningKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

export function generateSigningKey(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Reads a PKCS#8 PEM private key; anything but Ed25519 is refused with a reason. */
export function signingKeyFromPem(privateKeyPem: string): { key: KeyObject; publicKeyPem: string } {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the bundle signing key must be Ed25519, not ${key.asymmetricKeyType ?? 'unknown'} (openssl genpkey -algorithm ed25519)`);
  return { key, publicKeyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString() };
}

export function signBundle(body: Uint8Array, key: KeyObject): string {
  return sign(null, body, key).toString('base64');
}

/** True when `signatureBase64` is the Ed25519 signature of `body` by the key of `publicKeyPem`. */
export function verifyBundle(body: Uint8Array, signatureBase64: string, publicKeyPem: string): boolean {
  try {
    return verify(null, body, createPublicKey(publicKeyPem), Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
