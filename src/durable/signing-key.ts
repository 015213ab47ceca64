// The sandbox's service-account signing key: an RSA key pair generated with WebCrypto the first
// time a token is needed, kept in the Durable Object's SQLite (signing_keys) and cached in memory.
// The key id is what kube-apiserver uses: base64url of the SHA-256 of the public key's DER.
import type { DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite';
import { signingKeys } from './schema';
import { bytesToBase64url } from '../machinery/base64';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

export class SigningKeys {
  private cached: Promise<SigningKey> | undefined;

  constructor(private readonly db: DrizzleSqliteDODatabase) {}

  /** The key (created on first use; concurrent first callers share one generation). */
  get(): Promise<SigningKey> {
    this.cached ??= this.load().catch((e) => {
      this.cached = undefined;
      throw e;
    });
    return this.cached;
  }

  private async load(): Promise<SigningKey> {
    const row = this.db.select().from(signingKeys).limit(1).get();
    if (row) {
      const [privateKey, publicKey] = await Promise.all([
        crypto.subtle.importKey('jwk', JSON.parse(row.privateJwk) as JsonWebKey, ALGORITHM, false, ['sign']),
        crypto.subtle.importKey('jwk', JSON.parse(row.publicJwk) as JsonWebKey, ALGORITHM, true, ['verify']),
      ]);
      return { kid: row.kid, privateKey, publicKey };
    }
    const pair = (await crypto.subtle.generateKey({ ...ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const [privateJwk, publicJwk, spki] = await Promise.all([
      crypto.subtle.exportKey('jwk', pair.privateKey) as Promise<JsonWebKey>,
      crypto.subtle.exportKey('jwk', pair.publicKey) as Promise<JsonWebKey>,
      crypto.subtle.exportKey('spki', pair.publicKey) as Promise<ArrayBuffer>,
    ]);
    const kid = bytesToBase64url(await crypto.subtle.digest('SHA-256', spki));
    // Another caller may have won the race across an await: keep the first stored key.
    this.db.insert(signingKeys).values({ kid, privateJwk: JSON.stringify(privateJwk), publicJwk: JSON.stringify(publicJwk), createdAt: Date.now() }).onConflictDoNothing().run();
    const stored = this.db.select().from(signingKeys).limit(1).get()!;
    if (stored.kid !== kid) return this.load();
    return { kid, privateKey: pair.privateKey, publicKey: pair.publicKey };
  }
}
