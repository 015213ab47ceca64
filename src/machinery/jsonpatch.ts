// RFC 6902 JSON Patch as kube-apiserver applies it (gopkg.in/evanphx/json-patch.v4), quirks included:
// negative array indices count from the end, `replace` of a missing object key adds it, `copy` from a
// missing object key copies null, a null value and a missing key are the same for `test`.
import { errors, failure, StatusError } from '../api/status';

/** kube-apiserver's maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/**
 * An operation that could not be applied. kube-apiserver answers these with a bare 422 (reason Invalid,
 * the generic message below, empty details); `detail` keeps json-patch's own explanation for logs and tests.
 */
export class JsonPatchError extends StatusError {
  constructor(readonly detail: string) {
    super(failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {}));
  }
}

type Obj = Record<string, unknown>;
type Container = Obj | unknown[];

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** obj[key] = val as an own data property, even for "__proto__" (which JSON.parse also makes an own key). */
export function setMember(obj: Record<string, unknown>, key: string, val: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value: val, writable: true, enumerable: true, configurable: true });
  else obj[key] = val;
}

/** Deep copy of a JSON value (undefined object members dropped, like a JSON round trip). */
export function cloneJSON<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : cloneJSON(x))) as T;
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) setMember(out, k, cloneJSON(x));
    return out as T;
  }
  return v;
}

/** JSON structural equality. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x ?? null, b[i] ?? null));
  if (isObj(a)) {
    if (!isObj(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k] ?? null, b[k] ?? null));
  }
  return false;
}

/** RFC 6901 token decoding: ~1 → /, then ~0 → ~ (one left-to-right pass, as strings.Replacer does). */
function decodeKey(k: string): string {
  return k.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));
}

/** strconv.Atoi */
function atoi(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

const fail = (detail: string): never => {
  throw new JsonPatchError(detail);
};

// Container operations (partialDoc / partialArray).

/** get: objects never fail (missing → undefined); arrays check the index. */
function get(con: Container, key: string): unknown {
  if (!Array.isArray(con)) return Object.prototype.hasOwnProperty.call(con, key) ? con[key] : undefined;
  let idx = atoi(key);
  if (idx === undefined) return fail(`strconv.Atoi: parsing "${key}": invalid syntax`);
  if (idx < 0) {
    if (idx < -con.length) fail(`Unable to access invalid index: ${idx}: invalid index referenced`);
    idx += con.length;
  }
  if (idx >= con.length) fail(`Unable to access invalid index: ${idx}: invalid index referenced`);
  return con[idx];
}

function set(con: Container, key: string, val: unknown): void {
  if (!Array.isArray(con)) {
    setMember(con, key, val);
    return;
  }
  let idx = atoi(key);
  if (idx === undefined) return fail(`strconv.Atoi: parsing "${key}": invalid syntax`);
  if (idx < 0) {
    if (idx < -con.length) fail(`Unable to access invalid index: ${idx}: invalid index referenced`);
    idx += con.length;
  }
  con[idx] = val;
}

function add(con: Container, key: string, val: unknown): void {
  if (!Array.isArray(con)) {
    setMember(con, key, val);
    return;
  }
  if (key === '-') {
    con.push(val);
    return;
  }
  let idx = atoi(key);
  if (idx === undefined) return fail(`value was not a proper array index: '${key}'`);
  const size = con.length + 1;
  if (idx >= size) fail(`Unable to access invalid index: ${idx}: invalid index referenced`);
  if (idx < 0) {
    if (idx < -size) fail(`Unable to access invalid index: ${idx}: invalid index referenced`);
    idx += size;
  }
  con.splice(idx, 0, val);
}

function remove(con: Container, key: string): void {
  if (!Array.isArray(con)) {
    if (!Object.prototype.hasOwnProperty.call(con, key)) fail(`Unable to remove nonexistent key: ${key}: missing value`);
    delete con[key];
    return;
  }
  let idx = atoi(key);
  if (idx === undefined) return fail(`strconv.Atoi: parsing "${key}": invalid syntax`);
  if (idx >= con.length) fail(`Unable to access invalid index: ${idx}: invalid index referenced`);
  if (idx < 0) {
    if (idx < -con.length) fail(`Unable to access invalid index: ${idx}: invalid index referenced`);
    idx += con.length;
  }
  con.splice(idx, 1);
}

/**
 * findObject: the container holding the pointer's last token, or undefined. Like json-patch v4, the text
 * before the first "/" is ignored and a pointer without any "/" (including "") addresses nothing.
 */
function findObject(root: Container, path: string): { con: Container; key: string } | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let doc: Container = root;
  for (const part of split.slice(1, -1)) {
    let next: unknown;
    try {
      next = get(doc, decodeKey(part));
    } catch {
      return undefined;
    }
    if (Array.isArray(next) || isObj(next)) doc = next;
    else return undefined;
  }
  return { con: doc, key: decodeKey(split[split.length - 1]) };
}

type Op = Record<string, unknown>;

