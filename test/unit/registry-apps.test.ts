// Registry modules of the workload and auxiliary groups: apps, batch, autoscaling, policy,
// coordination.k8s.io, discovery.k8s.io, events.k8s.io — discovery facts, defaults, strategies,
// validation texts, printers and the cross-version conversions.
import { describe, expect, it } from 'vitest';
import { resources as apps } from '../../src/registry/apps';
import { resources as autoscaling, hpaV1ToV2, hpaV2ToV1, METRIC_SPECS_ANNOTATION } from '../../src/registry/autoscaling';
import { parseCronError, resources as batch } from '../../src/registry/batch';
import { resources as coordination } from '../../src/registry/coordination';
import { resources as discovery } from '../../src/registry/discovery';
import { coreToEventsV1, eventsV1ToCore, resources as events } from '../../src/registry/events';
import { resources as policy } from '../../src/registry/policy';
import type { FieldError, KObject, ResourceDef } from '../../src/registry/types';

const ALL = [...apps, ...batch, ...autoscaling, ...policy, ...coordination, ...discovery, ...events];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

function def(gv: string, resource: string): ResourceDef {
  const [group, version] = gv.includes('/') ? gv.split('/') : ['', gv];
  const d = ALL.find((r) => r.group === group && r.version === version && r.resource === resource);
  if (!d) throw new Error(`no ${gv} ${resource}`);
  return d;
}

const NOW = Date.parse('2025-01-01T12:00:00Z');
const CREATED = '2025-01-01T11:55:00Z'; // 5m before NOW

