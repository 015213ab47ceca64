// ResourceQuota (controller-kept status and admission) and LimitRanger admission, through the API.
import { describe, expect, it } from 'vitest';
import { configMap, k, until } from './helpers';

async function namespace(name: string) {
  expect((await k('POST', '/api/v1/namespaces', { metadata: { name } })).status).toBe(201);
}

const pod = (name: string, resources?: object, extra: object = {}) => ({
  metadata: { name },
  spec: { containers: [{ name: 'app', image: 'nginx', ...(resources ? { resources } : {}) }], ...extra },
});

async function quota(ns: string, name: string, spec: object) {
  expect((await k('POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name }, spec })).status).toBe(201);
  return until(`${name} status`, async () => {
    const q = (await k('GET', `/api/v1/namespaces/${ns}/resourcequotas/${name}`)).body;
    return q.status?.used ? q : undefined;
  });
}

const used = async (ns: string, name: string) => (await k('GET', `/api/v1/namespaces/${ns}/resourcequotas/${name}`)).body.status.used;

describe('ResourceQuota', () => {
  it('counts pods and refuses the one over the limit with the real message', async () => {
    await namespace('q1');
    const q = await quota('q1', 'pods-quota', { hard: { pods: '3', 'count/configmaps': '10' } });
    expect(q.status.hard).toEqual({ pods: '3', 'count/configmaps': '10' });
    // kube-root-ca.crt may or may not be there yet: configmaps are counted from the store.
    for (const n of ['a', 'b', 'c']) expect((await k('POST', '/api/v1/namespaces/q1/pods', pod(n))).status).toBe(201);
    const r = await k('POST', '/api/v1/namespaces/q1/pods', pod('d'));
    expect(r.status).toBe(403);
    expect(r.body.reason).toBe('Forbidden');
    expect(r.body.message).toBe('pods "d" is forbidden: exceeded quota: pods-quota, requested: pods=1, used: pods=3, limited: pods=3');
    expect((await used('q1', 'pods-quota')).pods).toBe('3');
    // A dry run is checked the same way and charges nothing.
    expect((await k('POST', '/api/v1/namespaces/q1/pods?dryRun=All', pod('d'))).status).toBe(403);
    // Deleting one frees room (the controller recounts).
    await k('DELETE', '/api/v1/namespaces/q1/pods/a?gracePeriodSeconds=0');
    await until('used drops', async () => ((await used('q1', 'pods-quota')).pods === '2' ? true : undefined));
    expect((await k('POST', '/api/v1/namespaces/q1/pods', pod('d'))).status).toBe(201);
  });

  it('terminal pods do not count', async () => {
    await namespace('q2');
    await quota('q2', 'q', { hard: { pods: '1', 'count/pods': '5' } });
    // The simulated container exits after 1.5 s: the pod turns Succeeded and stops counting.
    const done = pod('done', undefined, { restartPolicy: 'Never' });
    (done.metadata as any).annotations = { 'kubedo.dev/exit-after': '1500ms', 'kubedo.dev/image-pull': '0s' };
    expect((await k('POST', '/api/v1/namespaces/q2/pods', done)).status).toBe(201);
    expect((await k('POST', '/api/v1/namespaces/q2/pods', pod('blocked'))).status).toBe(403);
    await until('pods back to 0', async () => {
      const u = await used('q2', 'q');
      return u.pods === '0' && u['count/pods'] === '1' ? true : undefined;
    });
    expect((await k('POST', '/api/v1/namespaces/q2/pods', pod('next'))).status).toBe(201);
  });

  it('compute resources: requests and limits add up, a pod without them fails the quota', async () => {
    await namespace('q3');
    const q = await quota('q3', 'compute', { hard: { 'requests.cpu': '1000m', 'requests.memory': '1024Mi', 'limits.cpu': '2', 'limits.memory': '2Gi' } });
    expect(q.status.hard).toEqual({ 'requests.cpu': '1', 'requests.memory': '1Gi', 'limits.cpu': '2', 'limits.memory': '2Gi' });
    const res = { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } };
    expect((await k('POST', '/api/v1/namespaces/q3/pods', pod('one', res))).status).toBe(201);
    expect((await k('POST', '/api/v1/namespaces/q3/pods', pod('two', res))).status).toBe(201);
    expect(await used('q3', 'compute')).toEqual({ 'limits.cpu': '2', 'limits.memory': '2Gi', 'requests.cpu': '1', 'requests.memory': '1Gi' });
    const over = await k('POST', '/api/v1/namespaces/q3/pods', pod('three', { requests: { cpu: '100m', memory: '1Mi' }, limits: { cpu: '100m', memory: '1Mi' } }));
    expect(over.body.message).toBe(
      'pods "three" is forbidden: exceeded quota: compute, requested: limits.cpu=100m,limits.memory=1Mi,requests.cpu=100m,requests.memory=1Mi, used: limits.cpu=2,limits.memory=2Gi,requests.cpu=1,requests.memory=1Gi, limited: limits.cpu=2,limits.memory=2Gi,requests.cpu=1,requests.memory=1Gi',
    );
    const bare = await k('POST', '/api/v1/namespaces/q3/pods', pod('bare'));
    expect(bare.status).toBe(403);
    expect(bare.body.message).toBe('pods "bare" is forbidden: failed quota: compute: must specify limits.cpu for: app; limits.memory for: app; requests.cpu for: app; requests.memory for: app');
  });

  it('scopes: a BestEffort quota ignores pods with resources; PriorityClass scope selectors', async () => {
    await namespace('q4');
    await quota('q4', 'besteffort', { hard: { pods: '1' }, scopes: ['BestEffort'] });
    await quota('q4', 'high', { hard: { pods: '0' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } });
    expect((await k('POST', '/api/v1/namespaces/q4/pods', pod('be1'))).status).toBe(201);
    expect((await k('POST', '/api/v1/namespaces/q4/pods', pod('be2'))).body.message).toBe('pods "be2" is forbidden: exceeded quota: besteffort, requested: pods=1, used: pods=1, limited: pods=1');
    expect((await k('POST', '/api/v1/namespaces/q4/pods', pod('burst', { requests: { cpu: '10m' } }))).status).toBe(201);
    await k('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', { metadata: { name: 'high' }, value: 1000 });
    const hp = await k('POST', '/api/v1/namespaces/q4/pods', pod('hp', { requests: { cpu: '10m' } }, { priorityClassName: 'high' }));
    expect(hp.body.message).toBe('pods "hp" is forbidden: exceeded quota: high, requested: pods=1, used: pods=0, limited: pods=0');
    expect((await used('q4', 'besteffort')).pods).toBe('1');
  });

  it('object counts and services', async () => {
    await namespace('q5');
    await quota('q5', 'objects', { hard: { configmaps: '2', services: '1', 'services.nodeports': '1', 'count/deployments.apps': '0' } });
    const existing = (await k('GET', '/api/v1/namespaces/q5/configmaps')).body.items.length;
    for (let i = existing; i < 2; i++) expect((await k('POST', '/api/v1/namespaces/q5/configmaps', configMap(`c${i}`))).status).toBe(201);
    const third = await k('POST', '/api/v1/namespaces/q5/configmaps', configMap('c9'));
    expect(third.body.message).toBe('configmaps "c9" is forbidden: exceeded quota: objects, requested: configmaps=1, used: configmaps=2, limited: configmaps=2');
    const svc = (name: string, type = 'ClusterIP') => ({ metadata: { name }, spec: { type, selector: { app: 'x' }, ports: [{ port: 80 }, { port: 81, name: 'b' }].map((p, i) => ({ ...p, name: `p${i}` })) } });
    const np = await k('POST', '/api/v1/namespaces/q5/services', svc('np', 'NodePort'));
    expect(np.body.message).toBe('services "np" is forbidden: exceeded quota: objects, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1');
    expect((await k('POST', '/api/v1/namespaces/q5/services', svc('web'))).status).toBe(201);
    const dep = await k('POST', '/apis/apps/v1/namespaces/q5/deployments', {
      metadata: { name: 'd' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    expect(dep.status).toBe(403);
    expect(dep.body.message).toBe('deployments.apps "d" is forbidden: exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=0, limited: count/deployments.apps=0');
  });

  it('a ReplicaSet over quota reports FailedCreate with the admission message', async () => {
    await namespace('q6');
    await quota('q6', 'two', { hard: { pods: '2' } });
    await k('POST', '/apis/apps/v1/namespaces/q6/replicasets', {
      metadata: { name: 'web' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const ev = await until('FailedCreate event', async () => {
      const items = (await k('GET', '/api/v1/namespaces/q6/events')).body.items;
      return items.find((e: any) => e.reason === 'FailedCreate');
    });
    expect(ev.message).toMatch(/^Error creating: pods "web-[a-z0-9]{5}" is forbidden: exceeded quota: two, requested: pods=1, used: pods=2, limited: pods=2$/);
    expect((await k('GET', '/api/v1/namespaces/q6/pods')).body.items).toHaveLength(2);
  });
});

describe('LimitRanger', () => {
  it('defaults container requests and limits and says so in an annotation', async () => {
    await namespace('lr1');
    await k('POST', '/api/v1/namespaces/lr1/limitranges', {
      metadata: { name: 'defaults' },
      spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m' } }] },
    });
    const p = (await k('POST', '/api/v1/namespaces/lr1/pods', pod('p'))).body;
    expect(p.spec.containers[0].resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '256Mi' } });
    expect(p.metadata.annotations['kubernetes.io/limit-ranger']).toBe('LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app');
    expect(p.status.qosClass).toBe('Burstable');
  });

  it('refuses containers, pods and claims outside min/max/ratio with upstream wording', async () => {
    await namespace('lr2');
    await k('POST', '/api/v1/namespaces/lr2/limitranges', {
      metadata: { name: 'bounds' },
      spec: {
        limits: [
          { type: 'Container', max: { cpu: '1' }, min: { memory: '64Mi' }, maxLimitRequestRatio: { memory: '2' } },
          { type: 'PersistentVolumeClaim', max: { storage: '2Gi' }, min: { storage: '1Gi' } },
        ],
      },
    });
    const big = await k('POST', '/api/v1/namespaces/lr2/pods', pod('big', { limits: { cpu: '2', memory: '128Mi' }, requests: { cpu: '500m', memory: '128Mi' } }));
    expect(big.status).toBe(403);
    expect(big.body.message).toBe('pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
    const ratio = await k('POST', '/api/v1/namespaces/lr2/pods', pod('ratio', { limits: { cpu: '1', memory: '512Mi' }, requests: { cpu: '1', memory: '128Mi' } }));
    expect(ratio.body.message).toBe('pods "ratio" is forbidden: memory max limit to request ratio per Container is 2, but provided ratio is 4.000000');
    const both = await k('POST', '/api/v1/namespaces/lr2/pods', pod('both', { limits: { cpu: '3', memory: '32Mi' }, requests: { cpu: '1', memory: '32Mi' } }));
    expect(both.body.message).toBe('pods "both" is forbidden: [minimum memory usage per Container is 64Mi, but request is 32Mi, maximum cpu usage per Container is 1, but limit is 3]');
    expect((await k('POST', '/api/v1/namespaces/lr2/pods', pod('ok', { limits: { cpu: '1', memory: '128Mi' } }))).status).toBe(201);
    const pvc = (name: string, storage: string) => ({ metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } });
    const huge = await k('POST', '/api/v1/namespaces/lr2/persistentvolumeclaims', pvc('huge', '5Gi'));
    expect(huge.body.message).toBe('persistentvolumeclaims "huge" is forbidden: maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi');
    const tiny = await k('POST', '/api/v1/namespaces/lr2/persistentvolumeclaims', pvc('tiny', '100Mi'));
    expect(tiny.body.message).toBe('persistentvolumeclaims "tiny" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 100Mi');
    expect((await k('POST', '/api/v1/namespaces/lr2/persistentvolumeclaims', pvc('fine', '1Gi'))).status).toBe(201);
  });
});
