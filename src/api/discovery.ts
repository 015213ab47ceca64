// Discovery documents, built from a resource catalog (pure functions; the routes pass BUILTIN_RESOURCES).
//
// - Aggregated discovery (apidiscovery.k8s.io/v2, and v2beta1 for kubectl 1.27/1.28): /api holds the
//   core group, /apis every other group; a group's first version listed is its preferred one.
// - Legacy discovery: /api (APIVersions), /apis (APIGroupList), /apis/{g} (APIGroup),
//   /api/v1 and /apis/{g}/{v} (APIResourceList).
//
// Shapes follow kube-apiserver 1.33: resources sorted by name, responseKind group/version left empty
// when they are the containing group-version's (and set for e.g. deployments/scale → autoscaling/v1,
// pods/eviction → policy/v1), empty shortNames/categories/subresources omitted.
import type { ResourceDef, SubresourceDef } from '../registry/types';

export type AggregatedVersion = 'v2' | 'v2beta1';
export type DiscoveryFormat = AggregatedVersion | 'legacy';

export const APIGROUP_DISCOVERY_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const APIGROUP_DISCOVERY_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** The exact Content-Type kubectl requires on an aggregated discovery reply. */
export function AGGREGATED_CONTENT_TYPE(version: AggregatedVersion): string {
  return version === 'v2' ? APIGROUP_DISCOVERY_V2 : APIGROUP_DISCOVERY_V2BETA1;
}

/** Same as AGGREGATED_CONTENT_TYPE (the name the routes use). */
export const contentTypeFor = AGGREGATED_CONTENT_TYPE;

// ---------------------------------------------------------------------------------------------
// Shapes

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface APISubresourceDiscovery {
  subresource: string;
  responseKind: GroupVersionKind;
  verbs: string[];
}

export interface APIResourceDiscovery {
  resource: string;
  responseKind: GroupVersionKind;
  scope: 'Namespaced' | 'Cluster';
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: APISubresourceDiscovery[];
}

export interface APIVersionDiscovery {
  version: string;
  resources: APIResourceDiscovery[];
  freshness: 'Current' | 'Stale';
}

export interface APIGroupDiscovery {
  metadata: { name: string };
  versions: APIVersionDiscovery[];
}