/** What the store does on create: system metadata, defaults, prepareForCreate. */
function created(d: ResourceDef, body: Obj): KObject {
  const obj = structuredClone(body) as KObject;
  obj.metadata = { namespace: 'default', ...obj.metadata, uid: 'uid-1', creationTimestamp: CREATED };
  d.defaults?.(obj);
  d.prepareForCreate?.(obj);
  return obj;
}

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${e.message}`);

/** validate + validateUpdate as the store runs them on an update (resourceVersion filled in). */
function updateErrors(d: ResourceDef, next: KObject, old: KObject): string[] {
  next.metadata.resourceVersion = '5';
  old.metadata.resourceVersion = '5';
  d.defaults?.(next);
  return texts([...(d.validate?.(next) ?? []), ...(d.validateUpdate?.(next, old) ?? [])]);
}

const podTemplate = (labels: Obj = { app: 'web' }, spec: Obj = {}) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], ...spec },
});

const deployment = (spec: Obj = {}): Obj => ({
  metadata: { name: 'web' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: podTemplate(), ...spec },
});

// ---------------------------------------------------------------------------------------------

describe('discovery facts (kube-apiserver 1.33)', () => {
  const ALL8 = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
  const scale = { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
  const status = (group: string, version: string, kind: string) => ({ name: 'status', group, version, kind, verbs: ['get', 'patch', 'update'] });
  const cases: [string, string, string, string, string[] | undefined, string[] | undefined, unknown[]][] = [
    ['apps/v1', 'deployments', 'deployment', 'Deployment', ['deploy'], ['all'], [scale, status('apps', 'v1', 'Deployment')]],
    ['apps/v1', 'statefulsets', 'statefulset', 'StatefulSet', ['sts'], ['all'], [scale, status('apps', 'v1', 'StatefulSet')]],
    ['apps/v1', 'replicasets', 'replicaset', 'ReplicaSet', ['rs'], ['all'], [scale, status('apps', 'v1', 'ReplicaSet')]],
    ['apps/v1', 'daemonsets', 'daemonset', 'DaemonSet', ['ds'], ['all'], [status('apps', 'v1', 'DaemonSet')]],
    ['apps/v1', 'controllerrevisions', 'controllerrevision', 'ControllerRevision', undefined, undefined, []],
    ['batch/v1', 'jobs', 'job', 'Job', undefined, ['all'], [status('batch', 'v1', 'Job')]],
    ['batch/v1', 'cronjobs', 'cronjob', 'CronJob', ['cj'], ['all'], [status('batch', 'v1', 'CronJob')]],
    ['autoscaling/v2', 'horizontalpodautoscalers', 'horizontalpodautoscaler', 'HorizontalPodAutoscaler', ['hpa'], ['all'], [status('autoscaling', 'v2', 'HorizontalPodAutoscaler')]],
    ['autoscaling/v1', 'horizontalpodautoscalers', 'horizontalpodautoscaler', 'HorizontalPodAutoscaler', ['hpa'], ['all'], [status('autoscaling', 'v1', 'HorizontalPodAutoscaler')]],
    ['policy/v1', 'poddisruptionbudgets', 'poddisruptionbudget', 'PodDisruptionBudget', ['pdb'], undefined, [status('policy', 'v1', 'PodDisruptionBudget')]],
    ['coordination.k8s.io/v1', 'leases', 'lease', 'Lease', undefined, undefined, []],
    ['discovery.k8s.io/v1', 'endpointslices', 'endpointslice', 'EndpointSlice', undefined, undefined, []],
    ['events.k8s.io/v1', 'events', 'event', 'Event', ['ev'], undefined, []],
  ];
  it.each(cases)('%s %s', (gv, resource, singular, kind, shortNames, categories, subresources) => {
    const d = def(gv, resource);
    expect(d.singular).toBe(singular);
    expect(d.kind).toBe(kind);
    expect(d.scope).toBe('Namespaced');
    expect([...d.verbs].sort()).toEqual(ALL8);
    expect(d.shortNames).toEqual(shortNames);
    expect(d.categories).toEqual(categories);
    expect(d.subresources ?? []).toEqual(subresources);
  });

  it('serves autoscaling/v2 first, both HPA versions in one storage', () => {
    const hpas = autoscaling.filter((d) => d.resource === 'horizontalpodautoscalers');
    expect(hpas.map((d) => d.version)).toEqual(['v2', 'v1']);
    expect(hpas.map((d) => d.storage?.key)).toEqual(['horizontalpodautoscalers.autoscaling', 'horizontalpodautoscalers.autoscaling']);
    expect(def('events.k8s.io/v1', 'events').storage?.key).toBe('events');
  });

  it.each([
    ['apps/v1', 'deployments', true, true],
    ['apps/v1', 'statefulsets', true, true],
    ['apps/v1', 'daemonsets', true, true],
    ['apps/v1', 'replicasets', true, true],
    ['apps/v1', 'controllerrevisions', undefined, undefined],
    ['batch/v1', 'jobs', true, true],
    ['batch/v1', 'cronjobs', true, true],
    ['autoscaling/v2', 'horizontalpodautoscalers', undefined, true],
    ['policy/v1', 'poddisruptionbudgets', true, true],
    ['discovery.k8s.io/v1', 'endpointslices', true, undefined],
    ['coordination.k8s.io/v1', 'leases', undefined, undefined],
  ])('%s %s generation=%s status=%s', (gv, resource, generation, status) => {
    const d = def(gv, resource);
    expect(d.generation).toBe(generation);
    expect(d.statusSubresource).toBe(status);
  });

  it('wide columns have priority 1 and the first column is the name', () => {
    for (const d of ALL) {
      const cols = d.printer!.columns;
      if (d.group !== 'events.k8s.io') expect(cols[0]).toMatchObject({ name: 'Name', format: 'name', priority: 0 });
      expect(cols.every((c) => c.priority === 0 || c.priority === 1)).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('defaults and create strategies', () => {
  it('deployment', () => {
    const d = created(def('apps/v1', 'deployments'), deployment());
    expect(d.spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: { spec: { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler' } },
    });
    expect((d.spec as Obj).template.spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' });
    expect(d.status).toEqual({});
  });

  it('deployment with Recreate gets no rollingUpdate', () => {
    const d = created(def('apps/v1', 'deployments'), deployment({ strategy: { type: 'Recreate' } }));
    expect((d.spec as Obj).strategy).toEqual({ type: 'Recreate' });
  });

  it('statefulset', () => {
    const s = created(def('apps/v1', 'statefulsets'), {
      metadata: { name: 'db' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        serviceName: 'db',
        template: podTemplate(),
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    expect(s.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect((s.spec as Obj).volumeClaimTemplates[0]).toMatchObject({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      spec: { volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    });
    expect(s.status).toEqual({ replicas: 0, availableReplicas: 0 });
  });

  it('daemonset and replicaset', () => {
    const ds = created(def('apps/v1', 'daemonsets'), deployment());
    expect((ds.spec as Obj).updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect((ds.spec as Obj).revisionHistoryLimit).toBe(10);
    expect(ds.status).toEqual({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
    const rs = created(def('apps/v1', 'replicasets'), deployment());
    expect((rs.spec as Obj).replicas).toBe(1);
    expect(rs.status).toEqual({ replicas: 0 });
  });

  it('job: defaults, generated selector and labels', () => {
    const j = created(def('batch/v1', 'jobs'), {
      metadata: { name: 'pi' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } },
    });
    expect(j.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } },
    });
    expect((j.spec as Obj).manualSelector).toBeUndefined();
    expect((j.spec as Obj).template.metadata.labels).toEqual({
      'batch.kubernetes.io/controller-uid': 'uid-1',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'uid-1',
      'job-name': 'pi',
    });
    expect((j.spec as Obj).template.spec.containers[0].imagePullPolicy).toBe('Always');
    expect(j.status).toEqual({});
    expect(j.metadata.labels).toBeUndefined(); // the template had no labels to share
    expect(texts(def('batch/v1', 'jobs').validate!(j))).toEqual([]);
  });

  it('job labels follow the template labels (shared map in Go)', () => {
    const j = created(def('batch/v1', 'jobs'), {
      metadata: { name: 'pi' },
      spec: { template: { metadata: { labels: { app: 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } },
    });
    expect(j.metadata.labels).toEqual({
      app: 'pi',
      'batch.kubernetes.io/controller-uid': 'uid-1',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'uid-1',
      'job-name': 'pi',
    });
    expect(j.metadata.labels).not.toBe((j.spec as Obj).template.metadata.labels);
  });

  it('job with a manual selector keeps it', () => {
    const j = created(def('batch/v1', 'jobs'), {
      metadata: { name: 'm' },
      spec: { manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } },
    });
    expect((j.spec as Obj).selector).toEqual({ matchLabels: { a: 'b' } });
    expect(texts(def('batch/v1', 'jobs').validate!(j))).toEqual([]);
  });

  it('cronjob', () => {
    const c = created(def('batch/v1', 'cronjobs'), {
      metadata: { name: 'tick' },
      spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox:1.36' }] } } } } },
    });
    expect(c.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect((c.spec as Obj).jobTemplate.spec.backoffLimit).toBeUndefined();
    expect((c.spec as Obj).jobTemplate.spec.template.spec.dnsPolicy).toBe('ClusterFirst');
    expect(texts(def('batch/v1', 'cronjobs').validate!(c))).toEqual([]);
  });

  it('hpa v2 defaults, behavior rules filled in', () => {
    const h = created(def('autoscaling/v2', 'horizontalpodautoscalers'), {
      metadata: { name: 'web' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } },
    });
    expect(h.spec).toMatchObject({
      minReplicas: 1,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
        scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
      },
    });
    expect(h.status).toEqual({ desiredReplicas: 0 });
  });

  it('pdb status, endpointslice port defaults', () => {
    const p = created(def('policy/v1', 'poddisruptionbudgets'), { metadata: { name: 'p' }, spec: { minAvailable: 1 } });
    expect(p.status).toEqual({ currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 });
    const e = created(def('discovery.k8s.io/v1', 'endpointslices'), { metadata: { name: 'e' }, addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }] });
    expect(e.ports).toEqual([{ port: 80, name: '', protocol: 'TCP' }]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('validation texts', () => {
  const cases: [string, string, string, Obj, string[]][] = [
    [
      'selector does not match template labels',
      'apps/v1',
      'deployments',
      deployment({ template: podTemplate({ app: 'x' }) }),
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`'],
    ],
    [
      'missing selector',
      'apps/v1',
      'deployments',
      { metadata: { name: 'web' }, spec: { template: podTemplate() } },
      ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`'],
    ],
    [
      'empty selector',
      'apps/v1',
      'deployments',
      deployment({ selector: {} }),
      ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment'],
    ],
    ['negative replicas', 'apps/v1', 'deployments', deployment({ replicas: -1 }), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    ['no containers', 'apps/v1', 'deployments', deployment({ template: { metadata: { labels: { app: 'web' } }, spec: {} } }), ['spec.template.spec.containers: Required value']],
    [
      'missing image',
      'apps/v1',
      'deployments',
      deployment({ template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web' }] } } }),
      ['spec.template.spec.containers[0].image: Required value'],
    ],
    [
      'restartPolicy must be Always',
      'apps/v1',
      'replicasets',
      deployment({ template: podTemplate({ app: 'web' }, { restartPolicy: 'OnFailure' }) }),
      ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
    ],
    [
      'bad maxSurge',
      'apps/v1',
      'deployments',
      deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'abc', maxUnavailable: 0 } } }),
      [
        "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"abc\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%' or '93%', regex used for validation is '[0-9]+%')",
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
      ],
    ],
    [
      'statefulset restartPolicy, no pod spec validation',
      'apps/v1',
      'statefulsets',
      { metadata: { name: 'db' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c' }] } } } },
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
    [
      'daemonset both surge and unavailable',
      'apps/v1',
      'daemonsets',
      deployment({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } }),
      ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero'],
    ],
    [
      'job restartPolicy Always',
      'batch/v1',
      'jobs',
      { metadata: { name: 'j' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }] } } } },
      ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    ],
    [
      'job completionMode',
      'batch/v1',
      'jobs',
      { metadata: { name: 'j' }, spec: { completionMode: 'Bogus', template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } },
      ['spec.completionMode: Unsupported value: "Bogus": supported values: "NonIndexed", "Indexed"'],
    ],
    [
      'cronjob schedule required',
      'batch/v1',
      'cronjobs',
      { metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } } } },
      ['spec.schedule: Required value'],
    ],
    [
      'cronjob bad schedule',
      'batch/v1',
      'cronjobs',
      { metadata: { name: 'c' }, spec: { schedule: '61 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } } } },
      ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'],
    ],
    [
      'cronjob TZ in schedule, bad time zone, long name',
      'batch/v1',
      'cronjobs',
      {
        metadata: { name: 'x'.repeat(53) },
        spec: { schedule: 'TZ=UTC 0 * * * *', timeZone: 'Mars/Olympus', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } } },
      },
      [
        'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
        'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
        `metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`,
      ],
    ],
    [
      'cronjob job template selector',
      'batch/v1',
      'cronjobs',
      {
        metadata: { name: 'c' },
        spec: { schedule: '@hourly', jobTemplate: { spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } } },
      },
      ['spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated'],
    ],
    [
      'hpa v2 replicas',
      'autoscaling/v2',
      'horizontalpodautoscalers',
      { metadata: { name: 'h' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 3, maxReplicas: 2 } },
      ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`'],
    ],
    [
      'hpa v1 errors use the internal paths',
      'autoscaling/v1',
      'horizontalpodautoscalers',
      { metadata: { name: 'h' }, spec: { scaleTargetRef: { kind: 'Deployment' }, maxReplicas: 0, targetCPUUtilizationPercentage: 0 } },
      [
        'spec.maxReplicas: Invalid value: 0: must be greater than 0',
        'spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`',
        'spec.scaleTargetRef.name: Required value',
        'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
      ],
    ],
    [
      'pdb both set',
      'policy/v1',
      'poddisruptionbudgets',
      { metadata: { name: 'p' }, spec: { minAvailable: '150%' } },
      ['spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%'],
    ],
    ['lease duration', 'coordination.k8s.io/v1', 'leases', { metadata: { name: 'l' }, spec: { leaseDurationSeconds: 0 } }, ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']],
    [
      'endpointslice',
      'discovery.k8s.io/v1',
      'endpointslices',
      { metadata: { name: 'e' }, addressType: 'IPv4', endpoints: [{ addresses: [] }, { addresses: ['10.0.0.300', '127.0.0.1'] }], ports: [{ port: 80, protocol: 'HTTP' }] },
      [
        'endpoints[0].addresses: Required value: must contain at least 1 address',
        'endpoints[1].addresses[0]: Invalid value: "10.0.0.300": must be a valid IPv4 address',
        'endpoints[1].addresses[1]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
        'ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      ],
    ],
    [
      'events.k8s.io strict create rules',
      'events.k8s.io/v1',
      'events',
      { metadata: { name: 'e' }, regarding: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Started', type: 'Info', deprecatedCount: 3 },
      ['eventTime: Required value', 'type: Invalid value: "": has invalid value: Info', 'deprecatedCount: Invalid value: "": needs to be unset'],
    ],
    [
      'events.k8s.io new-style event needs reporting fields',
      'events.k8s.io/v1',
      'events',
      { metadata: { name: 'e' }, eventTime: '2025-01-01T00:00:00.000000Z', regarding: { kind: 'Pod', name: 'p', namespace: 'default' }, type: 'Normal' },
      [
        'reportingController: Required value',
        // IsQualifiedName("") as upstream reports it too (Go's RegexError has that double space).
        'reportingController: Invalid value: "": name part must be non-empty',
        "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        'reportingInstance: Required value',
        'action: Required value',
        'reason: Required value',
      ],
    ],
  ];
  it.each(cases)('%s', (_name, gv, resource, body, expected) => {
    const d = def(gv, resource);
    expect(texts(d.validate!(created(d, body)))).toEqual(expected);
  });

  it('valid objects pass', () => {
    for (const [gv, resource, body] of [
      ['apps/v1', 'deployments', deployment()],
      ['apps/v1', 'replicasets', deployment()],
      ['apps/v1', 'daemonsets', deployment()],
      ['apps/v1', 'statefulsets', deployment()],
      ['apps/v1', 'controllerrevisions', { metadata: { name: 'r' }, data: {}, revision: 1 }],
      ['autoscaling/v1', 'horizontalpodautoscalers', { metadata: { name: 'h' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'w' }, maxReplicas: 3 } }],
      ['policy/v1', 'poddisruptionbudgets', { metadata: { name: 'p' }, spec: { maxUnavailable: '25%', selector: { matchLabels: { a: 'b' } } } }],
      [
        'events.k8s.io/v1',
        'events',
        {
          metadata: { name: 'e', namespace: 'default' },
          eventTime: '2025-01-01T00:00:00.000000Z',
          reportingController: 'kubedo.dev/test',
          reportingInstance: 'x',
          action: 'Test',
          reason: 'Tested',
          type: 'Normal',
          regarding: { kind: 'Pod', name: 'p', namespace: 'default' },
        },
      ],
    ] as [string, string, Obj][]) {
      const d = def(gv, resource);
      expect(texts(d.validate!(created(d, body))), `${gv} ${resource}`).toEqual([]);
    }
  });
});

