// Strategic merge patch as kube-apiserver applies it (k8s.io/apimachinery/pkg/util/strategicpatch,
// StrategicMergeMapPatch with MergeParallelList and IgnoreUnmatchedNulls, the server-side options), plus
// CreateTwoWayMergePatch. Pure functions: inputs are never mutated.
//
// Semantics, in short:
//  - maps merge key by key; `null` deletes a key; a value of another JSON type replaces;
//  - lists whose field has patchStrategy "merge" merge: lists of maps by patchMergeKey (a patch element
//    merges into the live element with the same key, or is added), lists of scalars as ordered sets;
//    every other list is replaced whole;
//  - directives: `$patch: replace | delete` on a map (replace the map / delete it), `{"$patch": "delete",
//    <key>: v}` and `{"$patch": "replace"}` as list elements, `$retainKeys: [...]` (drop every other key
//    of the live map), `$setElementOrder/<list>: [...]` (final order of a merging list),
//    `$deleteFromPrimitiveList/<list>: [...]` (remove scalars). `$patch: merge` is rejected, as upstream;
//  - element order without $setElementOrder: patch items keep the patch's relative order and live-only
//    items keep theirs, interleaved by their live positions; new items go before the live-only items
//    that follow them (upstream's mergeSortedSlice).
//  - where we have no schema (unknown definitions and fields, free-form maps such as labels or data,
//    RawExtension/JSON) values merge as in JSON merge patch: maps merge, lists replace. Values of maps
//    of structs (JSONSchemaProps.properties) use the struct's metadata. Upstream errors out in these
//    places ("unable to find api field …" / "… data type is not struct …") when both sides hold a map
//    or a list; we merge instead.
//
// Values taken from the patch as they are (new keys, replaced lists, elements added to a merging list,
// `$patch: replace` contents) are cleaned the way kube-apiserver's decoding into the typed object
// cleans them: null members dropped, leftover directive keys dropped.
//
// Errors are Status errors worded and coded like kube-apiserver's: a malformed directive (bad
// $retainKeys / $setElementOrder / $deleteFromPrimitiveList format) is a 400 BadRequest; lists of lists
// are a 422 Invalid with the generic message; everything else strategicpatch reports (missing merge
// key, unknown $patch value, element order mismatch, …) reaches the client as a 500 Status without a
// reason, because kube-apiserver passes those errors through unconverted.
import { errors, failure, StatusError } from '../api/status';
import { fieldPatchMeta, fieldSchema, hasDefinition, patchStrategies, type FieldSchema } from '../registry/patch-meta';
import { cloneJSON, setMember } from './jsonpatch';

type Obj = Record<string, unknown>;

const DIRECTIVE = '$patch';
const DELETE = 'delete';
const REPLACE = 'replace';
const MERGE = 'merge';
const RETAIN_KEYS_STRATEGY = 'retainKeys';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

// ---------------------------------------------------------------------------------------------------
// Schema

/** What strategic merge patch needs to know about a field. */
export interface PatchFieldInfo {
  /** `patchStrategy` split on commas ("merge", "replace", "retainKeys"), [] when none. */
  strategies: string[];
  /** `patchMergeKey`, '' when none. */
  mergeKey: string;
  /** Schema of the field's value: of the struct or map it holds, or of the elements of a list. */
  schema?: PatchSchema;
}

/** A position in the schema: a struct definition, or a map whose values share a schema. */
export interface PatchSchema {
  lookup(key: string): PatchFieldInfo;
  /** Go kind name used in upstream error messages ("struct", "map"). */
  readonly name: string;
}

const NO_INFO: PatchFieldInfo = Object.freeze({ strategies: [], mergeKey: '' }) as PatchFieldInfo;

class MapSchema implements PatchSchema {
  readonly name = 'map';
  private readonly info: PatchFieldInfo;
  constructor(value: PatchSchema | undefined) {
    this.info = { strategies: [], mergeKey: '', schema: value };
  }
  lookup(): PatchFieldInfo {
    return this.info;
  }
}

const FREE_MAP = new MapSchema(undefined);

class DefinitionSchema implements PatchSchema {
  readonly name = 'struct';
  private readonly cache = new Map<string, PatchFieldInfo>();
  constructor(readonly definition: string) {}
  lookup(key: string): PatchFieldInfo {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const fs = fieldSchema(this.definition, key);
    if (!fs) return NO_INFO; // unknown field: no metadata, JSON-merge semantics below it
    const meta = fieldPatchMeta(this.definition, key);
    const info: PatchFieldInfo = { strategies: patchStrategies(meta), mergeKey: meta?.patchMergeKey ?? '', schema: valueSchema(fs) };
    this.cache.set(key, info);
    return info;
  }
}

