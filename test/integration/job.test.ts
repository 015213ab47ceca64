// The Job controller inside workerd, with the simulated scheduler and kubelets at a fast time scale:
// a NonIndexed Job runs its completions with bounded parallelism, an Indexed Job completes every
// index, and a failing Job stops at its backoff limit.
import { describe, expect, it } from 'vitest';
import { k, openWatch, until } from './helpers';

const NS = 'jobs';

const job = (name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name },
  spec: {
    ...spec,
    template: {
      metadata: annotations ? { annotations } : {},
      spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'example.com/worker:1' }] },
    },
  },
});

async function podsOf(uid: string): Promise<any[]> {
  const items = (await k('GET', `/api/v1/namespaces/${NS}/pods`)).body.items as any[];
  return items.filter((p) => p.metadata.ownerReferences?.some((r: any) => r.uid === uid && r.controller));
}

const isActive = (p: any) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
const hasCond = (j: any, type: string) => j.status?.conditions?.some((c: any) => c.type === type && c.status === 'True');

describe('job controller', () => {
  it('runs completions with bounded parallelism, indexed jobs, and stops at the backoff limit', async () => {
    await k('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data: { timeScale: '100' } });
    await k('POST', '/api/v1/namespaces', { metadata: { name: NS } });

    // NonIndexed: 5 completions, 2 at a time. A pod watch sees every transition (the simulation may run
    // a whole wave between two polls), so it checks the bound too.
    const watch = await openWatch(`/api/v1/namespaces/${NS}/pods?watch=true`);
    expect(watch.status).toBe(200);
    const created = await k('POST', `/apis/batch/v1/namespaces/${NS}/jobs`, job('batch', { completions: 5, parallelism: 2 }, { 'kubedo.dev/exit-after': '30s' }));
    expect(created.status).toBe(201);
    const uid = created.body.metadata.uid;
    let maxActive = 0;
    const done = await until(
      'job complete',
      async () => {
        maxActive = Math.max(maxActive, (await podsOf(uid)).filter(isActive).length);
        const j = (await k('GET', `/apis/batch/v1/namespaces/${NS}/jobs/batch`)).body;
        maxActive = Math.max(maxActive, j.status?.active ?? 0);
        return hasCond(j, 'Complete') ? j : undefined;
      },
      20_000,
    );
    expect(maxActive).toBeLessThanOrEqual(2); // checked on every poll
    const events = await watch.waitFor(15); // 5 pods × (ADDED, …, Succeeded)
    await watch.close();
    const running = new Set<string>();
    let maxWatched = 0;
    for (const e of events) {
      const p = e.object;
      if (p.metadata.ownerReferences?.[0]?.uid !== uid) continue;
      if (e.type !== 'DELETED' && isActive(p)) running.add(p.metadata.name);
      else running.delete(p.metadata.name);
      maxWatched = Math.max(maxWatched, running.size);
    }
    expect(maxWatched).toBe(2);
    expect(done.status.succeeded).toBe(5);
    expect(done.status.active).toBeUndefined();
    expect(done.status.startTime).toBeTruthy();
    expect(done.status.completionTime).toBeTruthy();
    const types = done.status.conditions.map((c: any) => c.type);
    expect(types).toEqual(['SuccessCriteriaMet', 'Complete']);
    expect(done.status.conditions[1]).toMatchObject({ status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' });
    const pods = await podsOf(uid);
    expect(pods).toHaveLength(5);
    for (const p of pods) {
      expect(p.metadata.name.startsWith('batch-')).toBe(true);
      expect(p.status.phase).toBe('Succeeded');
      expect(p.metadata.labels).toMatchObject({ 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'batch', 'controller-uid': uid, 'job-name': 'batch' });
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: 'batch', uid, controller: true, blockOwnerDeletion: true }]);
    }
    const jobEvents = (await k('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dbatch`)).body.items as any[];
    expect(jobEvents.filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
    expect(jobEvents.find((e) => e.reason === 'Completed')).toMatchObject({ type: 'Normal', message: 'Job completed', source: { component: 'job-controller' } });

    // Indexed: 3 completions.
    const idx = await k('POST', `/apis/batch/v1/namespaces/${NS}/jobs`, job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    expect(idx.status).toBe(201);
    const idxDone = await until(
      'indexed job complete',
      async () => {
        const j = (await k('GET', `/apis/batch/v1/namespaces/${NS}/jobs/idx`)).body;
        return hasCond(j, 'Complete') ? j : undefined;
      },
      20_000,
    );
    expect(idxDone.status.completedIndexes).toBe('0-2');
    expect(idxDone.status.succeeded).toBe(3);
    const idxPods = await podsOf(idx.body.metadata.uid);
    expect(idxPods.map((p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index']).sort()).toEqual(['0', '1', '2']);
    for (const p of idxPods) {
      const i = p.metadata.annotations['batch.kubernetes.io/job-completion-index'];
      expect(p.metadata.labels['batch.kubernetes.io/job-completion-index']).toBe(i);
      expect(p.metadata.name.startsWith(`idx-${i}-`)).toBe(true);
      expect(p.spec.hostname).toBe(`idx-${i}`);
    }

    // Failing: every pod exits 1, backoffLimit 1 → two failures and the job fails.
    const bad = await k('POST', `/apis/batch/v1/namespaces/${NS}/jobs`, job('bad', { backoffLimit: 1 }, { 'kubedo.dev/exit-code': '1' }));
    expect(bad.status).toBe(201);
    const failed = await until(
      'job failed',
      async () => {
        const j = (await k('GET', `/apis/batch/v1/namespaces/${NS}/jobs/bad`)).body;
        return hasCond(j, 'Failed') ? j : undefined;
      },
      20_000,
    );
    expect(failed.status.failed).toBe(2);
    expect(failed.status.completionTime).toBeUndefined();
    const fc = failed.status.conditions.find((c: any) => c.type === 'Failed');
    expect(fc).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(failed.status.conditions.find((c: any) => c.type === 'FailureTarget')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
    expect((await podsOf(bad.body.metadata.uid)).filter(isActive)).toHaveLength(0);
  }, 60_000);

  it('counts pods through the job-tracking finalizer, podFailurePolicy, successPolicy and backoffLimitPerIndex', async () => {
    const get = async (n: string) => (await k('GET', `/apis/batch/v1/namespaces/${NS}/jobs/${n}`)).body;
    const waitCond = (n: string, type: string) => until(`${n} ${type}`, async () => {
      const j = await get(n);
      return hasCond(j, type) ? j : undefined;
    }, 20_000);

    // Running pods carry the finalizer; one force-deleted while running is counted failed exactly once.
    const slow = await k('POST', `/apis/batch/v1/namespaces/${NS}/jobs`, job('track', { completions: 1, backoffLimit: 3 }, { 'kubedo.dev/exit-after': '1000s' }));
    expect(slow.status).toBe(201);
    const running = await until('a running pod', async () => {
      const ps = (await podsOf(slow.body.metadata.uid)).filter((p) => p.status?.phase === 'Running');
      return ps.length ? ps[0] : undefined;
    });
    expect(running.metadata.finalizers).toEqual(['batch.kubernetes.io/job-tracking']);
    expect((await k('DELETE', `/api/v1/namespaces/${NS}/pods/${running.metadata.name}`, { gracePeriodSeconds: 0 })).status).toBe(200);
    const counted = await until('failure counted', async () => {
      const j = await get('track');
      const gone = (await k('GET', `/api/v1/namespaces/${NS}/pods/${running.metadata.name}`)).status === 404;
      return j.status?.failed === 1 && gone ? j : undefined;
    });
    expect(counted.status.uncountedTerminatedPods).toEqual({});
    for (let i = 0; i < 3; i++) await until('a round', async () => true);
    expect((await get('track')).status.failed).toBe(1);
    await k('DELETE', `/apis/batch/v1/namespaces/${NS}/jobs/track`, { propagationPolicy: 'Background' });
    await until('pods of a deleted job released', async () => ((await podsOf(slow.body.metadata.uid)).length === 0 ? true : undefined));

    // podFailurePolicy: exit code 42 fails the job at once.
    const pfp = job('pfp', { backoffLimit: 6, podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [3] } }, { action: 'FailJob', onExitCodes: { containerName: 'work', operator: 'In', values: [42] } }] } }, { 'kubedo.dev/exit-code': '42' });
    expect((await k('POST', `/apis/batch/v1/namespaces/${NS}/jobs`, pfp)).status).toBe(201);
    const pf = await waitCond('pfp', 'Failed');
    const pfc = pf.status.conditions.find((c: any) => c.type === 'Failed');
    expect(pfc.reason).toBe('PodFailurePolicy');
    expect(pfc.message).toMatch(/^Container work for pod jobs\/pfp-\w+ failed with exit code 42 matching FailJob rule at index 1$/);
    expect(pf.status.failed).toBe(1);

    // successPolicy: index 0 succeeding is enough.
    const sp = job('sp', { completions: 3, parallelism: 1, completionMode: 'Indexed', successPolicy: { rules: [{ succeededIndexes: '0', succeededCount: 1 }] } }, { 'kubedo.dev/exit-after': '10s' });
    expect((await k('POST', `/apis/batch/v1/namespaces/${NS}/jobs`, sp)).status).toBe(201);
    const spd = await waitCond('sp', 'Complete');
    expect(spd.status.conditions.find((c: any) => c.type === 'SuccessCriteriaMet')).toMatchObject({ reason: 'SuccessPolicy', message: 'Matched rules at index 0' });
    expect(spd.status.completedIndexes).toBe('0');

    // backoffLimitPerIndex 1: each index may fail twice, then the job fails with FailedIndexes.
    const bl = job('perindex', { completions: 2, parallelism: 2, completionMode: 'Indexed', backoffLimitPerIndex: 1 }, { 'kubedo.dev/exit-code': '1' });
    const blc = await k('POST', `/apis/batch/v1/namespaces/${NS}/jobs`, bl);
    expect(blc.status).toBe(201);
    const bld = await waitCond('perindex', 'Failed');
    expect(bld.status.conditions.find((c: any) => c.type === 'Failed')).toMatchObject({ reason: 'FailedIndexes', message: 'Job has failed indexes' });
    expect(bld.status).toMatchObject({ failed: 4, failedIndexes: '0,1' });
    const counts = (await podsOf(blc.body.metadata.uid)).map((p) => `${p.metadata.annotations['batch.kubernetes.io/job-completion-index']}:${p.metadata.annotations['batch.kubernetes.io/job-index-failure-count']}`).sort();
    expect(counts).toEqual(['0:0', '0:1', '1:0', '1:1']);
  }, 60_000);
});
