// RFC 7386 JSON Merge Patch as kube-apiserver applies it (gopkg.in/evanphx/json-patch.v4 MergePatch).
import { errors } from '../api/status';
import { cloneJSON, setMember } from './jsonpatch';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** pruneNulls: drop null members of objects, recursively (also inside objects held by arrays). */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === null || x === undefined ? null : pruneNulls(x)));
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) setMember(out, k, pruneNulls(x));
    return out;
  }
  return v;
}

/** mergeDocs: `doc` is owned (mutated), `patch` is only read. */
function mergeDocs(doc: Obj, patch: Obj): Obj {
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = Object.prototype.hasOwnProperty.call(doc, k) ? doc[k] : undefined;
    setMember(doc, k, cur === undefined || cur === null ? pruneNulls(v) : merge(cur, v));
  }
  return doc;
}

function merge(cur: unknown, patch: unknown): unknown {
  if (!isObj(cur)) return pruneNulls(patch);
  if (!isObj(patch)) return cloneJSON(patch);
  return mergeDocs(cur, patch);
}

/**
 * Apply a merge patch (already JSON-decoded) and return the result; inputs are never mutated. Objects merge
 * key by key, null deletes a key, anything else (arrays, scalars) replaces. At the top level, like
 * kube-apiserver, an array patch replaces the document but a null or scalar patch is a 400
 * `Invalid JSON Patch`.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) return pruneNulls(patch);
  if (!isObj(patch)) throw errors.badRequest('Invalid JSON Patch');
  if (!isObj(target)) return pruneNulls(patch);
  return mergeDocs(cloneJSON(target), patch);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObj(a)) {
    if (!isObj(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function diff(a: Obj, b: Obj): Obj {
  const into: Obj = {};
  for (const [k, bv] of Object.entries(b)) {
    if (bv === undefined) continue;
    if (!Object.prototype.hasOwnProperty.call(a, k) || a[k] === undefined) {
      setMember(into, k, cloneJSON(bv));
      continue;
    }
    const av = a[k];
    if (typeOf(av) !== typeOf(bv)) {
      setMember(into, k, cloneJSON(bv));
      continue;
    }
    if (isObj(av)) {
      const d = diff(av, bv as Obj);
      if (Object.keys(d).length > 0) setMember(into, k, d);
    } else if (!jsonEqual(av, bv)) {
      setMember(into, k, cloneJSON(bv));
    }
  }
  for (const k of Object.keys(a)) {
    if (a[k] !== undefined && (!Object.prototype.hasOwnProperty.call(b, k) || b[k] === undefined)) setMember(into, k, null);
  }
  return into;
}

/**
 * CreateMergePatch: the merge patch that turns `original` into `modified` (removed keys become null,
 * changed arrays and scalars are sent whole). When either side is not an object, the patch is `modified`.
 */
export function createMergePatch(original: unknown, modified: unknown): unknown {
  if (!isObj(original) || !isObj(modified)) return cloneJSON(modified);
  return diff(original, modified);
}
