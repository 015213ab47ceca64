// The EndpointSlice controller: for every Service with a selector, IPv4 EndpointSlices named
// `<service>-<random>` (labels kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by,
// owner reference to the Service) holding at most 100 endpoints each, one group of slices per set
// of resolved ports; terminating pods stay with terminating=true. Endpoints stay in the slice they
// are in (few writes per change); a Service without backends keeps one empty placeholder slice.
import type { Node, Service } from 'kubernetes-types/core/v1';
import type { Controller } from '../durable/control-loop';
import { nowTimestamp } from '../durable/generic-registry';
import {
  HEADLESS_LABEL,
  MANAGED_BY_LABEL,
  MAX_ENDPOINTS_PER_SLICE,
  portsKey,
  SERVICE_NAME_LABEL,
  serviceSelector,
  sliceEndpoint,
  SLICE_CONTROLLER,
  TRIGGER_TIME_ANNOTATION,
  type Backend,
} from '../network/endpoints';
import type { KObject } from '../registry/types';
import { splitKey, systemCall, type ClusterContext } from './context';
import { backendsOf, forgetServices, isHeadless, servicesForPod } from './endpoints';

const COMPONENT = 'endpointslice-controller';
const SLICES = 'endpointslices.discovery.k8s.io';
const ZONE_LABEL = 'topology.kubernetes.io/zone';

interface Slice extends KObject {
  addressType?: string;
  endpoints?: Record<string, unknown>[];
  ports?: Record<string, unknown>[];
}

/** The managed slices of a Service (label lookup within its namespace). */
function slicesOf(ctx: ClusterContext, namespace: string, name: string): Slice[] {
  const out: Slice[] = [];
  for (const s of ctx.store.list(SLICES, { namespace })) {
    const l = s.metadata.labels ?? {};
    if (l[SERVICE_NAME_LABEL] === name && l[MANAGED_BY_LABEL] === SLICE_CONTROLLER) out.push(s as Slice);
  }
  return out;
}

const sliceKey = (s: Slice) => portsKey(((s.ports ?? []) as unknown as Backend['ports']).map((p) => ({ ...p })));
const endpointId = (ep: Record<string, unknown>) => (ep.targetRef as { uid?: string } | undefined)?.uid ?? String((ep.addresses as string[])[0]);

