// OpenAPI for kubectl and client libraries: /openapi/v3 (index + one document per group-version),
// /openapi/v2 (Swagger 2.0 as JSON or as gnostic protobuf) and strict field validation (unknownFields).
//
// Schemas come from src/generated/openapi-defs.ts (scripts/gen-openapi.mjs derives them from
// @kubernetes/client-node and kubernetes-types); the resources served come from the registry catalog,
// passed in as `ResourceDef[]`. Documents are built on first request and cached per isolate, keyed by
// the catalog array.
//
// What kubectl needs (read in kubectl / cli-runtime / client-go 1.27–1.33):
//  - create/apply/replace with --validate=strict: the "query param verifier" looks in the v3 document of
//    the object's group-version for a PATCH operation whose `x-kubernetes-group-version-kind` matches
//    and which lists a `fieldValidation` parameter; then it sends fieldValidation=Strict and the server
//    rejects unknown fields (unknownFields below). kubectl 1.27/1.28 additionally download and parse
//    /openapi/v2 (protobuf only) before validating, and fail when that is missing.
//  - explain: the v3 document; in 1.27/1.28 also the parsed v2 document.
//  - apply (update): kubectl computes a strategic merge patch from OpenAPI only when the PATCH
//    operation advertises application/strategic-merge-patch+json (v3 requestBody, v2 consumes). We do
//    not advertise it, so kubectl uses its compiled-in types for built-in kinds (merge keys and all), as
//    it does against servers without OpenAPI. The server still accepts strategic merge patches.
import type { ResourceDef, SubresourceDef } from '../registry/types';
import { OPENAPI_DEFS_JSON } from '../generated/openapi-defs';

// ---------------------------------------------------------------------------------------------------
// Compact definitions (see scripts/gen-openapi.mjs): d description (string, or index into `strings`),
// t type, f format, r $ref (definition name), i items, a additionalProperties, p properties, q required,
// k GVKs [[group, version, kind]], u x-kubernetes-preserve-unknown-fields, o oneOf types.

interface Node {
  d?: string | number;
  t?: string;
  f?: string;
  r?: string;
  i?: Node;
  a?: Node;
  p?: Record<string, Node>;
  q?: string[];
  k?: [string, string, string][];
  u?: 1;
  o?: string[];
}

interface Defs {
  strings: string[];
  defs: Record<string, Node>;
  /** "group/version/Kind" → definition name */
  byGVK: Map<string, string>;
}

let loaded: Defs | undefined;

function defs(): Defs {
  if (!loaded) {
    const raw = JSON.parse(OPENAPI_DEFS_JSON) as { strings: string[]; defs: Record<string, Node> };
    const byGVK = new Map<string, string>();
    for (const [name, d] of Object.entries(raw.defs)) for (const [g, v, k] of d.k ?? []) byGVK.set(`${g}/${v}/${k}`, name);
    loaded = { ...raw, byGVK };
  }
  return loaded;
}

export interface GVK {
  group: string;
  version: string;
  kind: string;
}

/** The OpenAPI definition name of a kind (io.k8s.api.core.v1.Pod), if we have its schema. */
export function definitionName(gvk: GVK): string | undefined {
  return defs().byGVK.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
}

