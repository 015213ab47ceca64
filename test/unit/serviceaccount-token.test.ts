// Service-account JWTs: the claims kube-apiserver puts in bound and legacy tokens, signature,
// expiry and audience checks, and the UserInfo a token stands for.
import { describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  API_AUDIENCE,
  boundClaims,
  legacyClaims,
  signToken,
  TokenError,
  userInfoFor,
  validateExpiration,
  verifyToken,
} from '../../src/tenancy/serviceaccount-token';

const keys = crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
const other = crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
const now = Math.floor(Date.now() / 1000);
const sa = { name: 'robot', uid: 'sa-uid' };

describe('claims', () => {
  it('bound tokens', () => {
    const c = boundClaims({ namespace: 'ns', serviceAccount: sa, audiences: ['a', 'b'], expirationSeconds: 600, pod: { name: 'p', uid: 'p-uid' }, node: { name: 'n', uid: 'n-uid' }, now: 1000, jti: 'j' });
    expect(c).toEqual({
      aud: ['a', 'b'],
      exp: 1600,
      iat: 1000,
      iss: 'https://kubernetes.default.svc.cluster.local',
      jti: 'j',
      'kubernetes.io': { namespace: 'ns', serviceaccount: sa, pod: { name: 'p', uid: 'p-uid' }, node: { name: 'n', uid: 'n-uid' } },
      nbf: 1000,
      sub: 'system:serviceaccount:ns:robot',
    });
  });

  it('legacy tokens carry no expiry', () => {
    expect(legacyClaims('ns', sa, 'robot-token')).toEqual({
      iss: 'kubernetes/serviceaccount',
      'kubernetes.io/serviceaccount/namespace': 'ns',
      'kubernetes.io/serviceaccount/secret.name': 'robot-token',
      'kubernetes.io/serviceaccount/service-account.name': 'robot',
      'kubernetes.io/serviceaccount/service-account.uid': 'sa-uid',
      sub: 'system:serviceaccount:ns:robot',
    });
  });

  const durations: [number, string | undefined][] = [
    [599, 'may not specify a duration less than 10 minutes'],
    [600, undefined],
    [3600, undefined],
    [2 ** 32, undefined],
    [2 ** 32 + 1, 'may not specify a duration larger than 2^32 seconds'],
  ];
  it.each(durations)('expirationSeconds %i', (s, want) => expect(validateExpiration(s)).toBe(want));
});

describe('sign and verify', () => {
  const bound = (over: Partial<Parameters<typeof boundClaims>[0]> = {}) =>
    boundClaims({ namespace: 'ns', serviceAccount: sa, audiences: [API_AUDIENCE], expirationSeconds: 3600, now, jti: 'jti-1', ...over });

  it('RS256 with the key id in the header; verifies back to the subject', async () => {
    const { privateKey, publicKey } = await keys;
    const jwt = await signToken(bound(), privateKey, 'kid-1');
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'RS256', kid: 'kid-1' });
    expect(decodeJwt(jwt).sub).toBe('system:serviceaccount:ns:robot');
    const s = await verifyToken(jwt, publicKey);
    expect(s).toMatchObject({ namespace: 'ns', serviceAccount: sa, legacy: false, audiences: [API_AUDIENCE], jti: 'jti-1' });
    expect(userInfoFor(s)).toEqual({
      username: 'system:serviceaccount:ns:robot',
      uid: 'sa-uid',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': ['JTI=jti-1'] },
    });
  });

  const failures: [string, () => Promise<[string, CryptoKey, string[]?]>, string][] = [
    ['expired', async () => [await signToken(bound({ now: now - 7200 }), (await keys).privateKey, 'k'), (await keys).publicKey], 'service account token has expired'],
    ['not yet valid', async () => [await signToken(bound({ now: now + 7200 }), (await keys).privateKey, 'k'), (await keys).publicKey], 'service account token is not valid yet'],
    ['another key', async () => [await signToken(bound(), (await other).privateKey, 'k'), (await keys).publicKey], 'invalid bearer token'],
    ['another audience', async () => [await signToken(bound({ audiences: ['vault'] }), (await keys).privateKey, 'k'), (await keys).publicKey], 'token audiences ["vault"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]'],
    ['another issuer', async () => [await signToken({ ...bound(), iss: 'someone' }, (await keys).privateKey, 'k'), (await keys).publicKey], 'invalid bearer token'],
    ['garbage', async () => ['a.b.c', (await keys).publicKey], 'invalid bearer token'],
  ];
  it.each(failures)('refuses %s', async (_, make, message) => {
    const [jwt, key, audiences] = await make();
    await expect(verifyToken(jwt, key, audiences)).rejects.toThrow(new TokenError(message));
  });

  it('legacy tokens are good for the API audience only', async () => {
    const { privateKey, publicKey } = await keys;
    const jwt = await signToken(legacyClaims('ns', sa, 'robot-token'), privateKey, 'k');
    const s = await verifyToken(jwt, publicKey);
    expect(s).toMatchObject({ legacy: true, secret: { name: 'robot-token' }, audiences: [API_AUDIENCE] });
    expect(userInfoFor(s).extra).toBeUndefined();
    await expect(verifyToken(jwt, publicKey, ['vault'])).rejects.toThrow(TokenError);
  });

  it('pod-bound tokens name the pod and node in extra', () => {
    const user = userInfoFor({ namespace: 'ns', serviceAccount: sa, pod: { name: 'p', uid: 'pu' }, node: { name: 'n', uid: 'nu' }, legacy: false, audiences: [], jti: 'j' });
    expect(user.extra).toEqual({
      'authentication.kubernetes.io/credential-id': ['JTI=j'],
      'authentication.kubernetes.io/node-name': ['n'],
      'authentication.kubernetes.io/node-uid': ['nu'],
      'authentication.kubernetes.io/pod-name': ['p'],
      'authentication.kubernetes.io/pod-uid': ['pu'],
    });
  });
});
