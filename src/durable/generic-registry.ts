// genericregistry.Store: create/get/list/update/patch/delete for any resource, with defaults,
// validation, optimistic concurrency, finalizers and dry-run, each write in one store transaction.
import type { ApiCall, ApiReply } from '../api/call';
import { decodeError, definitionName } from '../api/openapi';
import { errors, failure, StatusError, success } from '../api/status';
import { ignoreManagedFieldsTimestamps, managerFromUserAgent, serverSideApply, updateManagedFields, type FieldManagerOptions, type ManagedFieldsEntry } from '../machinery/apply';
import { applyStrategicMergePatch } from '../machinery/strategic';
import { applyJsonPatch } from '../machinery/jsonpatch';
import { applyMergePatch } from '../machinery/mergepatch';
import { isEverything, matches, parsePredicate, type Predicate } from '../machinery/predicate';
import { validateObjectMeta, validateObjectMetaUpdate } from '../machinery/validation';
import { apiVersionOf, storageKey } from '../registry';
import type { FieldError, KObject, ResourceDef } from '../registry/types';
import { scaleOf, setScaleReplicas } from '../registry/scale';
import { Store, StoreConflict, type Key } from './store';

const NAMESPACES = 'namespaces';
const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function nowTimestamp(now = Date.now()): string {
  return new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function randomSuffix(n = 5): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return Array.from(bytes, (b) => GENERATE_ALPHABET[b % GENERATE_ALPHABET.length]).join('');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Fields that count as "spec" for generation: everything but metadata, status and the type envelope. */
function specOf(obj: KObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

export interface ContinueToken {
  rv: number;
  start: Key;
}

export function encodeContinue(t: ContinueToken): string {
  return btoa(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: `${t.start.namespace}/${t.start.name}` }));
}