/** Name used for kinds we have no schema for (served as objects that accept anything). */
function fallbackName(gvk: GVK): string {
  return `io.kubedo.${gvk.group || 'core'}.${gvk.version}.${gvk.kind}`;
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

function description(n: Node): string | undefined {
  return typeof n.d === 'number' ? defs().strings[n.d] : n.d;
}

/** The node with `$ref`s followed. */
function resolve(n: Node): Node {
  let cur = n;
  for (let i = 0; cur.r && i < 8; i++) {
    const next = defs().defs[cur.r];
    if (!next) return {};
    cur = next;
  }
  return cur;
}

// ---------------------------------------------------------------------------------------------------
// Strict decoding

/**
 * Field paths of `obj` that the schema of `gvk` does not know, worded like kube-apiserver's strict
 * decoding errors (sigs.k8s.io/json): `spec.containers[0].imagePullPolicyX`, `metadata.foo`,
 * map values as `spec.selector.matchLabels.x` — no leading dot. Fields under
 * x-kubernetes-preserve-unknown-fields (RawExtension, JSON, FieldsV1) are not checked. Kinds without a
 * schema report nothing.
 */
export function unknownFields(gvk: GVK, obj: unknown): string[] {
  const name = definitionName(gvk);
  if (!name) return [];
  const out: string[] = [];
  walkUnknown({ r: name }, obj, '', out, 0);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walkUnknown(node: Node, value: unknown, path: string, out: string[], depth: number): void {
  if (depth > 64 || value === null || value === undefined) return;
  const n = resolve(node);
  if (n.u) return;
  const join = (k: string) => (path ? `${path}.${k}` : k);
  if (n.p) {
    if (!isObject(value)) return;
    for (const [k, v] of Object.entries(value)) {
      const sub = n.p[k];
      if (!sub) out.push(join(k));
      else walkUnknown(sub, v, join(k), out, depth + 1);
    }
  } else if (n.i) {
    if (!Array.isArray(value)) return;
    value.forEach((v, i) => walkUnknown(n.i!, v, `${path}[${i}]`, out, depth + 1));
  } else if (n.a) {
    if (!isObject(value)) return;
    for (const [k, v] of Object.entries(value)) walkUnknown(n.a, v, join(k), out, depth + 1);
  }
}

/**
 * The first value whose JSON type the schema cannot decode (what Go's json.Unmarshal rejects before
 * any validation runs), worded like it: `json: cannot unmarshal number into Go struct field
 * ObjectMeta.metadata.finalizers of type []string`. Checks the whole object for kinds we have a
 * schema for, and `metadata` as ObjectMeta for every kind. Null is always fine (a zero value).
 */
export function decodeError(gvk: GVK, obj: unknown): string | undefined {
  const name = definitionName(gvk);
  if (name) return walkTypes({ r: name }, obj, '', name);
  if (isObject(obj) && obj.metadata !== undefined) return walkTypes({ r: `${META}.ObjectMeta` }, obj.metadata, 'metadata', `${META}.ObjectMeta`);
  return undefined;
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function goType(n: Node): string {
  const r = n.r ? resolve(n) : n;
  if (n.r && r.p) return n.r.slice(n.r.lastIndexOf('.') + 1);
  if (r.i) return `[]${goType(r.i)}`;
  if (r.a) return `map[string]${goType(r.a)}`;
  if (r.t === 'integer') return r.f === 'int32' ? 'int32' : 'int64';
  if (r.t === 'boolean') return 'bool';
  if (r.t === 'number') return 'float64';
  return r.t ?? 'interface {}';
}

function walkTypes(node: Node, value: unknown, path: string, owner: string, depth = 0): string | undefined {
  if (depth > 64 || value === null || value === undefined) return undefined;
  const n = resolve(node);
  if (n.u) return undefined;
  const struct = node.r ? node.r.slice(node.r.lastIndexOf('.') + 1) : owner;
  const fail = () => `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${owner}.${path} of type ${goType(node)}`;
  if (n.o) return typeof value === 'string' || typeof value === 'number' ? undefined : fail();
  if (n.f === 'int-or-string') return typeof value === 'string' || typeof value === 'number' ? undefined : fail();
  if (n.p) {
    if (!isObject(value)) return fail();
    for (const [k, v] of Object.entries(value)) {
      const sub = n.p[k];
      if (!sub) continue;
      const err = walkTypes(sub, v, path ? `${path}.${k}` : k, struct, depth + 1);
      if (err) return err;
    }
    return undefined;
  }
  if (n.i) {
    if (!Array.isArray(value)) return fail();
    for (const v of value) {
      const err = walkTypes(n.i, v, path, struct, depth + 1);
      if (err) return err;
    }
    return undefined;
  }
  if (n.a) {
    if (!isObject(value)) return fail();
    for (const v of Object.values(value)) {
      const err = walkTypes(n.a, v, path, struct, depth + 1);
      if (err) return err;
    }
    return undefined;
  }
  switch (n.t) {
    case 'string':
      return typeof value === 'string' ? undefined : fail();
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? undefined : fail();
    case 'number':
      return typeof value === 'number' ? undefined : fail();
    case 'boolean':
      return typeof value === 'boolean' ? undefined : fail();
    case 'object':
      return isObject(value) ? undefined : fail();
    case 'array':
      return Array.isArray(value) ? undefined : fail();
  }
  return undefined;
}

/**
 * kube-apiserver's message for fieldValidation=Strict on create/update (a 400 BadRequest Status):
 * `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`
 */
export function strictDecodingMessage(kind: string, version: string, fields: string[]): string {
  return `${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${fields.map((f) => `unknown field "${f}"`).join(', ')}`;
}

// ---------------------------------------------------------------------------------------------------
// Schema conversion

type Json = Record<string, unknown>;

function gvkObject([group, version, kind]: [string, string, string]): Json {
  return { group, kind, version };
}

/** OpenAPI v3 (components/schemas) form of a compact node. */
function toV3(n: Node): Json {
  const d = description(n);
  if (n.r) {
    const ref = { $ref: `#/components/schemas/${n.r}` };
    return d ? { allOf: [ref], description: d } : ref;
  }
  const s: Json = {};
  if (d) s.description = d;
  if (n.t) s.type = n.t;
  if (n.f) s.format = n.f;
  if (n.o) s.oneOf = n.o.map((type) => ({ type }));
  if (n.f === 'int-or-string') s['x-kubernetes-int-or-string'] = true;
  if (n.i) s.items = toV3(n.i);
  if (n.a) s.additionalProperties = toV3(n.a);
  if (n.q) s.required = n.q;
  if (n.p) s.properties = Object.fromEntries(Object.entries(n.p).map(([k, v]) => [k, toV3(v)]));
  if (n.u) s['x-kubernetes-preserve-unknown-fields'] = true;
  if (n.k) s['x-kubernetes-group-version-kind'] = n.k.map(gvkObject);
  return s;
}

/** Swagger 2.0 (definitions) form of a compact node. */
function toV2(n: Node): Json {
  const d = description(n);
  if (n.r) return d ? { description: d, $ref: `#/definitions/${n.r}` } : { $ref: `#/definitions/${n.r}` };
  const s: Json = {};
  if (d) s.description = d;
  // Swagger 2.0 has no oneOf: Quantity and IntOrString are strings there, as upstream publishes them.
  if (n.o) s.type = 'string';
  if (n.t) s.type = n.t;
  if (n.f) s.format = n.f;
  if (n.i) s.items = toV2(n.i);
  if (n.a) s.additionalProperties = toV2(n.a);
  // kubectl's client-side v2 validator ignores x-kubernetes-preserve-unknown-fields: publish such
  // objects without properties so that it treats them as free-form.
  if (n.q && !n.u) s.required = n.q;
  if (n.p && !n.u) s.properties = Object.fromEntries(Object.entries(n.p).map(([k, v]) => [k, toV2(v)]));
  if (n.u) s['x-kubernetes-preserve-unknown-fields'] = true;
  if (n.k) s['x-kubernetes-group-version-kind'] = n.k.map(gvkObject);
  return s;
}

/** Compact node for a kind we have no schema for: an object with metadata that accepts any field. */
function fallbackNode(gvk: GVK): Node {
  return {
    d: `${gvk.kind} (schema not published by this server).`,
    t: 'object',
    p: {
      apiVersion: { t: 'string' },
      kind: { t: 'string' },
      metadata: { r: `${META}.ObjectMeta` },
    },
    u: 1,
    k: [[gvk.group, gvk.version, gvk.kind]],
  };
}

/** Upstream names a custom resource's schema by its reversed group: com.example.stable.v1.CronTab. */
function customName(gvk: GVK): string {
  return `${gvk.group.split('.').reverse().join('.')}.${gvk.version}.${gvk.kind}`;
}

/** A CRD's JSONSchemaProps as a compact node (the root gets apiVersion, kind and ObjectMeta). */
function nodeFromSchema(s: Record<string, unknown>, gvk?: GVK): Node {
  const n: Node = {};
  if (typeof s.description === 'string') n.d = s.description;
  if (typeof s.type === 'string') n.t = s.type;
  if (typeof s.format === 'string') n.f = s.format;
  if (s['x-kubernetes-int-or-string']) n.f = 'int-or-string';
  if (s['x-kubernetes-preserve-unknown-fields']) n.u = 1;
  if (Array.isArray(s.required)) n.q = s.required as string[];
  if (isObject(s.items)) n.i = nodeFromSchema(s.items);
  if (isObject(s.additionalProperties)) n.a = nodeFromSchema(s.additionalProperties);
  if (isObject(s.properties)) {
    n.p = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, nodeFromSchema(isObject(v) ? v : {})]));
  }
  if (gvk) {
    n.t ??= 'object';
    n.p = { apiVersion: { t: 'string' }, kind: { t: 'string' }, ...n.p, metadata: { r: `${META}.ObjectMeta` } };
    n.k = [[gvk.group, gvk.version, gvk.kind]];
  }
  return n;
}