describe('update validation', () => {
  it('selector is immutable in apps/v1', () => {
    const d = def('apps/v1', 'deployments');
    const old = created(d, deployment());
    const next = created(d, deployment({ selector: { matchLabels: { app: 'web', tier: 'x' } }, template: podTemplate({ app: 'web', tier: 'x' }) }));
    expect(updateErrors(d, next, old)).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
    expect(updateErrors(d, created(d, deployment({ replicas: 3 })), old)).toEqual([]);
  });

  it('statefulset spec fields other than the mutable ones are forbidden', () => {
    const d = def('apps/v1', 'statefulsets');
    const old = created(d, deployment({ serviceName: 'a' }));
    expect(updateErrors(d, created(d, deployment({ serviceName: 'b' })), old)).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
    expect(updateErrors(d, created(d, deployment({ serviceName: 'a', replicas: 5 })), old)).toEqual([]);
  });

  it('job template is immutable unless suspended and never started', () => {
    const d = def('batch/v1', 'jobs');
    const body = (suspend: boolean, image: string, nodeSelector?: Obj) => ({
      metadata: { name: 'j' },
      spec: { suspend, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image }], ...(nodeSelector ? { nodeSelector } : {}) } } },
    });
    const old = created(d, body(false, 'a'));
    const next = structuredClone(old);
    (next.spec as Obj).template.spec.containers[0].image = 'b';
    const errs = updateErrors(d, next, old);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^spec\.template: Invalid value: \{.*\}: field is immutable$/);
    const suspended = created(d, body(true, 'a'));
    const moved = structuredClone(suspended);
    (moved.spec as Obj).template.spec.nodeSelector = { zone: 'b' };
    expect(updateErrors(d, moved, suspended)).toEqual([]);
    const changedSelector = structuredClone(old);
    (changedSelector.spec as Obj).selector = { matchLabels: { x: 'y' } };
    expect(updateErrors(d, changedSelector, old)[0]).toMatch(/^spec\.template\.metadata\.labels: Invalid value: map\[string\]string/);
  });

  it('cronjob update allows a TZ schedule that was there before', () => {
    const d = def('batch/v1', 'cronjobs');
    const tpl = { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } };
    const old = created(d, { metadata: { name: 'c' }, spec: { schedule: 'TZ=UTC 0 * * * *', jobTemplate: tpl } });
    const next = created(d, { metadata: { name: 'c' }, spec: { schedule: 'TZ=UTC 5 * * * *', jobTemplate: tpl } });
    expect(updateErrors(d, next, old)).toEqual([]);
  });

  it('hpa v2 keeps minReplicas 0 allowed when it was 0', () => {
    const d = def('autoscaling/v2', 'horizontalpodautoscalers');
    const body = { metadata: { name: 'h' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'w' }, minReplicas: 0, maxReplicas: 3 } };
    expect(texts(d.validate!(created(d, body)))).toEqual(['spec.minReplicas: Invalid value: 0: must be greater than or equal to 1']);
    expect(updateErrors(d, created(d, body), created(d, body))).toEqual([]);
  });

  it('events.k8s.io fields are immutable on update', () => {
    const d = def('events.k8s.io/v1', 'events');
    const body = {
      metadata: { name: 'e', namespace: 'default' },
      eventTime: '2025-01-01T00:00:00.000000Z',
      reportingController: 'c',
      reportingInstance: 'i',
      action: 'A',
      reason: 'R',
      type: 'Normal',
      note: 'hello',
      regarding: { kind: 'Pod', name: 'p', namespace: 'default' },
    };
    const next = created(d, { ...body, note: 'bye' });
    expect(updateErrors(d, next, created(d, body))).toEqual(['message: Invalid value: "bye": field is immutable']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('cron schedules (robfig/cron ParseStandard)', () => {
  it.each([
    ['*/5 * * * *', undefined],
    ['0 0 1 jan-mar mon-fri', undefined],
    ['@hourly', undefined],
    ['@every 1h30m', undefined],
    ['0 0 ? * *', undefined],
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['@sometimes', 'unrecognized descriptor: @sometimes'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['0 24 * * *', 'end of range (24) above maximum (23): 24'],
    ['0 0 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
  ])('%j', (schedule, expected) => {
    expect(parseCronError(schedule)).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------

describe('printers', () => {
  const cells = (gv: string, resource: string, obj: Obj) => def(gv, resource).printer!.cells({ ...obj, metadata: { creationTimestamp: CREATED, ...obj.metadata } } as KObject, NOW);
  const columns = (gv: string, resource: string) => def(gv, resource).printer!.columns.map((c) => `${c.name}${c.priority ? '*' : ''}`);

  it.each([
    ['apps/v1', 'deployments', ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']],
    ['apps/v1', 'replicasets', ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']],
    ['apps/v1', 'statefulsets', ['Name', 'Ready', 'Age', 'Containers*', 'Images*']],
    ['apps/v1', 'daemonsets', ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers*', 'Images*', 'Selector*']],
    ['apps/v1', 'controllerrevisions', ['Name', 'Controller', 'Revision', 'Age']],
    ['batch/v1', 'jobs', ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers*', 'Images*', 'Selector*']],
    ['batch/v1', 'cronjobs', ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers*', 'Images*', 'Selector*']],
    ['autoscaling/v2', 'horizontalpodautoscalers', ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']],
    ['policy/v1', 'poddisruptionbudgets', ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']],
    ['coordination.k8s.io/v1', 'leases', ['Name', 'Holder', 'Age']],
    ['discovery.k8s.io/v1', 'endpointslices', ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']],
    ['events.k8s.io/v1', 'events', ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']],
  ])('%s %s columns', (gv, resource, expected) => {
    expect(columns(gv, resource)).toEqual(expected);
  });

  it.each([
    [
      'deployment',
      'apps/v1',
      'deployments',
      { metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: podTemplate() }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } },
      ['web', '2/3', 3, 2, '5m', 'web', 'nginx:1.27', 'app=web'],
    ],
    [
      'replicaset',
      'apps/v1',
      'replicasets',
      { metadata: { name: 'web-1' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web', h: '1' } }, template: podTemplate() }, status: { replicas: 3, readyReplicas: 1 } },
      ['web-1', 3, 3, 1, '5m', 'web', 'nginx:1.27', 'app=web,h=1'],
    ],
    ['statefulset', 'apps/v1', 'statefulsets', { metadata: { name: 'db' }, spec: { replicas: 2, template: podTemplate() }, status: { readyReplicas: 1 } }, ['db', '1/2', '5m', 'web', 'nginx:1.27']],
    [
      'daemonset',
      'apps/v1',
      'daemonsets',
      {
        metadata: { name: 'agent' },
        spec: { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['b', 'a'] }] }, template: podTemplate({}, { nodeSelector: { 'kubernetes.io/os': 'linux' } }) },
        status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
      },
      ['agent', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '5m', 'web', 'nginx:1.27', 'app in (a,b)'],
    ],
    [
      'controllerrevision',
      'apps/v1',
      'controllerrevisions',
      { metadata: { name: 'db-7c', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true }] }, revision: 2 },
      ['db-7c', 'statefulset.apps/db', 2, '5m'],
    ],
    [
      'running job',
      'batch/v1',
      'jobs',
      { metadata: { name: 'pi' }, spec: { completions: 3, parallelism: 1, template: podTemplate(), selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } } }, status: { startTime: '2025-01-01T11:58:00Z', succeeded: 1 } },
      ['pi', 'Running', '1/3', '2m', '5m', 'web', 'nginx:1.27', 'batch.kubernetes.io/controller-uid=u'],
    ],
    [
      'complete job',
      'batch/v1',
      'jobs',
      {
        metadata: { name: 'pi' },
        spec: { parallelism: 2, template: podTemplate() },
        status: { startTime: '2025-01-01T11:56:00Z', completionTime: '2025-01-01T11:56:45Z', succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
      },
      ['pi', 'Complete', '1/1 of 2', '45s', '5m', 'web', 'nginx:1.27', '<none>'],
    ],
    [
      'suspended job',
      'batch/v1',
      'jobs',
      { metadata: { name: 'pi' }, spec: { completions: 1, template: podTemplate() }, status: { conditions: [{ type: 'Suspended', status: 'True' }] } },
      ['pi', 'Suspended', '0/1', '', '5m', 'web', 'nginx:1.27', '<none>'],
    ],
    [
      'cronjob',
      'batch/v1',
      'cronjobs',
      { metadata: { name: 'tick' }, spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template: podTemplate() } } }, status: { active: [{ name: 'a' }], lastScheduleTime: '2025-01-01T11:59:30Z' } },
      ['tick', '*/5 * * * *', '<none>', 'False', 1, '30s', '5m', 'web', 'nginx:1.27', '<none>'],
    ],
    [
      'hpa v2',
      'autoscaling/v2',
      'horizontalpodautoscalers',
      {
        metadata: { name: 'web' },
        spec: {
          scaleTargetRef: { kind: 'Deployment', name: 'web' },
          minReplicas: 1,
          maxReplicas: 10,
          metrics: [
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
            { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
            { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
          ],
        },
        status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12 } } }] },
      },
      ['web', 'Deployment/web', 'cpu: 12%/50%, memory: <unknown>/100Mi + 1 more...', '1', 10, 2, '5m'],
    ],
    [
      'hpa v1',
      'autoscaling/v1',
      'horizontalpodautoscalers',
      { metadata: { name: 'web' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 4 }, status: { currentReplicas: 1, desiredReplicas: 1 } },
      ['web', 'Deployment/web', 'cpu: <unknown>/80%', '1', 4, 1, '5m'],
    ],
    ['pdb', 'policy/v1', 'poddisruptionbudgets', { metadata: { name: 'p' }, spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } }, ['p', '50%', 'N/A', 1, '5m']],
    ['lease', 'coordination.k8s.io/v1', 'leases', { metadata: { name: 'node-1' }, spec: { holderIdentity: 'node-1' } }, ['node-1', 'node-1', '5m']],
    [
      'endpointslice',
      'discovery.k8s.io/v1',
      'endpointslices',
      {
        metadata: { name: 'web-abc' },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 80 }, { name: 'all' }],
        endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2', '10.0.0.3'] }, { addresses: ['10.0.0.4', '10.0.0.5'] }],
      },
      ['web-abc', 'IPv4', '80,all', '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...', '5m'],
    ],
    ['empty endpointslice', 'discovery.k8s.io/v1', 'endpointslices', { metadata: { name: 'e' }, addressType: 'IPv6' }, ['e', 'IPv6', '<unset>', '<unset>', '5m']],
    [
      'events.k8s.io event',
      'events.k8s.io/v1',
      'events',
      {
        metadata: { name: 'p.1' },
        eventTime: '2025-01-01T11:59:00.000000Z',
        reportingController: 'kubelet',
        reportingInstance: 'node-1',
        reason: 'Pulled',
        type: 'Normal',
        note: ' pulled ',
        regarding: { kind: 'Pod', name: 'p', fieldPath: 'spec.containers{c}' },
      },
      ['60s', 'Normal', 'Pulled', 'pod/p', 'spec.containers{c}', 'kubelet, node-1', 'pulled', '60s', 1, 'p.1'],
    ],
  ])('%s', (_name, gv, resource, obj, expected) => {
    expect(cells(gv, resource, obj)).toEqual(expected);
  });
});

// ---------------------------------------------------------------------------------------------

describe('autoscaling v1 ⇄ v2', () => {
  const meta = { name: 'web', namespace: 'default', uid: 'u', resourceVersion: '7' };

  it('maps targetCPUUtilizationPercentage and the current CPU', () => {
    const v1: KObject = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { ...meta },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 },
      status: { currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 70 },
    };
    const v2 = hpaV1ToV2(v1);
    expect(v2).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta,
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
      },
      status: { currentReplicas: 2, desiredReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 70 } } }] },
    });
    // The current-metrics annotation carries the raw status back (upstream keeps it even for CPU); its
    // v1 shape has a non-pointer currentAverageValue, so a missing one comes back as "0" like upstream.
    const back = hpaV2ToV1(v2);
    expect(back.spec).toEqual(v1.spec);
    expect(back.status).toEqual(v1.status);
    expect(JSON.parse(back.metadata.annotations!['autoscaling.alpha.kubernetes.io/current-metrics'])).toEqual([
      { type: 'Resource', resource: { name: 'cpu', currentAverageUtilization: 70, currentAverageValue: '0' } },
    ]);
    const again = hpaV1ToV2(back);
    expect(again.spec).toEqual(v2.spec);
    expect((again.status as Obj).currentMetrics[0].resource.current).toEqual({ averageValue: '0', averageUtilization: 70 });
  });

  it('round-trips other metrics, behavior and conditions through the annotations', () => {
    const v2: KObject = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { ...meta, annotations: { keep: 'me' } },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 9,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '200Mi' } } },
          { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
          { type: 'External', external: { metric: { name: 'queue', selector: { matchLabels: { q: 'jobs' } } }, target: { type: 'Value', value: '30' } } },
        ],
        behavior: {
          scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] },
          scaleDown: { stabilizationWindowSeconds: 120, selectPolicy: 'Min', policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] },
        },
      },
      status: {
        currentReplicas: 3,
        desiredReplicas: 3,
        currentMetrics: [
          { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40, averageValue: '80m' } } },
          { type: 'Pods', pods: { metric: { name: 'qps' }, current: { averageValue: '7' } } },
        ],
        conditions: [{ type: 'AbleToScale', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'ReadyForNewScale', message: 'ok' }],
      },
    };
    const v1 = hpaV2ToV1(v2);
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toEqual({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 9, targetCPUUtilizationPercentage: 50 });
    expect(v1.status).toEqual({ currentReplicas: 3, desiredReplicas: 3, currentCPUUtilizationPercentage: 40 });
    const ann = v1.metadata.annotations!;
    expect(ann.keep).toBe('me');
    expect(JSON.parse(ann[METRIC_SPECS_ANNOTATION])).toEqual([
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '200Mi' } },
      { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } },
      { type: 'External', external: { metricName: 'queue', metricSelector: { matchLabels: { q: 'jobs' } }, targetValue: '30' } },
    ]);
    expect(JSON.parse(ann['autoscaling.alpha.kubernetes.io/behavior']).ScaleDown).toEqual({
      StabilizationWindowSeconds: 120,
      SelectPolicy: 'Min',
      Policies: [{ Type: 'Percent', Value: 10, PeriodSeconds: 60 }],
    });
    // Back to v2: the CPU metric goes after the annotated ones, as upstream's conversion orders them.
    const again = hpaV1ToV2(v1);
    const spec = v2.spec as Obj;
    expect((again.spec as Obj).metrics).toEqual([...spec.metrics.slice(1), spec.metrics[0]]);
    expect((again.spec as Obj).behavior).toEqual(spec.behavior);
    expect(again.status).toEqual(v2.status);
    expect(again.metadata.annotations).toEqual({ keep: 'me' });
  });

  it('a v1 status write wins over a stale current-metrics annotation', () => {
    const stored: KObject = {
      metadata: { name: 'h' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'w' }, maxReplicas: 2 },
      status: { desiredReplicas: 1, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 10, averageValue: '5m' } } }] },
    };
    const v1 = hpaV2ToV1(stored);
    (v1.status as Obj).currentCPUUtilizationPercentage = 90;
    expect((hpaV1ToV2(v1).status as Obj).currentMetrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '5m', averageUtilization: 90 } } }]);
  });

  it('a v1 HPA without target gets the 80% CPU default in storage', () => {
    const v2 = hpaV1ToV2({ metadata: { name: 'h' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'w' }, maxReplicas: 2 } });
    expect((v2.spec as Obj).metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(hpaV2ToV1(v2).spec).toMatchObject({ targetCPUUtilizationPercentage: 80, minReplicas: 1 });
  });
});

