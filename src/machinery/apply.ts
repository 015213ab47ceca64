// Server-side apply and metadata.managedFields, as kube-apiserver's field manager does them
// (k8s.io/apimachinery/pkg/util/managedfields/internal on top of sigs.k8s.io/structured-merge-diff).
//
// Upstream stacks managers around the structured-merge-diff Updater; we keep the same layers, as pure
// functions over JSON objects:
//   versionCheck → lastAppliedUpdater → lastAppliedManager → skipNonApplied → capManagers (10 Update
//   entries, older ones merged into "ancient-changes") → buildManagerInfo (manager identifiers) →
//   managedFieldsUpdater (timestamps) → stripMeta (apiVersion, kind, metadata.name/uid/... never owned)
//   → structuredMerge (typed merge/compare/prune driven by the schema).
// Schemas come from src/registry/patch-meta.ts: lists are atomic unless listType (or a merge patch
// strategy) says set/map, maps of scalars are granular unless mapType=atomic, structs granular unless
// structType=atomic; values without a schema (custom resources, RawExtension) are "deduced": objects
// granular, lists atomic. Differences from upstream: no version conversion (all managers' sets are read
// in the request's version), the zero-value Go object behind "create" is approximated (see zeroObject),
// and explicit nulls are dropped from apply results (typed objects drop them too).
import { StatusError, failure, type Status } from '../api/status';
import { definitionFields, definitionPatchMeta, fieldPatchMeta, fieldSchema, hasDefinition, type FieldPatchMeta, type FieldSchema } from '../registry/patch-meta';
import {
  FieldSet,
  fieldPE,
  fromFieldsV1,
  goJSON,
  keyPE,
  pathToString,
  peToString,
  serializePE,
  strCompare,
  toFieldsV1,
  valuePE,
  valuesEqual,
  type JsonValue,
  type Path,
  type PathElement,
} from './fieldset';

export { FieldSet, fromFieldsV1, toFieldsV1, pathToString } from './fieldset';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  /** RFC 3339, seconds. Absent (like upstream) on an Apply entry whose apply never changed the object. */
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: object;
  subresource?: string;
}

export interface FieldManagerOptions {
  /** Field manager name (fieldManager query parameter, or managerFromUserAgent). Empty → "unknown". */
  manager: string;
  /** group/version of the request ("apps/v1", "v1"). */
  apiVersion: string;
  /** OpenAPI definition of the kind (definitionName(gvk)); unknown names get a deduced schema. */
  definition: string;
  /** Now, RFC 3339 (normalized to UTC seconds). */
  time: string;
  /** "status", "scale", ... when the request is on a subresource. */
  subresource?: string;
  /**
   * Fields the strategy resets and nobody may own through this endpoint (upstream GetResetFields), as
   * paths: [['status']]. Default: [['status']] for the main resource, [['spec']] for "status", none for
   * other subresources. Custom resources without a status subresource should pass [].
   */
  resetFields?: string[][];
  /** Kind for the apply version check; default: the last segment of `definition`. */
  kind?: string;
}

export interface ApplyOptions extends FieldManagerOptions {
  force: boolean;
}