/** All definition names reachable from `roots`, in sorted order. */
function reachable(roots: string[]): string[] {
  const all = defs().defs;
  const seen = new Set<string>();
  const stack = [...roots];
  const visit = (n: Node | undefined) => {
    if (!n) return;
    if (n.r && !seen.has(n.r)) {
      seen.add(n.r);
      stack.push(n.r);
    }
    visit(n.i);
    visit(n.a);
    if (n.p) for (const v of Object.values(n.p)) visit(v);
  };
  for (const r of roots) seen.add(r);
  while (stack.length) visit(all[stack.pop()!]);
  return [...seen].sort();
}

// ---------------------------------------------------------------------------------------------------
// Operations shared by v2 and v3

export interface GroupVersion {
  group: string;
  version: string;
}

/** "api/v1" or "apis/apps/v1": the key in the v3 index and the URL path below /openapi/v3/. */
export function gvPath(gv: GroupVersion): string {
  return gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
}

/** Group-versions of the catalog, in catalog order. */
export function servedGroupVersions(resources: ResourceDef[]): GroupVersion[] {
  const seen = new Map<string, GroupVersion>();
  for (const r of resources) {
    const key = gvPath(r);
    if (!seen.has(key)) seen.set(key, { group: r.group, version: r.version });
  }
  return [...seen.values()];
}

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
type ParamName =
  | 'name'
  | 'namespace'
  | 'body'
  | 'dryRun'
  | 'fieldManager'
  | 'fieldValidation'
  | 'force'
  | 'gracePeriodSeconds'
  | 'propagationPolicy'
  | 'labelSelector'
  | 'fieldSelector'
  | 'limit'
  | 'continue'
  | 'resourceVersion'
  | 'resourceVersionMatch'
  | 'allowWatchBookmarks'
  | 'sendInitialEvents'
  | 'timeoutSeconds'
  | 'watch';

interface Operation {
  method: Method;
  action: string;
  operationId: string;
  description: string;
  gvk: GVK;
  /** definition name of the request body (post/put/patch) */
  body?: string;
  /** request content types (patch only) */
  consumes?: string[];
  /** definition name of the 200 response */
  response?: string;
  query: ParamName[];
}

interface PathEntry {
  path: string;
  pathParams: ParamName[];
  ops: Operation[];
}

const PARAM_DOCS: Record<ParamName, string> = {
  name: 'name of the resource',
  namespace: 'object name and auth scope, such as for teams and projects',
  body: '',
  dryRun:
    'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed',
  fieldManager:
    'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.',
  fieldValidation:
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: unknown fields are silently dropped. - Warn: a warning is sent for each unknown field that is dropped (the default). - Strict: the request fails with a BadRequest error listing every unknown field.',
  force:
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.',
  gracePeriodSeconds:
    'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately.',
  propagationPolicy: "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'.",
  labelSelector: 'A selector to restrict the list of returned objects by their labels. Defaults to everything.',
  fieldSelector: 'A selector to restrict the list of returned objects by their fields. Defaults to everything.',
  limit: 'limit is a maximum number of responses to return for a list call.',
  continue: 'The continue option should be set when retrieving more results from the server.',
  resourceVersion: 'resourceVersion sets a constraint on what resource versions a request may be served from.',
  resourceVersionMatch: 'resourceVersionMatch determines how resourceVersion is applied to list calls.',
  allowWatchBookmarks: 'allowWatchBookmarks requests watch events with type "BOOKMARK".',
  sendInitialEvents: 'sendInitialEvents=true may be set together with watch=true to begin the watch stream with synthetic events.',
  timeoutSeconds: 'Timeout for the list/watch call.',
  watch: 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.',
};

const PARAM_TYPES: Partial<Record<ParamName, [string, string?]>> = {
  force: ['boolean'],
  allowWatchBookmarks: ['boolean'],
  sendInitialEvents: ['boolean'],
  watch: ['boolean'],
  gracePeriodSeconds: ['integer'],
  limit: ['integer'],
  timeoutSeconds: ['integer'],
};

const WRITE_QUERY: ParamName[] = ['dryRun', 'fieldManager', 'fieldValidation'];
const LIST_QUERY: ParamName[] = [
  'allowWatchBookmarks',
  'continue',
  'fieldSelector',
  'labelSelector',
  'limit',
  'resourceVersion',
  'resourceVersionMatch',
  'sendInitialEvents',
  'timeoutSeconds',
  'watch',
];
// Deliberately without application/strategic-merge-patch+json: see the header comment.
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

function camel(group: string): string {
  if (!group) return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split(/[.-]/)
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join('');
}