export interface APIGroupDiscoveryList {
  kind: 'APIGroupDiscoveryList';
  apiVersion: string;
  metadata: Record<string, never>;
  items: APIGroupDiscovery[];
}

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface APIGroup {
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion?: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

// ---------------------------------------------------------------------------------------------
// Catalog helpers

export interface GroupVersions {
  group: string;
  /** In catalog order: the first is the preferred version. */
  versions: string[];
}

/** Groups in catalog order, each with its versions in catalog order. */
export function groupVersions(defs: ResourceDef[]): GroupVersions[] {
  const out: GroupVersions[] = [];
  const index = new Map<string, GroupVersions>();
  for (const def of defs) {
    let gv = index.get(def.group);
    if (!gv) {
      gv = { group: def.group, versions: [] };
      index.set(def.group, gv);
      out.push(gv);
    }
    if (!gv.versions.includes(def.version)) gv.versions.push(def.version);
  }
  return out;
}

function resourcesOf(defs: ResourceDef[], group: string, version: string): ResourceDef[] {
  return defs.filter((d) => d.group === group && d.version === version).sort((a, b) => cmp(a.resource, b.resource));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const gvString = (group: string, version: string): string => (group ? `${group}/${version}` : version);

/** Subresource kinds in another group-version carry it; ones in the parent's group-version do not. */
function subresourceGVK(def: ResourceDef, sub: SubresourceDef): GroupVersionKind {
  const same = sub.group === def.group && sub.version === def.version;
  return { group: same ? '' : sub.group, version: same ? '' : sub.version, kind: sub.kind };
}

// ---------------------------------------------------------------------------------------------
// Aggregated discovery

function resourceDiscovery(def: ResourceDef): APIResourceDiscovery {
  const r: APIResourceDiscovery = {
    resource: def.resource,
    responseKind: { group: '', version: '', kind: def.kind },
    scope: def.scope,
    singularResource: def.singular,
    verbs: [...def.verbs],
  };
  if (def.shortNames?.length) r.shortNames = [...def.shortNames];
  if (def.categories?.length) r.categories = [...def.categories];
  if (def.subresources?.length) {
    r.subresources = [...def.subresources]
      .sort((a, b) => cmp(a.name, b.name))
      .map((s) => ({ subresource: s.name, responseKind: subresourceGVK(def, s), verbs: [...s.verbs] }));
  }
  return r;
}

/**
 * APIGroupDiscoveryList for /api (which='api': the core group, metadata.name "") or /apis (every other
 * group, in catalog order; versions in catalog order, the first preferred).
 */
export function aggregatedDiscovery(defs: ResourceDef[], which: 'api' | 'apis', version: AggregatedVersion): APIGroupDiscoveryList {
  const items: APIGroupDiscovery[] = [];
  for (const gv of groupVersions(defs)) {
    if ((which === 'api') !== (gv.group === '')) continue;
    items.push({
      metadata: { name: gv.group },
      versions: gv.versions.map((v) => ({
        version: v,
        resources: resourcesOf(defs, gv.group, v).map(resourceDiscovery),
        freshness: 'Current' as const,
      })),
    });
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

// ---------------------------------------------------------------------------------------------
// Content negotiation

interface MediaRange {
  type: string;
  params: Record<string, string>;
  q: number;
  order: number;
}

function parseAccept(accept: string): MediaRange[] {
  const out: MediaRange[] = [];
  accept.split(',').forEach((part, order) => {
    const [typeRaw, ...paramParts] = part.split(';');
    const type = typeRaw.trim().toLowerCase();
    if (!type) return;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (key === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) ? n : 0;
      } else params[key] = value;
    }
    out.push({ type, params, q, order });
  });
  // Highest quality first; ties keep the client's order.
  return out.sort((a, b) => b.q - a.q || a.order - b.order);
}

/**
 * Which discovery document to serve for an Accept header: the first acceptable entry wins.
 * `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList` → v2 (v2beta1 likewise);
 * a plain JSON (or wildcard) entry, no header, or nothing usable → the legacy documents.
 */
export function negotiateDiscovery(accept: string | null | undefined): DiscoveryFormat {
  if (!accept) return 'legacy';
  for (const m of parseAccept(accept)) {
    if (m.q <= 0) continue;
    const jsonish = m.type === 'application/json' || m.type === 'application/*' || m.type === '*/*';
    if (m.params.as !== undefined) {
      if (
        jsonish &&
        m.params.as === 'APIGroupDiscoveryList' &&
        m.params.g === 'apidiscovery.k8s.io' &&
        (m.params.v === 'v2' || m.params.v === 'v2beta1')
      ) {
        return m.params.v;
      }
      continue; // another representation (Table, protobuf discovery, ...): not ours to pick
    }
    if (jsonish || m.type === 'application/yaml' || m.type === 'application/vnd.kubernetes.protobuf') return 'legacy';
  }
  return 'legacy';
}

// ---------------------------------------------------------------------------------------------
// Legacy discovery

/** GET /api */
export function apiVersions(serverAddress: string): {
  kind: 'APIVersions';
  versions: string[];
  serverAddressByClientCIDRs: { clientCIDR: string; serverAddress: string }[];
} {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroupOf(gv: GroupVersions): APIGroup {
  const versions = gv.versions.map((v) => ({ groupVersion: gvString(gv.group, v), version: v }));
  return { name: gv.group, versions, preferredVersion: versions[0] };
}

/** GET /apis: every named group (the core group lives under /api). */
export function apiGroupList(defs: ResourceDef[]): { kind: 'APIGroupList'; apiVersion: 'v1'; groups: APIGroup[] } {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupVersions(defs).filter((g) => g.group !== '').map(apiGroupOf) };
}

/** GET /apis/{group}; undefined for an unknown group. */
export function apiGroup(defs: ResourceDef[], group: string): ({ kind: 'APIGroup'; apiVersion: 'v1' } & APIGroup) | undefined {
  if (!group) return undefined;
  const gv = groupVersions(defs).find((g) => g.group === group);
  if (!gv) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroupOf(gv) };
}

/**
 * GET /api/v1 (group "") and /apis/{group}/{version}: resources and their subresources
 * ("pods/eviction") sorted by name; undefined for an unknown group-version.
 */
export function apiResourceList(defs: ResourceDef[], group: string, version: string): APIResourceList | undefined {
  const list = resourcesOf(defs, group, version);
  if (!list.length) return undefined;
  const resources: APIResource[] = [];
  for (const def of list) {
    const r: APIResource = { name: def.resource, singularName: def.singular, namespaced: def.scope === 'Namespaced', kind: def.kind, verbs: [...def.verbs] };
    if (def.shortNames?.length) r.shortNames = [...def.shortNames];
    if (def.categories?.length) r.categories = [...def.categories];
    resources.push(r);
    for (const sub of def.subresources ?? []) {
      const gvk = subresourceGVK(def, sub);
      resources.push({
        name: `${def.resource}/${sub.name}`,
        singularName: '',
        namespaced: def.scope === 'Namespaced',
        ...(gvk.group ? { group: gvk.group } : {}),
        ...(gvk.version ? { version: gvk.version } : {}),
        kind: sub.kind,
        verbs: [...sub.verbs],
      });
    }
  }
  resources.sort((a, b) => cmp(a.name, b.name));
  // kube-apiserver leaves apiVersion off the core group's list.
  if (!group) return { kind: 'APIResourceList', groupVersion: version, resources };
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gvString(group, version), resources };
}