// ---------------------------------------------------------------------------------------------

describe('events.k8s.io ⇄ core events', () => {
  const full: KObject = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web.1', namespace: 'default', uid: 'u', resourceVersion: '3' },
    eventTime: '2025-01-01T10:00:00.123456Z',
    series: { count: 4, lastObservedTime: '2025-01-01T11:00:00.000000Z' },
    reportingController: 'kubedo.dev/scheduler',
    reportingInstance: 'scheduler-1',
    action: 'Binding',
    reason: 'Scheduled',
    regarding: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'p1', apiVersion: 'v1', resourceVersion: '9', fieldPath: 'spec' },
    related: { kind: 'Node', name: 'node-1', apiVersion: 'v1' },
    note: 'Successfully assigned default/web to node-1',
    type: 'Normal',
    deprecatedSource: { component: 'default-scheduler', host: 'cp' },
    deprecatedFirstTimestamp: '2025-01-01T09:00:00Z',
    deprecatedLastTimestamp: '2025-01-01T11:00:00Z',
    deprecatedCount: 4,
  };

  it('converts each field both ways', () => {
    const core = eventsV1ToCore(full);
    expect(core).toEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: full.metadata,
      involvedObject: full.regarding,
      reason: 'Scheduled',
      message: full.note,
      source: { component: 'default-scheduler', host: 'cp' },
      firstTimestamp: '2025-01-01T09:00:00Z',
      lastTimestamp: '2025-01-01T11:00:00Z',
      count: 4,
      type: 'Normal',
      eventTime: full.eventTime,
      series: full.series,
      action: 'Binding',
      related: full.related,
      reportingComponent: 'kubedo.dev/scheduler',
      reportingInstance: 'scheduler-1',
    });
    expect(coreToEventsV1(core)).toEqual(full);
  });

  it('writes what Go encodes for zero values', () => {
    const minimal: KObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'x', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'Killing', message: 'Stopping', count: 1 };
    const v1 = coreToEventsV1(minimal);
    expect(v1).toEqual({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: minimal.metadata,
      eventTime: null,
      reason: 'Killing',
      regarding: { kind: 'Pod', name: 'p' },
      note: 'Stopping',
      deprecatedSource: {},
      deprecatedFirstTimestamp: null,
      deprecatedLastTimestamp: null,
      deprecatedCount: 1,
    });
    expect(eventsV1ToCore(v1)).toEqual({
      ...minimal,
      source: {},
      firstTimestamp: null,
      lastTimestamp: null,
      eventTime: null,
      reportingComponent: '',
      reportingInstance: '',
    });
  });

  it.each([
    ['regarding.name', 'web'],
    ['regarding.kind', 'Pod'],
    ['regarding.uid', 'p1'],
    ['regarding.fieldPath', 'spec'],
    ['reason', 'Scheduled'],
    ['reportingController', 'kubedo.dev/scheduler'],
    ['source', 'default-scheduler'],
    ['type', 'Normal'],
  ])('field selector %s', (fieldName, value) => {
    expect(def('events.k8s.io/v1', 'events').fieldSelectors![fieldName](full)).toBe(value);
  });

  it('other field selectors', () => {
    expect(def('apps/v1', 'replicasets').fieldSelectors!['status.replicas']({ metadata: {}, status: { replicas: 2 } })).toBe('2');
    expect(def('batch/v1', 'jobs').fieldSelectors!['status.successful']({ metadata: {} })).toBe('0');
    expect(def('events.k8s.io/v1', 'events').fieldSelectors!['involvedObject.name']).toBeUndefined();
  });
});