/** The paths and operations kube-apiserver would publish for one group-version. */
function pathsFor(resources: ResourceDef[], gv: GroupVersion, schemaName: (gvk: GVK) => string): PathEntry[] {
  const prefix = gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
  const idBase = `${camel(gv.group)}${gv.version.charAt(0).toUpperCase()}${gv.version.slice(1)}`;
  const entries: PathEntry[] = [];
  for (const def of resources) {
    if (def.group !== gv.group || def.version !== gv.version) continue;
    const gvk: GVK = { group: def.group, version: def.version, kind: def.kind };
    const listGVK: GVK = { ...gvk, kind: def.listKind ?? `${def.kind}List` };
    const ns = def.scope === 'Namespaced';
    const scoped = ns ? `${prefix}/namespaces/{namespace}/${def.resource}` : `${prefix}/${def.resource}`;
    const nsId = ns ? 'Namespaced' : '';
    const kindName = schemaName(gvk);
    const listName = definitionName(listGVK) ?? kindName;
    const has = (v: string) => def.verbs.includes(v);
    const op = (method: Method, action: string, verb: string, description: string, extra: Partial<Operation> = {}): Operation => ({
      method,
      action,
      operationId: `${verb}${idBase}${extra.operationId ?? nsId}${def.kind}`,
      description,
      gvk,
      query: [],
      ...extra,
    });

    const collection: Operation[] = [];
    if (has('list')) collection.push(op('get', 'list', 'list', `list or watch objects of kind ${def.kind}`, { response: listName, query: LIST_QUERY }));
    if (has('create')) collection.push(op('post', 'post', 'create', `create a ${def.kind}`, { body: kindName, response: kindName, query: WRITE_QUERY }));
    if (has('deletecollection')) {
      collection.push(
        op('delete', 'deletecollection', 'deleteCollection', `delete collection of ${def.kind}`, {
          body: `${META}.DeleteOptions`,
          response: `${META}.Status`,
          query: ['dryRun', 'gracePeriodSeconds', 'propagationPolicy', ...LIST_QUERY],
        }),
      );
    }
    if (collection.length) entries.push({ path: scoped, pathParams: ns ? ['namespace'] : [], ops: collection });

    const item: Operation[] = [];
    if (has('get')) item.push(op('get', 'get', 'read', `read the specified ${def.kind}`, { response: kindName }));
    if (has('update')) item.push(op('put', 'put', 'replace', `replace the specified ${def.kind}`, { body: kindName, response: kindName, query: WRITE_QUERY }));
    if (has('patch')) {
      item.push(
        op('patch', 'patch', 'patch', `partially update the specified ${def.kind}`, {
          body: `${META}.Patch`,
          consumes: PATCH_TYPES,
          response: kindName,
          query: [...WRITE_QUERY, 'force'],
        }),
      );
    }
    if (has('delete')) {
      item.push(
        op('delete', 'delete', 'delete', `delete a ${def.kind}`, {
          body: `${META}.DeleteOptions`,
          response: `${META}.Status`,
          query: ['dryRun', 'gracePeriodSeconds', 'propagationPolicy'],
        }),
      );
    }
    if (item.length) entries.push({ path: `${scoped}/{name}`, pathParams: ns ? ['name', 'namespace'] : ['name'], ops: item });

    // Namespaced kinds are also listed across namespaces; kubectl explain looks kinds up on this path.
    if (ns && has('list')) {
      entries.push({
        path: `${prefix}/${def.resource}`,
        pathParams: [],
        ops: [op('get', 'list', 'list', `list or watch objects of kind ${def.kind}`, { operationId: 'ForAllNamespaces', response: listName, query: LIST_QUERY })],
      });
    }

    for (const sub of def.subresources ?? []) entries.push(subresourcePath(def, sub, `${scoped}/{name}/${sub.name}`, ns, idBase, schemaName));
  }
  return entries;
}

const CONNECT = new Set(['exec', 'attach', 'portforward', 'proxy']);

function subresourcePath(
  def: ResourceDef,
  sub: SubresourceDef,
  path: string,
  ns: boolean,
  idBase: string,
  schemaName: (gvk: GVK) => string,
): PathEntry {
  const gvk: GVK = { group: sub.group, version: sub.version, kind: sub.kind };
  const connect = CONNECT.has(sub.name);
  // Connect options (PodExecOptions, ...) are query parameters, not published as schemas upstream.
  const name = connect ? '' : schemaName(gvk);
  const suffix = sub.name.charAt(0).toUpperCase() + sub.name.slice(1);
  const id = (verb: string) => `${verb}${idBase}${ns ? 'Namespaced' : ''}${def.kind}${suffix}`;
  const ops: Operation[] = [];
  for (const verb of sub.verbs) {
    if (connect) {
      if (verb === 'get') ops.push({ method: 'get', action: 'connect', operationId: id('connectGet'), description: `connect GET requests to ${sub.name} of ${def.kind}`, gvk, query: [] });
      if (verb === 'create') ops.push({ method: 'post', action: 'connect', operationId: id('connectPost'), description: `connect POST requests to ${sub.name} of ${def.kind}`, gvk, query: [] });
      continue;
    }
    if (verb === 'get') ops.push({ method: 'get', action: 'get', operationId: id('read'), description: `read ${sub.name} of the specified ${def.kind}`, gvk, response: name, query: [] });
    if (verb === 'update') {
      ops.push({ method: 'put', action: 'put', operationId: id('replace'), description: `replace ${sub.name} of the specified ${def.kind}`, gvk, body: name, response: name, query: WRITE_QUERY });
    }
    if (verb === 'patch') {
      ops.push({
        method: 'patch',
        action: 'patch',
        operationId: id('patch'),
        description: `partially update ${sub.name} of the specified ${def.kind}`,
        gvk,
        body: `${META}.Patch`,
        consumes: PATCH_TYPES,
        response: name,
        query: [...WRITE_QUERY, 'force'],
      });
    }
    if (verb === 'create') ops.push({ method: 'post', action: 'post', operationId: id('create'), description: `create ${sub.name} of a ${def.kind}`, gvk, body: name, response: name, query: WRITE_QUERY });
  }
  return { path, pathParams: ns ? ['name', 'namespace'] : ['name'], ops };
}

/**
 * Schemas and paths of the given group-versions. `extra` collects compact nodes for kinds without a
 * generated schema, so that the documents still name every served kind.
 */
