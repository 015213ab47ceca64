/// <reference types="node" />
// Namespaces, service accounts, tokens, quotas and limit ranges with real kubectl: every namespace
// has its default ServiceAccount and kube-root-ca.crt; deleting a namespace empties it and then it
// is gone; `kubectl create token` returns a JWT naming the account that the API accepts; a quota of
// 3 pods refuses the 4th with kube-apiserver's message; LimitRanges default and bound containers.
import { beforeAll, expect, inject, it } from 'vitest';
import { describeKubectl, uniqueName } from './kubectl';

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

describeKubectl(
  'accounts',
  (k) => {
    const ns = uniqueName('acct');
    const json = async (args: string[]) => JSON.parse((await k.run([...args, '-o', 'json'])).stdout);

    beforeAll(async () => {
      await k.run(['create', 'namespace', ns]);
    });

    it('a new namespace has the default ServiceAccount and kube-root-ca.crt with the cluster CA', async () => {
      const sa = await json(['get', 'serviceaccount', 'default', '-n', ns]);
      expect(sa.metadata.name).toBe('default');
      const cm = await json(['get', 'configmap', 'kube-root-ca.crt', '-n', ns]);
      expect(cm.data['ca.crt']).toBe(inject('caPem'));
      const nsObj = await json(['get', 'namespace', ns]);
      expect(nsObj.spec.finalizers).toEqual(['kubernetes']);
    });

    it('a quota of 3 pods refuses the 4th with the real message', async () => {
      await k.run(['create', 'quota', 'three-pods', '--hard=pods=3', '-n', ns]);
      for (const p of ['p1', 'p2', 'p3']) await k.run(['run', p, '--image=nginx', '-n', ns]);
      const r = await k.run(['run', 'p4', '--image=nginx', '-n', ns], { expectFail: true });
      expect(r.stderr.trim()).toBe('Error from server (Forbidden): pods "p4" is forbidden: exceeded quota: three-pods, requested: pods=1, used: pods=3, limited: pods=3');
      const quota = await json(['get', 'quota', 'three-pods', '-n', ns]);
      expect(quota.status).toEqual({ hard: { pods: '3' }, used: { pods: '3' } });
      const table = (await k.run(['get', 'quota', '-n', ns])).stdout;
      expect(table).toMatch(/^NAME\s+REQUEST\s+LIMIT\s+AGE$/m);
      expect(table).toMatch(/^three-pods\s+pods: 3\/3\s+\d+s$/m);
    });

    it('a LimitRange defaults container resources and refuses what exceeds its max', async () => {
      const lrNs = uniqueName('lr');
      await k.run(['create', 'namespace', lrNs]);
      await k.run(['apply', '-n', lrNs, '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'v1',
          kind: 'LimitRange',
          metadata: { name: 'limits' },
          spec: { limits: [{ type: 'Container', max: { cpu: '1' }, default: { cpu: '500m', memory: '128Mi' }, defaultRequest: { cpu: '250m' } }] },
        }),
      });
      await k.run(['run', 'small', '--image=nginx', '-n', lrNs]);
      const pod = await json(['get', 'pod', 'small', '-n', lrNs]);
      expect(pod.spec.containers[0].resources).toEqual({ limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m', memory: '128Mi' } });
      const r = await k.run(['run', 'big', '--image=nginx', '-n', lrNs, '--overrides', JSON.stringify({ spec: { containers: [{ name: 'big', image: 'nginx', resources: { limits: { cpu: '2' } } }] } })], {
        expectFail: true,
      });
      expect(r.stderr.trim()).toBe('Error from server (Forbidden): pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
      await k.run(['delete', 'namespace', lrNs, '--wait=false']);
    });

    it('deleting a namespace removes its contents, then the namespace', async () => {
      const doomed = uniqueName('doomed');
      await k.run(['create', 'namespace', doomed]);
      await k.run(['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '-n', doomed]);
      await k.run(['create', 'configmap', 'settings', '--from-literal=a=b', '-n', doomed]);
      await k.run(['rollout', 'status', 'deploy/web', '-n', doomed, '--timeout=60s'], { timeoutMs: 70_000 });
      // kubectl waits until the namespace is gone.
      await k.run(['delete', 'namespace', doomed, '--timeout=90s'], { timeoutMs: 100_000 });
      const r = await k.run(['get', 'namespace', doomed], { expectFail: true });
      expect(r.stderr).toContain(`namespaces "${doomed}" not found`);
      const left = await json(['get', 'pods,configmaps,deployments', '-n', doomed]);
      expect(left.items).toEqual([]);
    }, 120_000);
  },
  ['1.33'],
);

describeKubectl(
  'create token',
  (k) => {
    const ns = uniqueName('tok');
    beforeAll(async () => {
      await k.run(['create', 'namespace', ns]);
      await k.run(['create', 'serviceaccount', 'robot', '-n', ns]);
    });

    it('returns a JWT whose claims name the service account, with the audience and duration asked for', async () => {
      const sa = JSON.parse((await k.run(['get', 'sa', 'robot', '-n', ns, '-o', 'json'])).stdout);
      const jwt = (await k.run(['create', 'token', 'robot', '-n', ns, '--audience', 'vault', '--duration', '2h'])).stdout.trim();
      const claims = claimsOf(jwt);
      expect(claims.sub).toBe(`system:serviceaccount:${ns}:robot`);
      expect(claims.aud).toEqual(['vault']);
      expect(claims.exp - claims.iat).toBe(7200);
      expect(claims['kubernetes.io']).toEqual({ namespace: ns, serviceaccount: { name: 'robot', uid: sa.metadata.uid } });
      const short = await k.run(['create', 'token', 'robot', '-n', ns, '--duration', '5m'], { expectFail: true });
      expect(short.stderr).toContain('may not specify a duration less than 10 minutes');
    });

    it('the API accepts a token for its audience as that service account (TokenReview)', async () => {
      const jwt = (await k.run(['create', 'token', 'robot', '-n', ns])).stdout.trim();
      const review = JSON.parse(
        (
          await k.run(['create', '-o', 'json', '-f', '-'], {
            input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: jwt } }),
          })
        ).stdout,
      );
      expect(review.status.authenticated).toBe(true);
      expect(review.status.user.username).toBe(`system:serviceaccount:${ns}:robot`);
      expect(review.status.user.groups).toEqual(['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated']);
    });

    it('a request with the token is made as that service account', async () => {
      const jwt = (await k.run(['create', 'token', 'robot', '-n', ns])).stdout.trim();
      const who = JSON.parse((await k.run(['auth', 'whoami', '--token', jwt, '-o', 'json'])).stdout);
      expect(who.status.userInfo.username).toBe(`system:serviceaccount:${ns}:robot`);
      expect(who.status.userInfo.groups).toEqual(['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated']);
      const denied = await k.run(['get', 'pods', '-n', ns, '--token', jwt], { expectFail: true });
      expect(denied.stderr).toContain(`User "system:serviceaccount:${ns}:robot" cannot list resource "pods" in API group "" in the namespace "${ns}"`);
      // Once a RoleBinding grants `view`, the same token may read (and still not write).
      await k.run(['create', 'rolebinding', 'robot-view', '-n', ns, '--clusterrole=view', `--serviceaccount=${ns}:robot`]);
      const allowed = await k.run(['get', 'pods', '-n', ns, '--token', jwt]);
      expect(allowed.stderr).toContain('No resources found');
      const write = await k.run(['create', 'configmap', 'x', '-n', ns, '--token', jwt], { expectFail: true });
      expect(write.stderr).toContain('cannot create resource "configmaps"');
      // A token for another audience is not good for the API.
      const vault = (await k.run(['create', 'token', 'robot', '-n', ns, '--audience', 'vault'])).stdout.trim();
      const refused = await k.run(['get', 'pods', '-n', ns, '--token', vault], { expectFail: true });
      expect(refused.stderr).toContain('Unauthorized');
    });

    it('binds a token to a pod with --bound-object-kind', async () => {
      await k.run(['run', 'holder', '--image=nginx', '-n', ns, '--overrides', JSON.stringify({ spec: { serviceAccountName: 'robot' } })]);
      const pod = JSON.parse((await k.run(['get', 'pod', 'holder', '-n', ns, '-o', 'json'])).stdout);
      const jwt = (await k.run(['create', 'token', 'robot', '-n', ns, '--bound-object-kind', 'Pod', '--bound-object-name', 'holder'])).stdout.trim();
      expect(claimsOf(jwt)['kubernetes.io'].pod).toEqual({ name: 'holder', uid: pod.metadata.uid });
      const review = JSON.parse(
        (await k.run(['create', '-o', 'json', '-f', '-'], { input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: jwt } }) })).stdout,
      );
      expect(review.status.user.extra['authentication.kubernetes.io/pod-name']).toEqual(['holder']);
    });
  },
  ['1.31', '1.33'],
);