const byDefinition = new Map<string, DefinitionSchema>();

function structSchema(definition: string): DefinitionSchema {
  let s = byDefinition.get(definition);
  if (!s) {
    s = new DefinitionSchema(definition);
    byDefinition.set(definition, s);
  }
  return s;
}

function valueSchema(fs: FieldSchema): PatchSchema | undefined {
  const structOf = () => (fs.definition && !fs.untyped ? structSchema(fs.definition) : undefined);
  switch (fs.kind) {
    case 'object':
      return structOf();
    case 'map':
      if (fs.elementKind === 'object') return fs.definition && !fs.untyped ? new MapSchema(structSchema(fs.definition)) : FREE_MAP;
      return FREE_MAP;
    case 'array':
      if (fs.elementKind === 'object') return structOf();
      if (fs.elementKind === 'map') return FREE_MAP;
      return undefined;
    default:
      return undefined;
  }
}

/** The schema of an OpenAPI definition (`io.k8s.api.apps.v1.Deployment`), undefined when we have none. */
export function definitionSchema(definition: string): PatchSchema | undefined {
  return hasDefinition(definition) ? structSchema(definition) : undefined;
}

function lookup(schema: PatchSchema | undefined, key: string): PatchFieldInfo {
  return schema ? schema.lookup(key) : NO_INFO;
}

// ---------------------------------------------------------------------------------------------------
// Errors and Go-style formatting (messages are compared verbatim by some clients and tests)

/**
 * A plain Go error, which kube-apiserver answers with a reason-less 500. Bad input is never a 500
 * here: same message, as a 400 BadRequest.
 */
function serverError(message: string): StatusError {
  return errors.badRequest(message);
}

const errBadPatchFormatForPrimitiveList = () => errors.badRequest('invalid patch format of primitive list');
const errBadPatchFormatForRetainKeys = () => errors.badRequest('invalid patch format of retainKeys');
const errBadPatchFormatForSetElementOrderList = () => errors.badRequest('invalid patch format of setElementOrder list');
const errNoListOfLists = () => new StatusError(failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {}));
const errNoMergeKey = (m: Obj, key: string) => serverError(`map: ${goV(m)} does not contain declared merge key: ${key}`);
const errBadArgType = (expected: 'map' | 'slice', actual: unknown) =>
  serverError(`expected a ${expected === 'map' ? 'map[string]interface {}' : '[]interface {}'}, but received a ${goTypeName(actual)}`);
const errBadPatchType = (t: unknown, m: Obj) => serverError(`unknown patch type: ${goS(t)} in map: ${goV(m)}`);

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function has(o: Obj, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k) && o[k] !== undefined;
}

type GoType = 'nil' | 'map' | 'slice' | 'string' | 'bool' | 'int64' | 'float64';

/** The Go type a JSON value decodes to in apimachinery (whole numbers become int64). */
function goType(v: unknown): GoType {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return Number.isInteger(v) && Math.abs(v as number) < 2 ** 63 ? 'int64' : 'float64';
}

function goTypeName(v: unknown): string {
  switch (goType(v)) {
    case 'nil':
      return '%!s(<nil>)';
    case 'map':
      return 'map[string]interface {}';
    case 'slice':
      return '[]interface {}';
    default:
      return goType(v);
  }
}

function goNumber(n: number): string {
  if (goType(n) === 'int64') return String(n);
  const a = Math.abs(n);
  if (a !== 0 && Number.isFinite(n) && (a < 1e-4 || a >= 1e21)) {
    return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(n);
}

/** fmt's %v. */
function goV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goV).join(' ')}]`;
  if (isObj(v)) return `map[${Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => `${k}:${goV(v[k])}`).join(' ')}]`;
  if (typeof v === 'number') return goNumber(v);
  return String(v);
}

/** fmt's %s. */
function goS(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(goS).join(' ')}]`;
  if (isObj(v)) return `map[${Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => `${k}:${goS(v[k])}`).join(' ')}]`;
  if (typeof v === 'number') return `%!s(${goType(v)}=${goNumber(v)})`;
  return `%!s(bool=${String(v)})`;
}

