// The CronJob controller inside workerd at timeScale 600 (so '*/1 * * * *' fires every 0.1 s real
// time): Jobs are created on schedule and named <cronjob>-<minutes>, the successful history is pruned,
// Forbid never runs two Jobs at once, and suspend stops new Jobs.
import { describe, expect, it } from 'vitest';
import { k, openWatch, until } from './helpers';

const NS = 'crons';

const cronJob = (name: string, spec: Record<string, unknown>, podAnnotations?: Record<string, string>) => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name },
  spec: {
    schedule: '*/1 * * * *',
    ...spec,
    jobTemplate: {
      metadata: { labels: { app: name } },
      spec: {
        template: {
          metadata: podAnnotations ? { annotations: podAnnotations } : {},
          spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'example.com/worker:1' }] },
        },
      },
    },
  },
});

async function jobsOf(uid: string): Promise<any[]> {
  const items = (await k('GET', `/apis/batch/v1/namespaces/${NS}/jobs`)).body.items as any[];
  return items.filter((j) => j.metadata.ownerReferences?.some((r: any) => r.uid === uid && r.controller && r.kind === 'CronJob'));
}
const finished = (j: any) => j.status?.conditions?.some((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
const complete = (j: any) => j.status?.conditions?.some((c: any) => c.type === 'Complete' && c.status === 'True');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('cronjob controller', () => {
  it('creates jobs on schedule, prunes history, honours Forbid and suspend', async () => {
    await k('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'kubedo-config' }, data: { timeScale: '600' } });
    await k('POST', '/api/v1/namespaces', { metadata: { name: NS } });

    // Allow, history limit 2.
    const created = await k('POST', `/apis/batch/v1/namespaces/${NS}/cronjobs`, cronJob('tick', { successfulJobsHistoryLimit: 2 }));
    expect(created.status).toBe(201);
    const uid = created.body.metadata.uid;
    const seen = new Set<string>();
    let maxComplete = 0;
    await until(
      'several jobs and completions',
      async () => {
        const jobs = await jobsOf(uid);
        for (const j of jobs) seen.add(j.metadata.name);
        const done = jobs.filter((j) => complete(j) && !j.metadata.deletionTimestamp).length;
        maxComplete = Math.max(maxComplete, done);
        const cj = (await k('GET', `/apis/batch/v1/namespaces/${NS}/cronjobs/tick`)).body;
        return seen.size >= 4 && cj.status?.lastSuccessfulTime ? true : undefined;
      },
      20_000,
    );
    for (const n of seen) expect(n).toMatch(/^tick-\d+$/);
    const cj = (await k('GET', `/apis/batch/v1/namespaces/${NS}/cronjobs/tick`)).body;
    expect(cj.status.lastScheduleTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
    // The last schedule time is the newest job's name (minutes since the epoch).
    const newest = Math.max(...[...seen].map((n) => Number(n.slice('tick-'.length))));
    expect(Date.parse(cj.status.lastScheduleTime) / 60_000).toBeGreaterThanOrEqual(newest);
    // History: never more than 2 completed jobs kept (a third may exist until the next reconcile).
    expect(maxComplete).toBeLessThanOrEqual(3);
    await until('history pruned to 2', async () => {
      const done = (await jobsOf(uid)).filter((j) => complete(j) && !j.metadata.deletionTimestamp);
      return done.length <= 2 ? true : undefined;
    });
    const job = (await jobsOf(uid))[0];
    expect(job.metadata.labels.app).toBe('tick');
    expect(job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']).toMatch(/Z$/);
    const events = (await k('GET', `/api/v1/namespaces/${NS}/events`)).body.items as any[];
    const reasons = new Set(events.filter((e) => e.involvedObject.name === 'tick').map((e) => e.reason));
    expect(reasons.has('SuccessfulCreate')).toBe(true);
    expect(reasons.has('SawCompletedJob')).toBe(true);
    expect(reasons.has('SuccessfulDelete')).toBe(true);

    // Suspend: no new jobs afterwards.
    await k('PATCH', `/apis/batch/v1/namespaces/${NS}/cronjobs/tick`, { spec: { suspend: true } }, { 'Content-Type': 'application/merge-patch+json' });
    await until('suspend applied', async () => true); // one reconcile with suspend set
    const before = new Set((await jobsOf(uid)).map((j) => j.metadata.name));
    for (let i = 0; i < 10; i++) {
      await until('tick', async () => true);
      await sleep(50);
    }
    const after = (await jobsOf(uid)).map((j) => j.metadata.name);
    for (const n of after) expect(before.has(n)).toBe(true);

    // Forbid: jobs that run 10 schedule intervals never overlap (a Job watch sees every transition).
    const watch = await openWatch(`/apis/batch/v1/namespaces/${NS}/jobs?watch=true`);
    const fb = await k('POST', `/apis/batch/v1/namespaces/${NS}/cronjobs`, cronJob('solo', { concurrencyPolicy: 'Forbid' }, { 'kubedo.dev/exit-after': '600s' }));
    expect(fb.status).toBe(201);
    const fuid = fb.body.metadata.uid;
    const fseen = new Set<string>();
    let maxActive = 0;
    await until(
      'forbid runs jobs one at a time',
      async () => {
        const jobs = await jobsOf(fuid);
        for (const j of jobs) fseen.add(j.metadata.name);
        maxActive = Math.max(maxActive, jobs.filter((j) => !finished(j) && !j.metadata.deletionTimestamp).length);
        const c = (await k('GET', `/apis/batch/v1/namespaces/${NS}/cronjobs/solo`)).body;
        maxActive = Math.max(maxActive, c.status?.active?.length ?? 0);
        return fseen.size >= 3 ? true : undefined;
      },
      20_000,
    );
    await watch.close();
    const running = new Set<string>();
    let maxWatched = 0;
    for (const e of watch.events) {
      const j = e.object;
      if (!j.metadata.ownerReferences?.some((r: any) => r.uid === fuid)) continue;
      if (e.type === 'DELETED' || finished(j) || j.metadata.deletionTimestamp) running.delete(j.metadata.name);
      else running.add(j.metadata.name);
      maxWatched = Math.max(maxWatched, running.size);
    }
    expect(maxWatched).toBe(1);
    expect(maxActive).toBeLessThanOrEqual(1);
  }, 60_000);
});
