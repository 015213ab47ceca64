// Service-account tokens inside a sandbox: the serviceaccounts/token subresource (TokenRequest),
// TokenReview, and the authenticator the Worker asks about bearer tokens that are not sandbox
// tokens. Signing and verifying are asynchronous (WebCrypto), so these run beside the synchronous
// registry; every store check happens after the last await, on the state that is current then.
import type { ApiCall, UserInfo, WireReply } from '../api/call';
import { errors } from '../api/status';
import { nowTimestamp } from './generic-registry';
import {
  API_AUDIENCE,
  boundClaims,
  DEFAULT_EXPIRATION_SECONDS,
  legacyClaims,
  signToken,
  TokenError,
  userInfoFor,
  validateExpiration,
  verifyToken,
  type TokenSubject,
} from '../tenancy/serviceaccount-token';
import type { KObject } from '../registry/types';
import { base64ToUtf8OrEmpty } from '../machinery/base64';
import type { SigningKeys } from './signing-key';
import type { Store } from './store';


interface BoundObjectRef {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function decodeTokenRequest(call: ApiCall): { audiences: string[]; expirationSeconds: number; boundObjectRef?: BoundObjectRef; metadata: Record<string, unknown> } {
  const body = call.body;
  if (!isObject(body)) throw errors.badRequest('the body of the request was not a JSON object');
  if (body.kind !== undefined && body.kind !== 'TokenRequest') {
    throw errors.badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (authentication.k8s.io/v1)`);
  }
  const spec = isObject(body.spec) ? body.spec : {};
  const audiences = Array.isArray(spec.audiences) ? spec.audiences.filter((a): a is string => typeof a === 'string') : [];
  const exp = spec.expirationSeconds;
  const expirationSeconds = typeof exp === 'number' ? exp : typeof exp === 'string' && /^\d+$/.test(exp) ? Number(exp) : DEFAULT_EXPIRATION_SECONDS;
  const ref = isObject(spec.boundObjectRef) ? (spec.boundObjectRef as BoundObjectRef) : undefined;
  return { audiences, expirationSeconds, boundObjectRef: ref, metadata: isObject(body.metadata) ? body.metadata : {} };
}

/** POST serviceaccounts/NAME/token: a bound token for the account (and the pod, secret or node named). */
export async function createTokenRequest(store: Store, keys: SigningKeys, call: ApiCall): Promise<WireReply> {
  const ns = call.namespace ?? '';
  const name = call.name ?? '';
  const req = decodeTokenRequest(call);
  const sa = store.get('serviceaccounts', ns, name);
  if (!sa) throw errors.notFound({ group: '', resource: 'serviceaccounts' }, name);
  const why = validateExpiration(req.expirationSeconds);
  if (why) {
    throw errors.invalid('TokenRequest', 'authentication.k8s.io', name, [
      { type: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${req.expirationSeconds}: ${why}` },
    ]);
  }
  // The body's name and namespace may be left out, but must match the URL when given.
  const mismatch = [
    ...(req.metadata.name !== undefined && req.metadata.name !== '' && req.metadata.name !== name ? [['metadata.name', req.metadata.name, 'name']] : []),
    ...(req.metadata.namespace !== undefined && req.metadata.namespace !== '' && req.metadata.namespace !== ns ? [['metadata.namespace', req.metadata.namespace, 'namespace']] : []),
  ].map(([field, value, what]) => ({ type: 'FieldValueInvalid', field: String(field), message: `Invalid value: ${JSON.stringify(value)}: must match the service account ${what} if specified` }));
  if (mismatch.length) throw errors.invalid('TokenRequest', 'authentication.k8s.io', name, mismatch);
  const audiences = req.audiences.length ? req.audiences : [API_AUDIENCE];
  let pod: { name: string; uid: string } | undefined;
  let secret: { name: string; uid: string } | undefined;
  let node: { name: string; uid: string } | undefined;
  const ref = req.boundObjectRef;
  if (ref) {
    const kinds: Record<string, [string, boolean]> = { Pod: ['pods', true], Secret: ['secrets', true], Node: ['nodes', false] };
    const target = ref.kind ? kinds[ref.kind] : undefined;
    if (!target || (ref.apiVersion ?? 'v1') !== 'v1') throw errors.badRequest(`cannot bind token for serviceaccount "${name}" to object of kind "${ref.apiVersion ?? ''}, Kind=${ref.kind ?? ''}"`);
    const obj = store.get(target[0], target[1] ? ns : '', ref.name ?? '');
    if (!obj) throw errors.notFound({ group: '', resource: target[0] }, ref.name ?? '');
    if (ref.uid && ref.uid !== obj.metadata.uid) {
      throw errors.conflict({ group: '', resource: ref.kind! }, ref.name!, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    const r = { name: obj.metadata.name!, uid: obj.metadata.uid! };
    if (ref.kind === 'Pod') {
      pod = r;
      // ServiceAccountTokenPodNodeInfo: a pod-bound token also names the pod's node.
      const nodeName = (obj.spec as { nodeName?: string } | undefined)?.nodeName;
      const n = nodeName ? store.get('nodes', '', nodeName) : undefined;
      if (n) node = { name: n.metadata.name!, uid: n.metadata.uid! };
    } else if (ref.kind === 'Secret') secret = r;
    else node = r;
  }
  const { kid, privateKey } = await keys.get();
  const now = Math.floor(Date.now() / 1000);
  const claims = boundClaims({
    namespace: ns,
    serviceAccount: { name, uid: sa.metadata.uid! },
    audiences,
    expirationSeconds: req.expirationSeconds,
    pod,
    secret,
    node,
    now,
    jti: crypto.randomUUID(),
  });
  const token = await signToken(claims, privateKey, kid);
  return {
    status: 201,
    body: {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { ...req.metadata, name, namespace: ns, creationTimestamp: nowTimestamp(now * 1000) },
      spec: { audiences, expirationSeconds: req.expirationSeconds, boundObjectRef: ref ?? null },
      status: { token, expirationTimestamp: nowTimestamp(claims.exp! * 1000) },
    },
  };
}

/** The store checks of serviceaccount's validator: account, secret and pod still there with the same uid. */
function checkSubject(store: Store, s: TokenSubject, token: string): void {
  const sa = store.get('serviceaccounts', s.namespace, s.serviceAccount.name);
  if (!sa) throw new TokenError(`serviceaccounts "${s.serviceAccount.name}" not found`);
  if (sa.metadata.uid !== s.serviceAccount.uid) throw new TokenError(`service account UID (${sa.metadata.uid}) does not match claim (${s.serviceAccount.uid})`);
  if (s.secret) {
    const secret = store.get('secrets', s.namespace, s.secret.name);
    if (!secret || secret.metadata.deletionTimestamp) throw new TokenError('service account token has been invalidated');
    if (s.legacy) {
      const data = (secret.data ?? {}) as Record<string, string>;
      if (!data.token || base64ToUtf8OrEmpty(data.token) !== token) throw new TokenError('service account token has been invalidated');
    } else if (secret.metadata.uid !== s.secret.uid) throw new TokenError(`secret UID (${secret.metadata.uid}) does not match service account secret ref claim (${s.secret.uid})`);
  }
  if (s.pod) {
    const pod = store.get('pods', s.namespace, s.pod.name);
    if (!pod || pod.metadata.deletionTimestamp) throw new TokenError('service account token has been invalidated');
    if (pod.metadata.uid !== s.pod.uid) throw new TokenError(`pod UID (${pod.metadata.uid}) does not match service account pod ref claim (${s.pod.uid})`);
  }
  if (s.node && !s.pod) {
    const node = store.get('nodes', '', s.node.name);
    if (!node || node.metadata.deletionTimestamp) throw new TokenError('service account token has been invalidated');
    if (node.metadata.uid !== s.node.uid) throw new TokenError(`node UID (${node.metadata.uid}) does not match service account node ref claim (${s.node.uid})`);
  }
}

/** Authenticate a service-account JWT of this sandbox for `audiences`; throws TokenError when it is not valid. */
export async function authenticateServiceAccountToken(store: Store, keys: SigningKeys, token: string, audiences: string[] = [API_AUDIENCE]): Promise<{ user: UserInfo; audiences: string[] }> {
  const { publicKey } = await keys.get();
  const subject = await verifyToken(token, publicKey, audiences);
  checkSubject(store, subject, token);
  return { user: userInfoFor(subject), audiences: subject.audiences };
}

/** POST tokenreviews: the same verification the API's authenticator does. */
export async function createTokenReview(store: Store, keys: SigningKeys, call: ApiCall): Promise<WireReply> {
  const body = call.body;
  if (!isObject(body)) throw errors.badRequest('the body of the request was not a JSON object');
  const spec = isObject(body.spec) ? body.spec : {};
  const token = typeof spec.token === 'string' ? spec.token : '';
  if (!token) {
    throw errors.invalid('TokenReview', 'authentication.k8s.io', '', [{ type: 'FieldValueRequired', field: 'spec.token', message: 'Required value: token cannot be empty' }]);
  }
  const wanted = Array.isArray(spec.audiences) && spec.audiences.length ? (spec.audiences as string[]) : [API_AUDIENCE];
  let status: Record<string, unknown>;
  try {
    const { user, audiences } = await authenticateServiceAccountToken(store, keys, token, wanted);
    status = { authenticated: true, user, audiences };
  } catch (e) {
    if (!(e instanceof TokenError)) throw e;
    status = { user: {}, error: `[invalid bearer token, ${e.message}]` };
  }
  const metadata = isObject(body.metadata) ? body.metadata : {};
  return { status: 201, body: { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { ...metadata, creationTimestamp: null }, spec: { ...spec }, status } };
}

/** A legacy token for a kubernetes.io/service-account-token Secret (no expiry, like upstream's). */
export async function legacyToken(keys: SigningKeys, namespace: string, sa: KObject, secretName: string): Promise<string> {
  const { kid, privateKey } = await keys.get();
  return signToken(legacyClaims(namespace, { name: sa.metadata.name!, uid: sa.metadata.uid! }, secretName), privateKey, kid);
}