export function decodeContinue(token: string): ContinueToken {
  try {
    const raw = JSON.parse(atob(token)) as { v?: string; rv?: number; start?: string };
    if (raw.v !== 'meta.k8s.io/v1' || typeof raw.rv !== 'number' || typeof raw.start !== 'string') throw new Error('bad');
    const slash = raw.start.indexOf('/');
    return { rv: raw.rv, start: { namespace: raw.start.slice(0, slash), name: raw.start.slice(slash + 1) } };
  } catch {
    throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

function parseRv(text: string | undefined, what: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw errors.badRequest(`invalid ${what}: "${text}"`);
  return Number(text);
}

/** What the API server needs from its surroundings. */
export interface RegistryHooks {
  /** What readers see beyond the stored object (heartbeats computed on read). */
  present?(def: ResourceDef, obj: KObject): void;
  /** Requests with behaviour of their own (pods/binding, bindings); undefined: the generic verbs. */
  special?(def: ResourceDef, call: ApiCall): ApiReply | undefined;
  /** Mutating admission on create that needs the store (pod priority). */
  mutate?(def: ResourceDef, obj: KObject): void;
  /**
   * Allocations a write needs (Service cluster IPs and node ports), after validation, before the
   * store write; the returned function is told whether the write went through (upstream BeginCreate/
   * BeginUpdate). May throw a StatusError.
   */
  begin?(def: ResourceDef, obj: KObject, old: KObject | undefined, dryRun: boolean): ((ok: boolean) => void) | undefined;
  /** Admission checks that need more than the object (CRD names against built-ins). */
  admit?(def: ResourceDef, obj: KObject): FieldError[];
  /**
   * Validating admission after the strategy's validation (LimitRanger, ResourceQuota): throws a
   * StatusError to refuse. `old` is set on updates; `dryRun` writes must have no side effects.
   */
  validateAdmission?(def: ResourceDef, obj: KObject, old: KObject | undefined, call: ApiCall, dryRun: boolean): void;
  /** Strict decoding: unknown field paths of an object per the OpenAPI schema. */
  unknownFields?(def: ResourceDef, obj: KObject): string[];
}

export class GenericRegistry {
  constructor(
    private readonly store: Store,
    private readonly hooks: RegistryHooks = {},
  ) {}

  handle(def: ResourceDef, call: ApiCall): ApiReply {
    const special = this.hooks.special?.(def, call);
    if (special) return special;
    switch (call.verb) {
      case 'get':
        return this.get(def, call);
      case 'list':
        return this.list(def, call);
      case 'create':
        return this.create(def, call);
      case 'update':
        return this.update(def, call);
      case 'patch':
        return this.patch(def, call);
      case 'delete':
        return this.delete(def, call);
      case 'deletecollection':
        return this.deleteCollection(def, call);
    }
  }

  // ---- helpers shared by the verbs ----

  private gr(def: ResourceDef) {
    return { group: def.group, resource: def.resource };
  }

  private nsOf(def: ResourceDef, call: ApiCall): string {
    return def.scope === 'Namespaced' ? (call.namespace ?? '') : '';
  }

  /** Convert a stored object to the requested version's shape. */
  private out(def: ResourceDef, stored: KObject): KObject {
    const obj = def.storage?.fromStored ? def.storage.fromStored(stored) : stored;
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    return obj;
  }

  private toStored(def: ResourceDef, obj: KObject): KObject {
    return def.storage?.toStored ? def.storage.toStored(obj) : obj;
  }

  private mustGet(def: ResourceDef, ns: string, name: string): KObject {
    const stored = this.store.get(storageKey(def), ns, name);
    if (!stored) throw errors.notFound(this.gr(def), name);
    return stored;
  }

  private isDryRun(call: ApiCall): boolean {
    const d = call.query.dryRun;
    if (d === undefined || d === '') return false;
    if (d !== 'All') throw errors.badRequest(`unsupported dry run value: "${d}": supported values: "All"`);
    return true;
  }

  /** Parse and type-check a request body against the resource (400 for the wrong kind or shape). */
  private bodyObject(def: ResourceDef, call: ApiCall): KObject {
    const body = call.body;
    if (!isObject(body)) throw errors.badRequest('the body of the request was not a JSON object');
    const obj = clone(body) as KObject;
    const av = apiVersionOf(def);
    if (obj.kind !== undefined && obj.kind !== def.kind) {
      throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${av})`);
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== av) {
      throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${av})`);
    }
    // Go's decoding step: a value of the wrong JSON type never reaches defaulting or validation.
    const decodeErr = decodeError({ group: def.group, version: def.version, kind: def.kind }, obj);
    if (decodeErr) throw errors.badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${decodeErr}`);
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    if (!isObject(obj.metadata)) throw errors.badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: metadata must be an object`);
    obj.apiVersion = av;
    obj.kind = def.kind;
    return obj;
  }

  /** fieldValidation=Strict|Warn|Ignore over unknown fields (kube-apiserver's strict decoding). */
  private checkUnknownFields(def: ResourceDef, call: ApiCall, obj: KObject, warnings: string[]): void {
    const mode = call.query.fieldValidation ?? 'Warn';
    if (mode === 'Ignore' || !this.hooks.unknownFields) return;
    if (mode !== 'Strict' && mode !== 'Warn') {
      throw errors.badRequest(`fieldValidation parameter unsupported: ${mode}`);
    }
    const unknown = this.hooks.unknownFields(def, obj);
    if (!unknown.length) return;
    const msgs = unknown.map((f) => `unknown field "${f}"`);
    if (mode === 'Strict') {
      throw errors.badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${msgs.join(', ')}`);
    }
    warnings.push(...msgs);
  }

  private validateCreate(def: ResourceDef, obj: KObject): void {
    const errs = [
      ...validateObjectMeta(obj.metadata, { namespaced: def.scope === 'Namespaced', nameFn: def.nameValidator }),
      ...(def.validate?.(obj) ?? []),
      ...(this.hooks.admit?.(def, obj) ?? []),
    ];
    if (errs.length) throw errors.invalid(def.kind, def.group, obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
  }

  private validateUpdate(def: ResourceDef, obj: KObject, old: KObject): void {
    const errs = [
      ...validateObjectMeta(obj.metadata, { namespaced: def.scope === 'Namespaced', nameFn: def.nameValidator }),
      ...validateObjectMetaUpdate(obj.metadata, old.metadata),
      ...(def.validate?.(obj) ?? []),
      ...(def.validateUpdate?.(obj, old) ?? []),
    ];
    if (errs.length) throw errors.invalid(def.kind, def.group, obj.metadata.name ?? '', errs);
  }

  /** Creating in a missing namespace is 404, in a terminating one 403 (NamespaceLifecycle admission). */
  private admitNamespace(def: ResourceDef, ns: string, name: string): void {
    if (def.scope !== 'Namespaced') return;
    const nsObj = this.store.get(NAMESPACES, '', ns);
    if (!nsObj) throw errors.notFound({ group: '', resource: 'namespaces' }, ns);
    if (nsObj.metadata.deletionTimestamp || (nsObj.status as { phase?: string } | undefined)?.phase === 'Terminating') {
      const e = errors.forbidden(this.gr(def), name, `unable to create new content in namespace ${ns} because it is being terminated`);
      e.status.details!.causes = [{ type: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }];
      throw e;
    }
  }

  private conflictError(def: ResourceDef, name: string, err: unknown): never {
    if (err instanceof StoreConflict) {
      if (err.kind === 'exists') throw errors.alreadyExists(this.gr(def), name);
      if (err.kind === 'missing') throw errors.notFound(this.gr(def), name);
      throw errors.conflict(this.gr(def), name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    throw err;
  }

  // ---- verbs ----

  get(def: ResourceDef, call: ApiCall): ApiReply {
    const ns = this.nsOf(def, call);
    const stored = this.mustGet(def, ns, call.name!);
    if (call.subresource === 'scale') return { status: 200, body: scaleOf(def, stored) };
    const obj = this.out(def, stored);
    this.hooks.present?.(def, obj);
    return { status: 200, body: obj };
  }

  list(def: ResourceDef, call: ApiCall): ApiReply {
    const q = call.query;
    const pred = parsePredicate(def, q.labelSelector, q.fieldSelector);
    const limit = q.limit ? Math.max(0, Number(q.limit)) || 0 : 0;
    const match = q.resourceVersionMatch;
    const rv = parseRv(q.resourceVersion, 'resource version');
    if (match && match !== 'Exact' && match !== 'NotOlderThan') {
      throw errors.invalid('ListOptions', 'meta.k8s.io', '', [
        { type: 'FieldValueNotSupported', field: 'resourceVersionMatch', message: `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"` },
      ]);
    }
    if (match && q.resourceVersion === undefined) {
      throw errors.invalid('ListOptions', 'meta.k8s.io', '', [
        { type: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided' },
      ]);
    }
    let at = this.store.revision();
    let after: Key | undefined;
    if (q.continue) {
      if (q.resourceVersion && q.resourceVersion !== '0') throw errors.badRequest('specifying resource version is not allowed when using continue');
      const token = decodeContinue(q.continue);
      if (token.rv < this.store.compactedRevision()) {
        throw errors.gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      }
      at = token.rv;
      after = token.start;
    } else if (rv !== undefined && match === 'Exact') {
      if (rv < this.store.compactedRevision()) throw errors.gone(`too old resource version: ${rv} (${this.store.compactedRevision()})`);
      if (rv > this.store.revision()) throw tooLargeRv(rv, this.store.revision());
      at = rv;
    } else if (rv !== undefined && rv > this.store.revision()) {
      throw tooLargeRv(rv, this.store.revision());
    }
    const ns = def.scope === 'Namespaced' ? call.namespace : undefined;
    const items: KObject[] = [];
    let next: Key | undefined;
    let remaining = 0;
    const it = this.store.list(storageKey(def), { namespace: ns, after, at });
    for (const stored of it) {
      if (!matches(def, pred, this.fieldView(def, stored))) continue;
      if (limit && items.length === limit) {
        next = { namespace: items[items.length - 1].metadata.namespace ?? '', name: items[items.length - 1].metadata.name! };
        remaining = 1;
        if (isEverything(pred)) for (const _ of it) remaining++;
        break;
      }
      const obj = this.out(def, stored);
      this.hooks.present?.(def, obj);
      items.push(obj);
    }
    const metadata: Record<string, unknown> = { resourceVersion: String(at) };
    if (next) {
      metadata.continue = encodeContinue({ rv: at, start: next });
      if (isEverything(pred)) metadata.remainingItemCount = remaining;
    }
    return { status: 200, body: { kind: def.listKind ?? `${def.kind}List`, apiVersion: apiVersionOf(def), metadata, items } };
  }

  /** Field selectors are evaluated on the requested version's shape (events.k8s.io vs core events). */
  private fieldView(def: ResourceDef, stored: KObject): KObject {
    return def.storage?.fromStored ? def.storage.fromStored(stored) : stored;
  }

  /** `applied`: the object comes from a server-side apply, its managedFields already computed. */
  create(def: ResourceDef, call: ApiCall, applied = false): ApiReply {
    if (call.subresource) return this.createSubresource(def, call);
    const warnings: string[] = [];
    const obj = this.bodyObject(def, call);
    this.checkUnknownFields(def, call, obj, warnings);
    const ns = this.nsOf(def, call);
    const meta = obj.metadata;
    if (def.scope === 'Namespaced') {
      if (meta.namespace && meta.namespace !== ns) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = ns;
    } else if (meta.namespace) {
      delete meta.namespace; // cluster-scoped objects have none; kube-apiserver drops it silently
    }
    if (meta.resourceVersion) throw errors.badRequest('resourceVersion should not be set on objects to be created');
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    // System-set fields are not the client's to choose.
    meta.uid = crypto.randomUUID();
    meta.creationTimestamp = nowTimestamp();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if (def.generation) meta.generation = 1;
    else delete meta.generation;
    def.defaults?.(obj);
    def.prepareForCreate?.(obj);
    this.hooks.mutate?.(def, obj);
    if (!applied) setManagedFields(obj, updateManagedFields(undefined, obj, this.fieldManager(def, call)));
    this.validateCreate(def, obj);
    if (def.kind !== 'Namespace') this.admitNamespace(def, ns, meta.name!);
    this.hooks.validateAdmission?.(def, obj, undefined, call, this.isDryRun(call));
    if (this.isDryRun(call)) {
      if (this.store.get(storageKey(def), ns, meta.name!)) throw errors.alreadyExists(this.gr(def), meta.name!);
      this.hooks.begin?.(def, obj, undefined, true);
      return { status: 201, body: obj, warnings };
    }
    if (this.store.get(storageKey(def), ns, meta.name!)) throw errors.alreadyExists(this.gr(def), meta.name!);
    const finish = this.hooks.begin?.(def, obj, undefined, false);
    try {
      const stored = this.toStored(def, obj);
      const ev = this.store.create(storageKey(def), { namespace: ns, name: meta.name! }, (rev) => {
        stored.metadata.resourceVersion = String(rev);
        return stored;
      });
      finish?.(true);
      return { status: 201, body: this.out(def, clone(ev.object)), warnings };
    } catch (e) {
      finish?.(false);
      this.conflictError(def, meta.name!, e);
    }
  }

  private createSubresource(def: ResourceDef, call: ApiCall): ApiReply {
    throw errors.methodNotAllowed(`the server does not allow this method on the requested resource (post ${def.resource}/${call.subresource})`);
  }

  update(def: ResourceDef, call: ApiCall): ApiReply {
    const warnings: string[] = [];
    const obj = call.subresource === 'scale' ? this.scaleBody(def, call) : this.bodyObject(def, call);
    if (call.subresource !== 'scale') this.checkUnknownFields(def, call, obj, warnings);
    return this.applyUpdate(def, call, obj, warnings);
  }

  patch(def: ResourceDef, call: ApiCall): ApiReply {
    if (call.patchType === 'apply') return this.apply(def, call);
    if (call.query.force !== undefined) {
      throw errors.invalid('PatchOptions', 'meta.k8s.io', '', [{ type: 'FieldValueForbidden', field: 'force', message: 'Forbidden: may not be specified for non-apply patch' }]);
    }
    const ns = this.nsOf(def, call);
    const name = call.name!;
    const stored = this.mustGet(def, ns, name);
    const current = call.subresource === 'scale' ? (scaleOf(def, stored) as unknown as KObject) : this.out(def, clone(stored));
    let patched: unknown;
    switch (call.patchType) {
      case 'json':
        patched = applyJsonPatch(current, call.body);
        break;
      case 'merge':
        if (!isObject(call.body)) throw errors.badRequest('the body of the request was not a JSON object');
        patched = applyMergePatch(current, call.body);
        break;
      case 'strategic': {
        // Custom resources have no patch strategies: kube-apiserver refuses SMP for them.
        const definition = def.custom ? undefined : definitionName({ group: call.subresource === 'scale' ? 'autoscaling' : def.group, version: call.subresource === 'scale' ? 'v1' : def.version, kind: call.subresource === 'scale' ? 'Scale' : def.kind });
        if (!definition) throw unsupportedPatch(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
        patched = applyStrategicMergePatch(current, call.body, definition);
        break;
      }
      default:
        throw unsupportedPatch(['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
    }
    if (!isObject(patched)) throw errors.badRequest('the patched object is not a JSON object');
    const warnings: string[] = [];
    let obj: KObject;
    if (call.subresource === 'scale') {
      obj = this.scaleBody(def, { ...call, body: patched });
    } else {
      obj = this.bodyObject(def, { ...call, body: patched });
      this.checkUnknownFields(def, call, obj, warnings);
    }
    // A patch never carries a stale precondition unless the client put resourceVersion in it.
    return this.applyUpdate(def, call, obj, warnings);
  }

  /** Server-side apply (application/apply-patch+yaml): merge by field ownership; creates when absent. */
  private apply(def: ResourceDef, call: ApiCall): ApiReply {
    if (!call.query.fieldManager) {
      throw errors.invalid('PatchOptions', 'meta.k8s.io', '', [{ type: 'FieldValueRequired', field: 'fieldManager', message: 'Required value: is required for apply patch' }]);
    }
    if (call.subresource === 'scale') throw unsupportedPatch(['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
    if (!isObject(call.body)) throw errors.badRequest('error decoding patch: the patch is not a YAML or JSON object');
    const ns = this.nsOf(def, call);
    const stored = this.store.get(storageKey(def), ns, call.name!);
    const live = stored ? this.out(def, clone(stored)) : undefined;
    const body = clone(call.body) as KObject;
    if (isObject(body.metadata) && body.metadata.name !== undefined && body.metadata.name !== call.name) {
      throw errors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${call.name})`);
    }
    const warnings: string[] = [];
    if (!live) {
      if (call.subresource) throw errors.notFound(this.gr(def), call.name!);
      const { object } = serverSideApply(undefined, body, { ...this.fieldManager(def, call), force: call.query.force === 'true' });
      const created = object as KObject;
      created.metadata.name ??= call.name;
      return this.create(def, { ...call, verb: 'create', body: created }, true);
    }
    const { object } = serverSideApply(live, body, { ...this.fieldManager(def, call), force: call.query.force === 'true' });
    const obj = this.bodyObject(def, { ...call, body: object });
    this.checkUnknownFields(def, call, obj, warnings);
    return this.applyUpdate(def, call, obj, warnings, true);
  }

  /** Who owns the fields this request writes (managedFields). */
  private fieldManager(def: ResourceDef, call: ApiCall): FieldManagerOptions {
    return {
      manager: managerFromUserAgent(call.query.fieldManager, call.userAgent),
      apiVersion: apiVersionOf(def),
      definition: definitionName({ group: def.group, version: def.version, kind: def.kind }) ?? `${def.group}.${def.version}.${def.kind}`,
      time: nowTimestamp(),
      subresource: call.subresource,
      resetFields: def.custom && !def.statusSubresource && !call.subresource ? [] : undefined,
      kind: def.kind,
    };
  }

  /** PUT body for /scale: an autoscaling/v1 Scale whose spec.replicas lands in the object. */
  private scaleBody(def: ResourceDef, call: ApiCall): KObject {
    const body = call.body;
    if (!isObject(body)) throw errors.badRequest('the body of the request was not a JSON object');
    const scale = body as { metadata?: { resourceVersion?: string }; spec?: { replicas?: unknown } };
    const ns = this.nsOf(def, call);
    const stored = this.out(def, clone(this.mustGet(def, ns, call.name!)));
    const replicas = scale.spec?.replicas ?? 0;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw errors.invalid('Scale', 'autoscaling', call.name!, [
        { type: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` },
      ]);
    }
    setScaleReplicas(def, stored, replicas);
    stored.metadata.resourceVersion = scale.metadata?.resourceVersion;
    return stored;
  }

  private applyUpdate(def: ResourceDef, call: ApiCall, obj: KObject, warnings: string[], applied = false): ApiReply {
    const ns = this.nsOf(def, call);
    const name = call.name!;
    const meta = obj.metadata;
    if (meta.name !== undefined && meta.name !== name) {
      throw errors.badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    if (def.scope === 'Namespaced' && meta.namespace && meta.namespace !== ns) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const expected = parseRv(meta.resourceVersion, 'resourceVersion');
    const storeKey = storageKey(def);
    const oldStored = this.mustGet(def, ns, name);
    const old = this.out(def, clone(oldStored));
    if (expected !== undefined && String(expected) !== oldStored.metadata.resourceVersion) {
      throw errors.conflict(this.gr(def), name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    let next = this.prepareUpdate(def, call, obj, old);
    if (!applied) setManagedFields(next, updateManagedFields(old, next, this.fieldManager(def, call)));
    next = ignoreManagedFieldsTimestamps(next, old);
    this.validateUpdate(def, next, old);
    const dryRun = this.isDryRun(call);
    // A no-op write stores nothing and keeps the resourceVersion, as kube-apiserver does.
    if (JSON.stringify(next) === JSON.stringify(old)) return { status: 200, body: call.subresource === 'scale' ? scaleOf(def, old) : old, warnings };
    this.hooks.validateAdmission?.(def, next, old, call, dryRun);
    // A terminating namespace also waits for its spec.finalizers (the namespace controller's "kubernetes").
    const finalized =
      next.metadata.deletionTimestamp && !(next.metadata.finalizers?.length) && !(def.twoPhaseDelete && (next.spec as { finalizers?: string[] } | undefined)?.finalizers?.length);
    const finish = call.subresource || finalized ? undefined : this.hooks.begin?.(def, next, old, dryRun);
    if (dryRun) return { status: 200, body: next, warnings };
    try {
      if (finalized) {
        const ev = this.store.delete(storeKey, { namespace: ns, name }, Number(oldStored.metadata.resourceVersion));
        return { status: 200, body: this.out(def, clone(ev.object)), warnings };
      }
      const stored = this.toStored(def, next);
      const ev = this.store.update(storeKey, { namespace: ns, name }, Number(oldStored.metadata.resourceVersion), (rev) => {
        stored.metadata.resourceVersion = String(rev);
        return stored;
      });
      finish?.(true);
      // Writes through /scale answer with the Scale, not the workload.
      if (call.subresource === 'scale') return { status: 200, body: scaleOf(def, ev.object), warnings };
      return { status: 200, body: this.out(def, clone(ev.object)), warnings };
    } catch (e) {
      finish?.(false);
      this.conflictError(def, name, e);
    }
  }

  /** The strategy's PrepareForUpdate: system fields kept, status/spec split by subresource, generation. */
  private prepareUpdate(def: ResourceDef, call: ApiCall, obj: KObject, old: KObject): KObject {
    let next: KObject;
    if (call.subresource === 'status') {
      // Status writes change only status (and nothing in metadata but labels/annotations are ignored too).
      next = clone(old);
      if (obj.status === undefined) delete next.status;
      else next.status = obj.status;
    } else if (call.subresource === 'finalize') {
      // namespaces/finalize writes spec.finalizers only (what the namespace controller removes).
      next = clone(old);
      next.spec = { ...((old.spec as object) ?? {}), finalizers: ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) };
    } else {
      next = obj;
      if (def.statusSubresource) {
        if (old.status === undefined) delete next.status;
        else next.status = clone(old.status);
      }
    }
    const m = next.metadata;
    const om = old.metadata;
    m.uid = om.uid;
    m.creationTimestamp = om.creationTimestamp;
    m.namespace = om.namespace;
    m.name = om.name;
    if (om.deletionTimestamp) m.deletionTimestamp = om.deletionTimestamp;
    else delete m.deletionTimestamp;
    if (om.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
    else delete m.deletionGracePeriodSeconds;
    m.resourceVersion = om.resourceVersion;
    if (om.generateName !== undefined && m.generateName === undefined) m.generateName = om.generateName;
    if (call.subresource !== 'status') {
      def.prepareForUpdate?.(next, old);
      def.defaults?.(next);
    }
    if (def.generation) {
      m.generation = (om.generation ?? 1) + (call.subresource !== 'status' && specOf(next) !== specOf(old) ? 1 : 0);
    } else {
      delete m.generation;
    }
    for (const k of ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const) {
      if (Array.isArray(m[k]) && (m[k] as unknown[]).length === 0) delete m[k];
      else if (isObject(m[k]) && Object.keys(m[k] as object).length === 0) delete m[k];
    }
    return next;
  }

  delete(def: ResourceDef, call: ApiCall): ApiReply {
    const ns = this.nsOf(def, call);
    const name = call.name!;
    const opts = deleteOptions(call);
    const storeKey = storageKey(def);
    const stored = this.mustGet(def, ns, name);
    checkPreconditions(this.gr(def), name, stored, opts.preconditions);
    const dryRun = this.isDryRun(call) || (opts.dryRun?.includes('All') ?? false);
    const current = this.out(def, clone(stored));
    const m = current.metadata;
    // Graceful deletion and finalizers: the object stays with a deletionTimestamp until they are done.
    const finalizers = new Set(m.finalizers ?? []);
    const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : undefined);
    if (policy === 'Foreground') finalizers.add('foregroundDeletion');
    if (policy === 'Orphan') finalizers.add('orphan');
    const grace = def.gracefulDeletion?.(current, opts.gracePeriodSeconds) ?? 0;
    if (finalizers.size > 0 || grace > 0 || def.twoPhaseDelete) {
      if (m.deletionTimestamp) {
        return { status: 200, body: current };
      }
      const next = clone(current);
      next.metadata.deletionTimestamp = nowTimestamp(Date.now() + grace * 1000);
      next.metadata.deletionGracePeriodSeconds = grace;
      if (finalizers.size) next.metadata.finalizers = [...finalizers];
      def.prepareForDelete?.(next);
      if (dryRun) return { status: 200, body: next };
      const ev = this.store.update(storeKey, { namespace: ns, name }, Number(stored.metadata.resourceVersion), (rev) => {
        const s = this.toStored(def, next);
        s.metadata.resourceVersion = String(rev);
        return s;
      });
      return { status: 200, body: this.out(def, clone(ev.object)) };
    }
    if (dryRun) return { status: 200, body: def.returnDeletedObject ? current : deletedStatus(def, current) };
    let ev;
    try {
      ev = this.store.delete(storeKey, { namespace: ns, name }, Number(stored.metadata.resourceVersion));
    } catch (e) {
      this.conflictError(def, name, e);
    }
    const deleted = this.out(def, clone(ev.object));
    return { status: 200, body: def.returnDeletedObject ? deleted : deletedStatus(def, deleted) };
  }

  deleteCollection(def: ResourceDef, call: ApiCall): ApiReply {
    const q = call.query;
    const pred: Predicate = parsePredicate(def, q.labelSelector, q.fieldSelector);
    const ns = def.scope === 'Namespaced' ? call.namespace : undefined;
    const items: KObject[] = [];
    const targets: KObject[] = [];
    for (const stored of this.store.list(storageKey(def), { namespace: ns })) {
      if (matches(def, pred, this.fieldView(def, stored))) targets.push(stored);
    }
    for (const t of targets) {
      const r = this.delete(def, { ...call, verb: 'delete', namespace: t.metadata.namespace, name: t.metadata.name });
      items.push((def.returnDeletedObject ? r.body : this.out(def, clone(t))) as KObject);
    }
    return {
      status: 200,
      body: { kind: def.listKind ?? `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(this.store.revision()) }, items },
    };
  }
}

interface DeleteOptionsBody {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  orphanDependents?: boolean;
  dryRun?: string[];
}

function deleteOptions(call: ApiCall): DeleteOptionsBody {
  const opts: DeleteOptionsBody = isObject(call.body) ? (clone(call.body) as DeleteOptionsBody) : {};
  const q = call.query;
  if (q.gracePeriodSeconds !== undefined) opts.gracePeriodSeconds = Number(q.gracePeriodSeconds);
  if (q.propagationPolicy !== undefined) opts.propagationPolicy = q.propagationPolicy as DeleteOptionsBody['propagationPolicy'];
  if (q.orphanDependents !== undefined) opts.orphanDependents = q.orphanDependents === 'true';
  const p = opts.propagationPolicy;
  if (p !== undefined && p !== 'Foreground' && p !== 'Background' && p !== 'Orphan') {
    throw errors.invalid('DeleteOptions', 'meta.k8s.io', '', [
      { type: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: "${p}": supported values: "Foreground", "Background", "Orphan", "nil"` },
    ]);
  }
  if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
    if (opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 1; // kube-apiserver turns negative grace into 1
    else throw errors.badRequest('gracePeriodSeconds must be an integer');
  }
  return opts;
}

function checkPreconditions(gr: { group: string; resource: string }, name: string, obj: KObject, pre: DeleteOptionsBody['preconditions']): void {
  if (!pre) return;
  if (pre.uid && pre.uid !== obj.metadata.uid) {
    throw errors.conflict(gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
  }
  if (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw errors.conflict(
      gr,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
    );
  }
}

function deletedStatus(def: ResourceDef, obj: KObject) {
  return success({ name: obj.metadata.name, group: def.group, kind: def.resource, uid: obj.metadata.uid });
}

function setManagedFields(obj: KObject, entries: ManagedFieldsEntry[]): void {
  if (entries.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

function unsupportedPatch(accepted: string[]): StatusError {
  return new StatusError(
    failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`),
  );
}

function tooLargeRv(rv: number, current: number): StatusError {
  return new StatusError(
    failure(504, 'Timeout', `Timeout: Too large resource version: ${rv}, current: ${current}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    }),
  );
}