type Obj = Record<string, unknown>;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const MAX_UPDATE_MANAGERS = 10;
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function own(o: Obj, k: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Schema (structured-merge-diff's schema.TypeRef, resolved lazily from patch-meta)

type TypeRef =
  | { readonly t: 'struct'; readonly def: string; readonly atomic: boolean }
  | { readonly t: 'map'; readonly elem: TypeRef; readonly atomic: boolean }
  | { readonly t: 'list'; readonly elem: TypeRef; readonly associative: boolean; readonly keys: readonly string[] }
  | { readonly t: 'scalar' }
  | { readonly t: 'deduced' };

const SCALAR: TypeRef = { t: 'scalar' };
const DEDUCED: TypeRef = { t: 'deduced' };

const fieldTypes = new Map<string, TypeRef | null>();

function isAtomicStruct(meta: { structType?: string; mapType?: string } | undefined): boolean {
  return meta?.structType === 'atomic' || meta?.mapType === 'atomic';
}

function elementType(fs: FieldSchema): TypeRef {
  if (fs.untyped) return DEDUCED;
  if (fs.elementKind === 'scalar') return SCALAR;
  if (fs.elementKind === 'object' && fs.definition) return { t: 'struct', def: fs.definition, atomic: isAtomicStruct(definitionPatchMeta(fs.definition)) };
  return DEDUCED;
}

function typeOfField(fs: FieldSchema, meta: FieldPatchMeta | undefined): TypeRef {
  switch (fs.kind) {
    case 'scalar':
      return fs.untyped ? DEDUCED : SCALAR;
    case 'object':
      if (fs.untyped || !fs.definition) return DEDUCED;
      return { t: 'struct', def: fs.definition, atomic: isAtomicStruct(meta) };
    case 'map':
      return { t: 'map', elem: fs.elementKind ? elementType(fs) : DEDUCED, atomic: meta?.mapType === 'atomic' };
    case 'array': {
      const elem = fs.elementKind ? elementType(fs) : DEDUCED;
      let associative = false;
      let keys: string[] = [];
      if (meta?.listType === 'map') {
        associative = true;
        keys = meta.listMapKeys ?? [];
      } else if (meta?.listType === 'set') associative = true;
      else if (!meta?.listType && (meta?.patchStrategy === 'merge' || meta?.patchStrategy === 'merge,retainKeys')) {
        associative = true;
        keys = meta.patchMergeKey ? [meta.patchMergeKey] : [];
      }
      // Shapes structured-merge-diff cannot index (keyed lists of scalars, sets of objects): atomic.
      if (associative && keys.length > 0 && elem.t !== 'struct') associative = false;
      if (associative && keys.length === 0 && elem.t !== 'scalar') associative = false;
      return { t: 'list', elem, associative, keys: associative ? keys : [] };
    }
  }
}

/** The type of a declared field of a struct; undefined when the struct does not declare it. */
function structField(def: string, name: string): TypeRef | undefined {
  const key = `${def}\u0000${name}`;
  const hit = fieldTypes.get(key);
  if (hit !== undefined) return hit ?? undefined;
  let out: TypeRef | undefined;
  const fs = fieldSchema(def, name);
  if (fs) out = typeOfField(fs, fieldPatchMeta(def, name));
  else if (!hasDefinition(def)) {
    // A kind without a schema (custom resources): typed metadata like every object, the rest deduced.
    if (name === 'metadata') out = { t: 'struct', def: OBJECT_META, atomic: false };
    else if (name === 'apiVersion' || name === 'kind') out = SCALAR;
  }
  fieldTypes.set(key, out ?? null);
  return out;
}

function rootType(definition: string): TypeRef {
  return { t: 'struct', def: definition, atomic: false };
}

function childOf(t: TypeRef, key: string): { type: TypeRef; declared: boolean } {
  if (t.t === 'struct') {
    const f = structField(t.def, key);
    return f ? { type: f, declared: true } : { type: DEDUCED, declared: false };
  }
  if (t.t === 'map') return { type: t.elem, declared: false };
  return { type: DEDUCED, declared: false };
}

type Shape = 'map' | 'list' | 'leaf';

/** How values of type `t` are walked (upstream's deduceAtom + resolveSchema); mismatches are leaves. */
function shapeOf(t: TypeRef, a: unknown, b?: unknown): Shape {
  if (t.t === 'scalar') return 'leaf';
  const want: Shape = t.t === 'list' ? 'list' : 'map';
  let seen = false;
  for (const v of [a, b]) {
    if (v === undefined || v === null) continue;
    seen = true;
    const s: Shape = Array.isArray(v) ? (t.t === 'deduced' ? 'leaf' : 'list') : isObj(v) ? 'map' : 'leaf';
    if (s !== want) return 'leaf';
  }
  return seen || t.t !== 'deduced' ? want : 'map';
}

function isAtomic(t: TypeRef): boolean {
  if (t.t === 'struct' || t.t === 'map') return t.atomic;
  if (t.t === 'list') return !t.associative;
  return false;
}

class TypedError extends Error {}

/** Default values of list-map key fields (the OpenAPI defaults upstream reads): ports' protocol. */
function keyDefault(key: string): JsonValue | undefined {
  return key === 'protocol' ? 'TCP' : undefined;
}

function listItemPE(t: Extract<TypeRef, { t: 'list' }>, item: unknown): PathElement {
  if (t.keys.length > 0) {
    if (item === null) throw new TypedError('associative list with keys may not have a null element');
    if (!isObj(item)) throw new TypedError('associative list with keys may not have non-map elements');
    const fields: [string, JsonValue][] = [];
    for (const k of t.keys) {
      const v = own(item, k);
      if (v !== undefined) fields.push([k, v as JsonValue]);
      else {
        const d = keyDefault(k);
        if (d !== undefined) fields.push([k, d]);
      }
    }
    if (fields.length === 0) {
      throw new TypedError(
        `associative list with keys has an element that omits all key fields [${t.keys.map((k) => JSON.stringify(k)).join(' ')}] (and doesn't have default values for any key fields)`,
      );
    }
    return keyPE(fields);
  }
  if (isObj(item)) throw new TypedError("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new TypedError('not supported: associative list with lists as elements');
  if (item === null) throw new TypedError("associative list without keys has an element that's an explicit null");
  return valuePE(item as JsonValue);
}

function entriesOf(o: Obj): [string, unknown][] {
  return Object.entries(o).filter(([, v]) => v !== undefined);
}

function isEmptyMap(v: unknown): boolean {
  return !isObj(v) || entriesOf(v).length === 0;
}

// ---------------------------------------------------------------------------------------------------
// Typed operations: validation, ToFieldSet, Compare, Merge, RemoveItems, EnsureNamedFieldsAreMembers

interface ValidationError {
  path: string;
  message: string;
}

/** The checks of ObjectToTyped that matter for ownership: list keys, and duplicates unless allowed. */
function validate(v: unknown, t: TypeRef, path: string, errs: ValidationError[], allowDuplicates: boolean): void {
  const shape = shapeOf(t, v);
  if (shape === 'leaf' || v === null || v === undefined) return;
  if (shape === 'map') {
    if (isAtomic(t)) return;
    for (const [k, val] of entriesOf(v as Obj)) validate(val, childOf(t, k).type, `${path}.${k}`, errs, allowDuplicates);
    return;
  }
  const lt = t as Extract<TypeRef, { t: 'list' }>;
  if (!lt.associative) return;
  const seen = new Set<string>();
  (v as unknown[]).forEach((item, i) => {
    let pe: PathElement;
    try {
      pe = listItemPE(lt, item);
    } catch (e) {
      errs.push({ path, message: `element ${i}: ${(e as Error).message}` });
      return;
    }
    const id = serializePE(pe);
    if (seen.has(id) && !allowDuplicates) {
      errs.push({ path, message: `duplicate entries for key ${peToString(pe)}` });
      return;
    }
    seen.add(id);
    validate(item, lt.elem, `${path}${peToString(pe)}`, errs, allowDuplicates);
  });
}

function validationMessage(errs: ValidationError[]): string {
  const one = (e: ValidationError) => `${e.path}: ${e.message}`;
  return errs.length === 1 ? one(errs[0]) : ['errors:', ...errs.map((e) => `  ${one(e)}`)].join('\n');
}

function toFieldSet(v: unknown, t: TypeRef): FieldSet {
  const set = new FieldSet();
  walkFieldSet(v, t, [], set);
  return set;
}

function walkFieldSet(v: unknown, t: TypeRef, path: PathElement[], set: FieldSet): void {
  const shape = shapeOf(t, v);
  if (shape === 'leaf' || isAtomic(t)) {
    set.insert(path);
    return;
  }
  if (v === null || v === undefined) return;
  if (shape === 'map') {
    for (const [k, val] of entriesOf(v as Obj)) {
      const c = childOf(t, k);
      path.push(fieldPE(k));
      walkFieldSet(val, c.type, path, set);
      if (val === null || (isObj(val) && isEmptyMap(val)) || !c.declared) set.insert(path);
      path.pop();
    }
    return;
  }
  const lt = t as Extract<TypeRef, { t: 'list' }>;
  const items = v as unknown[];
  const pes = items.map((item) => listItemPE(lt, item));
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const pe of pes) {
    const id = serializePE(pe);
    if (seen.has(id)) {
      if (!dups.has(id)) {
        set.insert([...path, pe]);
        dups.add(id);
      }
    } else seen.add(id);
  }
  items.forEach((item, i) => {
    const pe = pes[i];
    if (dups.has(serializePE(pe))) return;
    path.push(pe);
    walkFieldSet(item, lt.elem, path, set);
    set.insert(path);
    path.pop();
  });
}

interface Comparison {
  added: FieldSet;
  removed: FieldSet;
  modified: FieldSet;
}

function compareTyped(l: unknown, r: unknown, t: TypeRef): Comparison {
  const c: Comparison = { added: new FieldSet(), removed: new FieldSet(), modified: new FieldSet() };
  walkCompare(l, r, t, [], c);
  return c;
}

/** `l`/`r` undefined = absent on that side (null is a value). */
function walkCompare(l: unknown, r: unknown, t: TypeRef, path: PathElement[], c: Comparison): void {
  const shape = shapeOf(t, l, r);
  let leaf = shape === 'leaf' || isAtomic(t);
  if (!leaf && shape === 'map') {
    const lm = isObj(l) ? l : undefined;
    const rm = isObj(r) ? r : undefined;
    if (isEmptyMap(lm) && isEmptyMap(rm)) leaf = true;
    else {
      const keys = new Set<string>();
      if (lm) for (const [k] of entriesOf(lm)) keys.add(k);
      if (rm) for (const [k] of entriesOf(rm)) keys.add(k);
      for (const k of keys) {
        path.push(fieldPE(k));
        walkCompare(lm ? own(lm, k) : undefined, rm ? own(rm, k) : undefined, childOf(t, k).type, path, c);
        path.pop();
      }
    }
  } else if (!leaf) {
    const ll = Array.isArray(l) ? l : [];
    const rl = Array.isArray(r) ? r : [];
    if (ll.length === 0 && rl.length === 0) leaf = true;
    else compareLists(ll, rl, t as Extract<TypeRef, { t: 'list' }>, path, c);
  }
  if (leaf) {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else if (!valuesEqual(l, r)) c.modified.insert(path);
    return;
  }
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
}

function compareLists(ll: unknown[], rl: unknown[], t: Extract<TypeRef, { t: 'list' }>, path: PathElement[], c: Comparison): void {
  const groups = new Map<string, { pe: PathElement; l: unknown[]; r: unknown[] }>();
  for (const item of ll) {
    const pe = listItemPE(t, item);
    const id = serializePE(pe);
    const g = groups.get(id);
    if (g) g.l.push(item);
    else groups.set(id, { pe, l: [item], r: [] });
  }
  for (const item of rl) {
    const pe = listItemPE(t, item);
    const id = serializePE(pe);
    const g = groups.get(id);
    if (g) g.r.push(item);
    else groups.set(id, { pe, l: [], r: [item] });
  }
  for (const { pe, l, r } of groups.values()) {
    path.push(pe);
    if (l.length <= 1 && r.length <= 1) walkCompare(l[0], r[0], t.elem, path, c);
    else if (l.length >= 2 && r.length >= 2) {
      if (l.length !== r.length || !l.every((x, i) => valuesEqual(x, r[i]))) c.modified.insert(path);
    } else if (l.length >= 2) {
      if (r.length) walkCompare(undefined, r[0], t.elem, path, c);
      c.removed.insert(path);
    } else {
      if (l.length) walkCompare(l[0], undefined, t.elem, path, c);
      c.added.insert(path);
    }
    path.pop();
  }
}

/** typed.Merge with ruleKeepRHS; undefined = no output. */
function merge(l: unknown, r: unknown, t: TypeRef): unknown {
  const shape = shapeOf(t, l, r);
  const keepRHS = () => (r !== undefined ? r : l);
  if (shape === 'leaf' || isAtomic(t)) return keepRHS();
  if (shape === 'map') {
    const lm = isObj(l) ? l : undefined;
    const rm = isObj(r) ? r : undefined;
    if (isEmptyMap(lm) && isEmptyMap(rm)) return keepRHS();
    const out: Obj = {};
    const keys: string[] = [];
    if (lm) for (const [k] of entriesOf(lm)) keys.push(k);
    if (rm) for (const [k] of entriesOf(rm)) if (!lm || own(lm, k) === undefined) keys.push(k);
    for (const k of keys) {
      const v = merge(lm ? own(lm, k) : undefined, rm ? own(rm, k) : undefined, childOf(t, k).type);
      if (v !== undefined) out[k] = v;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  const ll = Array.isArray(l) ? l : [];
  const rl = Array.isArray(r) ? r : [];
  if (ll.length === 0 && rl.length === 0) return keepRHS();
  const out = mergeLists(ll, rl, t as Extract<TypeRef, { t: 'list' }>);
  return out.length > 0 ? out : undefined;
}

/** The list-merge order of structured-merge-diff (mergingWalker.visitListItems). */
function mergeLists(lhs: unknown[], rhs: unknown[], t: Extract<TypeRef, { t: 'list' }>): unknown[] {
  const out: unknown[] = [];
  const rPEs: PathElement[] = [];
  const rIds: string[] = [];
  const observedR = new Map<string, unknown>();
  for (const item of rhs) {
    const pe = listItemPE(t, item);
    const id = serializePE(pe);
    if (observedR.has(id)) throw new TypedError(`duplicate entries for key ${peToString(pe)}`);
    observedR.set(id, item);
    rPEs.push(pe);
    rIds.push(id);
  }
  const lIds: string[] = [];
  const observedL = new Map<string, unknown>();
  for (const item of lhs) {
    const id = serializePE(listItemPE(t, item));
    // Duplicated items are not merged with the new value.
    observedL.set(id, observedL.has(id) ? null : item);
    lIds.push(id);
  }
  const sharedOrder = rIds.filter((id) => observedL.has(id));
  let nextShared = sharedOrder.shift();
  const mergedR = new Set<string>();
  const push = (v: unknown) => {
    if (v !== undefined) out.push(v);
  };
  let lI = 0;
  let rI = 0;
  while (lI < lIds.length || rI < rIds.length) {
    if (lI < lIds.length && rI < rIds.length) {
      const id = lIds[lI];
      if (id === rIds[rI]) {
        mergedR.add(id);
        push(merge(observedL.get(id), observedR.get(id), t.elem));
        lI++;
        rI++;
        nextShared = sharedOrder.shift();
        continue;
      }
      if (observedR.has(id) && nextShared !== undefined && nextShared !== id) {
        lI++;
        continue;
      }
    }
    if (lI < lIds.length) {
      const id = lIds[lI];
      if (!observedR.has(id)) {
        push(merge(lhs[lI], undefined, t.elem));
        lI++;
        continue;
      } else if (mergedR.has(id)) lI++;
    }
    if (rI < rIds.length) {
      const id = rIds[rI];
      mergedR.add(id);
      push(merge(observedL.has(id) ? observedL.get(id) : undefined, observedR.get(id), t.elem));
      rI++;
      if (nextShared !== undefined && nextShared === id) nextShared = sharedOrder.shift();
    }
  }
  return out;
}

/** typed.RemoveItems: the value without the members of `toRemove` (null where upstream yields nothing). */
function removeItems(v: unknown, toRemove: FieldSet, t: TypeRef): unknown {
  const shape = shapeOf(t, v);
  if (shape === 'leaf') return v;
  if (shape === 'map') {
    if (!isObj(v) || isEmptyMap(v) || isAtomic(t)) return null;
    const out: Obj = {};
    for (const [k, val] of entriesOf(v)) {
      const pe = fieldPE(k);
      if (toRemove.hasMember(pe)) continue;
      const sub = toRemove.child(pe);
      out[k] = sub && !sub.empty() ? removeItems(val, sub, childOf(t, k).type) : val;
    }
    return Object.keys(out).length > 0 ? out : null;
  }
  if (!Array.isArray(v) || v.length === 0 || isAtomic(t)) return null;
  const lt = t as Extract<TypeRef, { t: 'list' }>;
  const out: unknown[] = [];
  for (const item of v) {
    const pe = listItemPE(lt, item);
    if (toRemove.hasMember(pe)) continue;
    const sub = toRemove.child(pe);
    out.push(sub && !sub.empty() ? removeItems(item, sub, lt.elem) : item);
  }
  return out.length > 0 ? out : null;
}

/** Set.EnsureNamedFieldsAreMembers: a struct field with owned children counts as a member too. */
function ensureNamedFieldsAreMembers(s: FieldSet, t: TypeRef | undefined): FieldSet {
  const out = new FieldSet();
  out.members = [...s.members];
  for (const c of s.children) {
    let ct: TypeRef | undefined;
    if (c.pe.kind === 'field' && t && (t.t === 'struct' || t.t === 'map' || t.t === 'deduced')) {
      const ch = childOf(t, c.pe.name);
      ct = ch.type;
      if (ch.declared && !out.hasMember(c.pe)) out.insert([c.pe]);
    } else if (c.pe.kind === 'key' && t?.t === 'list') ct = t.elem;
    out.children.push({ pe: c.pe, set: ensureNamedFieldsAreMembers(c.set, ct) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The Updater (merge.Updater): ownership bookkeeping for Update and Apply

interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}

type ManagerSets = Map<string, VersionedSet>;

interface Managed {
  fields: ManagerSets;
  times: Map<string, string | undefined>;
}

interface Conflict {
  manager: string;
  path: Path;
}

class Conflicts extends Error {
  constructor(readonly list: Conflict[]) {
    super('conflicts');
  }
}

interface Ctx {
  root: TypeRef;
  ignore: FieldSet;
  apiVersion: string;
  subresource: string;
  now: string;
  definition: string;
}

function filterIgnored(s: FieldSet, ctx: Ctx): FieldSet {
  return ctx.ignore.empty() ? s : s.recursiveDifference(ctx.ignore);
}

function compareObjects(ctx: Ctx, live: unknown, next: unknown): Comparison {
  const skeleton = zeroObject(ctx.definition);
  const c = compareTyped(fillSkeleton(live, skeleton), fillSkeleton(next, skeleton), ctx.root);
  return { added: filterIgnored(c.added, ctx), removed: filterIgnored(c.removed, ctx), modified: filterIgnored(c.modified, ctx) };
}

function conflictsFromManagers(conflicts: Map<string, FieldSet>): Conflict[] {
  const out: Conflict[] = [];
  for (const manager of [...conflicts.keys()].sort(strCompare)) conflicts.get(manager)!.iterate((path) => out.push({ manager, path }));
  return out;
}

function updaterUpdateInternal(ctx: Ctx, live: unknown, next: unknown, managers: ManagerSets, workflow: string, force: boolean): Comparison {
  const compare = compareObjects(ctx, live, next);
  const changed = compare.modified.union(compare.added);
  const conflicts = new Map<string, FieldSet>();
  const removed = new Map<string, FieldSet>();
  for (const [manager, vs] of managers) {
    if (manager === workflow) continue;
    const cs = vs.set.intersection(changed);
    if (!cs.empty()) conflicts.set(manager, cs);
    if (!compare.removed.empty()) removed.set(manager, compare.removed);
  }
  if (!force && conflicts.size > 0) throw new Conflicts(conflictsFromManagers(conflicts));
  for (const m of [conflicts, removed]) {
    for (const [manager, s] of m) {
      const vs = managers.get(manager)!;
      managers.set(manager, { ...vs, set: vs.set.difference(s) });
    }
  }
  for (const [manager, vs] of [...managers]) if (vs.set.empty()) managers.delete(manager);
  return compare;
}

/** Updater.Update: `manager` gains what changed between live and next; the others lose it. */
function updaterUpdate(ctx: Ctx, live: unknown, next: unknown, managers: ManagerSets, manager: string): void {
  const compare = updaterUpdateInternal(ctx, live, next, managers, manager, true);
  const current = managers.get(manager)?.set ?? new FieldSet();
  const set = filterIgnored(current.difference(compare.removed).union(compare.modified).union(compare.added), ctx);
  if (set.empty()) managers.delete(manager);
  else managers.set(manager, { set, apiVersion: ctx.apiVersion, applied: false });
}

/** Updater.Apply: merged object (null when nothing changed); managers updated in place. */
function updaterApply(ctx: Ctx, live: Obj, config: Obj, managers: ManagerSets, manager: string, force: boolean): Obj | null {
  let next = merge(live, config, ctx.root) as Obj;
  const lastSet = managers.get(manager);
  const set = filterIgnored(toFieldSet(config, ctx.root), ctx);
  managers.set(manager, { set, apiVersion: ctx.apiVersion, applied: true });
  next = prune(ctx, next, managers, lastSet);
  updaterUpdateInternal(ctx, live, next, managers, manager, force);
  return valuesEqual(live, next) ? null : next;
}

/**
 * Remove what the applier owned last time, no longer applies, and nobody else owns
 * (Updater.prune + addBackOwnedItems + addBackDanglingItems).
 */
function prune(ctx: Ctx, merged: Obj, managers: ManagerSets, lastSet: VersionedSet | undefined): Obj {
  if (!lastSet || lastSet.set.empty()) return merged;
  const t = ctx.root;
  const ens = (s: FieldSet) => ensureNamedFieldsAreMembers(s, t);
  const last = ens(lastSet.set);
  let pruned = removeItems(merged, last, t);
  let managed = new FieldSet();
  for (const vs of managers.values()) managed = managed.union(vs.set);
  const mergedSet = ens(toFieldSet(merged, t));
  pruned = removeItems(merged, mergedSet.difference(ens(toFieldSet(pruned, t)).union(ens(managed))), t);
  const prunedSet = ens(toFieldSet(pruned, t));
  const out = removeItems(merged, mergedSet.difference(prunedSet).intersection(last), t);
  return isObj(out) ? out : {};
}

// ---------------------------------------------------------------------------------------------------
// Manager identifiers, decoding and encoding of metadata.managedFields

/** BuildManagerIdentifier: the JSON of the entry without time/fields (and apiVersion for Apply). */
function managerId(manager: string, operation: string, apiVersion: string, subresource: string): string {
  const parts: string[] = [];
  if (manager) parts.push(`"manager":${goJSON(manager)}`);
  if (operation) parts.push(`"operation":${goJSON(operation)}`);
  if (apiVersion && operation !== 'Apply') parts.push(`"apiVersion":${goJSON(apiVersion)}`);
  if (subresource) parts.push(`"subresource":${goJSON(subresource)}`);
  return `{${parts.join(',')}}`;
}

interface ParsedId {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  subresource?: string;
}

function parseId(id: string): ParsedId {
  try {
    const v = JSON.parse(id) as unknown;
    return isObj(v) ? (v as ParsedId) : {};
  } catch {
    return {};
  }
}

/** metav1.Time round trip: UTC, whole seconds. */
function normalizeTime(t: string): string {
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function timeSeconds(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** DecodeManagedFields; throws on invalid entries. */
function decodeManaged(entries: unknown): Managed {
  const managed: Managed = { fields: new Map(), times: new Map() };
  if (entries === undefined || entries === null) return managed;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((e, i) => {
    if (!isObj(e)) throw new Error(`invalid managed fields entry ${i}`);
    const operation = str(e.operation);
    if (operation !== 'Apply' && operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    const apiVersion = str(e.apiVersion);
    if (!apiVersion) throw new Error('apiVersion must not be empty');
    const fieldsType = str(e.fieldsType);
    if (fieldsType === '') throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType "${fieldsType}" in managed fields entry ${i}`);
    const id = managerId(str(e.manager), operation, apiVersion, str(e.subresource));
    let set: FieldSet;
    try {
      set = fromFieldsV1(e.fieldsV1 ?? {});
    } catch (err) {
      throw new Error(`error decoding versioned set: error decoding set: ${(err as Error).message}`);
    }
    managed.fields.set(id, { set, apiVersion, applied: operation === 'Apply' });
    managed.times.set(id, typeof e.time === 'string' ? normalizeTime(e.time) : undefined);
  });
  return managed;
}

function encodeManaged(managed: Managed): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const [id, vs] of managed.fields) {
    const p = parseId(id);
    // Key order of metav1.ManagedFieldsEntry: manager, operation, apiVersion, time, fieldsType, fieldsV1, subresource.
    const entry = {} as ManagedFieldsEntry;
    if (p.manager) entry.manager = p.manager;
    entry.operation = vs.applied ? 'Apply' : p.operation === 'Apply' ? 'Apply' : 'Update';
    entry.apiVersion = vs.apiVersion;
    const time = managed.times.get(id);
    if (time) entry.time = time;
    entry.fieldsType = 'FieldsV1';
    entry.fieldsV1 = toFieldsV1(vs.set);
    if (p.subresource) entry.subresource = p.subresource;
    out.push(entry);
  }
  // sortEncodedManagedFields: operation (Apply < Update), time, manager, apiVersion, subresource.
  return out.sort(
    (p, q) =>
      strCompare(p.operation, q.operation) ||
      timeSeconds(p.time) - timeSeconds(q.time) ||
      strCompare(p.manager ?? '', q.manager ?? '') ||
      strCompare(p.apiVersion, q.apiVersion) ||
      strCompare(p.subresource ?? '', q.subresource ?? ''),
  );
}

/** metadata.managedFields of `[]` or `[{}]` asks to reset them (isResetManagedFields). */
function isReset(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  if (entries.length !== 1 || !isObj(entries[0])) return false;
  const e = entries[0];
  return ['manager', 'operation', 'apiVersion', 'fieldsType', 'subresource', 'time', 'fieldsV1'].every((k) => {
    const v = own(e, k);
    return v === undefined || v === null || v === '';
  });
}

function managedFieldsOf(obj: unknown): unknown {
  return isObj(obj) && isObj(obj.metadata) ? obj.metadata.managedFields : undefined;
}

function emptyManaged(): Managed {
  return { fields: new Map(), times: new Map() };
}

function decodeOrEmpty(entries: unknown): Managed {
  try {
    return decodeManaged(entries);
  } catch {
    return emptyManaged();
  }
}

/** decodeLiveOrNew: managedFields written by the request win (reset, or a valid non-empty list). */
function decodeLiveOrNew(live: unknown, next: unknown, ignoreRequest: boolean): Managed {
  if (ignoreRequest) return decodeOrEmpty(managedFieldsOf(live));
  const given = managedFieldsOf(next);
  if (isReset(given)) return emptyManaged();
  let managed: Managed | undefined;
  try {
    managed = decodeManaged(given);
  } catch {
    managed = undefined;
  }
  if (!managed || managed.fields.size === 0) return decodeOrEmpty(managedFieldsOf(live));
  return managed;
}

const STRIP = FieldSet.of(
  ...[
  ['apiVersion'],
  ['kind'],
  ['metadata'],
  ['metadata', 'name'],
  ['metadata', 'namespace'],
  ['metadata', 'creationTimestamp'],
  ['metadata', 'selfLink'],
  ['metadata', 'uid'],
  ['metadata', 'clusterName'],
  ['metadata', 'generation'],
  ['metadata', 'managedFields'],
  ['metadata', 'resourceVersion'],
  ].map((names) => names.map(fieldPE)),
);

function stripMeta(fields: ManagerSets, manager: string): void {
  const vs = fields.get(manager);
  if (!vs) return;
  const set = vs.set.difference(STRIP);
  if (set.empty()) fields.delete(manager);
  else fields.set(manager, { ...vs, set });
}

function copyManaged(m: Managed): Managed {
  return { fields: new Map(m.fields), times: new Map(m.times) };
}

/** capManagersManager: at most 10 Update entries; the oldest merge into "ancient-changes". */
function capUpdateManagers(managed: Managed): void {
  const { fields, times } = managed;
  const updaters = [...fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= MAX_UPDATE_MANAGERS) return;
  updaters.sort((a, b) => timeSeconds(times.get(a)) - timeSeconds(times.get(b)) || strCompare(a, b));
  const versionToFirst = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > MAX_UPDATE_MANAGERS; i++) {
    const manager = updaters[i];
    const vs = fields.get(manager);
    if (!vs) continue;
    const bucket = managerId('ancient-changes', 'Update', vs.apiVersion, '');
    const first = versionToFirst.get(vs.apiVersion);
    if (first !== undefined) {
      if (!fields.has(bucket)) {
        const s = fields.get(first)!;
        fields.delete(first);
        fields.set(bucket, s);
      }
      fields.set(bucket, { set: vs.set.union(fields.get(bucket)!.set), apiVersion: vs.apiVersion, applied: vs.applied });
      fields.delete(manager);
      length--;
      times.set(bucket, times.get(manager));
    } else versionToFirst.set(vs.apiVersion, manager);
  }
}

/** capManagers → buildManagerInfo → managedFieldsUpdater → stripMeta → structuredMerge, for Update. */
function stackUpdate(ctx: Ctx, live: unknown, next: unknown, managed: Managed, manager: string): Managed {
  const id = managerId(manager || 'unknown', 'Update', ctx.apiVersion, ctx.subresource);
  const out = copyManaged(managed);
  const self = 'current-operation';
  updaterUpdate(ctx, withoutManagedFields(live), withoutManagedFields(next), out.fields, self);
  stripMeta(out.fields, self);
  const vs = out.fields.get(self);
  if (vs) {
    out.fields.delete(self);
    const previous = out.fields.get(id);
    out.fields.set(id, previous ? { set: vs.set.union(previous.set), apiVersion: vs.apiVersion, applied: vs.applied } : vs);
    out.times.set(id, ctx.now);
  }
  capUpdateManagers(out);
  return out;
}

/** buildManagerInfo → managedFieldsUpdater → stripMeta → structuredMerge, for Apply. */
function stackApply(ctx: Ctx, live: Obj, config: Obj, managed: Managed, manager: string, force: boolean): { object: Obj | null; managed: Managed } {
  const id = managerId(manager || 'unknown', 'Apply', ctx.apiVersion, ctx.subresource);
  const out = copyManaged(managed);
  const object = updaterApply(ctx, live, config, out.fields, id, force);
  stripMeta(out.fields, id);
  if (object) out.times.set(id, ctx.now);
  return { object, managed: out };
}

function withoutManagedFields(obj: unknown): unknown {
  if (!isObj(obj) || !isObj(obj.metadata) || !('managedFields' in obj.metadata)) return obj;
  const metadata = { ...obj.metadata };
  delete metadata.managedFields;
  return { ...obj, metadata };
}

// ---------------------------------------------------------------------------------------------------
// The zero value of a Go object (what upstream compares a create against), approximated: ObjectMeta,
// spec and status are always present; so are pod templates, job templates and (update) strategies
// inside specs; PodSpec.containers is null. Only what changes `.` entries of Update managers matters.

const zeroCache = new Map<string, Obj>();

function zeroStruct(def: string, root: boolean): Obj {
  const out: Obj = {};
  for (const f of definitionFields(def)) {
    const fs = fieldSchema(def, f);
    if (!fs) continue;
    if (def.endsWith('.PodSpec') && f === 'containers') {
      out[f] = null;
      continue;
    }
    if (fs.kind !== 'object' || !fs.definition || fs.untyped) continue;
    const d = fs.definition;
    if (d === OBJECT_META) out[f] = { creationTimestamp: null };
    else if (root && f === 'status') out[f] = {};
    else if (f === 'spec' && (root || def.endsWith('TemplateSpec'))) out[f] = zeroStruct(d, false);
    else if (f === 'template' && d.endsWith('.PodTemplateSpec') && !def.endsWith('.ReplicationControllerSpec')) out[f] = zeroStruct(d, false);
    else if (f === 'jobTemplate' && d.endsWith('.JobTemplateSpec')) out[f] = zeroStruct(d, false);
    else if (f === 'strategy' || f === 'updateStrategy') out[f] = {};
  }
  return out;
}

function zeroObject(definition: string): Obj {
  let z = zeroCache.get(definition);
  if (!z) {
    z = hasDefinition(definition) ? zeroStruct(definition, true) : { metadata: { creationTimestamp: null } };
    zeroCache.set(definition, z);
  }
  return z;
}

/** `obj` with the skeleton's members added where absent (copy-on-write; inputs untouched). */
function fillSkeleton(obj: unknown, skeleton: Obj): unknown {
  if (!isObj(obj)) return obj;
  let out: Obj | undefined;
  for (const [k, z] of Object.entries(skeleton)) {
    const cur = own(obj, k);
    let v: unknown;
    if (cur === undefined) v = z;
    else if (isObj(cur) && isObj(z)) v = fillSkeleton(cur, z);
    else continue;
    if (v === cur) continue;
    out ??= { ...obj };
    out[k] = v;
  }
  return out ?? obj;
}

// ---------------------------------------------------------------------------------------------------
// Errors

/**
 * An object the schema cannot type (list elements without their keys, duplicate keys). Upstream
 * answers these with a reason-less 500; bad input is never a 500 here: same message, 400 BadRequest.
 */
function internalError(message: string): StatusError {
  return badRequest(message);
}

function badRequest(message: string): StatusError {
  return new StatusError(failure(400, 'BadRequest', message));
}

/** printManager: `"name"`, `"name" with subresource "status"`, `... using apps/v1` for updaters. */
function printManager(id: string): string {
  const p = parseId(id);
  let s = JSON.stringify(p.manager ?? '');
  if (p.subresource) s = `${s} with subresource ${JSON.stringify(p.subresource)}`;
  if (p.operation === 'Update') s = `${s} using ${p.apiVersion ?? ''}`;
  return s;
}

/** The 409 of a conflicting apply (NewConflictError). */
function conflictError(conflicts: Conflict[]): StatusError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: pathToString(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathToString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, Path[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort(strCompare)) {
      lines.push(`conflicts with ${printManager(m)}:`);
      for (const p of byManager.get(m)!) lines.push(`- ${pathToString(p)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(failure(409, 'Conflict', message, { causes }));
}

// ---------------------------------------------------------------------------------------------------
// Public API

function makeCtx(opts: FieldManagerOptions): Ctx {
  const reset = opts.resetFields ?? (opts.subresource === 'status' ? [['spec']] : opts.subresource ? [] : [['status']]);
  return {
    root: rootType(opts.definition),
    ignore: FieldSet.of(...reset.map((names) => names.map(fieldPE))),
    apiVersion: opts.apiVersion,
    subresource: opts.subresource ?? '',
    now: normalizeTime(opts.time),
    definition: opts.definition,
  };
}

/** The field set of an object (typed.ToFieldSet), everything included (no stripping). */
export function fieldSetOf(obj: object, definition: string): FieldSet {
  return toFieldSet(obj, rootType(definition));
}

/** Decode metadata.managedFields into manager → set (throws on invalid entries). */
export function decodeManagedFields(entries: unknown): { manager: string; operation: string; apiVersion: string; subresource?: string; time?: string; set: FieldSet }[] {
  const m = decodeManaged(entries);
  return [...m.fields].map(([id, vs]) => {
    const p = parseId(id);
    const out: { manager: string; operation: string; apiVersion: string; subresource?: string; time?: string; set: FieldSet } = {
      manager: p.manager ?? '',
      operation: vs.applied ? 'Apply' : 'Update',
      apiVersion: vs.apiVersion,
      set: vs.set,
    };
    if (p.subresource) out.subresource = p.subresource;
    const t = m.times.get(id);
    if (t) out.time = t;
    return out;
  });
}

/**
 * managedFields after a create, update or non-apply patch (operation Update). `oldObj` is the stored
 * object (undefined on create), `newObj` the object about to be stored, after defaulting. The manager
 * gains every field that the write added or changed; other managers lose those and every removed
 * field. managedFields written in `newObj` are honoured: `[]` or `[{}]` resets them (and an existing
 * object without managedFields then stays untracked until the next apply), a valid non-empty list
 * replaces the stored one before this write's own changes are recorded. On subresources the stored
 * list always wins. Returns the list to store (empty: remove metadata.managedFields).
 */
export function updateManagedFields(
  oldObj: object | undefined,
  newObj: object,
  opts: FieldManagerOptions,
): ManagedFieldsEntry[] {
  const ctx = makeCtx(opts);
  const liveEntries = managedFieldsOf(oldObj);
  try {
    const managed = decodeLiveOrNew(oldObj ?? {}, newObj, ctx.subresource !== '');
    // skipNonAppliedManager: existing objects without managedFields are not tracked by updates.
    if (managed.fields.size === 0) {
      const meta = isObj(oldObj) && isObj((oldObj as Obj).metadata) ? ((oldObj as Obj).metadata as Obj) : undefined;
      if (meta && str(meta.uid)) return [];
    }
    const live = oldObj ?? zeroObject(opts.definition);
    return encodeManaged(stackUpdate(ctx, live, newObj, managed, opts.manager));
  } catch {
    // UpdateNoErrors: keep what was stored.
    return Array.isArray(liveEntries) ? (clone(liveEntries) as ManagedFieldsEntry[]) : [];
  }
}

function parseGV(apiVersion: unknown): { group: string; version: string } | undefined {
  const s = str(apiVersion);
  if (s === '') return { group: '', version: '' };
  const parts = s.split('/');
  if (parts.length === 1) return { group: '', version: parts[0] };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  return undefined;
}

function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = dropNulls(x);
    return out;
  }
  return v;
}

function annotationsOf(obj: Obj): Obj | undefined {
  return isObj(obj.metadata) && isObj(obj.metadata.annotations) ? obj.metadata.annotations : undefined;
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** lastAppliedManager: the fields whose last-applied value still equals the live value. */
function allowedFromLastApplied(ctx: Ctx, live: Obj): FieldSet | undefined {
  const text = annotationsOf(live)?.[LAST_APPLIED];
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    const last = JSON.parse(text) as unknown;
    if (!isObj(last) || str(last.apiVersion) !== ctx.apiVersion) return undefined;
    const errs: ValidationError[] = [];
    validate(last, ctx.root, '', errs, false);
    if (errs.length) return undefined;
    const set = toFieldSet(last, ctx.root);
    const c = compareTyped(last, live, ctx.root);
    return set.difference(c.modified).difference(c.added).difference(c.removed);
  } catch {
    return undefined;
  }
}

/**
 * Server-side apply (PATCH with application/apply-patch+yaml): merges `applied` into `live` (undefined:
 * the object does not exist yet and is created from `applied`). Returns the object to store, with
 * metadata.managedFields set, and that list. When the apply changes nothing, `object` deep-equals
 * `live` (managedFields included, times untouched) and the store should skip the write. Throws
 * StatusError: 400 (wrong apiVersion/kind, metadata.managedFields given), 409 Conflict with
 * FieldManagerConflict causes (unless force), 400 for lists that cannot be keyed.
 */
export function serverSideApply(live: object | undefined, applied: object, opts: ApplyOptions): { object: object; managedFields: ManagedFieldsEntry[] } {
  if (!isObj(applied)) throw badRequest('error decoding patch: apply patch must be an object');
  const ctx = makeCtx(opts);
  const config = applied as Obj;

  // versionCheckManager
  const kind = opts.kind ?? opts.definition.slice(opts.definition.lastIndexOf('.') + 1);
  const want = parseGV(opts.apiVersion) ?? { group: '', version: '' };
  const gv = parseGV(config.apiVersion) ?? { group: '', version: '' };
  const gvKind = parseGV(config.apiVersion) ? str(config.kind) : '';
  if (gv.group !== want.group || gv.version !== want.version || gvKind !== kind) {
    throw badRequest(`invalid object type: ${gv.group}/${gv.version}, Kind=${gvKind}`);
  }
  if (isObj(config.metadata) && Array.isArray(config.metadata.managedFields)) throw badRequest('metadata.managedFields must be nil');

  const liveObj: Obj = isObj(live) ? (live as Obj) : {};
  const describe = () => {
    const md = isObj(config.metadata) ? config.metadata : {};
    return `${str(md.namespace)}/${str(md.name)}; ${gv.group}/${gv.version}, Kind=${gvKind}`;
  };
  const errs: ValidationError[] = [];
  validate(config, ctx.root, '', errs, false);
  if (errs.length) throw internalError(`failed to create typed patch object (${describe()}): ${validationMessage(errs)}`);
  validate(liveObj, ctx.root, '', errs, true);
  if (errs.length) throw internalError(`failed to create typed live object (${describe()}): ${validationMessage(errs)}`);

  // FieldManager.Apply: the stored list must decode.
  let managed: Managed;
  try {
    managed = decodeManaged(managedFieldsOf(liveObj));
  } catch (e) {
    throw internalError(`failed to decode managed fields: ${(e as Error).message}`);
  }
  const liveTyped = withoutManagedFields(liveObj) as Obj;

  const attempt = (force: boolean): { object: Obj | null; managed: Managed } => {
    let m = managed;
    // skipNonAppliedManager: an object nobody tracked yet is first owned by "before-first-apply".
    if (m.fields.size === 0) m = stackUpdate(ctx, zeroObject(opts.definition), liveTyped, m, 'before-first-apply');
    return stackApply(ctx, liveTyped, config, m, opts.manager, force);
  };

  let result: { object: Obj | null; managed: Managed };
  try {
    try {
      result = attempt(opts.force);
    } catch (e) {
      // lastAppliedManager: kubectl's client-side → server-side upgrade may take over fields whose
      // values still match the last-applied-configuration annotation.
      if (!(e instanceof Conflicts) || opts.manager !== 'kubectl') throw e;
      const allowed = allowedFromLastApplied(ctx, liveObj);
      if (!allowed) throw e;
      const conflictSet = FieldSet.of(...e.list.map((c) => c.path));
      if (!conflictSet.difference(allowed).empty()) throw new Conflicts(e.list.filter((c) => !allowed.has(c.path)));
      result = attempt(true);
    }
  } catch (e) {
    if (e instanceof Conflicts) throw conflictError(e.list);
    if (e instanceof TypedError) throw internalError(`failed to merge config: ${e.message}`);
    throw e;
  }

  let object = dropNulls(result.object ?? liveTyped) as Obj;

  // lastAppliedUpdater: kubectl keeps the client-side annotation in sync when it is there.
  const annotations = annotationsOf(object);
  if (opts.manager === 'kubectl' && typeof annotations?.[LAST_APPLIED] === 'string' && annotations[LAST_APPLIED] !== '') {
    const copy = clone(config);
    const ann = annotationsOf(copy);
    if (ann) delete ann[LAST_APPLIED];
    const updated: Obj = { ...annotations, [LAST_APPLIED]: `${goJSON(copy, true)}\n` };
    let size = 0;
    for (const [k, v] of Object.entries(updated)) size += utf8Length(k) + utf8Length(str(v));
    if (size > TOTAL_ANNOTATION_SIZE_LIMIT) delete updated[LAST_APPLIED];
    object = { ...object, metadata: { ...(object.metadata as Obj), annotations: updated } };
  }

  const managedFields = encodeManaged(result.managed);
  const metadata: Obj = isObj(object.metadata) ? { ...object.metadata } : {};
  if (managedFields.length) metadata.managedFields = managedFields;
  else delete metadata.managedFields;
  object = { ...object, metadata };
  return { object, managedFields };
}

/**
 * IgnoreManagedFieldsTimestampsTransformer (generic registry store, after the update strategy): when the
 * object to store equals the stored one except for managedFields timestamps, keep the stored timestamps,
 * so that the write is a no-op (no resourceVersion bump). Returns `newObj` or a copy with old times.
 */
export function ignoreManagedFieldsTimestamps<T extends object>(newObj: T, oldObj: object): T {
  const nf = managedFieldsOf(newObj);
  const of = managedFieldsOf(oldObj);
  if (!Array.isArray(nf) || !Array.isArray(of) || nf.length !== of.length || nf.length === 0) return newObj;
  const timeOf = (e: unknown) => (isObj(e) ? e.time : undefined);
  if (nf.every((e, i) => timeOf(e) === timeOf(of[i]))) return newObj;
  const withoutTime = (e: unknown) => {
    if (!isObj(e)) return e;
    const c = { ...e };
    delete c.time;
    return c;
  };
  if (!nf.every((e, i) => valuesEqual(withoutTime(e), withoutTime(of[i])))) return newObj;
  if (!valuesEqual(withoutManagedFields(newObj), withoutManagedFields(oldObj))) return newObj;
  const entries = nf.map((e, i) => {
    const t = timeOf(of[i]);
    const c = withoutTime(e) as Obj;
    return t === undefined ? c : rebuildWithTime(c, t);
  });
  const out = { ...(newObj as Obj) };
  out.metadata = { ...(out.metadata as Obj), managedFields: entries };
  return out as T;
}

/** Put `time` back at its place in the entry's key order (after apiVersion). */
function rebuildWithTime(entry: Obj, time: unknown): Obj {
  const out: Obj = {};
  let placed = false;
  for (const [k, v] of Object.entries(entry)) {
    if (!placed && (k === 'fieldsType' || k === 'fieldsV1' || k === 'subresource')) {
      out.time = time;
      placed = true;
    }
    out[k] = v;
  }
  if (!placed) out.time = time;
  return out;
}

/** The manager of a non-apply write without fieldManager: the user agent up to its first "/" (max 128). */
export function managerFromUserAgent(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  const prefix = (userAgent ?? '').split('/')[0];
  let out = '';
  for (const ch of prefix) {
    if (!/[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch)) continue; // unicode.IsPrint
    if (utf8Length(out + ch) > 128) break;
    out += ch;
  }
  return out;
}