/** Go's `==` on two decoded JSON values: scalars of the same type and value; maps and lists never. */
function goEqual(a: unknown, b: unknown): boolean {
  const ta = goType(a);
  if (ta !== goType(b)) return false;
  if (ta === 'nil') return true;
  if (ta === 'map' || ta === 'slice') return false;
  return a === b;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (goType(a) !== goType(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => deepEqual(x, (b as unknown[])[i]));
  if (isObj(a)) {
    const bo = b as Obj;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(bo).filter((k) => bo[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => has(bo, k) && deepEqual(a[k], bo[k]));
  }
  return a === b || (a == null && b == null);
}

// ---------------------------------------------------------------------------------------------------
// Cleaning values taken from the patch

function isDirectiveKey(k: string): boolean {
  return k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(`${SET_ELEMENT_ORDER}/`) || k.startsWith(`${DELETE_FROM_PRIMITIVE_LIST}/`);
}

/** Null members and directive keys dropped, recursively (what decoding into the typed object does). */
function clean(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = clean(v[i]);
    return v;
  }
  if (isObj(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null || v[k] === undefined || isDirectiveKey(k)) delete v[k];
      else v[k] = clean(v[k]);
    }
  }
  return v;
}

/** discardNullValuesFromPatch: null members of maps go, recursively (also in maps inside lists). */
function discardNulls(v: unknown): void {
  if (Array.isArray(v)) for (const x of v) discardNulls(x);
  else if (isObj(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNulls(v[k]);
    }
  }
}

/** removeDirectives: maps holding `$patch` (and list elements that are such maps) are dropped. */
function removeDirectives(obj: unknown): [unknown, boolean] {
  if (isObj(obj)) {
    if (has(obj, DIRECTIVE)) return [null, false];
    for (const k of Object.keys(obj)) {
      const [v, keep] = removeDirectives(obj[k]);
      if (keep) obj[k] = v;
      else delete obj[k];
    }
    return [obj, true];
  }
  if (Array.isArray(obj)) {
    const res: unknown[] = [];
    for (const v of obj) {
      const [nv, keep] = removeDirectives(v);
      if (keep) res.push(nv);
    }
    return [res, true];
  }
  return [obj, true];
}

/** A patch value placed as is where the live object has nothing comparable. */
function takePatchValue(original: Obj, key: string, patchV: unknown): void {
  discardNulls(patchV);
  const [v, keep] = removeDirectives(patchV);
  if (keep) setMember(original, key, clean(v));
  else delete original[key];
}

// ---------------------------------------------------------------------------------------------------
// Merging

function extractRetainKeysPatchStrategy(strategies: string[]): string {
  switch (strategies.length) {
    case 0:
      return '';
    case 1:
      return strategies[0] === RETAIN_KEYS_STRATEGY ? '' : strategies[0];
    case 2:
      if (strategies[0] === RETAIN_KEYS_STRATEGY) return strategies[1];
      if (strategies[1] === RETAIN_KEYS_STRATEGY) return strategies[0];
    // fallthrough
    default:
      throw serverError(`unexpected patch strategy: [${strategies.join(' ')}]`);
  }
}

function extractKey(s: string, prefix: string): string {
  const i = s.indexOf('/');
  if (i < 0 || s.slice(0, i) !== prefix) {
    throw prefix === DELETE_FROM_PRIMITIVE_LIST ? errBadPatchFormatForPrimitiveList() : errBadPatchFormatForSetElementOrderList();
  }
  return s.slice(i + 1);
}

function mergeMap(original: Obj | null, patch: Obj, schema: PatchSchema | undefined): Obj {
  if (has(patch, DIRECTIVE)) return handleDirectiveInMergeMap(patch[DIRECTIVE], patch);
  const out: Obj = original ?? {};
  applyRetainKeysDirective(out, patch);
  mergePatchIntoOriginal(out, patch, schema);

  for (const k of Object.keys(patch)) {
    const patchV = patch[k];
    if (patchV === undefined) continue;
    let key = k;
    let isDeleteList = false;
    if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = extractKey(k, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete out[key];
      continue;
    }
    if (!has(out, key) || goType(out[key]) !== goType(patchV)) {
      if (!isDeleteList) takePatchValue(out, key, patchV);
      continue;
    }
    const cur = out[key];
    if (isObj(cur)) {
      const info = lookup(schema, key);
      const strategy = extractRetainKeysPatchStrategy(info.strategies);
      setMember(out, key, strategy !== REPLACE ? mergeMap(cur, patchV as Obj, info.schema) : clean(patchV));
    } else if (Array.isArray(cur)) {
      const info = lookup(schema, key);
      const strategy = extractRetainKeysPatchStrategy(info.strategies);
      setMember(out, key, mergeSliceHandler(cur, patchV as unknown[], info.schema, strategy, info.mergeKey, isDeleteList));
    } else {
      setMember(out, key, patchV);
    }
  }
  return out;
}

