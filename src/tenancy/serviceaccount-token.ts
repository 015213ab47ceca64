// Service-account tokens as kube-apiserver issues and checks them (pkg/serviceaccount): RS256 JWTs
// with the bound-token claims (TokenRequest) or the legacy Secret-based claims, and the UserInfo a
// valid token authenticates as. Signing and verification use jose over WebCrypto; the checks that
// need the store (the account, pod, secret still exist) are the caller's, given the claims.
import { decodeJwt, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { UserInfo } from '../api/call';

/** The issuer and the API audience of every sandbox (what kubeadm's defaults make them). */
export const ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';
/** The issuer of legacy (Secret-based, non-expiring) tokens. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

export const DEFAULT_EXPIRATION_SECONDS = 3600;
export const MIN_EXPIRATION_SECONDS = 600;
export const MAX_EXPIRATION_SECONDS = 2 ** 32;

interface Ref {
  name: string;
  uid: string;
}

export interface BoundClaims extends JWTPayload {
  'kubernetes.io': {
    namespace: string;
    serviceaccount: Ref;
    pod?: Ref;
    secret?: Ref;
    node?: Ref;
    warnafter?: number;
  };
}

export interface LegacyClaims extends JWTPayload {
  'kubernetes.io/serviceaccount/namespace': string;
  'kubernetes.io/serviceaccount/secret.name': string;
  'kubernetes.io/serviceaccount/service-account.name': string;
  'kubernetes.io/serviceaccount/service-account.uid': string;
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

export interface BoundTokenInput {
  namespace: string;
  serviceAccount: Ref;
  audiences: string[];
  expirationSeconds: number;
  pod?: Ref;
  secret?: Ref;
  node?: Ref;
  /** Seconds since the epoch. */
  now: number;
  jti: string;
}

/** serviceaccount.Claims: the public and private claims of a bound token. */
export function boundClaims(t: BoundTokenInput): BoundClaims {
  const k8s: BoundClaims['kubernetes.io'] = { namespace: t.namespace, serviceaccount: t.serviceAccount };
  if (t.pod) k8s.pod = t.pod;
  else if (t.secret) k8s.secret = t.secret;
  if (t.node) k8s.node = t.node;
  return {
    aud: t.audiences,
    exp: t.now + t.expirationSeconds,
    iat: t.now,
    iss: ISSUER,
    jti: t.jti,
    'kubernetes.io': k8s,
    nbf: t.now,
    sub: serviceAccountUsername(t.namespace, t.serviceAccount.name),
  };
}

/** serviceaccount.LegacyClaims: what a kubernetes.io/service-account-token Secret's token says (no expiry). */
export function legacyClaims(namespace: string, serviceAccount: Ref, secretName: string): LegacyClaims {
  return {
    iss: LEGACY_ISSUER,
    'kubernetes.io/serviceaccount/namespace': namespace,
    'kubernetes.io/serviceaccount/secret.name': secretName,
    'kubernetes.io/serviceaccount/service-account.name': serviceAccount.name,
    'kubernetes.io/serviceaccount/service-account.uid': serviceAccount.uid,
    sub: serviceAccountUsername(namespace, serviceAccount.name),
  };
}

export async function signToken(claims: JWTPayload, key: CryptoKey, kid: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
}

/** What a token's claims say about who it is, before the store checks (account, pod, secret). */
export interface TokenSubject {
  namespace: string;
  serviceAccount: Ref;
  pod?: Ref;
  secret?: Ref;
  node?: Ref;
  /** Legacy Secret-based token (checked against the Secret's data.token too). */
  legacy: boolean;
  audiences: string[];
  jti?: string;
}

export class TokenError extends Error {}

/**
 * Verify signature, issuer, time window and audience (any of `audiences` must be in the token's
 * aud; legacy tokens carry none and are good for the API audience only). Throws a TokenError
 * worded like kube-apiserver's authenticator.
 */
export async function verifyToken(token: string, key: CryptoKey, audiences: string[] = [API_AUDIENCE], nowSeconds?: number): Promise<TokenSubject> {
  let unverified: JWTPayload;
  try {
    unverified = decodeJwt(token);
  } catch {
    throw new TokenError('invalid bearer token');
  }
  const legacy = unverified.iss === LEGACY_ISSUER;
  if (!legacy && unverified.iss !== ISSUER) throw new TokenError('invalid bearer token');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, { algorithms: ['RS256'], issuer: unverified.iss, currentDate: nowSeconds ? new Date(nowSeconds * 1000) : undefined }));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED') throw new TokenError('service account token has expired');
    if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (e as { claim?: string }).claim === 'nbf') throw new TokenError('service account token is not valid yet');
    throw new TokenError('invalid bearer token');
  }
  if (legacy) {
    const c = payload as LegacyClaims;
    if (!audiences.includes(API_AUDIENCE)) throw new TokenError('token audiences ["kubernetes/serviceaccount"] is invalid for the target audiences');
    return {
      namespace: c['kubernetes.io/serviceaccount/namespace'],
      serviceAccount: { name: c['kubernetes.io/serviceaccount/service-account.name'], uid: c['kubernetes.io/serviceaccount/service-account.uid'] },
      secret: { name: c['kubernetes.io/serviceaccount/secret.name'], uid: '' },
      legacy: true,
      audiences: [API_AUDIENCE],
    };
  }
  const c = payload as BoundClaims;
  const aud = Array.isArray(c.aud) ? c.aud : c.aud ? [c.aud] : [];
  const matched = aud.filter((a) => audiences.includes(a));
  if (!matched.length) throw new TokenError(`token audiences ${JSON.stringify(aud)} is invalid for the target audiences ${JSON.stringify(audiences)}`);
  const k = c['kubernetes.io'];
  if (!k?.namespace || !k.serviceaccount?.name) throw new TokenError('invalid bearer token');
  return { namespace: k.namespace, serviceAccount: k.serviceaccount, pod: k.pod, secret: k.secret, node: k.node, legacy: false, audiences: matched, jti: c.jti };
}

/** The authenticated user of a valid service-account token (ServiceAccountInfo.UserInfo). */
export function userInfoFor(s: TokenSubject): UserInfo {
  const extra: Record<string, string[]> = {};
  if (s.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${s.jti}`];
  if (s.node) {
    extra['authentication.kubernetes.io/node-name'] = [s.node.name];
    extra['authentication.kubernetes.io/node-uid'] = [s.node.uid];
  }
  if (s.pod) {
    extra['authentication.kubernetes.io/pod-name'] = [s.pod.name];
    extra['authentication.kubernetes.io/pod-uid'] = [s.pod.uid];
  }
  const user: UserInfo = {
    username: serviceAccountUsername(s.namespace, s.serviceAccount.name),
    uid: s.serviceAccount.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${s.namespace}`, 'system:authenticated'],
  };
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}

/** TokenRequest validation: expirationSeconds bounds, worded like ValidateTokenRequest. */
export function validateExpiration(seconds: number): string | undefined {
  if (seconds < MIN_EXPIRATION_SECONDS) return 'may not specify a duration less than 10 minutes';
  if (seconds > MAX_EXPIRATION_SECONDS) return 'may not specify a duration larger than 2^32 seconds';
  return undefined;
}
