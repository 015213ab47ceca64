// Sandbox ids and admin tokens: random, unguessable; tokens are kept only as SHA-256 hashes.
import { bytesToBase64url } from '../machinery/base64';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lower-case RFC 4648 base32 without padding (a DNS label alphabet). */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Sandbox ids: 26 characters of base32 (128 random bits), starting with a letter, a valid DNS label. */
export const SANDBOX_ID_PATTERN = /^[a-z][a-z2-7]{25}$/;

export function newSandboxId(): string {
  for (;;) {
    const id = base32(crypto.getRandomValues(new Uint8Array(16)));
    // A leading digit is a valid DNS-1123 label but not a DNS-1035 one: keep ids usable everywhere.
    if (SANDBOX_ID_PATTERN.test(id)) return id;
  }
}

export function isSandboxId(s: string): boolean {
  return SANDBOX_ID_PATTERN.test(s);
}

/** An admin token: `kdo_` + 256 random bits in base64url (43 characters). */
export function newToken(): string {
  return `kdo_${bytesToBase64url(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** SHA-256 of the token, lower-case hex: what the registry and the sandbox's DO keep. */
export async function hashToken(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Constant-time string comparison (hashes, tokens). */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** A random owner key for someone who creates a sandbox anonymously (open mode). */
export function newOwnerKey(): string {
  return `anon:${base32(crypto.getRandomValues(new Uint8Array(15)))}`;
}