function handleDirectiveInMergeMap(directive: unknown, patch: Obj): Obj {
  if (directive === REPLACE) {
    delete patch[DIRECTIVE];
    return clean(patch) as Obj;
  }
  if (directive === DELETE) return {};
  throw errBadPatchType(directive, patch);
}

function applyRetainKeysDirective(original: Obj, patch: Obj): void {
  if (!Object.prototype.hasOwnProperty.call(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw errBadPatchFormatForRetainKeys();
  const keep = new Set(retain.filter((v) => typeof v === 'string'));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === undefined || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw errBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** $setElementOrder/<list>: merge that list (if patched) and put it in the requested order. */
function mergePatchIntoOriginal(original: Obj, patch: Obj, schema: PatchSchema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const setOrder = patch[key];
    delete patch[key];
    if (!Array.isArray(setOrder)) throw errBadArgType('slice', setOrder);
    const listKey = extractKey(key, SET_ELEMENT_ORDER);
    // A null live list counts as absent (upstream's typed objects never hold one).
    const foundOriginal = has(original, listKey) && original[listKey] !== null;
    const foundPatch = has(patch, listKey);
    let originalList: unknown[] = [];
    let patchList: unknown[] = [];
    if (foundOriginal) {
      if (!Array.isArray(original[listKey])) throw errBadArgType('slice', original[listKey]);
      originalList = original[listKey] as unknown[];
    }
    if (foundPatch) {
      if (!Array.isArray(patch[listKey])) throw errBadArgType('slice', patch[listKey]);
      patchList = patch[listKey] as unknown[];
    }
    const info = lookup(schema, listKey);
    const strategy = extractRetainKeysPatchStrategy(info.strategies);
    validatePatchWithSetOrderList(patchList, setOrder, info.mergeKey);

    // Upstream merges the live list in place: deletions shift its backing array and additions land in
    // the freed slots, and the final ordering below reads the live order through that array.
    const live = new LiveView(originalList);
    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = originalList;
    else if (!foundOriginal && foundPatch) merged = clean(removeDirectives(patchList)[0]) as unknown[];
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(originalList.slice(), patchList, info.schema, strategy, info.mergeKey, false, live);
    else continue;

    const [patchItems, serverOnly] = info.mergeKey
      ? partitionMapsByPresentInList(merged, setOrder, info.mergeKey)
      : partitionPrimitivesByPresentInList(merged, setOrder);
    const kind = sliceElementType(originalList, patchList);
    setMember(original, listKey, normalizeElementOrder(patchItems, serverOnly, setOrder, live.view, info.mergeKey, kind));
    delete patch[listKey];
  }
}

function validatePatchWithSetOrderList(patchList: unknown[], setOrder: unknown[], mergeKey: string): void {
  if (setOrder.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? extractToDeleteItems(patchList)[0] : patchList;
  let p = 0;
  let s = 0;
  while (p < nonDelete.length && s < setOrder.length) {
    if (isObj(nonDelete[p]) && has(nonDelete[p] as Obj, DIRECTIVE)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(nonDelete[p], setOrder[s], mergeKey)) p++;
    s++;
  }
  if (p < nonDelete.length && s >= setOrder.length) {
    throw serverError(`The order in patch list:\n${goV(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goV(setOrder)}\n`);
  }
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return goEqual(left, right);
  if (!isObj(left)) throw errBadArgType('map', left);
  if (!isObj(right)) throw errBadArgType('map', right);
  if (!has(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!has(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return goEqual(left[mergeKey], right[mergeKey]);
}

function mergeSliceHandler(
  original: unknown[],
  patch: unknown[],
  schema: PatchSchema | undefined,
  strategy: string,
  mergeKey: string,
  isDeleteList: boolean,
  live?: LiveView,
): unknown[] {
  // Delete lists are handled the same way whatever the field's patch strategy.
  if (strategy === MERGE || isDeleteList) return mergeSlice(original, patch, schema, mergeKey, isDeleteList, live);
  return clean(patch) as unknown[];
}

/**
 * What a caller still sees of a live list that upstream's mergeSlice edits in place: the Go slice
 * header keeps its length while deletions shift the backing array left (leaving a stale last slot) and
 * appended elements are written into the slots freed that way.
 */
class LiveView {
  readonly view: unknown[];
  private len: number;
  private detached = false;
  constructor(list: unknown[]) {
    this.view = list.slice();
    this.len = list.length;
  }
  delete(i: number): void {
    if (this.detached) return;
    for (let k = i; k < this.len - 1; k++) this.view[k] = this.view[k + 1];
    this.len--;
  }
  set(i: number, v: unknown): void {
    if (!this.detached && i < this.len) this.view[i] = v;
  }
  append(v: unknown): void {
    if (this.detached) return;
    if (this.len < this.view.length) this.view[this.len] = v;
    this.len++;
  }
  /** The merge continues on another array (`$patch: replace`). */
  detach(): void {
    this.detached = true;
  }
}

function mergeSlice(
  original: unknown[],
  patch: unknown[],
  schema: PatchSchema | undefined,
  mergeKey: string,
  isDeleteList: boolean,
  live?: LiveView,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementType(original, patch);
  let merged: unknown[];
  if (kind !== 'map') {
    if (isDeleteList) return deleteFromSlice(original, patch);
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (!mergeKey) throw serverError(`cannot merge lists without merge key for ${schema?.name ?? 'struct'}`);
    [original, patch] = mergeSliceWithSpecialElements(original, patch, mergeKey, live);
    merged = mergeSliceWithoutSpecialElements(original, patch, mergeKey, schema, live);
  }
  const [patchItems, serverOnly] = mergeKey
    ? partitionMapsByPresentInList(merged, patch, mergeKey)
    : partitionPrimitivesByPresentInList(merged, patch);
  return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
}

/** `$patch: delete` / `$patch: replace` elements; returns the live list and the rest of the patch. */
function mergeSliceWithSpecialElements(original: unknown[], patch: unknown[], mergeKey: string, live?: LiveView): [unknown[], unknown[]] {
  const rest: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    const m = v as Obj;
    if (!has(m, DIRECTIVE)) {
      rest.push(v);
      continue;
    }
    const t = m[DIRECTIVE];
    if (t === DELETE) {
      if (!has(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
      original = deleteMatchingEntries(original, mergeKey, m[mergeKey], live);
    } else if (t === REPLACE) {
      replace = true; // keep going: other $patch elements are still pruned
    } else if (t === MERGE) {
      throw serverError('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(t, m);
    }
  }
  if (replace) {
    live?.detach();
    return [clean(rest) as unknown[], []];
  }
  return [original, rest];
}

function deleteMatchingEntries(original: unknown[], mergeKey: string, value: unknown, live?: LiveView): unknown[] {
  let out = original;
  for (;;) {
    const [, i, found] = findMapInSliceBasedOnKeyValue(out, mergeKey, value);
    if (!found) return out;
    out = [...out.slice(0, i), ...out.slice(i + 1)];
    live?.delete(i);
  }
}

function mergeSliceWithoutSpecialElements(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
  schema: PatchSchema | undefined,
  live?: LiveView,
): unknown[] {
  const out = original.slice();
  for (const v of patch) {
    const m = v as Obj;
    if (!has(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
    const [cur, i, found] = findMapInSliceBasedOnKeyValue(out, mergeKey, m[mergeKey]);
    if (found) {
      out[i] = mergeMap(cur!, m, schema);
      live?.set(i, out[i]);
    } else {
      out.push(clean(v));
      live?.append(out[out.length - 1]);
    }
  }
  return out;
}

function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  const doomed = scalarSet(toDelete);
  return current.filter((v) => !doomed(v));
}

function findMapInSliceBasedOnKeyValue(list: unknown[], key: string, value: unknown): [Obj | undefined, number, boolean] {
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (!isObj(m)) throw serverError(`value for key ${i} is not a map`);
    if (has(m, key) && goEqual(m[key], value)) return [m, i, true];
  }
  return [undefined, 0, false];
}

/** Duplicates dropped, first occurrences kept (upstream's order differs, but every caller re-sorts). */
function deduplicateScalars(s: unknown[]): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const v of s) {
    const k = scalarKey(v);
    if (k === undefined) out.push(v);
    else if (!seen.has(k)) {
      seen.add(k);
      out.push(v);
    }
  }
  return out;
}

function partitionPrimitivesByPresentInList(list: unknown[], by: unknown[]): [unknown[], unknown[]] {
  const inBy = scalarSet(by);
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of list) (inBy(v) ? inPatch : serverOnly).push(v);
  return [inPatch, serverOnly];
}

function partitionMapsByPresentInList(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of list) {
    if (!isObj(v)) throw errBadArgType('map', v);
    if (!has(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    const [, , found] = findMapInSliceBasedOnKeyValue(by, mergeKey, v[mergeKey]);
    (found ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}

/** The Go type shared by every element (maps, or one scalar type); errors like sliceElementType. */
function sliceElementType(...lists: unknown[][]): GoType {
  let prev: GoType | undefined;
  for (const l of lists) {
    for (const v of l) {
      const t = goType(v);
      if (prev === undefined) {
        prev = t;
        if (t === 'slice') throw errNoListOfLists();
      } else if (prev !== t) {
        throw serverError(`list element types are not identical: ${goV(lists)}`);
      }
    }
  }
  if (prev === undefined) throw serverError('no elements in any of the given slices');
  return prev;
}

function extractToDeleteItems(l: unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const del: unknown[] = [];
  for (const v of l) {
    if (!isObj(v)) throw errBadArgType('map', v);
    (v[DIRECTIVE] === DELETE ? del : keep).push(v);
  }
  return [keep, del];
}

function validateMergeKeyInLists(mergeKey: string, ...lists: unknown[][]): void {
  for (const l of lists) {
    for (const item of l) {
      if (!isObj(item)) throw errBadArgType('map', item);
      if (!has(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

/** A key such that goEqual(a, b) ⇔ scalarKey(a) === scalarKey(b); undefined for maps and lists. */
function scalarKey(v: unknown): string | undefined {
  const t = goType(v);
  if (t === 'map' || t === 'slice') return undefined;
  return t === 'nil' ? 'nil' : `${t}:${String(v)}`;
}

/**
 * Positions of items in `l` (first occurrence): by merge key value for maps, by value for scalars —
 * upstream's index(). The returned function gives -1 for items not in `l`.
 */
function positionsIn(l: unknown[], mergeKey: string, kind: GoType): (item: unknown) => number {
  const val = (x: unknown) => (kind === 'map' ? (isObj(x) ? x[mergeKey] : undefined) : x);
  const at = new Map<string, number>();
  l.forEach((x, i) => {
    const k = scalarKey(val(x));
    if (k !== undefined && !at.has(k)) at.set(k, i);
  });
  return (item) => {
    const k = scalarKey(val(item));
    return k === undefined ? -1 : (at.get(k) ?? -1);
  };
}

/** Membership by Go `==` (scalars only; maps and lists are never members). */
function scalarSet(l: unknown[]): (v: unknown) => boolean {
  const keys = new Set<string>();
  for (const x of l) {
    const k = scalarKey(x);
    if (k !== undefined) keys.add(k);
  }
  return (v) => {
    const k = scalarKey(v);
    return k !== undefined && keys.has(k);
  };
}

/** Stable sort of `toSort` by the positions of its items in `order`; `$patch: delete` maps go last. */
function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: GoType): unknown[] {
  let del: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, toSort, order);
    [toSort, del] = extractToDeleteItems(toSort);
  }
  const indexOf = positionsIn(order, mergeKey, kind);
  const keyed = toSort.map((v, i) => {
    const at = indexOf(v);
    return { v, i, at: at < 0 ? Number.POSITIVE_INFINITY : at };
  });
  keyed.sort((a, b) => (a.at === b.at ? a.i - b.i : a.at < b.at ? -1 : 1));
  return [...keyed.map((k) => k.v), ...del];
}

function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: GoType,
): unknown[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

/**
 * Interleave server-only items (`left`) into the patch items (`right`): a server-only item goes first
 * only when both are in the live list and it comes earlier there.
 */
function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: GoType): unknown[] {
  const indexOf = positionsIn(serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexOf(left[i]);
      const ri = indexOf(right[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string, number
}

/**
 * Apply a strategic merge patch (already JSON-decoded) to `original` as kube-apiserver does for the
 * built-in kind whose OpenAPI definition is `definition` (e.g. `io.k8s.api.apps.v1.Deployment`; see
 * definitionName in src/api/openapi.ts). Returns a new object; inputs are not mutated. A null patch
 * changes nothing; a patch that is not a JSON object is a 400 like kube-apiserver's decoding error.
 * Unknown definitions get JSON-merge semantics with the directives still honoured.
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, definition: string): unknown {
  return applyStrategicMergePatchWithSchema(original, patch, definitionSchema(definition));
}

/** applyStrategicMergePatch with an explicit schema (undefined: no patch metadata anywhere). */
export function applyStrategicMergePatchWithSchema(original: unknown, patch: unknown, schema: PatchSchema | undefined): unknown {
  if (patch === null || patch === undefined) return isObj(original) ? cloneJSON(original) : {};
  if (!isObj(patch)) throw errors.badRequest(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`);
  return mergeMap(isObj(original) ? cloneJSON(original) : {}, cloneJSON(patch), schema);
}

// ---------------------------------------------------------------------------------------------------
// CreateTwoWayMergePatch (with $setElementOrder lists, as kubectl's patch computations produce)

interface DiffOptions {
  buildRetainKeys: boolean;
}

/** %v of a scalar, which upstream uses to sort and compare scalars and merge key values. */
const sortString = (v: unknown) => goV(v);

function sortScalars(s: unknown[]): unknown[] {
  return s
    .map((v, i) => ({ v, i, k: sortString(v) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i))
    .map((x) => x.v);
}

function sortMapsByField(l: unknown[], field: string): unknown[] {
  return l
    .map((v, i) => ({ v, i, k: sortString((v as Obj)[field]) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i))
    .map((x) => x.v);
}

function diffMaps(original: Obj, modified: Obj, schema: PatchSchema | undefined, opts: DiffOptions): Obj {
  const patch: Obj = {};
  const retainKeysList: string[] = [];
  for (const key of Object.keys(modified)) {
    const mv = modified[key];
    if (mv === undefined) continue;
    if (opts.buildRetainKeys && mv !== null) retainKeysList.push(key);
    if (!has(original, key)) {
      setMember(patch, key, mv);
      continue;
    }
    const ov = original[key];
    if (key === DIRECTIVE) {
      if (typeof ov !== 'string' || typeof mv !== 'string') throw serverError(`invalid value for special key: ${DIRECTIVE}`);
      if (ov !== mv) patch[DIRECTIVE] = mv;
      continue;
    }
    if (goType(ov) !== goType(mv)) {
      setMember(patch, key, mv);
      continue;
    }
    if (isObj(ov)) handleMapDiff(key, ov, mv as Obj, patch, schema);
    else if (Array.isArray(ov)) handleSliceDiff(key, ov, mv as unknown[], patch, schema);
    else if (!deepEqual(ov, mv)) setMember(patch, key, mv);
  }
  for (const key of Object.keys(original)) if (original[key] !== undefined && !has(modified, key)) setMember(patch, key, null);
  if (retainKeysList.length > 0 && (Object.keys(patch).length > 0 || hasAdditionalNewField(original, modified))) {
    patch[RETAIN_KEYS] = sortScalars(retainKeysList);
  }
  return patch;
}

function hasAdditionalNewField(original: Obj, modified: Obj): boolean {
  return Object.keys(original).some((k) => original[k] !== null && original[k] !== undefined && !has(modified, k));
}

function handleMapDiff(key: string, ov: Obj, mv: Obj, patch: Obj, schema: PatchSchema | undefined): void {
  const info = lookup(schema, key);
  const retainKeys = info.strategies.includes(RETAIN_KEYS_STRATEGY);
  const strategy = extractRetainKeysPatchStrategy(info.strategies);
  if (strategy === REPLACE) {
    setMember(patch, key, mv);
    return;
  }
  const pv = diffMaps(ov, mv, info.schema, { buildRetainKeys: retainKeys });
  if (Object.keys(pv).length > 0) setMember(patch, key, pv);
}

function handleSliceDiff(key: string, ov: unknown[], mv: unknown[], patch: Obj, schema: PatchSchema | undefined): void {
  const info = lookup(schema, key);
  const retainKeys = info.strategies.includes(RETAIN_KEYS_STRATEGY);
  const strategy = extractRetainKeysPatchStrategy(info.strategies);
  if (strategy !== MERGE) {
    if (!deepEqual(ov, mv)) setMember(patch, key, mv);
    return;
  }
  const [add, del, order] = diffLists(ov, mv, info.schema, info.mergeKey, { buildRetainKeys: retainKeys });
  if (add.length > 0) setMember(patch, key, add);
  if (del.length > 0) patch[`${DELETE_FROM_PRIMITIVE_LIST}/${key}`] = del;
  if (order.length > 0) patch[`${SET_ELEMENT_ORDER}/${key}`] = order;
}

function diffLists(original: unknown[], modified: unknown[], schema: PatchSchema | undefined, mergeKey: string, opts: DiffOptions): [unknown[], unknown[], unknown[]] {
  if (original.length === 0) return [modified.length === 0 ? [] : modified, [], []];
  const kind = sliceElementType(original, modified);
  if (kind === 'map') {
    const [changed, deleted] = diffListsOfMaps(original, modified, schema, mergeKey, opts);
    const patchList = [...normalizeSliceOrder(changed, modified, mergeKey, kind), ...deleted];
    let orderSame = original.length === modified.length;
    for (let i = 0; orderSame && i < modified.length; i++) orderSame = mergeKeyValueEqual(original[i], modified[i], mergeKey);
    const setOrder = patchList.length > 0 || !orderSame ? modified.map((v) => ({ [mergeKey]: (v as Obj)[mergeKey] })) : [];
    return [patchList, [], setOrder];
  }
  const [added, deleted] = diffListsOfScalars(original, modified);
  const patchList = normalizeSliceOrder(added, modified, mergeKey, kind);
  // Upstream compares the live list, already sorted in place by diffListsOfScalars, with the new one:
  // an unchanged but unsorted list still gets a $setElementOrder list.
  const setOrder = deleted.length > 0 || !deepEqual(sortScalars(original), modified) ? modified : [];
  return [patchList, deleted, setOrder];
}

function diffListsOfScalars(original: unknown[], modified: unknown[]): [unknown[], unknown[]] {
  const o = sortScalars(original);
  const m = sortScalars(modified);
  const add: unknown[] = [];
  const del: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < o.length || j < m.length) {
    const os = i < o.length ? sortString(o[i]) : undefined;
    const ms = j < m.length ? sortString(m[j]) : undefined;
    if (os !== undefined && ms !== undefined && os === ms) {
      i++;
      j++;
    } else if (os === undefined || (ms !== undefined && os > ms)) {
      add.push(m[j++]);
    } else {
      del.push(o[i++]);
    }
  }
  return [add, deduplicateScalars(del)];
}

function diffListsOfMaps(original: unknown[], modified: unknown[], schema: PatchSchema | undefined, mergeKey: string, opts: DiffOptions): [unknown[], unknown[]] {
  const keyOf = (l: unknown[], i: number): [Obj, unknown] => {
    const m = l[i];
    if (!isObj(m)) throw errBadArgType('map', m);
    if (!has(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
    return [m, m[mergeKey]];
  };
  const o = sortMapsByField(original, mergeKey);
  const m = sortMapsByField(modified, mergeKey);
  const patch: unknown[] = [];
  const del: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < o.length || j < m.length) {
    const [oe, ok] = i < o.length ? keyOf(o, i) : [undefined, undefined];
    const [me, mk] = j < m.length ? keyOf(m, j) : [undefined, undefined];
    const os = oe ? sortString(ok) : undefined;
    const ms = me ? sortString(mk) : undefined;
    if (oe && me && os === ms) {
      const pv = diffMaps(oe, me, schema, opts);
      if (Object.keys(pv).length > 0) {
        pv[mergeKey] = mk;
        patch.push(pv);
      }
      i++;
      j++;
    } else if (!oe || (me && os! > ms!)) {
      patch.push(me);
      j++;
    } else {
      del.push({ [DIRECTIVE]: DELETE, [mergeKey]: ok });
      i++;
    }
  }
  return [patch, del];
}

/**
 * CreateTwoWayMergePatch: the strategic merge patch that turns `original` into `modified` for the kind
 * with OpenAPI definition `definition` — removed keys as null, merging lists as changed elements plus
 * `$patch: delete` elements / `$deleteFromPrimitiveList` and a `$setElementOrder` list, `$retainKeys`
 * for retainKeys fields. Inputs are not mutated.
 */
export function createTwoWayMergePatch(original: unknown, modified: unknown, definition: string): Obj {
  return createTwoWayMergePatchWithSchema(original, modified, definitionSchema(definition));
}

export function createTwoWayMergePatchWithSchema(original: unknown, modified: unknown, schema: PatchSchema | undefined): Obj {
  const o = original === null || original === undefined ? {} : original;
  const m = modified === null || modified === undefined ? {} : modified;
  if (!isObj(o) || !isObj(m)) throw errors.badRequest('invalid JSON document');
  return cloneJSON(diffMaps(o, m, schema, { buildRetainKeys: false }));
}
