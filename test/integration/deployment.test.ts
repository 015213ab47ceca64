// The Deployment controller with the ReplicaSet controller, scheduler and kubelets underneath: a
// Deployment gets a hashed ReplicaSet at revision 1, rolls to a new template with a rolling update,
// scales proportionally, recreates, and prunes history past revisionHistoryLimit.
import { describe, expect, it } from 'vitest';
import { k, until } from './helpers';

const NS = 'deploy';
const D = `/apis/apps/v1/namespaces/${NS}/deployments`;
const RSS = `/apis/apps/v1/namespaces/${NS}/replicasets`;
const MERGE = { 'Content-Type': 'application/merge-patch+json' };

const deployment = (name: string, replicas: number, image: string, extra: object = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } },
    ...extra,
  },
});

const rsOf = async (name: string) =>
  ((await k('GET', `${RSS}?labelSelector=app%3D${name}`)).body.items as any[]).sort((a, b) => Number(a.metadata.annotations['deployment.kubernetes.io/revision']) - Number(b.metadata.annotations['deployment.kubernetes.io/revision']));

/** kubectl rollout status's test: the rollout is done. */
const rolledOut = (name: string, replicas: number) =>
  until(
    `${name} rolled out`,
    async () => {
      const d = (await k('GET', `${D}/${name}`)).body;
      const s = d.status ?? {};
      const done = s.observedGeneration >= d.metadata.generation && (s.updatedReplicas ?? 0) === replicas && (s.replicas ?? 0) === replicas && (s.availableReplicas ?? 0) === replicas;
      return done ? d : undefined;
    },
    20_000,
  );