function collect(resources: ResourceDef[], gvs: GroupVersion[]): { paths: PathEntry[]; names: string[]; extra: Map<string, Node> } {
  const extra = new Map<string, Node>();
  const custom = new Map<string, Record<string, unknown>>();
  for (const r of resources) if (r.openAPISchema) custom.set(`${r.group}/${r.version}/${r.kind}`, r.openAPISchema);
  const schemaName = (gvk: GVK) => {
    const n = definitionName(gvk);
    if (n) return n;
    const schema = custom.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
    if (schema) {
      const name = customName(gvk);
      if (!extra.has(name)) extra.set(name, nodeFromSchema(schema, gvk));
      return name;
    }
    const f = fallbackName(gvk);
    if (!extra.has(f)) extra.set(f, fallbackNode(gvk));
    return f;
  };
  const paths = gvs.flatMap((gv) => pathsFor(resources, gv, schemaName));
  const roots = new Set<string>([`${META}.DeleteOptions`, `${META}.Status`, `${META}.Patch`]);
  for (const p of paths) for (const o of p.ops) for (const n of [o.body, o.response]) if (n && !extra.has(n)) roots.add(n);
  for (const n of extra.values()) for (const r of Object.values(n.p ?? {})) if (r.r) roots.add(r.r);
  const names = reachable([...roots].filter((n) => defs().defs[n]));
  return { paths, names, extra };
}

// ---------------------------------------------------------------------------------------------------
// v3 documents

function v3Param(p: ParamName, required = false): Json {
  const [type] = PARAM_TYPES[p] ?? ['string'];
  const inPath = p === 'name' || p === 'namespace';
  return {
    name: p,
    in: inPath ? 'path' : 'query',
    description: PARAM_DOCS[p],
    ...(inPath || required ? { required: true } : {}),
    schema: { type, uniqueItems: true },
  };
}

function v3Operation(o: Operation, tag: string): Json {
  const ref = (n: string) => ({ $ref: `#/components/schemas/${n}` });
  const op: Json = { tags: [tag], description: o.description, operationId: o.operationId };
  if (o.query.length) op.parameters = o.query.map((p) => v3Param(p));
  if (o.body) {
    const types = o.consumes ?? ['*/*'];
    op.requestBody = { content: Object.fromEntries(types.map((t) => [t, { schema: ref(o.body!) }])), required: o.method !== 'delete' };
  }
  const responses: Json = {};
  const content = o.response
    ? { content: Object.fromEntries(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'].map((t) => [t, { schema: ref(o.response!) }])) }
    : { content: { '*/*': { schema: { type: 'string' } } } };
  responses['200'] = { description: 'OK', ...content };
  if (o.method === 'post' || o.method === 'put' || o.method === 'patch') responses['201'] = { description: 'Created', ...content };
  if (o.method === 'post' || o.method === 'delete') responses['202'] = { description: 'Accepted', ...content };
  responses['401'] = { description: 'Unauthorized' };
  op.responses = responses;
  op['x-kubernetes-action'] = o.action;
  op['x-kubernetes-group-version-kind'] = { group: o.gvk.group, kind: o.gvk.kind, version: o.gvk.version };
  return op;
}

const INFO = { title: 'Kubernetes', version: 'v1.33.0' };

/** The OpenAPI v3 document of one served group-version (as kube-apiserver serves at /openapi/v3/apis/G/V). */
export function buildV3Document(resources: ResourceDef[], gv: GroupVersion): Json {
  const { paths, names, extra } = collect(resources, [gv]);
  const tag = `${camel(gv.group).replace(/^./, (c) => c.toLowerCase())}_${gv.version}`;
  const outPaths: Json = {};
  for (const p of paths) {
    const item: Json = {};
    for (const o of p.ops) item[o.method] = v3Operation(o, tag);
    if (p.pathParams.length) item.parameters = p.pathParams.map((n) => v3Param(n));
    outPaths[p.path] = item;
  }
  const schemas: Json = {};
  const all = defs().defs;
  for (const n of names) schemas[n] = toV3(all[n]);
  for (const [n, node] of extra) schemas[n] = toV3(node);
  return { openapi: '3.0.0', info: INFO, paths: outPaths, components: { schemas, securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } } } };
}

/** Small documents kube-apiserver also lists in the index: discovery (api, apis) and version. */
function discoveryDocument(which: 'api' | 'apis' | 'version'): Json {
  const all = defs().defs;
  const [path, schema, id] =
    which === 'api'
      ? ['/api/', `${META}.APIVersions`, 'getCoreAPIVersions']
      : which === 'apis'
        ? ['/apis/', `${META}.APIGroupList`, 'getAPIVersions']
        : ['/version/', 'io.k8s.apimachinery.pkg.version.Info', 'getCodeVersion'];
  const schemas: Json = {};
  for (const n of reachable([schema])) if (all[n]) schemas[n] = toV3(all[n]);
  const ref = { $ref: `#/components/schemas/${schema}` };
  return {
    openapi: '3.0.0',
    info: INFO,
    paths: {
      [path]: {
        get: {
          tags: [which],
          description: which === 'version' ? 'get the version information for this server' : 'get available API versions',
          operationId: id,
          responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } }, '401': { description: 'Unauthorized' } },
        },
      },
    },
    components: { schemas },
  };
}

// ---------------------------------------------------------------------------------------------------
// v2 document

function v2Param(p: ParamName): Json {
  const [type] = PARAM_TYPES[p] ?? ['string'];
  const inPath = p === 'name' || p === 'namespace';
  return { uniqueItems: true, type, description: PARAM_DOCS[p], name: p, in: inPath ? 'path' : 'query', ...(inPath ? { required: true } : {}) };
}