/** Operation.Path() / From(): must be present (not null) and a string. */
function stringField(op: Op, name: 'path' | 'from', what: string): string {
  const v = op[name];
  if (v === undefined || v === null) return fail(`${what} operation missing ${name} field: missing value`);
  if (typeof v !== 'string') return fail(`${what} operation failed to decode ${name}`);
  return v;
}

/** Operation.value(): an absent value acts as null. */
function value(op: Op): unknown {
  const v = op.value;
  return v === undefined ? null : cloneJSON(v);
}

/** Go's encoding/json name for a JSON value's type, as used in UnmarshalTypeError. */
function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string, number
}

/**
 * Validate the decoded patch document the way kube-apiserver does with its default fieldValidation (Warn:
 * a strict decode into []jsonPatchOp first, then jsonpatch.DecodePatch). Failures are 400 BadRequest.
 */
function decodePatch(ops: unknown): Op[] {
  if (ops === null || ops === undefined) return [];
  if (!Array.isArray(ops)) {
    throw errors.badRequest(`error decoding patch: json: cannot unmarshal ${jsonTypeName(ops)} into Go value of type []handlers.jsonPatchOp`);
  }
  for (const op of ops) {
    if (op === null) continue;
    if (!isObj(op)) {
      throw errors.badRequest(`error decoding patch: json: cannot unmarshal ${jsonTypeName(op)} into Go value of type handlers.jsonPatchOp`);
    }
    for (const f of ['op', 'path', 'from'] as const) {
      const v = op[f];
      if (v !== undefined && v !== null && typeof v !== 'string') {
        throw errors.badRequest(
          `error decoding patch: json: cannot unmarshal ${jsonTypeName(v)} into Go struct field jsonPatchOp.${f} of type string`,
        );
      }
    }
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw errors.requestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  return ops.map((op) => (op ?? {}) as Op);
}

/**
 * Apply an RFC 6902 patch (already JSON-decoded) to a document and return the result; inputs are never
 * mutated. A malformed patch document → 400 BadRequest; an operation that does not apply (missing path,
 * failed test, bad index, unknown op) → JsonPatchError, a 422 Invalid exactly as kube-apiserver answers.
 */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  const patch = decodePatch(ops);
  if (!Array.isArray(doc) && !isObj(doc)) {
    if (patch.length === 0) return cloneJSON(doc);
    fail('json: cannot unmarshal into partialDoc');
  }
  const state = { root: cloneJSON(doc) as Container };
  for (const op of patch) {
    const kind = typeof op.op === 'string' ? op.op : 'unknown';
    switch (kind) {
      case 'add': {
        const path = stringField(op, 'path', 'add');
        const t = findObject(state.root, path) ?? fail(`add operation does not apply: doc is missing path: "${path}": missing value`);
        add(t.con, t.key, value(op));
        break;
      }
      case 'remove': {
        const path = stringField(op, 'path', 'remove');
        const t = findObject(state.root, path) ?? fail(`remove operation does not apply: doc is missing path: "${path}": missing value`);
        remove(t.con, t.key);
        break;
      }
      case 'replace': {
        const path = stringField(op, 'path', 'replace');
        if (path === '') {
          const v = value(op);
          if (!Array.isArray(v) && !isObj(v)) fail('replace operation value must be object or array');
          state.root = v as Container;
          break;
        }
        const t = findObject(state.root, path) ?? fail(`replace operation does not apply: doc is missing path: ${path}: missing value`);
        get(t.con, t.key); // arrays: the index must exist; objects: anything goes (v4 adds the key)
        set(t.con, t.key, value(op));
        break;
      }
      case 'move': {
        const from = stringField(op, 'from', 'move');
        const src = findObject(state.root, from) ?? fail(`move operation does not apply: doc is missing from path: ${from}: missing value`);
        const val = get(src.con, src.key);
        remove(src.con, src.key);
        const path = stringField(op, 'path', 'move');
        const dst = findObject(state.root, path) ?? fail(`move operation does not apply: doc is missing destination path: ${path}: missing value`);
        add(dst.con, dst.key, val ?? null);
        break;
      }
      case 'copy': {
        const from = stringField(op, 'from', 'copy');
        const src = findObject(state.root, from) ?? fail(`copy operation does not apply: doc is missing from path: ${from}: missing value`);
        const val = get(src.con, src.key);
        const path = stringField(op, 'path', 'copy');
        const dst = findObject(state.root, path) ?? fail(`copy operation does not apply: doc is missing destination path: ${path}: missing value`);
        add(dst.con, dst.key, cloneJSON(val ?? null));
        break;
      }
      case 'test': {
        const path = stringField(op, 'path', 'test');
        if (path === '') {
          if (op.value === undefined || !jsonEqual(state.root, op.value)) fail(`testing value ${path} failed: test failed`);
          break;
        }
        const t = findObject(state.root, path) ?? fail(`test operation does not apply: is missing path: ${path}: missing value`);
        const cur = get(t.con, t.key);
        const want = op.value;
        if (cur === undefined || cur === null) {
          if (want === undefined || want === null) break;
          fail(`testing value ${path} failed: test failed`);
        }
        if (want === undefined || !jsonEqual(cur, want)) fail(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        fail(`Unexpected kind: ${kind}`);
    }
  }
  return state.root;
}