const podsOf = async (name: string) => ((await k('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${name}`)).body.items as any[]).filter((p) => !p.metadata.deletionTimestamp);

describe('deployment controller', () => {
  it('creates a hashed ReplicaSet, becomes available, and rolls a new template', async () => {
    await k('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data: { timeScale: '100' } });
    await k('PUT', '/api/v1/namespaces/kube-system/configmaps/kubedo-config', { metadata: { name: 'kubedo-config' }, data: { timeScale: '100' } });
    await k('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    expect((await k('POST', D, deployment('web', 3, 'nginx:1.0'))).status).toBe(201);

    const d = await rolledOut('web', 3);
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
    expect(d.status.conditions.find((c: any) => c.type === 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    const [rs1] = await rsOf('web');
    const hash = rs1.metadata.labels['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs1.metadata.name).toBe(`web-${hash}`);
    expect(rs1.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs1.spec.template.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs1.metadata.ownerReferences[0]).toMatchObject({ kind: 'Deployment', name: 'web', controller: true });
    expect(rs1.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
    await until('progressed', async () => {
      const c = (await k('GET', `${D}/web`)).body.status.conditions.find((x: any) => x.type === 'Progressing');
      return c?.reason === 'NewReplicaSetAvailable' ? c : undefined;
    }).then((c) => expect(c.message).toBe(`ReplicaSet "${rs1.metadata.name}" has successfully progressed.`));
    const events = (await k('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dweb`)).body.items.map((e: any) => e.message);
    expect(events).toContain(`Scaled up replica set ${rs1.metadata.name} from 0 to 3`);

    // A new image: a second ReplicaSet at revision 2, all pods replaced, the old one at 0.
    await k('PATCH', `${D}/web`, { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2.0' }] } } } }, MERGE);
    const d2 = await until('new RS', async () => {
      const x = await rolledOut('web', 3);
      const rss = await rsOf('web');
      return rss.length === 2 && rss[0].spec.replicas === 0 && (rss[0].status.replicas ?? 0) === 0 ? x : undefined;
    }, 20_000);
    expect(d2.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    const [old, rs2] = await rsOf('web');
    expect(old.metadata.name).toBe(rs1.metadata.name);
    expect(rs2.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    expect(rs2.spec.template.spec.containers[0].image).toBe('nginx:2.0');
    expect(rs2.metadata.name).not.toBe(rs1.metadata.name);
    await until('old pods gone', async () => {
      const pods = await podsOf('web');
      return pods.length === 3 && pods.every((p) => p.spec.containers[0].image === 'nginx:2.0') ? true : undefined;
    }, 20_000);
    const msgs = (await k('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dweb`)).body.items.map((e: any) => e.message);
    expect(msgs.some((m: string) => m.startsWith(`Scaled down replica set ${rs1.metadata.name} from`))).toBe(true);
    // maxSurge 25% of 3 rounds up to 1, maxUnavailable rounds down to 0: one pod at a time.
    const a = rs1.metadata.name;
    const b = rs2.metadata.name;
    expect(msgs).toEqual([
      `Scaled up replica set ${a} from 0 to 3`,
      `Scaled up replica set ${b} from 0 to 1`,
      `Scaled down replica set ${a} from 3 to 2`,
      `Scaled up replica set ${b} from 1 to 2`,
      `Scaled down replica set ${a} from 2 to 1`,
      `Scaled up replica set ${b} from 2 to 3`,
      `Scaled down replica set ${a} from 1 to 0`,
    ]);

    // Rollback (what kubectl rollout undo does): the old template comes back, its RS becomes revision 3.
    await k('PATCH', `${D}/web`, { spec: { template: rs1.spec.template } }, MERGE);
    await k('PATCH', `${D}/web`, { spec: { template: { metadata: { labels: { 'pod-template-hash': null } } } } }, MERGE);
    await until('rolled back', async () => {
      const rss = await rsOf('web');
      const top = rss[rss.length - 1];
      return rss.length === 2 && top.metadata.name === rs1.metadata.name && top.metadata.annotations['deployment.kubernetes.io/revision'] === '3' && top.status.availableReplicas === 3 ? true : undefined;
    }, 20_000);

    // Scale to 5: the new ReplicaSet grows.
    await k('PATCH', `${D}/web`, { spec: { replicas: 5 } }, MERGE);
    await rolledOut('web', 5);
    const rss = await rsOf('web');
    expect(rss[rss.length - 1].spec.replicas).toBe(5);
    expect(rss[rss.length - 1].metadata.annotations['deployment.kubernetes.io/desired-replicas']).toBe('5');
  });

  it('Recreate scales the old ReplicaSet to zero before the new one comes up', async () => {
    await k('POST', D, deployment('rec', 2, 'nginx:1.0', { strategy: { type: 'Recreate' } }));
    await rolledOut('rec', 2);
    await k('PATCH', `${D}/rec`, { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2.0' }] } } } }, MERGE);
    await until('recreated', async () => {
      const rss = await rsOf('rec');
      return rss.length === 2 && rss[0].spec.replicas === 0 && rss[1].status.availableReplicas === 2 ? true : undefined;
    }, 20_000);
    const events = (await k('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Drec`)).body.items;
    const order = events.sort((a: any, b: any) => a.metadata.name.localeCompare(b.metadata.name)).map((e: any) => e.message);
    const [old, cur] = await rsOf('rec');
    const down = order.indexOf(`Scaled down replica set ${old.metadata.name} from 2 to 0`);
    const up = order.indexOf(`Scaled up replica set ${cur.metadata.name} from 0 to 2`);
    expect(down).toBeGreaterThanOrEqual(0);
    expect(up).toBeGreaterThan(down);
  });

  it('keeps at most revisionHistoryLimit old ReplicaSets', async () => {
    await k('POST', D, deployment('hist', 1, 'nginx:1', { revisionHistoryLimit: 1 }));
    await rolledOut('hist', 1);
    for (const v of ['2', '3', '4']) {
      await k('PATCH', `${D}/hist`, { spec: { template: { spec: { containers: [{ name: 'web', image: `nginx:${v}` }] } } } }, MERGE);
      await until(`revision ${v}`, async () => {
        const d = (await k('GET', `${D}/hist`)).body;
        return d.metadata.annotations?.['deployment.kubernetes.io/revision'] === String(Number(v)) ? true : undefined;
      });
      await rolledOut('hist', 1);
    }
    const rss = await until('history pruned', async () => {
      const x = await rsOf('hist');
      return x.length === 2 ? x : undefined;
    }, 20_000);
    expect(rss.map((r) => r.metadata.annotations['deployment.kubernetes.io/revision'])).toEqual(['3', '4']);
  });

  it('a paused deployment scales but does not roll out', async () => {
    await k('POST', D, deployment('pz', 2, 'nginx:1'));
    await rolledOut('pz', 2);
    await k('PATCH', `${D}/pz`, { spec: { paused: true, template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } }, MERGE);
    await until('paused condition', async () => {
      const c = (await k('GET', `${D}/pz`)).body.status.conditions.find((x: any) => x.type === 'Progressing');
      return c?.reason === 'DeploymentPaused' ? c : undefined;
    });
    await k('PATCH', `${D}/pz`, { spec: { replicas: 3 } }, MERGE);
    await until('scaled while paused', async () => {
      const rss = await rsOf('pz');
      return rss.length === 1 && rss[0].spec.replicas === 3 ? true : undefined;
    });
    await k('PATCH', `${D}/pz`, { spec: { paused: false } }, MERGE);
    await until('resumed rollout', async () => {
      const rss = await rsOf('pz');
      return rss.length === 2 && rss[1].status.availableReplicas === 3 && rss[0].spec.replicas === 0 ? true : undefined;
    }, 20_000);
  });

  it('reports ProgressDeadlineExceeded when pods never become available', async () => {
    const stuck = deployment('stuck', 1, 'nginx:1', { progressDeadlineSeconds: 2 });
    (stuck.spec.template.spec as any).nodeSelector = { nowhere: 'true' };
    await k('POST', D, stuck);
    const c = await until('timed out', async () => {
      const x = (await k('GET', `${D}/stuck`)).body.status?.conditions?.find((y: any) => y.type === 'Progressing');
      return x?.reason === 'ProgressDeadlineExceeded' ? x : undefined;
    });
    const [rs] = await rsOf('stuck');
    expect(c).toMatchObject({ status: 'False', message: `ReplicaSet "${rs.metadata.name}" has timed out progressing.` });
    const d = (await k('GET', `${D}/stuck`)).body;
    expect(d.status.conditions.find((y: any) => y.type === 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
  });
});