/** The Swagger 2.0 document of every served group-version (kube-apiserver's /openapi/v2). */
export function buildV2Document(resources: ResourceDef[]): Json {
  const { paths, names, extra } = collect(resources, servedGroupVersions(resources));
  const outPaths: Json = {};
  for (const p of paths) {
    const item: Json = {};
    const gv = p.ops[0]?.gvk;
    for (const o of p.ops) {
      const params: Json[] = [];
      if (o.body) params.push({ name: 'body', in: 'body', required: o.method !== 'delete', schema: { $ref: `#/definitions/${o.body}` } });
      for (const q of o.query) params.push(v2Param(q));
      const tag = gv ? `${camel(gv.group).replace(/^./, (c) => c.toLowerCase())}_${gv.version}` : 'core';
      const responses: Json = { '200': o.response ? { description: 'OK', schema: { $ref: `#/definitions/${o.response}` } } : { description: 'OK', schema: { type: 'string' } } };
      if (o.method === 'post' || o.method === 'put' || o.method === 'patch') responses['201'] = responses['200'];
      responses['401'] = { description: 'Unauthorized' };
      item[o.method] = {
        description: o.description,
        consumes: o.consumes ?? ['*/*'],
        produces: ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'],
        schemes: ['https'],
        tags: [tag],
        operationId: o.operationId,
        ...(params.length ? { parameters: params } : {}),
        responses,
        'x-kubernetes-action': o.action,
        'x-kubernetes-group-version-kind': { group: o.gvk.group, kind: o.gvk.kind, version: o.gvk.version },
      };
    }
    if (p.pathParams.length) item.parameters = p.pathParams.map(v2Param);
    outPaths[p.path] = item;
  }
  const definitions: Json = {};
  const all = defs().defs;
  for (const n of names) definitions[n] = toV2(all[n]);
  for (const [n, node] of extra) definitions[n] = toV2(node);
  return {
    swagger: '2.0',
    info: INFO,
    paths: outPaths,
    definitions,
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}

// ---------------------------------------------------------------------------------------------------
// Protobuf encoding of the v2 document: gnostic's openapi_v2.Document (github.com/google/gnostic-models,
// openapiv2/OpenAPIv2.proto). Field numbers below are facts from that schema.

const PB = {
  Document: { swagger: 1, info: 2, host: 3, basePath: 4, schemes: 5, consumes: 6, produces: 7, paths: 8, definitions: 9, security: 12, securityDefinitions: 13, vendorExtension: 16 },
  Info: { title: 1, version: 2, description: 3 },
  Paths: { vendorExtension: 1, path: 2 },
  Named: { name: 1, value: 2 }, // NamedPathItem, NamedSchema, NamedAny, NamedResponseValue, NamedStringArray, ...
  PathItem: { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8, parameters: 9, vendorExtension: 10 },
  Operation: { tags: 1, summary: 2, description: 3, operationId: 5, produces: 6, consumes: 7, parameters: 8, responses: 9, schemes: 10, deprecated: 11, security: 12, vendorExtension: 13 },
  ParametersItem: { parameter: 1 },
  Parameter: { bodyParameter: 1, nonBodyParameter: 2 },
  BodyParameter: { description: 1, name: 2, in: 3, required: 4, schema: 5 },
  NonBodyParameter: { query: 3, path: 4 },
  QueryParameterSubSchema: { required: 1, in: 2, description: 3, name: 4, type: 6, format: 7, uniqueItems: 20 },
  PathParameterSubSchema: { required: 1, in: 2, description: 3, name: 4, type: 5, format: 6, uniqueItems: 19 },
  Responses: { responseCode: 1 },
  ResponseValue: { response: 1 },
  Response: { description: 1, schema: 2 },
  SchemaItem: { schema: 1 },
  Schema: { ref: 1, format: 2, title: 3, description: 4, required: 19, additionalProperties: 21, type: 22, items: 23, allOf: 24, properties: 25, readOnly: 27, vendorExtension: 31 },
  AdditionalPropertiesItem: { schema: 1, boolean: 2 },
  TypeItem: { value: 1 },
  ItemsItem: { schema: 1 },
  Properties: { additionalProperties: 1 },
  Definitions: { additionalProperties: 1 },
  Any: { yaml: 2 },
  SecurityDefinitions: { additionalProperties: 1 },
  SecurityDefinitionsItem: { apiKeySecurity: 2 },
  ApiKeySecurity: { type: 1, name: 2, in: 3, description: 4 },
  SecurityRequirement: { additionalProperties: 1 },
  StringArray: { value: 1 },
} as const;

const utf8 = new TextEncoder();

/** A protobuf message under construction: a list of byte chunks, concatenated once at the end. */
class Msg {
  parts: Uint8Array[] = [];
  len = 0;

  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.len += b.length;
  }

  private varint(n: number): void {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    out.push(n);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  string(field: number, s: string | undefined): this {
    if (!s) return this;
    const b = utf8.encode(s);
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  strings(field: number, list: readonly string[] | undefined): this {
    for (const s of list ?? []) {
      const b = utf8.encode(s);
      this.tag(field, 2);
      this.varint(b.length);
      this.push(b);
    }
    return this;
  }

  bool(field: number, b: boolean | undefined): this {
    if (!b) return this;
    this.tag(field, 0);
    this.varint(1);
    return this;
  }

  /** An embedded message; written even when empty (presence matters, e.g. Schema.properties). */
  msg(field: number, m: Msg): this {
    this.tag(field, 2);
    this.varint(m.len);
    for (const p of m.parts) this.parts.push(p);
    this.len += m.len;
    return this;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.len);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

function pbNamed(name: string, value: Msg): Msg {
  return new Msg().string(PB.Named.name, name).msg(PB.Named.value, value);
}

/** Vendor extensions (x-*) as NamedAny with the value as YAML (JSON is YAML). */
function pbExtensions(m: Msg, field: number, obj: Json): void {
  for (const [k, v] of Object.entries(obj)) {
    if (!k.startsWith('x-')) continue;
    m.msg(field, pbNamed(k, new Msg().string(PB.Any.yaml, JSON.stringify(v) + '\n')));
  }
}

function pbSchema(s: Json): Msg {
  const m = new Msg();
  const F = PB.Schema;
  m.string(F.ref, s.$ref as string | undefined);
  m.string(F.format, s.format as string | undefined);
  m.string(F.title, s.title as string | undefined);
  m.string(F.description, s.description as string | undefined);
  m.strings(F.required, s.required as string[] | undefined);
  if (s.additionalProperties !== undefined) {
    const ap = new Msg();
    if (typeof s.additionalProperties === 'boolean') ap.bool(PB.AdditionalPropertiesItem.boolean, s.additionalProperties);
    else ap.msg(PB.AdditionalPropertiesItem.schema, pbSchema(s.additionalProperties as Json));
    m.msg(F.additionalProperties, ap);
  }
  if (s.type !== undefined) m.msg(F.type, new Msg().strings(PB.TypeItem.value, Array.isArray(s.type) ? s.type : [s.type as string]));
  if (s.items !== undefined) {
    const it = new Msg();
    for (const x of Array.isArray(s.items) ? s.items : [s.items]) it.msg(PB.ItemsItem.schema, pbSchema(x as Json));
    m.msg(F.items, it);
  }
  for (const x of (s.allOf as Json[] | undefined) ?? []) m.msg(F.allOf, pbSchema(x));
  if (s.properties !== undefined) {
    const props = new Msg();
    for (const [k, v] of Object.entries(s.properties as Json)) props.msg(PB.Properties.additionalProperties, pbNamed(k, pbSchema(v as Json)));
    m.msg(F.properties, props);
  }
  m.bool(F.readOnly, s.readOnly as boolean | undefined);
  pbExtensions(m, F.vendorExtension, s);
  return m;
}

function pbParameter(p: Json): Msg {
  const param = new Msg();
  if (p.in === 'body') {
    const F = PB.BodyParameter;
    const b = new Msg()
      .string(F.description, p.description as string)
      .string(F.name, p.name as string)
      .string(F.in, 'body')
      .bool(F.required, p.required as boolean)
      .msg(F.schema, pbSchema(p.schema as Json));
    param.msg(PB.Parameter.bodyParameter, b);
  } else {
    const F = p.in === 'path' ? PB.PathParameterSubSchema : PB.QueryParameterSubSchema;
    const sub = new Msg()
      .bool(F.required, p.required as boolean)
      .string(F.in, p.in as string)
      .string(F.description, p.description as string)
      .string(F.name, p.name as string)
      .string(F.type, p.type as string)
      .string(F.format, p.format as string)
      .bool(F.uniqueItems, p.uniqueItems as boolean);
    param.msg(PB.Parameter.nonBodyParameter, new Msg().msg(p.in === 'path' ? PB.NonBodyParameter.path : PB.NonBodyParameter.query, sub));
  }
  return new Msg().msg(PB.ParametersItem.parameter, param);
}

function pbOperation(o: Json): Msg {
  const F = PB.Operation;
  const m = new Msg()
    .strings(F.tags, o.tags as string[])
    .string(F.summary, o.summary as string)
    .string(F.description, o.description as string)
    .string(F.operationId, o.operationId as string)
    .strings(F.produces, o.produces as string[])
    .strings(F.consumes, o.consumes as string[]);
  for (const p of (o.parameters as Json[] | undefined) ?? []) m.msg(F.parameters, pbParameter(p));
  const responses = new Msg();
  for (const [code, r] of Object.entries(o.responses as Record<string, Json>)) {
    const resp = new Msg().string(PB.Response.description, r.description as string);
    if (r.schema) resp.msg(PB.Response.schema, new Msg().msg(PB.SchemaItem.schema, pbSchema(r.schema as Json)));
    responses.msg(PB.Responses.responseCode, pbNamed(code, new Msg().msg(PB.ResponseValue.response, resp)));
  }
  m.msg(F.responses, responses);
  m.strings(F.schemes, o.schemes as string[]);
  pbExtensions(m, F.vendorExtension, o);
  return m;
}

/** openapi_v2.Document protobuf bytes of a Swagger 2.0 document built by buildV2Document. */
export function encodeV2Protobuf(doc: Json): Uint8Array {
  const D = PB.Document;
  const m = new Msg().string(D.swagger, doc.swagger as string);
  const info = doc.info as Json;
  m.msg(D.info, new Msg().string(PB.Info.title, info.title as string).string(PB.Info.version, info.version as string));
  const paths = new Msg();
  for (const [p, item] of Object.entries(doc.paths as Record<string, Json>)) {
    const pi = new Msg();
    for (const method of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const) {
      if (item[method]) pi.msg(PB.PathItem[method], pbOperation(item[method] as Json));
    }
    for (const param of (item.parameters as Json[] | undefined) ?? []) pi.msg(PB.PathItem.parameters, pbParameter(param));
    paths.msg(PB.Paths.path, pbNamed(p, pi));
  }
  m.msg(D.paths, paths);
  const definitions = new Msg();
  for (const [name, s] of Object.entries(doc.definitions as Record<string, Json>)) definitions.msg(PB.Definitions.additionalProperties, pbNamed(name, pbSchema(s)));
  m.msg(D.definitions, definitions);
  for (const req of (doc.security as Record<string, string[]>[] | undefined) ?? []) {
    const r = new Msg();
    for (const [k, v] of Object.entries(req)) r.msg(PB.SecurityRequirement.additionalProperties, pbNamed(k, new Msg().strings(PB.StringArray.value, v)));
    m.msg(D.security, r);
  }
  const sec = doc.securityDefinitions as Record<string, Json> | undefined;
  if (sec) {
    const sd = new Msg();
    for (const [k, v] of Object.entries(sec)) {
      const F = PB.ApiKeySecurity;
      const key = new Msg().string(F.type, v.type as string).string(F.name, v.name as string).string(F.in, v.in as string).string(F.description, v.description as string);
      sd.msg(PB.SecurityDefinitions.additionalProperties, pbNamed(k, new Msg().msg(PB.SecurityDefinitionsItem.apiKeySecurity, key)));
    }
    m.msg(D.securityDefinitions, sd);
  }
  return m.bytes();
}

// ---------------------------------------------------------------------------------------------------
// Serving, with per-isolate caches

interface Built {
  json: string;
  hash: string;
}

interface Cache {
  /** v3 documents by index key ("api/v1", "apis/apps/v1", "api", "apis", "version") */
  v3: Map<string, Built>;
  index?: Promise<Map<string, string>>;
  v2json?: Built;
  v2pb?: { bytes: Uint8Array; hash: string };
}

const caches = new WeakMap<ResourceDef[], Cache>();

function cacheFor(resources: ResourceDef[]): Cache {
  let c = caches.get(resources);
  if (!c) caches.set(resources, (c = { v3: new Map() }));
  return c;
}

/** Upstream's hash format: hex of SHA-512 over the document, upper case. */
async function hashOf(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? utf8.encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-512', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
}

const SPECIAL_DOCS = ['api', 'apis', 'version'] as const;

/** Build (or take from the cache) the v3 document served at /openapi/v3/<key>. */
async function v3Doc(resources: ResourceDef[], key: string): Promise<Built | undefined> {
  const cache = cacheFor(resources);
  const hit = cache.v3.get(key);
  if (hit) return hit;
  let doc: Json | undefined;
  if ((SPECIAL_DOCS as readonly string[]).includes(key)) doc = discoveryDocument(key as (typeof SPECIAL_DOCS)[number]);
  else {
    const gv = servedGroupVersions(resources).find((g) => gvPath(g) === key);
    if (gv) doc = buildV3Document(resources, gv);
  }
  if (!doc) return undefined;
  const json = JSON.stringify(doc);
  const built = { json, hash: await hashOf(json) };
  cache.v3.set(key, built);
  return built;
}

/** key → hash of every v3 document (builds each once per isolate, keeps only what was asked for). */
async function v3Hashes(resources: ResourceDef[]): Promise<Map<string, string>> {
  const cache = cacheFor(resources);
  cache.index ??= (async () => {
    const out = new Map<string, string>();
    const keys = [...SPECIAL_DOCS, ...servedGroupVersions(resources).map(gvPath)];
    for (const key of keys) {
      const had = cache.v3.has(key);
      const built = await v3Doc(resources, key);
      if (built) out.set(key, built.hash);
      // Keep memory low: only documents a client actually fetched stay cached.
      if (!had && SPECIAL_DOCS.indexOf(key as never) < 0) cache.v3.delete(key);
    }
    return out;
  })();
  return cache.index;
}

/** The /openapi/v3 index; serverRelativeURL carries the cluster base path (e.g. /clusters/default). */
export async function v3Index(resources: ResourceDef[], basePath: string): Promise<{ paths: Record<string, { serverRelativeURL: string }> }> {
  const hashes = await v3Hashes(resources);
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const key of [...hashes.keys()].sort()) paths[key] = { serverRelativeURL: `${basePath}/openapi/v3/${key}?hash=${hashes.get(key)}` };
  return { paths };
}

/** What client-go asks for (not a valid RFC 2045 token: Go's mime parser rejects it as a Content-Type). */
export const OPENAPI_V2_PROTOBUF_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/** What kube-openapi answers with, for either Accept form. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** Does the Accept header prefer the protobuf form of /openapi/v2 over JSON? */
export function wantsV2Protobuf(accept: string | null): boolean {
  if (!accept) return false;
  let best: { q: number; pb: boolean } | undefined;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().split(';');
    const t = type.trim().toLowerCase();
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    const pb = t === OPENAPI_V2_PROTOBUF || t === OPENAPI_V2_PROTOBUF_ACCEPT;
    const json = t === 'application/json' || t === '*/*' || t === 'application/*';
    if ((pb || json) && (!best || q > best.q)) best = { q, pb };
  }
  return best?.pb ?? false;
}

function notModified(req: Request, etag: string): Response | undefined {
  const inm = req.headers.get('If-None-Match');
  if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return new Response(null, { status: 304, headers: { ETag: etag } });
  return undefined;
}

/**
 * Serve /openapi/... for a cluster. `segments` are the path segments after "openapi" (["v3"],
 * ["v3", "apis", "apps", "v1"], ["v2"]); `basePath` is the cluster prefix ("/clusters/default") that
 * index URLs must carry (client-go requests serverRelativeURL as an absolute path). Returns undefined
 * for paths that are not OpenAPI documents (the caller answers 404).
 */
export async function serveOpenAPI(req: Request, segments: string[], basePath: string, resources: ResourceDef[]): Promise<Response | undefined> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  const segs = segments.filter((s) => s !== '');
  const url = new URL(req.url);
  if (segs[0] === 'v3' && segs.length === 1) {
    return new Response(JSON.stringify(await v3Index(resources, basePath)), {
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' },
    });
  }
  if (segs[0] === 'v3') {
    const key = segs.slice(1).join('/');
    const built = await v3Doc(resources, key);
    if (!built) return undefined;
    const etag = `"${built.hash}"`;
    const asked = url.searchParams.get('hash');
    // Like kube-openapi: a stale hash redirects to the current URL; a matching one is cacheable forever.
    if (asked && asked !== built.hash) {
      return new Response(null, { status: 301, headers: { Location: `${basePath}/openapi/v3/${key}?hash=${built.hash}`, Vary: 'Accept' } });
    }
    const headers = {
      'Content-Type': 'application/json',
      ETag: etag,
      Vary: 'Accept',
      ...(asked ? { 'Cache-Control': 'public, immutable', Expires: new Date(Date.now() + 365 * 86400_000).toUTCString() } : { 'Cache-Control': 'no-cache, private' }),
    };
    const nm = notModified(req, etag);
    if (nm) return nm;
    return new Response(built.json, { headers });
  }
  if (segs[0] === 'v2' && segs.length === 1) {
    const cache = cacheFor(resources);
    if (wantsV2Protobuf(req.headers.get('Accept'))) {
      if (!cache.v2pb) {
        const bytes = encodeV2Protobuf(buildV2Document(resources));
        cache.v2pb = { bytes, hash: await hashOf(bytes) };
      }
      const etag = `"${cache.v2pb.hash}"`;
      const nm = notModified(req, etag);
      if (nm) return nm;
      return new Response(cache.v2pb.bytes, { headers: { 'Content-Type': OPENAPI_V2_PROTOBUF, ETag: etag, Vary: 'Accept', 'Cache-Control': 'no-cache, private' } });
    }
    if (!cache.v2json) {
      const json = JSON.stringify(buildV2Document(resources));
      cache.v2json = { json, hash: await hashOf(json) };
    }
    const etag = `"${cache.v2json.hash}"`;
    const nm = notModified(req, etag);
    if (nm) return nm;
    return new Response(cache.v2json.json, { headers: { 'Content-Type': 'application/json', ETag: etag, Vary: 'Accept', 'Cache-Control': 'no-cache, private' } });
  }
  return undefined;
}
