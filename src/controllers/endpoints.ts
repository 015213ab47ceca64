// The Endpoints controller: for every Service with a selector, an Endpoints object of the same name
// listing the selected pods (ready ones in addresses, the others in notReadyAddresses, all of them
// ready with publishNotReadyAddresses; terminating pods left out), targetPort names resolved per
// pod, at most 1000 addresses (over-capacity annotation). A pod event only looks at the Services of
// its namespace that select it.
import type { Pod, Service } from 'kubernetes-types/core/v1';
import type { Controller } from '../durable/control-loop';
import { nowTimestamp } from '../durable/generic-registry';
import type { StoredEvent } from '../durable/store';
import {
  backendOf,
  endpointsSubsets,
  HEADLESS_LABEL,
  OVER_CAPACITY_ANNOTATION,
  selects,
  serviceSelector,
  TRIGGER_TIME_ANNOTATION,
  type Backend,
} from '../network/endpoints';
import { matchesLabels } from '../machinery/labels';
import type { KObject } from '../registry/types';
import { splitKey, systemCall, type ClusterContext } from './context';

const COMPONENT = 'endpoint-controller';
/** The label 1.33's controller puts on the Endpoints it manages (and checks before deleting one). */
const MANAGED_BY = 'endpoints.kubernetes.io/managed-by';

/** What about a pod matters to its Services' endpoints. */
function podView(p: KObject | undefined): string {
  if (!p) return '';
  const pod = p as unknown as Pod;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return JSON.stringify([pod.metadata?.labels, pod.status?.podIP, pod.status?.phase, ready, pod.metadata?.deletionTimestamp, pod.spec?.nodeName, pod.spec?.hostname, pod.spec?.subdomain]);
}

/** Both endpoint controllers ask about the same pod event: answer it once. */
const selecting = new WeakMap<StoredEvent, string[]>();

/** Keys (namespace/name) of the Services that select a pod, before or after a change. */
export function servicesForPod(ctx: ClusterContext, e: StoredEvent): string[] {
  if (e.type === 'MODIFIED' && podView(e.prev) === podView(e.object)) return [];
  const known = selecting.get(e);
  if (known) return known;
  const keys: string[] = [];
  selecting.set(e, keys);
  for (const s of servicesIn(ctx, e.namespace)) {
    if (selects(s, e.object.metadata.labels) || (e.prev && selects(s, e.prev.metadata.labels))) keys.push(`${e.namespace}/${s.metadata!.name}`);
  }
  return keys;
}

/**
 * The Services of a namespace, read once and kept until one of them changes (forgetServices): pod
 * events far outnumber Service changes, and a namespace holds few Services.
 */
const serviceCache = new WeakMap<ClusterContext['store'], Map<string, Service[]>>();
function servicesIn(ctx: ClusterContext, namespace: string): Service[] {
  let byNs = serviceCache.get(ctx.store);
  if (!byNs) serviceCache.set(ctx.store, (byNs = new Map()));
  let list = byNs.get(namespace);
  if (!list) byNs.set(namespace, (list = [...ctx.store.list('services', { namespace })] as unknown as Service[]));
  return list;
}

/** A Service changed: the next pod event of its namespace reads them again. */
export function forgetServices(ctx: ClusterContext, namespace: string): void {
  serviceCache.get(ctx.store)?.delete(namespace);
}

/** The selected pods of a Service as backends (one namespace's pods: the lister's view). */
export function backendsOf(ctx: ClusterContext, svc: Service, includeTerminating: boolean): Backend[] {
  const out: Backend[] = [];
  const reqs = serviceSelector(svc);
  if (!reqs) return out;
  for (const p of ctx.network.pods.inNamespace(svc.metadata?.namespace ?? '')) {
    if (!matchesLabels(reqs, p.metadata?.labels)) continue;
    const b = backendOf(svc, p, includeTerminating);
    if (b) out.push(b);
  }
  return out;
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

export function endpointsController(ctx: ClusterContext): Controller {
  return {
    name: 'endpoints',
    keysFor(e) {
      if (e.resource === 'services') {
        forgetServices(ctx, e.namespace);
        return [`${e.namespace}/${e.name}`];
      }
      // Someone deleted the Endpoints of a Service: put them back. (Its own writes need no look.)
      if (e.resource === 'endpoints' && e.type === 'DELETED') return [`${e.namespace}/${e.name}`];
      if (e.resource === 'pods') return servicesForPod(ctx, e);
      return [];
    },
    reconcile(key) {
      const { namespace, name } = splitKey(key);
      const svc = ctx.store.get('services', namespace, name) as unknown as (Service & KObject) | undefined;
      const current = ctx.store.get('endpoints', namespace, name);
      if (!svc) {
        // The Service is gone: so are the endpoints the controller kept for it.
        // Only what the controller made (its label); an Endpoints somebody wrote by hand stays.
        if (current && current.metadata.labels?.[MANAGED_BY] === COMPONENT) {
          systemCall(ctx, COMPONENT, { verb: 'delete', resource: 'endpoints', namespace, name, body: { preconditions: { uid: current.metadata.uid } } });
        }
        return;
      }
      if (!serviceSelector(svc) || svc.metadata.deletionTimestamp) return; // selectorless: the user's Endpoints
      const publish = svc.spec?.publishNotReadyAddresses === true;
      const headless = isHeadless(svc);
      const { subsets, truncated } = endpointsSubsets(backendsOf(ctx, svc, publish), headless && !(svc.spec?.ports ?? []).length);
      const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}), [MANAGED_BY]: COMPONENT };
      if (headless) labels[HEADLESS_LABEL] = '';
      else delete labels[HEADLESS_LABEL];
      const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
      if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
      else delete annotations[OVER_CAPACITY_ANNOTATION];
      const sameSubsets = JSON.stringify(current?.subsets ?? []) === JSON.stringify(subsets);
      if (!sameSubsets || !current) annotations[TRIGGER_TIME_ANNOTATION] = nowTimestamp();
      if (current && sameSubsets && JSON.stringify(current.metadata.labels ?? {}) === JSON.stringify(labels) && JSON.stringify(current.metadata.annotations ?? {}) === JSON.stringify(annotations)) return;
      const meta = { ...(current?.metadata ?? {}), name, namespace, labels, annotations };
      if (!Object.keys(annotations).length) delete (meta as { annotations?: unknown }).annotations;
      const body: KObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: meta, subsets };
      if (!subsets.length) delete body.subsets;
      const r = current
        ? systemCall(ctx, COMPONENT, { verb: 'update', resource: 'endpoints', namespace, name, body })
        : systemCall(ctx, COMPONENT, { verb: 'create', resource: 'endpoints', namespace, body });
      // A conflict (someone else wrote it meanwhile): the control loop retries with back-off.
      // 403/404: the namespace is going away (its Service will be gone on the next look).
      if (r.status >= 300 && r.status !== 403 && r.status !== 404) throw new Error(`write endpoints ${key}: ${JSON.stringify(r.body)}`);
    },
  };
}
