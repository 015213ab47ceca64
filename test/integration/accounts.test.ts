// Namespaces and service accounts inside a sandbox: the namespace controller's Terminating phase,
// conditions and finalize; default ServiceAccount and kube-root-ca.crt in every namespace;
// TokenRequest, TokenReview, ClusterObject.authenticateToken and legacy token Secrets.
import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { clusterStub, configMap, k, until } from './helpers';

type Cluster = { authenticateToken(token: string): Promise<any> };
const cluster = () => clusterStub() as unknown as Cluster;

async function namespace(name: string) {
  expect((await k('POST', '/api/v1/namespaces', { metadata: { name } })).status).toBe(201);
  await until(`default SA in ${name}`, async () => ((await k('GET', `/api/v1/namespaces/${name}/serviceaccounts/default`)).status === 200 ? true : undefined));
}

const token = (ns: string, sa: string, spec: object = {}) =>
  k('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });

describe('namespace controller', () => {
  it('a new namespace carries the kubernetes finalizer; deleting it removes its content, then the namespace', async () => {
    await namespace('doomed');
    const ns = (await k('GET', '/api/v1/namespaces/doomed')).body;
    expect(ns.spec.finalizers).toEqual(['kubernetes']);
    await k('POST', '/api/v1/namespaces/doomed/configmaps', configMap('a'));
    await k('POST', '/api/v1/namespaces/doomed/secrets', { metadata: { name: 's' }, stringData: { x: 'y' } });
    // A finalizer that nobody removes keeps the namespace Terminating, with the upstream conditions.
    await k('POST', '/api/v1/namespaces/doomed/configmaps', { ...configMap('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    const del = await k('DELETE', '/api/v1/namespaces/doomed');
    expect(del.status).toBe(200);
    expect(del.body.status.phase).toBe('Terminating');
    const stuck = await until('conditions', async () => {
      const b = (await k('GET', '/api/v1/namespaces/doomed')).body;
      return b.status?.conditions?.find((c: any) => c.type === 'NamespaceFinalizersRemaining')?.status === 'True' ? b : undefined;
    });
    const cond = Object.fromEntries(stuck.status.conditions.map((c: any) => [c.type, c]));
    expect(Object.keys(cond)).toEqual([
      'NamespaceDeletionDiscoveryFailure',
      'NamespaceDeletionGroupVersionParsingFailure',
      'NamespaceDeletionContentFailure',
      'NamespaceContentRemaining',
      'NamespaceFinalizersRemaining',
    ]);
    expect(cond.NamespaceDeletionDiscoveryFailure).toMatchObject({ status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' });
    expect(cond.NamespaceDeletionContentFailure).toMatchObject({ status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' });
    expect(cond.NamespaceContentRemaining).toMatchObject({ status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps has 1 resource instances' });
    expect(cond.NamespaceFinalizersRemaining).toMatchObject({ status: 'True', reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' });
    expect(stuck.spec.finalizers).toEqual(['kubernetes']);
    expect((await k('GET', '/api/v1/namespaces/doomed/configmaps/a')).status).toBe(404);
    expect((await k('GET', '/api/v1/namespaces/doomed/secrets/s')).status).toBe(404);
    expect((await k('GET', '/api/v1/namespaces/doomed/serviceaccounts/default')).status).toBe(404);
    // New content is refused while terminating.
    expect((await k('POST', '/api/v1/namespaces/doomed/configmaps', configMap('late'))).status).toBe(403);
    await k('PATCH', '/api/v1/namespaces/doomed/configmaps/held', { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' });
    await until('namespace gone', async () => ((await k('GET', '/api/v1/namespaces/doomed')).status === 404 ? true : undefined));
  });

  it('the system namespaces may not be deleted', async () => {
    for (const name of ['default', 'kube-system', 'kube-public']) {
      const r = await k('DELETE', `/api/v1/namespaces/${name}`);
      expect(r.status).toBe(403);
      expect(r.body.message).toBe(`namespaces "${name}" is forbidden: this namespace may not be deleted`);
    }
    expect((await k('GET', '/api/v1/namespaces/default')).body.status.phase).toBe('Active');
  });

  it('namespaces/finalize writes spec.finalizers only', async () => {
    await namespace('fin');
    const ns = (await k('GET', '/api/v1/namespaces/fin')).body;
    const r = await k('PUT', '/api/v1/namespaces/fin/finalize', { ...ns, metadata: { ...ns.metadata, labels: { x: 'y' } }, spec: { finalizers: ['example.com/other'] } });
    expect(r.status).toBe(200);
    expect(r.body.spec.finalizers).toEqual(['example.com/other']);
    expect(r.body.metadata.labels.x).toBeUndefined();
  });
});

describe('service accounts', () => {
  it('every namespace gets a default ServiceAccount (recreated when deleted) and kube-root-ca.crt', async () => {
    await namespace('sa1');
    for (const ns of ['default', 'kube-system', 'sa1']) {
      const cm = await until(`root CA in ${ns}`, async () => {
        const r = await k('GET', `/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`);
        return r.status === 200 ? r.body : undefined;
      });
      expect(cm.data['ca.crt']).toMatch(/^-----BEGIN /);
      expect(cm.metadata.annotations['kubernetes.io/description']).toMatch(/^Contains a CA bundle/);
    }
    const first = (await k('GET', '/api/v1/namespaces/sa1/serviceaccounts/default')).body;
    await k('DELETE', '/api/v1/namespaces/sa1/serviceaccounts/default');
    const again = await until('default SA back', async () => {
      const r = await k('GET', '/api/v1/namespaces/sa1/serviceaccounts/default');
      return r.status === 200 ? r.body : undefined;
    });
    expect(again.metadata.uid).not.toBe(first.metadata.uid);
    await k('DELETE', '/api/v1/namespaces/sa1/configmaps/kube-root-ca.crt');
    await until('root CA back', async () => ((await k('GET', '/api/v1/namespaces/sa1/configmaps/kube-root-ca.crt')).status === 200 ? true : undefined));
  });

  it('pods get serviceAccountName default and the kube-api-access volume, unless automount is off', async () => {
    await namespace('sa2');
    const pod = (name: string, extra: object = {}) => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...extra } });
    const p = (await k('POST', '/api/v1/namespaces/sa2/pods', pod('p1'))).body;
    expect(p.spec.serviceAccountName).toBe('default');
    const vol = p.spec.volumes.find((v: any) => v.name.startsWith('kube-api-access-'));
    expect(vol.name).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
    expect(vol.projected.sources[0].serviceAccountToken).toEqual({ expirationSeconds: 3607, path: 'token' });
    expect(p.spec.containers[0].volumeMounts).toEqual([{ name: vol.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
    const off = (await k('POST', '/api/v1/namespaces/sa2/pods', pod('p2', { automountServiceAccountToken: false }))).body;
    expect(off.spec.volumes ?? []).toEqual([]);
    // An account that opts out keeps the token out, unless the pod asks for it.
    await k('POST', '/api/v1/namespaces/sa2/serviceaccounts', { metadata: { name: 'quiet' }, automountServiceAccountToken: false, imagePullSecrets: [{ name: 'registry' }] });
    const quiet = (await k('POST', '/api/v1/namespaces/sa2/pods', pod('p3', { serviceAccountName: 'quiet' }))).body;
    expect(quiet.spec.volumes).toBeUndefined();
    expect(quiet.spec.containers[0].volumeMounts).toBeUndefined();
    expect(quiet.spec.imagePullSecrets).toEqual([{ name: 'registry' }]);
    const asks = (await k('POST', '/api/v1/namespaces/sa2/pods', pod('p4', { serviceAccountName: 'quiet', automountServiceAccountToken: true }))).body;
    expect(asks.spec.volumes[0].name).toMatch(/^kube-api-access-/);
    const missing = await k('POST', '/api/v1/namespaces/sa2/pods', pod('p5', { serviceAccountName: 'ghost' }));
    expect(missing.status).toBe(403);
    expect(missing.body.message).toBe('pods "p5" is forbidden: error looking up service account sa2/ghost: serviceaccount "ghost" not found');
  });
});

describe('TokenRequest and authentication', () => {
  it('issues a JWT naming the account, honours audiences and expiry, and authenticates it', async () => {
    await namespace('tok');
    const sa = (await k('GET', '/api/v1/namespaces/tok/serviceaccounts/default')).body;
    const r = await token('tok', 'default', { audiences: ['vault'], expirationSeconds: 7200 });
    expect(r.status).toBe(201);
    expect(r.body.kind).toBe('TokenRequest');
    const claims = decodeJwt(r.body.status.token) as any;
    expect(claims.sub).toBe('system:serviceaccount:tok:default');
    expect(claims.iss).toBe('https://kubernetes.default.svc.cluster.local');
    expect(claims.aud).toEqual(['vault']);
    expect(claims.exp - claims.iat).toBe(7200);
    expect(claims.nbf).toBe(claims.iat);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims['kubernetes.io']).toEqual({ namespace: 'tok', serviceaccount: { name: 'default', uid: sa.metadata.uid } });
    expect(Date.parse(r.body.status.expirationTimestamp) / 1000).toBe(claims.exp);
    // Not for the API's audience: the API does not accept it.
    expect(await cluster().authenticateToken(r.body.status.token)).toBeUndefined();

    const api = await token('tok', 'default');
    const apiClaims = decodeJwt(api.body.status.token) as any;
    expect(apiClaims.aud).toEqual(['https://kubernetes.default.svc.cluster.local']);
    expect(apiClaims.exp - apiClaims.iat).toBe(3600);
    const user = await cluster().authenticateToken(api.body.status.token);
    expect(user).toEqual({
      username: 'system:serviceaccount:tok:default',
      uid: sa.metadata.uid,
      groups: ['system:serviceaccounts', 'system:serviceaccounts:tok', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${apiClaims.jti}`] },
    });
    // A tampered token and a token of a deleted account are refused.
    const [h, p, s] = api.body.status.token.split('.');
    expect(await cluster().authenticateToken(`${h}.${p}.${s.slice(0, -4)}AAAA`)).toBeUndefined();
    expect(await cluster().authenticateToken('not-a-jwt')).toBeUndefined();
    await k('DELETE', '/api/v1/namespaces/tok/serviceaccounts/default');
    expect(await cluster().authenticateToken(api.body.status.token)).toBeUndefined();
  });

  it('refuses short durations with 422 and unknown accounts with 404', async () => {
    await namespace('tok2');
    const short = await token('tok2', 'default', { expirationSeconds: 599 });
    expect(short.status).toBe(422);
    expect(short.body.message).toBe('TokenRequest.authentication.k8s.io "default" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes');
    const other = await k('POST', '/api/v1/namespaces/tok2/serviceaccounts/default/token', { metadata: { name: 'someone' }, spec: {} });
    expect(other.status).toBe(422);
    expect(other.body.message).toBe('TokenRequest.authentication.k8s.io "default" is invalid: metadata.name: Invalid value: "someone": must match the service account name if specified');
    const missing = await token('tok2', 'nobody');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('serviceaccounts "nobody" not found');
  });

  it('binds a token to a pod: claims name the pod, and the token dies with it', async () => {
    await namespace('tok3');
    const pod = (await k('POST', '/api/v1/namespaces/tok3/pods', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } })).body;
    const r = await token('tok3', 'default', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: pod.metadata.uid } });
    expect(r.status).toBe(201);
    const claims = decodeJwt(r.body.status.token) as any;
    expect(claims['kubernetes.io'].pod).toEqual({ name: 'p', uid: pod.metadata.uid });
    const user = await cluster().authenticateToken(r.body.status.token);
    expect(user.extra['authentication.kubernetes.io/pod-name']).toEqual(['p']);
    expect(user.extra['authentication.kubernetes.io/pod-uid']).toEqual([pod.metadata.uid]);
    const wrongUid = await token('tok3', 'default', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'nope' } });
    expect(wrongUid.status).toBe(409);
    await k('DELETE', '/api/v1/namespaces/tok3/pods/p?gracePeriodSeconds=0');
    await until('pod gone', async () => ((await k('GET', '/api/v1/namespaces/tok3/pods/p')).status === 404 ? true : undefined));
    expect(await cluster().authenticateToken(r.body.status.token)).toBeUndefined();
  });

  it('TokenReview answers through the same verification', async () => {
    await namespace('tok4');
    const t = (await token('tok4', 'default', { audiences: ['api', 'other'] })).body.status.token;
    const review = (spec: object) => k('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec });
    const ok = await review({ token: t, audiences: ['other'] });
    expect(ok.status).toBe(201);
    expect(ok.body.status.authenticated).toBe(true);
    expect(ok.body.status.user.username).toBe('system:serviceaccount:tok4:default');
    expect(ok.body.status.audiences).toEqual(['other']);
    const bad = await review({ token: t });
    expect(bad.body.status.authenticated).toBeUndefined();
    expect(bad.body.status.error).toMatch(/invalid for the target audiences/);
  });

  it('legacy token Secrets get a non-expiring token, ca.crt and namespace, and go with their account', async () => {
    await namespace('tok5');
    await k('POST', '/api/v1/namespaces/tok5/serviceaccounts', { metadata: { name: 'builder' } });
    const sa = (await k('GET', '/api/v1/namespaces/tok5/serviceaccounts/builder')).body;
    await k('POST', '/api/v1/namespaces/tok5/secrets', {
      metadata: { name: 'builder-token', annotations: { 'kubernetes.io/service-account.name': 'builder' } },
      type: 'kubernetes.io/service-account-token',
    });
    const secret = await until('token filled in', async () => {
      const s = (await k('GET', '/api/v1/namespaces/tok5/secrets/builder-token')).body;
      return s.data?.token ? s : undefined;
    });
    expect(atob(secret.data.namespace)).toBe('tok5');
    expect(atob(secret.data['ca.crt'])).toMatch(/^-----BEGIN /);
    expect(secret.metadata.annotations['kubernetes.io/service-account.uid']).toBe(sa.metadata.uid);
    const jwt = atob(secret.data.token);
    const claims = decodeJwt(jwt) as any;
    expect(claims.iss).toBe('kubernetes/serviceaccount');
    expect(claims.exp).toBeUndefined();
    expect(claims['kubernetes.io/serviceaccount/secret.name']).toBe('builder-token');
    expect((await cluster().authenticateToken(jwt)).username).toBe('system:serviceaccount:tok5:builder');
    await k('DELETE', '/api/v1/namespaces/tok5/serviceaccounts/builder');
    await until('secret gone', async () => ((await k('GET', '/api/v1/namespaces/tok5/secrets/builder-token')).status === 404 ? true : undefined));
    expect(await cluster().authenticateToken(jwt)).toBeUndefined();
  });
});