export function endpointSliceController(ctx: ClusterContext): Controller {
  const zoneOf = (nodeName: string | undefined, cache: Map<string, string | undefined>) => {
    if (!nodeName) return undefined;
    if (!cache.has(nodeName)) cache.set(nodeName, (ctx.store.get('nodes', '', nodeName) as unknown as Node | undefined)?.metadata?.labels?.[ZONE_LABEL]);
    return cache.get(nodeName);
  };

  function write(verb: 'create' | 'update' | 'delete', namespace: string, body: Slice): void {
    const r =
      verb === 'delete'
        ? systemCall(ctx, COMPONENT, { verb, group: 'discovery.k8s.io', resource: 'endpointslices', namespace, name: body.metadata.name, body: { preconditions: { uid: body.metadata.uid } } })
        : systemCall(ctx, COMPONENT, { verb, group: 'discovery.k8s.io', resource: 'endpointslices', namespace, name: verb === 'update' ? body.metadata.name : undefined, body });
    // A conflict: the control loop retries the Service with back-off (403/404: the namespace is going away).
    if (r.status >= 300 && r.status !== 403 && r.status !== 404) throw new Error(`${verb} endpointslice for ${namespace}: ${JSON.stringify(r.body)}`);
  }

  return {
    name: 'endpointslice',
    keysFor(e) {
      if (e.resource === 'services') {
        forgetServices(ctx, e.namespace);
        return [`${e.namespace}/${e.name}`];
      }
      if (e.resource === SLICES && e.type === 'DELETED') {
        const l = (e.object.metadata.labels ?? {}) as Record<string, string>;
        return l[MANAGED_BY_LABEL] === SLICE_CONTROLLER && l[SERVICE_NAME_LABEL] ? [`${e.namespace}/${l[SERVICE_NAME_LABEL]}`] : [];
      }
      if (e.resource === 'pods') return servicesForPod(ctx, e);
      return [];
    },
    reconcile(key) {
      const { namespace, name } = splitKey(key);
      const svc = ctx.store.get('services', namespace, name) as unknown as (Service & KObject) | undefined;
      const existing = slicesOf(ctx, namespace, name);
      if (!svc || !serviceSelector(svc) || svc.metadata.deletionTimestamp) {
        for (const s of existing) write('delete', namespace, s);
        return;
      }
      const zones = new Map<string, string | undefined>();
      // Desired endpoints grouped by their resolved ports.
      const desired = new Map<string, { ports: Backend['ports']; endpoints: Map<string, Record<string, unknown>> }>();
      for (const b of backendsOf(ctx, svc, true)) {
        const k = portsKey(b.ports);
        let g = desired.get(k);
        if (!g) desired.set(k, (g = { ports: b.ports, endpoints: new Map() }));
        const ep = sliceEndpoint(b, zoneOf(b.nodeName, zones));
        g.endpoints.set(endpointId(ep), ep);
      }
      const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: SLICE_CONTROLLER };
      if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
      else delete labels[HEADLESS_LABEL];
      const ownerReferences = [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }];
      const now = nowTimestamp();

      const fresh = (ports: Backend['ports'], endpoints: Record<string, unknown>[]): Slice => ({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { generateName: `${name}-`, namespace, labels, annotations: { [TRIGGER_TIME_ANNOTATION]: now }, ownerReferences },
        addressType: 'IPv4',
        endpoints,
        ports: ports.map((p) => ({ ...p })),
      });
      const save = (old: Slice, endpoints: Record<string, unknown>[]) => {
        const changed = JSON.stringify(old.endpoints ?? []) !== JSON.stringify(endpoints);
        const metaSame = JSON.stringify(old.metadata.labels ?? {}) === JSON.stringify(labels) && JSON.stringify(old.metadata.ownerReferences ?? []) === JSON.stringify(ownerReferences);
        if (!changed && metaSame) return;
        const annotations = { ...(old.metadata.annotations ?? {}) };
        if (changed) annotations[TRIGGER_TIME_ANNOTATION] = now;
        write('update', namespace, { ...old, metadata: { ...old.metadata, labels, annotations, ownerReferences }, endpoints });
      };

      // Existing slices of a port set keep the endpoints they hold that are still wanted.
      const byGroup = new Map<string, Slice[]>();
      for (const s of existing) {
        const k = sliceKey(s);
        if (!byGroup.has(k)) byGroup.set(k, []);
        byGroup.get(k)!.push(s);
      }
      const leftovers: Slice[] = [];
      for (const [k, slices] of byGroup) if (!desired.has(k)) leftovers.push(...slices);
      for (const [k, g] of desired) {
        const slices = byGroup.get(k) ?? [];
        const placed = new Set<string>();
        const kept = slices.map((s) => {
          const eps: Record<string, unknown>[] = [];
          for (const ep of s.endpoints ?? []) {
            const id = endpointId(ep);
            const want = g.endpoints.get(id);
            if (want && !placed.has(id) && eps.length < MAX_ENDPOINTS_PER_SLICE) {
              eps.push(want);
              placed.add(id);
            }
          }
          return { slice: s, eps };
        });
        const pending = [...g.endpoints.entries()].filter(([id]) => !placed.has(id)).map(([, ep]) => ep);
        // Fill the fullest slices with room first, then new slices.
        for (const k2 of [...kept].sort((a, b) => b.eps.length - a.eps.length)) {
          while (pending.length && k2.eps.length < MAX_ENDPOINTS_PER_SLICE && k2.eps.length > 0) k2.eps.push(pending.shift()!);
        }
        for (const k2 of kept) {
          while (pending.length && k2.eps.length < MAX_ENDPOINTS_PER_SLICE) k2.eps.push(pending.shift()!);
        }
        for (const k2 of kept) {
          if (k2.eps.length) save(k2.slice, k2.eps);
          else leftovers.push(k2.slice);
        }
        while (pending.length) write('create', namespace, fresh(g.ports, pending.splice(0, MAX_ENDPOINTS_PER_SLICE)));
      }
      if (desired.size === 0) {
        // No backends: one placeholder slice without endpoints or ports, like upstream.
        const placeholder = leftovers.shift();
        if (placeholder) {
          if ((placeholder.ports ?? []).length) write('update', namespace, { ...placeholder, metadata: { ...placeholder.metadata, labels, ownerReferences }, endpoints: [], ports: [] });
          else save(placeholder, []);
        } else {
          write('create', namespace, fresh([], []));
        }
      }
      for (const s of leftovers) write('delete', namespace, s);
    },
  };
}
