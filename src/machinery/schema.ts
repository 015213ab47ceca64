// Custom resource schemas: the pure parts of kube-apiserver's apiextensions-apiserver for a CRD version's
// `schema.openAPIV3Schema` (JSONSchemaProps as JSON).
//
//  - validateStructural: what a CRD's schema must satisfy (pkg/apiserver/schema/validation.go and
//    complete.go, the static checks of pkg/apis/apiextensions/validation ValidateCustomResourceDefinition-
//    OpenAPISchema, and defaulting/validation.go ValidateDefaults).
//  - prune / unknownFieldPaths: the decoder's unstructuredSchemaCoercer (pruning/algorithm.go, ObjectMeta
//    coercion from objectmeta/, defaulting/prunenulls.go).
//  - applyDefaults: defaulting/algorithm.go.
//  - validateValue: kube-openapi's validate.SchemaValidator as apiextensions' ValidateCustomResource turns its
//    results into field errors, plus embedded-resource checks (objectmeta/validation.go) and
//    x-kubernetes-list-type set/map uniqueness (listtype/validation.go).
// x-kubernetes-validations (CEL) are not evaluated.
import type { FieldError } from '../registry/types';
import type { ObjectMeta } from '../registry/types';
import { deepEqual, field, fieldErrorString, goJSON, goQuote, isDNS1035Label, validateObjectMeta } from './validation';
import { formatGoFloat } from './jsonpath';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function deepCopy<T>(v: T): T {
  if (Array.isArray(v)) return v.map(deepCopy) as T;
  if (isObj(v)) {
    const o: Json = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '__proto__') Object.defineProperty(o, k, { value: deepCopy(x), enumerable: true, writable: true, configurable: true });
      else o[k] = deepCopy(x);
    }
    return o as T;
  }
  return v;
}

// field.Path rendering
const child = (p: string, name: string): string => (p ? `${p}.${name}` : name);
const key = (p: string, k: string | number): string => `${p}[${k}]`;

// ---------------------------------------------------------------------------------------------
// Schema accessors (the structural view of a JSONSchemaProps node)

function sType(s: Json): string {
  return typeof s.type === 'string' ? s.type : '';
}
function sProps(s: Json | null | undefined): Record<string, Json> | undefined {
  if (!s || !isObj(s.properties)) return undefined;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(s.properties)) if (isObj(v)) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}
function sItems(s: Json | null | undefined): Json | null {
  return s && isObj(s.items) ? s.items : null;
}
/** additionalProperties when present: `schema` is null for `true`/`false`. */
function sAddl(s: Json | null | undefined): { schema: Json | null; allows: boolean } | undefined {
  if (!s) return undefined;
  const ap = s.additionalProperties;
  if (typeof ap === 'boolean') return { schema: null, allows: ap };
  if (isObj(ap)) return { schema: ap, allows: true };
  return undefined;
}
const preserve = (s: Json | null | undefined): boolean => !!s && s['x-kubernetes-preserve-unknown-fields'] === true;
const embedded = (s: Json | null | undefined): boolean => !!s && s['x-kubernetes-embedded-resource'] === true;
const intOrString = (s: Json | null | undefined): boolean => !!s && s['x-kubernetes-int-or-string'] === true;
const nullable = (s: Json | null | undefined): boolean => !!s && s.nullable === true;
const hasDefault = (s: Json | null | undefined): boolean => !!s && s.default !== undefined && s.default !== null;
const nonEmptyStr = (v: unknown): boolean => typeof v === 'string' && v !== '';
const nonEmptyArr = (v: unknown): v is unknown[] => Array.isArray(v) && v.length > 0;
const defined = (v: unknown): boolean => v !== undefined && v !== null;

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

function byErrorString(a: FieldError, b: FieldError): number {
  const x = fieldErrorString(a);
  const y = fieldErrorString(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Structural schema validation

type Level = 'root' | 'item' | 'field';

export interface StructuralOptions {
  /** The version has the status subresource: only some fields are allowed at the schema root. */
  statusSubresource?: boolean;
}

const ALLOWED_AT_ROOT_WITH_STATUS: [string, string][] = [
  ['description', 'Description'],
  ['type', 'Type'],
  ['format', 'Format'],
  ['title', 'Title'],
  ['maximum', 'Maximum'],
  ['exclusiveMaximum', 'ExclusiveMaximum'],
  ['minimum', 'Minimum'],
  ['exclusiveMinimum', 'ExclusiveMinimum'],
  ['maxLength', 'MaxLength'],
  ['minLength', 'MinLength'],
  ['pattern', 'Pattern'],
  ['maxItems', 'MaxItems'],
  ['minItems', 'MinItems'],
  ['uniqueItems', 'UniqueItems'],
  ['multipleOf', 'MultipleOf'],
  ['required', 'Required'],
  ['items', 'Items'],
  ['properties', 'Properties'],
  ['externalDocs', 'ExternalDocs'],
  ['example', 'Example'],
  ['x-kubernetes-preserve-unknown-fields', 'XPreserveUnknownFields'],
  ['x-kubernetes-validations', 'XValidations'],
];
/** JSONSchemaProps fields in Go struct order (the status-subresource root check walks them in this order). */
const JSON_SCHEMA_PROPS_FIELDS = [
  'id', '$schema', '$ref', 'description', 'type', 'format', 'title', 'default', 'maximum', 'exclusiveMaximum', 'minimum',
  'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'enum',
  'maxProperties', 'minProperties', 'required', 'items', 'allOf', 'oneOf', 'anyOf', 'not', 'properties',
  'additionalProperties', 'patternProperties', 'dependencies', 'additionalItems', 'definitions', 'externalDocs', 'example',
  'nullable', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys', 'x-kubernetes-list-type', 'x-kubernetes-map-type', 'x-kubernetes-validations',
];
const OPENAPI_V3_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

/** Go's reflect zero value for a JSON-decoded JSONSchemaProps field (numbers are pointers: never zero). */
function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObj(v)) return Object.keys(v).length === 0;
  return false;
}

/**
 * Everything kube-apiserver checks about one CRD version's openAPIV3Schema (validation of
 * `spec.versions[*].schema`), CEL rules aside. `path` is the schema's own field path, e.g.
 * `spec.versions[0].schema.openAPIV3Schema`.
 */
export function validateStructural(schema: unknown, path = 'openAPIV3Schema', opts: StructuralOptions = {}): FieldError[] {
  if (!isObj(schema)) return [];
  const errs: FieldError[] = [];

  if (opts.statusSubresource) {
    const allowed = new Map(ALLOWED_AT_ROOT_WITH_STATUS);
    for (const k of JSON_SCHEMA_PROPS_FIELDS) {
      if (isZero(schema[k])) continue;
      if (k === 'type') {
        if (schema.type !== 'object') {
          errs.push(field.invalid(`${path}.type`, schema.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'));
          break;
        }
        continue;
      }
      if (!allowed.has(k)) {
        errs.push(
          field.invalid(
            path,
            schema,
            `only [${ALLOWED_AT_ROOT_WITH_STATUS.map(([, g]) => g).join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled`,
          ),
        );
        break;
      }
    }
  }
  if (schema.nullable === true) errs.push(field.forbidden(`${path}.nullable`, 'nullable cannot be true at the root'));

  const initErr = newStructuralError(schema);
  if (initErr === null) {
    const structural = [...structuralInvariants(schema, 'root', path), ...structuralCompleteness(schema, path)].sort(byErrorString);
    if (structural.length) errs.push(...structural);
    else errs.push(...validateDefaults(schema, path));
  }
  errs.push(...openAPISchemaChecks(schema, path, { allowDefaults: true, reason: '', insideMeta: false }, true));
  if (errs.length === 0 && initErr !== null) errs.push(field.invalid(path, '', initErr));
  return errs;
}

/** What NewStructural refuses (reported only when nothing else is). */
function newStructuralError(s: Json): string | null {
  const unsupported = (n: Json): string | null => {
    if (nonEmptyStr(n.id)) return "OpenAPIV3Schema 'id' is not supported";
    if (nonEmptyStr(n.$schema)) return "OpenAPIV3Schema 'schema' is not supported";
    if (nonEmptyStr(n.$ref)) return "OpenAPIV3Schema '$ref' is not supported";
    if (isObj(n.patternProperties) && Object.keys(n.patternProperties).length) return "OpenAPIV3Schema 'patternProperties' is not supported";
    if (isObj(n.dependencies) && Object.keys(n.dependencies).length) return "OpenAPIV3Schema 'dependencies' is not supported";
    if (defined(n.additionalItems)) return "OpenAPIV3Schema 'additionalItems' is not supported";
    if (isObj(n.definitions) && Object.keys(n.definitions).length) return "OpenAPIV3Schema 'definitions' is not supported";
    return null;
  };
  const walk = (n: Json): string | null => {
    const u = unsupported(n);
    if (u) return u;
    if (isObj(n.not)) {
      const e = walk(n.not);
      if (e) return e;
    }
    for (const k of ['allOf', 'anyOf', 'oneOf']) {
      const arr = n[k];
      if (Array.isArray(arr)) for (const x of arr) if (isObj(x)) {
        const e = walk(x);
        if (e) return e;
      }
    }
    if (n['x-kubernetes-preserve-unknown-fields'] === false) return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined";
    if (Array.isArray(n.items) && n.items.length) return "OpenAPIV3Schema 'items' must be a schema, but is an array";
    if (isObj(n.items)) {
      const e = walk(n.items);
      if (e) return e;
    }
    if (isObj(n.properties)) for (const v of Object.values(n.properties)) if (isObj(v)) {
      const e = walk(v);
      if (e) return e;
    }
    if (isObj(n.additionalProperties)) return walk(n.additionalProperties);
    return null;
  };
  return walk(s);
}

/** A NestedValueValidation is exactly {type: t}. */
function isBareType(v: unknown, t: string): boolean {
  if (!isObj(v)) return false;
  for (const [k, x] of Object.entries(v)) {
    if (k === 'type') {
      if (x !== t) return false;
    } else if (!isZero(x)) return false;
  }
  return true;
}
const isIntOrStringAnyOf = (anyOf: unknown): boolean =>
  Array.isArray(anyOf) && anyOf.length === 2 && isBareType(anyOf[0], 'integer') && isBareType(anyOf[1], 'string');
const isIntOrStringAnyOfPattern = (s: Json): boolean => isIntOrStringAnyOf(s.anyOf);
const isIntOrStringAllOfPattern = (s: Json): boolean => Array.isArray(s.allOf) && s.allOf.length >= 1 && isObj(s.allOf[0]) && isIntOrStringAnyOf((s.allOf[0] as Json).anyOf);

function structuralInvariants(s: Json, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = sType(s);
  const items = sItems(s);
  if (type === 'array' && !items) errs.push(field.required(`${path}.items`, 'must be specified'));
  if (items) errs.push(...structuralInvariants(items, 'item', `${path}.items`));
  const props = sProps(s) ?? {};
  for (const [k, v] of Object.entries(props)) errs.push(...structuralInvariants(v, 'field', key(`${path}.properties`, k)));

  const ap = sAddl(s);
  if (ap) {
    if (lvl === 'root') errs.push(field.forbidden(`${path}.additionalProperties`, 'must not be used at the root'));
    if (ap.schema) errs.push(...structuralInvariants(ap.schema, 'field', `${path}.additionalProperties`));
  }

  if (intOrString(s) && preserve(s)) {
    errs.push(field.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  if (intOrString(s) && embedded(s)) {
    errs.push(field.invalid(`${path}.x-kubernetes-embedded-resource`, true, 'must be false if x-kubernetes-int-or-string is true'));
  }

  errs.push(...valueValidationInvariants(s, isIntOrStringAnyOfPattern(s), isIntOrStringAllOfPattern(s), lvl, path));

  const checkMetadata = lvl === 'root' || embedded(s);
  if (embedded(s) && type !== 'object') {
    if (type === '') errs.push(field.required(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true'));
    else errs.push(field.invalid(`${path}.type`, type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (type === '' && !intOrString(s) && !preserve(s)) {
    const detail = lvl === 'root' ? 'must not be empty at the root' : lvl === 'item' ? 'must not be empty for specified array items' : 'must not be empty for specified object fields';
    errs.push(field.required(`${path}.type`, detail));
  }
  if (embedded(s) && ap) errs.push(field.forbidden(`${path}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'));
  if (lvl === 'root' && type !== '' && type !== 'object') errs.push(field.invalid(`${path}.type`, type, 'must be object at the root'));

  if (checkMetadata) {
    for (const k of ['kind', 'apiVersion']) {
      const p = props[k];
      if (p && sType(p) !== 'string') errs.push(field.invalid(`${key(`${path}.properties`, k)}.type`, sType(p), 'must be string'));
    }
  }
  const metadata = props.metadata;
  if (metadata) {
    const mp = key(`${path}.properties`, 'metadata');
    if (checkMetadata && sType(metadata) !== 'object') errs.push(field.invalid(`${mp}.type`, sType(metadata), 'must be object'));
    if (lvl === 'root' && !metadataOnlyNames(metadata)) {
      errs.push(field.forbidden(mp, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  if (embedded(s) && !preserve(s) && Object.keys(props).length === 0) {
    errs.push(field.required(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  return errs;
}

/** The root's metadata schema may only restrict name and generateName (type and default aside). */
function metadataOnlyNames(m: Json): boolean {
  for (const [k, v] of Object.entries(m)) {
    if (k === 'type' || k === 'default') continue;
    if (k === 'properties') {
      const names = isObj(v) ? Object.keys(v) : [];
      const onlyNames = names.length > 0 && names.length <= 2 && names.every((n) => n === 'name' || n === 'generateName');
      if (onlyNames || isZero(v)) continue;
      return false;
    }
    if (!isZero(v)) return false;
  }
  return true;
}

function valueValidationInvariants(v: Json, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!skipAnyOf && Array.isArray(v.anyOf)) {
    v.anyOf.forEach((x, i) => {
      if (isObj(x)) errs.push(...nestedValueValidationInvariants(x, false, false, lvl, key(`${path}.anyOf`, i)));
    });
  }
  if (Array.isArray(v.allOf)) {
    v.allOf.forEach((x, i) => {
      if (isObj(x)) errs.push(...nestedValueValidationInvariants(x, skipFirstAllOfAnyOf && i === 0, false, lvl, key(`${path}.allOf`, i)));
    });
  }
  if (Array.isArray(v.oneOf)) {
    v.oneOf.forEach((x, i) => {
      if (isObj(x)) errs.push(...nestedValueValidationInvariants(x, false, false, lvl, key(`${path}.oneOf`, i)));
    });
  }
  if (isObj(v.not)) errs.push(...nestedValueValidationInvariants(v.not, false, false, lvl, `${path}.not`));
  if (nonEmptyStr(v.pattern)) {
    const err = compilePattern(v.pattern as string).error;
    if (err) errs.push(field.invalid(`${path}.pattern`, v.pattern, `must be a valid regular expression, but isn't: ${err}`));
  }
  return errs;
}

function nestedValueValidationInvariants(v: Json, skipAnyOf: boolean, skipAllOfAnyOf: boolean, lvl: Level, path: string): FieldError[] {
  const errs = valueValidationInvariants(v, skipAnyOf, skipAllOfAnyOf, lvl, path);
  if (isObj(v.items)) errs.push(...nestedValueValidationInvariants(v.items, false, false, lvl, `${path}.items`));
  if (isObj(v.properties)) {
    for (const [k, x] of Object.entries(v.properties)) {
      if (isObj(x)) errs.push(...nestedValueValidationInvariants(x, false, false, 'field', key(`${path}.properties`, k)));
    }
  }
  if (nonEmptyStr(v.type)) errs.push(field.forbidden(`${path}.type`, 'must be empty to be structural'));
  if (v.additionalProperties === true || isObj(v.additionalProperties)) {
    errs.push(field.forbidden(`${path}.additionalProperties`, 'must be undefined to be structural'));
  }
  if (defined(v.default)) errs.push(field.forbidden(`${path}.default`, 'must be undefined to be structural'));
  if (nonEmptyStr(v.title)) errs.push(field.forbidden(`${path}.title`, 'must be empty to be structural'));
  if (nonEmptyStr(v.description)) errs.push(field.forbidden(`${path}.description`, 'must be empty to be structural'));
  if (v.nullable === true) errs.push(field.forbidden(`${path}.nullable`, 'must be false to be structural'));
  if (v['x-kubernetes-preserve-unknown-fields'] === true) {
    errs.push(field.forbidden(`${path}.x-kubernetes-preserve-unknown-fields`, 'must be false to be structural'));
  }
  if (v['x-kubernetes-embedded-resource'] === true) errs.push(field.forbidden(`${path}.x-kubernetes-embedded-resource`, 'must be false to be structural'));
  if (v['x-kubernetes-int-or-string'] === true) errs.push(field.forbidden(`${path}.x-kubernetes-int-or-string`, 'must be false to be structural'));
  if (nonEmptyArr(v['x-kubernetes-list-map-keys'])) errs.push(field.forbidden(`${path}.x-kubernetes-list-map-keys`, 'must be empty to be structural'));
  if (defined(v['x-kubernetes-list-type'])) errs.push(field.forbidden(`${path}.x-kubernetes-list-type`, 'must be undefined to be structural'));
  if (defined(v['x-kubernetes-map-type'])) errs.push(field.forbidden(`${path}.x-kubernetes-map-type`, 'must be undefined to be structural'));
  if (nonEmptyArr(v['x-kubernetes-validations'])) errs.push(field.forbidden(`${path}.x-kubernetes-validations`, 'must be empty to be structural'));
  if (isObj(v.properties) && hasOwn(v.properties, 'metadata')) {
    errs.push(field.forbidden(key(`${path}.properties`, 'metadata'), 'must not be specified in a nested context'));
  }
  return errs;
}

/** Every value validation at the root (allOf/anyOf/oneOf/not) must have a structural counterpart. */
function structuralCompleteness(s: Json, path: string): FieldError[] {
  return valueValidationCompleteness(s, s, path, path);
}

function valueValidationCompleteness(v: Json, s: Json, sPath: string, vPath: string): FieldError[] {
  const errs: FieldError[] = [];
  if (isObj(v.not)) errs.push(...nestedCompleteness(v.not, s, sPath, `${vPath}.not`));
  for (const k of ['allOf', 'anyOf', 'oneOf']) {
    const arr = v[k];
    if (Array.isArray(arr)) arr.forEach((x, i) => {
      if (isObj(x)) errs.push(...nestedCompleteness(x, s, sPath, key(`${vPath}.${k}`, i)));
    });
  }
  return errs;
}

function nestedCompleteness(v: Json, s: Json | null, sPath: string, vPath: string): FieldError[] {
  if (!s) return [field.required(sPath, `because it is defined in ${vPath}`)];
  const errs = valueValidationCompleteness(v, s, sPath, vPath);
  if (isObj(v.items)) errs.push(...nestedCompleteness(v.items, sItems(s), `${sPath}.items`, `${vPath}.items`));
  if (isObj(v.properties)) {
    const props = sProps(s) ?? {};
    for (const [k, x] of Object.entries(v.properties)) {
      if (!isObj(x)) continue;
      if (!hasOwn(props, k)) {
        errs.push(field.required(key(`${sPath}.properties`, k), `because it is defined in ${key(`${vPath}.properties`, k)}`));
      } else {
        errs.push(...nestedCompleteness(x, props[k], key(`${sPath}.properties`, k), key(`${vPath}.properties`, k)));
      }
    }
  }
  return errs;
}

interface SpecValidator {
  allowDefaults: boolean;
  reason: string;
  insideMeta: boolean;
}

/** ValidateCustomResourceDefinitionOpenAPISchema (the schema-static part; CEL rules are not compiled). */
function openAPISchemaChecks(s: Json | null, path: string, ssv: SpecValidator, isRoot: boolean): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  const type = sType(s);

  // specStandardValidatorV3.validate
  if (type !== '' && !OPENAPI_V3_TYPES.includes(type)) errs.push(field.notSupported(`${path}.type`, type, OPENAPI_V3_TYPES));
  if (defined(s.default) && !ssv.allowDefaults) {
    errs.push(field.forbidden(`${path}.default`, ssv.reason ? `must not be set ${ssv.reason}` : 'must not be set'));
  }
  if (nonEmptyStr(s.id)) errs.push(field.forbidden(`${path}.id`, 'id is not supported'));
  if (defined(s.additionalItems)) errs.push(field.forbidden(`${path}.additionalItems`, 'additionalItems is not supported'));
  if (isObj(s.patternProperties) && Object.keys(s.patternProperties).length) {
    errs.push(field.forbidden(`${path}.patternProperties`, 'patternProperties is not supported'));
  }
  if (isObj(s.definitions) && Object.keys(s.definitions).length) errs.push(field.forbidden(`${path}.definitions`, 'definitions is not supported'));
  if (defined(s.dependencies)) errs.push(field.forbidden(`${path}.dependencies`, 'dependencies is not supported'));
  if (defined(s.$ref)) errs.push(field.forbidden(`${path}.$ref`, '$ref is not supported'));
  if (type === 'null') errs.push(field.forbidden(`${path}.type`, 'type cannot be set to null, use nullable as an alternative'));
  if (nonEmptyArr(s.items)) errs.push(field.forbidden(`${path}.items`, 'items must be a schema object and not an array'));
  if (ssv.insideMeta && embedded(s)) errs.push(field.forbidden(`${path}.x-kubernetes-embedded-resource`, 'must not be used inside of resource meta'));

  if (s.uniqueItems === true) errs.push(field.forbidden(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));

  const props = isObj(s.properties) ? s.properties : {};
  const ap = sAddl(s);
  if (ap) {
    if (Object.keys(props).length !== 0 && (!ap.allows || ap.schema)) {
      errs.push(field.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
    }
    const sub = ssv.insideMeta ? { ...ssv, allowDefaults: false, reason: 'inside additionalProperties applying to object metadata' } : ssv;
    errs.push(...openAPISchemaChecks(ap.schema, `${path}.additionalProperties`, sub, false));
  }
  for (const [k, v] of Object.entries(props)) {
    if (!isObj(v)) continue;
    let sub = ssv;
    if ((isRoot || embedded(s)) && META_FIELDS.has(k)) {
      sub = { ...sub, insideMeta: true };
      if (isRoot) sub = { ...sub, allowDefaults: false, reason: `in top-level ${k}` };
    }
    errs.push(...openAPISchemaChecks(v, key(`${path}.properties`, k), sub, false));
  }
  if (isObj(s.not)) errs.push(...openAPISchemaChecks(s.not, `${path}.not`, ssv, false));
  for (const k of ['allOf', 'oneOf', 'anyOf']) {
    const arr = s[k];
    if (Array.isArray(arr)) arr.forEach((x, i) => {
      if (isObj(x)) errs.push(...openAPISchemaChecks(x, key(`${path}.${k}`, i), ssv, false));
    });
  }
  if (isObj(s.definitions)) {
    for (const [k, v] of Object.entries(s.definitions)) if (isObj(v)) errs.push(...openAPISchemaChecks(v, key(`${path}.definitions`, k), ssv, false));
  }
  if (isObj(s.items)) errs.push(...openAPISchemaChecks(s.items, `${path}.items`, ssv, false));
  if (Array.isArray(s.items)) s.items.forEach((x, i) => {
    if (isObj(x)) errs.push(...openAPISchemaChecks(x, key(`${path}.items`, i), ssv, false));
  });
  if (isObj(s.dependencies)) {
    for (const [k, v] of Object.entries(s.dependencies)) if (isObj(v)) errs.push(...openAPISchemaChecks(v, key(`${path}.dependencies`, k), ssv, false));
  }

  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push(field.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  }
  const mapType = s['x-kubernetes-map-type'];
  if (defined(mapType) && type !== 'object') {
    if (type === '') errs.push(field.required(`${path}.type`, 'must be object if x-kubernetes-map-type is specified'));
    else errs.push(field.invalid(`${path}.type`, type, 'must be object if x-kubernetes-map-type is specified'));
  }
  if (defined(mapType) && mapType !== 'atomic' && mapType !== 'granular') {
    errs.push(field.notSupported(`${path}.x-kubernetes-map-type`, mapType, ['atomic', 'granular']));
  }
  const listType = s['x-kubernetes-list-type'];
  const items = sItems(s);
  if (defined(listType) && type !== 'array') {
    if (type === '') errs.push(field.required(`${path}.type`, 'must be array if x-kubernetes-list-type is specified'));
    else errs.push(field.invalid(`${path}.type`, type, 'must be array if x-kubernetes-list-type is specified'));
  } else if (listType === 'set' && items) {
    const it = sType(items);
    if (it === 'array') {
      const lt = items['x-kubernetes-list-type'];
      if (defined(lt) && lt !== 'atomic') {
        errs.push(field.invalid(`${path}.items.x-kubernetes-list-type`, lt, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
      }
    } else if (it === 'object') {
      if (items['x-kubernetes-map-type'] !== 'atomic') {
        errs.push(
          field.invalid(`${path}.items.x-kubernetes-map-type`, items['x-kubernetes-list-type'] ?? null, 'must be atomic as item of a list with x-kubernetes-list-type=set'),
        );
      }
    }
  }
  if (defined(listType) && listType !== 'atomic' && listType !== 'set' && listType !== 'map') {
    errs.push(field.notSupported(`${path}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map']));
  }
  const mapKeys = Array.isArray(s['x-kubernetes-list-map-keys']) ? (s['x-kubernetes-list-map-keys'] as unknown[]) : [];
  if (mapKeys.length > 0) {
    if (!defined(listType)) errs.push(field.required(`${path}.x-kubernetes-list-type`, 'must be map if x-kubernetes-list-map-keys is non-empty'));
    else if (listType !== 'map') errs.push(field.invalid(`${path}.x-kubernetes-list-type`, listType, 'must be map if x-kubernetes-list-map-keys is non-empty'));
  }
  if (listType === 'map') {
    if (mapKeys.length === 0) errs.push(field.required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
    if (!defined(s.items)) errs.push(field.required(`${path}.items`, 'must have a schema if x-kubernetes-list-type is map'));
    if (Array.isArray(s.items)) errs.push(field.invalid(`${path}.items`, s.items, 'must only have a single schema if x-kubernetes-list-type is map'));
    if (items && sType(items) !== 'object') {
      errs.push(field.invalid(`${path}.items.type`, sType(items), "must be object if parent array's x-kubernetes-list-type is map"));
    }
    if (items && sType(items) === 'object') {
      const itemProps = isObj(items.properties) ? items.properties : {};
      const seen = new Set<unknown>();
      for (const k of mapKeys) {
        const p = typeof k === 'string' && hasOwn(itemProps, k) ? itemProps[k] : undefined;
        if (isObj(p)) {
          const pt = sType(p);
          if (pt === 'array' || pt === 'object') {
            errs.push(field.invalid(`${key(`${path}.items.properties`, String(k))}.type`, sType(items), "must be a scalar type if parent array's x-kubernetes-list-type is map"));
          }
        } else {
          errs.push(field.invalid(`${path}.x-kubernetes-list-map-keys`, mapKeys, 'entries must all be names of item properties'));
        }
        if (seen.has(k)) errs.push(field.invalid(`${path}.x-kubernetes-list-map-keys`, mapKeys, 'must not contain duplicate entries'));
        seen.add(k);
      }
    }
  }
  // validateMapListKeysMapSet
  if (items && (listType === 'set' || listType === 'map')) {
    if (nullable(items)) errs.push(field.forbidden(`${path}.items.nullable`, `cannot be nullable when x-kubernetes-list-type is ${listType}`));
    if (listType === 'map') {
      const required = new Set(Array.isArray(items.required) ? items.required : []);
      const itemProps = sProps(items) ?? {};
      for (const k of mapKeys) {
        if (typeof k !== 'string' || !hasOwn(itemProps, k)) continue;
        const p = itemProps[k];
        if (!required.has(k) && !hasDefault(p)) {
          errs.push(field.required(`${key(`${path}.items.properties`, k)}.default`, 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
        }
        if (nullable(p)) errs.push(field.forbidden(`${key(`${path}.items.properties`, k)}.nullable`, 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
      }
    }
  }
  return errs;
}

/** defaulting.ValidateDefaults: defaults must be pruned and must validate (outside resource metadata). */
function validateDefaults(root: Json, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const walk = (s: Json, p: string, insideMeta: boolean, isRootSchema: boolean): void => {
    const emb = isRootSchema || embedded(s);
    if (emb) insideMeta = false;
    if (hasDefault(s) && !insideMeta) {
      const def = s.default;
      const pruned = deepCopy(def);
      pruneRec(pruned, s, '', null, emb);
      if (!deepEqual(pruned, def)) errs.push(field.invalid(`${p}.default`, def, 'must not have unknown fields'));
      const embErrs = validateEmbedded(`${p}.default`, def, s, emb);
      if (embErrs.length) errs.push(...embErrs);
      else errs.push(...toFieldErrors(validateSchema(s, def, ''), `${p}.default`));
    }
    // additionalProperties are not followed (as upstream)
    const items = sItems(s);
    if (items) walk(items, `${p}.items`, insideMeta, false);
    for (const [k, v] of Object.entries(sProps(s) ?? {})) {
      walk(v, key(`${p}.properties`, k), insideMeta || (emb && META_FIELDS.has(k)), false);
    }
  };
  walk(root, path, false, true);
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Pruning, ObjectMeta coercion, nulls, defaults

function pruneRec(x: unknown, s: Json | null, p: string, rec: string[] | null, rootEmbedded = false): void {
  if (s && preserve(s)) {
    skipPrune(x, s, p, rec, rootEmbedded);
    return;
  }
  if (Array.isArray(x)) {
    const it = sItems(s);
    x.forEach((v, i) => pruneRec(v, it, key(p, i), rec));
    return;
  }
  if (!isObj(x)) return;
  if (!s) {
    for (const k of Object.keys(x)) {
      rec?.push(child(p, k));
      delete x[k];
    }
    return;
  }
  const emb = rootEmbedded || embedded(s);
  const props = sProps(s) ?? {};
  const ap = sAddl(s);
  for (const k of Object.keys(x)) {
    if (emb && META_FIELDS.has(k)) continue;
    if (hasOwn(props, k)) pruneRec(x[k], props[k], child(p, k), rec);
    else if (ap) pruneRec(x[k], ap.schema, child(p, k), rec);
    else {
      if (!META_FIELDS.has(k) || p.length > 0) rec?.push(child(p, k));
      delete x[k];
    }
  }
}

function skipPrune(x: unknown, s: Json | null, p: string, rec: string[] | null, rootEmbedded = false): void {
  if (!s) return;
  if (Array.isArray(x)) {
    const it = sItems(s);
    x.forEach((v, i) => skipPrune(v, it, key(p, i), rec));
    return;
  }
  if (!isObj(x)) return;
  const emb = rootEmbedded || embedded(s);
  const props = sProps(s) ?? {};
  const ap = sAddl(s);
  for (const k of Object.keys(x)) {
    if (emb && META_FIELDS.has(k)) continue;
    if (hasOwn(props, k)) pruneRec(x[k], props[k], child(p, k), rec);
    else if (ap) pruneRec(x[k], ap.schema, child(p, k), rec);
  }
}

/** PruneNonNullableNullsWithoutDefaults */
function pruneNulls(x: unknown, s: Json | null): void {
  if (Array.isArray(x)) {
    const it = sItems(s);
    for (const v of x) pruneNulls(v, it);
    return;
  }
  if (!isObj(x)) return;
  const props = sProps(s) ?? {};
  const ap = sAddl(s);
  for (const k of Object.keys(x)) {
    const sch = hasOwn(props, k) ? props[k] : ap ? ap.schema : null;
    if (x[k] === null && sch && !nullable(sch) && !hasDefault(sch)) delete x[k];
    else pruneNulls(x[k], sch);
  }
}

/** structural defaulting.Default */
function defaultRec(x: unknown, s: Json | null): void {
  if (!s) return;
  if (Array.isArray(x)) {
    const it = sItems(s);
    for (let i = 0; i < x.length; i++) {
      if (x[i] === null && it && !nullable(it)) x[i] = deepCopy(it.default ?? null);
      defaultRec(x[i], it);
    }
    return;
  }
  if (!isObj(x)) return;
  const props = sProps(s) ?? {};
  for (const [k, prop] of Object.entries(props)) {
    if (!hasDefault(prop)) continue;
    if (x[k] === undefined || (x[k] === null && !nullable(prop))) x[k] = deepCopy(prop.default);
  }
  const ap = sAddl(s);
  for (const k of Object.keys(x)) {
    if (hasOwn(props, k)) defaultRec(x[k], props[k]);
    else if (ap) {
      if (x[k] === null && ap.schema && !nullable(ap.schema)) x[k] = deepCopy(ap.schema.default ?? null);
      defaultRec(x[k], ap.schema);
    }
  }
}

const META_STRING_FIELDS = ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion'];
const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** metav1.Time round trip: RFC 3339 in UTC, whole seconds. */
function normalizeTime(v: unknown): unknown {
  if (typeof v !== 'string' || !RFC3339_RE.test(v)) return v;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return v;
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The JSON round trip through metav1.ObjectMeta: unknown fields dropped (and reported, strict-decoding
 * style, under `prefix`), empty optional fields dropped, timestamps normalized.
 */
function coerceObjectMeta(meta: unknown, prefix: string): { value: unknown; unknown: string[] } {
  const unknown: string[] = [];
  if (meta === null) return { value: {}, unknown };
  if (!isObj(meta)) return { value: meta, unknown };
  const out: Json = {};
  for (const [k, v] of Object.entries(meta)) {
    if (META_STRING_FIELDS.includes(k)) {
      if (v !== null && v !== '') out[k] = v;
    } else if (k === 'generation') {
      if (v !== null && v !== 0) out[k] = v;
    } else if (k === 'creationTimestamp' || k === 'deletionTimestamp') {
      if (v !== null && v !== '') out[k] = normalizeTime(v);
    } else if (k === 'deletionGracePeriodSeconds') {
      if (v !== null) out[k] = v;
    } else if (k === 'labels' || k === 'annotations') {
      if (v !== null && !(isObj(v) && Object.keys(v).length === 0)) out[k] = isObj(v) ? Object.fromEntries(Object.entries(v).map(([a, b]) => [a, b === null ? '' : b])) : v;
    } else if (k === 'finalizers') {
      if (v !== null && !(Array.isArray(v) && v.length === 0)) out[k] = v;
    } else if (k === 'ownerReferences') {
      if (v === null || (Array.isArray(v) && v.length === 0)) continue;
      out[k] = Array.isArray(v)
        ? v.map((ref, i) => {
            if (!isObj(ref)) return ref;
            const r: Json = { apiVersion: '', kind: '', name: '', uid: '' };
            for (const [rk, rv] of Object.entries(ref)) {
              if (rk === 'apiVersion' || rk === 'kind' || rk === 'name' || rk === 'uid') r[rk] = rv === null ? '' : rv;
              else if (rk === 'controller' || rk === 'blockOwnerDeletion') {
                if (rv !== null) r[rk] = rv;
              } else unknown.push(`${prefix}.ownerReferences[${i}].${rk}`);
            }
            return r;
          })
        : v;
    } else if (k === 'managedFields') {
      if (v === null || (Array.isArray(v) && v.length === 0)) continue;
      out[k] = Array.isArray(v)
        ? v.map((mf, i) => {
            if (!isObj(mf)) return mf;
            const r: Json = {};
            for (const [mk, mv] of Object.entries(mf)) {
              if (['manager', 'operation', 'apiVersion', 'fieldsType', 'subresource'].includes(mk)) {
                if (mv !== null && mv !== '') r[mk] = mv;
              } else if (mk === 'time') {
                if (mv !== null && mv !== '') r[mk] = normalizeTime(mv);
              } else if (mk === 'fieldsV1') {
                if (mv !== null) r[mk] = mv;
              } else unknown.push(`${prefix}.managedFields[${i}].${mk}`);
            }
            return r;
          })
        : v;
    } else {
      unknown.push(`${prefix}.${k}`);
    }
  }
  return { value: out, unknown };
}

/** schemaobjectmeta.Coerce below the root: embedded resources' metadata. */
function coerceEmbedded(x: unknown, s: Json | null, pth: string, unknown: string[]): void {
  if (!s) return;
  if (Array.isArray(x)) {
    const it = sItems(s);
    x.forEach((v, i) => coerceEmbedded(v, it, key(pth, i), unknown));
    return;
  }
  if (!isObj(x)) return;
  const props = sProps(s) ?? {};
  const ap = sAddl(s);
  for (const k of Object.keys(x)) {
    if (embedded(s) && k === 'metadata') {
      const r = coerceObjectMeta(x.metadata, child(pth, 'metadata'));
      x.metadata = r.value;
      unknown.push(...r.unknown);
    }
    if (hasOwn(props, k)) coerceEmbedded(x[k], props[k], child(pth, k), unknown);
    else if (ap) coerceEmbedded(x[k], ap.schema, key(pth, k), unknown);
  }
}

/**
 * What kube-apiserver's decoder does to a custom resource: prune unknown fields (apiVersion, kind and
 * metadata are kept at the root and in embedded resources; metadata is reduced to ObjectMeta), drop
 * non-nullable nulls without a default. Returns a copy and the unknown field paths (metadata's first,
 * then the pruned ones sorted, then embedded metadata's), as fieldValidation=Strict reports them.
 */
export function pruneWithUnknownFields(obj: unknown, schema: unknown): { object: unknown; unknownFields: string[] } {
  const s = isObj(schema) ? schema : null;
  const x = deepCopy(obj);
  const unknownFields: string[] = [];
  if (!isObj(x)) return { object: x, unknownFields };
  const hasMeta = hasOwn(x, 'metadata') && x.metadata !== undefined;
  let meta: unknown;
  if (hasMeta) {
    const r = coerceObjectMeta(x.metadata, 'metadata');
    meta = r.value;
    unknownFields.push(...r.unknown);
  }
  const pruned: string[] = [];
  pruneRec(x, s ?? {}, '', pruned, true);
  unknownFields.push(...pruned.sort());
  pruneNulls(x, s);
  const coerced: string[] = [];
  coerceEmbedded(x, s, '', coerced);
  unknownFields.push(...coerced.sort());
  if (hasMeta) x.metadata = meta;
  return { object: x, unknownFields };
}

/** A pruned copy of a custom resource (see pruneWithUnknownFields). */
export function prune(obj: unknown, schema: unknown): unknown {
  return pruneWithUnknownFields(obj, schema).object;
}

/** The paths prune drops, as `unknown field "<path>"` errors name them (e.g. `spec.foo`, `metadata.bar`). */
export function unknownFieldPaths(obj: unknown, schema: unknown): string[] {
  return pruneWithUnknownFields(obj, schema).unknownFields;
}

/** Structural defaulting on a copy: non-nullable nulls without a default go first, then defaults fill absent fields. */
export function applyDefaults(obj: unknown, schema: unknown): unknown {
  const s = isObj(schema) ? schema : null;
  const x = deepCopy(obj);
  if (!s) return x;
  pruneNulls(x, s);
  defaultRec(x, s);
  return x;
}

// ---------------------------------------------------------------------------------------------
// Value validation (kube-openapi validate.SchemaValidator)

type Code =
  | 'type'
  | 'required'
  | 'tooLong'
  | 'tooShort'
  | 'pattern'
  | 'enum'
  | 'multipleOf'
  | 'max'
  | 'min'
  | 'unique'
  | 'maxItems'
  | 'minItems'
  | 'tooFewProps'
  | 'tooManyProps'
  | 'unallowed'
  | 'mustBePositive';

type VErr =
  | { kind: 'validation'; code: Code; name: string; value?: unknown; values?: unknown[]; valid?: number; message: string }
  | { kind: 'plain'; message: string };

class Result {
  errors: VErr[] = [];
  matchCount = 0;

  add(...errs: VErr[]): void {
    for (const e of errs) if (!this.errors.some((x) => x.message === e.message)) this.errors.push(e);
  }

  merge(...others: (Result | null)[]): this {
    for (const o of others) {
      if (!o) continue;
      this.add(...o.errors);
      this.matchCount += o.matchCount;
    }
    return this;
  }

  inc(): void {
    this.matchCount++;
  }

  get valid(): boolean {
    return this.errors.length === 0;
  }
}

function errResult(e: VErr): Result {
  const r = new Result();
  r.errors.push(e);
  return r;
}

const IN = 'body';

function verr(code: Code, name: string, message: string, extra: { value?: unknown; values?: unknown[]; valid?: number } = {}): VErr {
  return { kind: 'validation', code, name, message, ...extra };
}

/** errors.InvalidType (the value is always a type or format name, or "null"). */
function invalidType(name: string, typeName: string, value: string): VErr {
  return verr('type', name, `${name} in ${IN} must be of type ${typeName}: ${goQuote(value)}`, { value });
}

/** %v of a decoded JSON number: int64 when whole, float64 otherwise. */
const goV = (n: number, asInt: boolean): string => (asInt ? String(Math.trunc(n)) : formatGoFloat(n));

type Kind = 'nil' | 'string' | 'bool' | 'int' | 'float' | 'slice' | 'map';

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  // JSON decoding keeps a number an int64 when it parses as one; larger whole numbers are float64
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? 'int' : 'float';
  if (Array.isArray(v)) return 'slice';
  return 'map';
}

/** schemaInfoForType: JSON type and format of a decoded value. */
function schemaInfo(k: Kind): [string, string] {
  switch (k) {
    case 'bool':
      return ['boolean', ''];
    case 'string':
      return ['string', ''];
    case 'int':
      return ['integer', 'int64'];
    case 'float':
      return ['number', 'float64'];
    case 'slice':
      return ['array', ''];
    default:
      return ['object', ''];
  }
}

/** The spec.Schema type list: x-kubernetes-int-or-string means integer or string. */
function vTypes(s: Json): string[] {
  if (intOrString(s)) return ['integer', 'string'];
  const t = sType(s);
  return t ? [t] : [];
}

const SUPPORTED_STRING_FORMATS = new Set([
  'bsonobjectid', 'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'cidr', 'mac', 'uuid', 'uuid3', 'uuid4', 'uuid5', 'isbn',
  'isbn10', 'isbn13', 'creditcard', 'ssn', 'hexcolor', 'rgbcolor', 'byte', 'password', 'date', 'duration', 'datetime',
  'k8sshortname', 'k8slongname',
]);

/** The format after StripUnsupportedFormatsPostProcessor. */
function vFormat(s: Json): string {
  const f = typeof s.format === 'string' ? s.format : '';
  if (!f) return '';
  const types = vTypes(s);
  const t = types.length === 1 ? types[0] : '';
  switch (t) {
    case '':
    case 'string':
      return SUPPORTED_STRING_FORMATS.has(f.replace(/-/g, '')) ? f : '';
    case 'integer':
      return f === 'int32' || f === 'int64' ? f : '';
    case 'number':
      return f === 'float' || f === 'double' ? f : '';
    default:
      return '';
  }
}

const numOrUndef = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** SchemaValidator.Validate */
function validateSchema(s: Json, data: unknown, path: string): Result {
  const result = new Result();
  const kind = kindOf(data);
  if (kind === 'nil') {
    result.merge(typeValidate(s, null, path));
    result.merge(commonValidate(s, null, path));
    return result;
  }
  const types = vTypes(s);
  const format = vFormat(s);
  const run = (r: Result | null): void => {
    result.merge(r);
    result.inc();
  };
  if (types.length > 0 || format !== '') run(typeValidate(s, data, path));
  run(schemaPropsValidate(s, data, path));
  if (kind === 'string') run(stringValidate(s, data as string, path));
  if (kind === 'string' && format !== '' && FORMAT_CHECKS[format.replace(/-/g, '')]) run(formatValidate(format, data as string, path));
  if (kind === 'int' || kind === 'float') run(numberValidate(s, data as number, path));
  if (kind === 'slice') run(sliceValidate(s, data as unknown[], path));
  run(commonValidate(s, data, path));
  if (kind === 'map') run(objectValidate(s, data as Json, path));
  result.inc();
  return result;
}

function typeValidate(s: Json, data: unknown, path: string): Result {
  const result = new Result();
  result.inc();
  const types = vTypes(s);
  const format = vFormat(s);
  const kind = kindOf(data);
  if (kind === 'nil') {
    if (types.length > 0 && !types.includes('null') && !nullable(s)) return errResult(invalidType(path, types.join(','), 'null'));
    return result;
  }
  const [schType, fmt] = schemaInfo(kind);
  const isFloatInt = schType === 'number' && isJSONInteger(data as number) && types.includes('integer');
  const isIntFloat = schType === 'integer' && types.includes('number');
  if (kind !== 'string' && kind !== 'slice' && format !== '' && !(types.includes(schType) || fmt === format || isFloatInt || isIntFloat)) {
    return errResult(invalidType(path, format, fmt));
  }
  if (!(types.includes('number') || types.includes('integer')) && format !== '' && (kind === 'string' || kind === 'slice')) return result;
  if (!(types.includes(schType) || isFloatInt || isIntFloat)) return errResult(invalidType(path, types.join(','), schType));
  return result;
}

function schemaPropsValidate(s: Json, data: unknown, path: string): Result {
  const main = new Result();
  const subs = (k: string): Json[] => (Array.isArray(s[k]) ? (s[k] as unknown[]).filter(isObj) : []);

  const anyOf = subs('anyOf');
  if (anyOf.length > 0) {
    let best: Result | null = null;
    let firstSuccess: Result | null = null;
    let ok = false;
    for (const sch of anyOf) {
      const r = validateSchema(sch, data, path);
      if (r.valid) {
        best = null;
        ok = true;
        firstSuccess ??= r;
        break;
      }
      if (!best || r.matchCount > best.matchCount) best = r;
    }
    if (!ok) main.add({ kind: 'plain', message: `${goQuote(path)} must validate at least one schema (anyOf)` });
    if (best) main.merge(best);
    else if (firstSuccess) main.merge(firstSuccess);
  }

  const oneOf = subs('oneOf');
  if (oneOf.length > 0) {
    let best: Result | null = null;
    let firstSuccess: Result | null = null;
    let validated = 0;
    for (const sch of oneOf) {
      const r = validateSchema(sch, data, path);
      if (r.valid) {
        validated++;
        best = null;
        firstSuccess ??= r;
        continue;
      }
      if (validated === 0 && (!best || r.matchCount > best.matchCount)) best = r;
    }
    if (validated !== 1) {
      const extra = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
      main.add({ kind: 'plain', message: `${goQuote(path)} must validate one and only one schema (oneOf). ${extra}` });
      if (best) main.merge(best);
    } else if (firstSuccess) main.merge(firstSuccess);
  }

  const allOf = subs('allOf');
  if (allOf.length > 0) {
    let validated = 0;
    for (const sch of allOf) {
      const r = validateSchema(sch, data, path);
      if (r.valid) validated++;
      main.merge(r);
    }
    if (validated !== allOf.length) {
      main.add({ kind: 'plain', message: `${goQuote(path)} must validate all the schemas (allOf)${validated === 0 ? '. None validated' : ''}` });
    }
  }

  if (isObj(s.not)) {
    if (validateSchema(s.not, data, path).valid) main.add({ kind: 'plain', message: `${goQuote(path)} must not validate the schema (not)` });
  }
  main.inc();
  return main;
}

function stringValidate(s: Json, data: string, path: string): Result | null {
  const maxLength = numOrUndef(s.maxLength);
  const minLength = numOrUndef(s.minLength);
  const len = [...data].length;
  if (maxLength !== undefined && len > maxLength) {
    return errResult(verr('tooLong', path, `${path} in ${IN} should be at most ${maxLength} chars long`, { value: data, valid: maxLength }));
  }
  if (minLength !== undefined && len < minLength) {
    return errResult(verr('tooShort', path, `${path} in ${IN} should be at least ${minLength} chars long`, { value: data, valid: minLength }));
  }
  if (nonEmptyStr(s.pattern)) {
    const pattern = s.pattern as string;
    const c = compilePattern(pattern);
    if (!c.re) return errResult(verr('pattern', path, `${path} in ${IN} should match '${pattern}, but pattern is invalid: ${c.error}'`, { value: data }));
    if (!c.re.test(data)) return errResult(verr('pattern', path, `${path} in ${IN} should match '${pattern}'`, { value: data }));
  }
  return null;
}

function formatValidate(format: string, data: string, path: string): Result | null {
  const check = FORMAT_CHECKS[format.replace(/-/g, '')];
  if (check && !check(data)) return errResult(invalidType(path, format, data));
  return null;
}

/** IsValueValidAgainstRange */
function rangeError(v: number, typeName: string, format: string, prefix: string, path: string): string | null {
  let ok = true;
  if (typeName === 'integer') {
    if (format === 'int32') ok = Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
    else ok = Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63;
  } else if (format === 'float') {
    ok = Math.abs(v) <= 3.4028234663852886e38;
  }
  if (ok) return null;
  return format
    ? `${prefix} value must be of type ${typeName} with format ${format} in ${path}`
    : `${prefix} value must be of type ${typeName} (default format) in ${path}`;
}

function isJSONInteger(f: number): boolean {
  if (!Number.isFinite(f) || Math.abs(f) > 2 ** 53 - 1) return false;
  if (Number.isInteger(f)) return true;
  const g = f > 0 ? Math.trunc(f) : 0;
  if (g === 0) return false;
  return Math.abs(f - g) / (Math.abs(f) + g) < 1e-9;
}

function numberValidate(s: Json, data: number, path: string): Result {
  const res = new Result();
  const resMultiple = new Result();
  const resMinimum = new Result();
  const resMaximum = new Result();
  const types = vTypes(s);
  const f = vFormat(s);
  let typeName = '';
  let format = '';
  if (types.length === 1) {
    if (types[0] === 'integer') {
      typeName = 'integer';
      if (f === 'int32' || f === 'int64') format = f;
    } else if (types[0] === 'number') {
      typeName = 'number';
      if (f === 'float' || f === 'double') format = f;
    }
  }
  const isInt = kindOf(data) === 'int';
  const plain = (m: string | null): VErr[] => (m ? [{ kind: 'plain', message: m }] : []);
  res.add(...plain(rangeError(data, typeName, format, 'Checked', path)));

  const multipleOf = numOrUndef(s.multipleOf);
  if (multipleOf !== undefined) {
    resMultiple.add(...plain(rangeError(multipleOf, typeName, format, 'MultipleOf', path)));
    const floatCheck = (): VErr | null => {
      if (multipleOf <= 0) return verr('mustBePositive', path, `factor MultipleOf declared for ${path} must be positive: ${formatGoFloat(multipleOf)}`, { value: multipleOf });
      const mult = multipleOf < 1 ? (1 / multipleOf) * data : data / multipleOf;
      if (!isJSONInteger(mult)) return verr('multipleOf', path, `${path} in ${IN} should be a multiple of ${formatGoFloat(multipleOf)}`, { value: data });
      return null;
    };
    let err: VErr | null;
    if (resMultiple.valid && isInt) {
      const factor = Math.trunc(multipleOf);
      if (factor <= 0) err = verr('mustBePositive', path, `factor MultipleOf declared for ${path} must be positive: ${factor}`, { value: factor });
      else err = Math.trunc(data / factor) * factor !== data ? verr('multipleOf', path, `${path} in ${IN} should be a multiple of ${factor}`, { value: data }) : null;
    } else err = floatCheck();
    if (err) resMultiple.add(err);
  }

  const bound = (limit: number, exclusive: boolean, isMax: boolean, out: Result): void => {
    out.add(...plain(rangeError(limit, typeName, format, isMax ? 'Maximum boundary' : 'Minimum boundary', path)));
    const native = out.valid && isInt;
    const l = native ? Math.trunc(limit) : limit;
    const fails = isMax ? (!exclusive && data > l) || (exclusive && data >= l) : (!exclusive && data < l) || (exclusive && data <= l);
    if (!fails) return;
    const shown = goV(l, native);
    const msg = isMax
      ? `${path} in ${IN} should be less than${exclusive ? '' : ' or equal to'} ${shown}`
      : `${path} in ${IN} should be greater than${exclusive ? '' : ' or equal to'} ${shown}`;
    out.add(verr(isMax ? 'max' : 'min', path, msg, { value: data }));
  };
  const maximum = numOrUndef(s.maximum);
  if (maximum !== undefined) bound(maximum, s.exclusiveMaximum === true, true, resMaximum);
  const minimum = numOrUndef(s.minimum);
  if (minimum !== undefined) bound(minimum, s.exclusiveMinimum === true, false, resMinimum);

  res.merge(resMultiple, resMinimum, resMaximum);
  res.inc();
  return res;
}

function sliceValidate(s: Json, data: unknown[], path: string): Result {
  const result = new Result();
  const items = sItems(s);
  if (items) data.forEach((v, i) => result.merge(validateSchema(items, v, `${path}[${i}]`)));
  const size = data.length;
  const minItems = numOrUndef(s.minItems);
  const maxItems = numOrUndef(s.maxItems);
  if (minItems !== undefined && size < minItems) {
    result.add(verr('minItems', path, `${path} in ${IN} should have at least ${minItems} items`, { value: size, valid: minItems }));
  }
  if (maxItems !== undefined && size > maxItems) {
    result.add(verr('maxItems', path, `${path} in ${IN} should have at most ${maxItems} items`, { value: size, valid: maxItems }));
  }
  if (s.uniqueItems === true) {
    const dup = data.some((v, i) => data.slice(0, i).some((u) => deepEqual(u, v)));
    if (dup) result.add(verr('unique', path, `${path} in ${IN} shouldn't contain duplicates`));
  }
  result.inc();
  return result;
}

/** Go's reflect Convert-then-DeepEqual of a decoded value against an enum entry. */
function enumMatches(data: unknown, ev: unknown): boolean {
  if (ev === null || ev === undefined || data === null || data === undefined) return false;
  if (typeof ev === 'number') {
    if (typeof data !== 'number') return false;
    return Number.isInteger(ev) ? Math.trunc(data) === ev : data === ev;
  }
  if (typeof ev === 'string') {
    if (typeof data === 'string') return data === ev;
    if (typeof data === 'number' && Number.isInteger(data)) {
      // int64 → string converts to the rune
      const valid = data >= 0 && data <= 0x10ffff && !(data >= 0xd800 && data <= 0xdfff);
      return (valid ? String.fromCodePoint(data) : '\ufffd') === ev;
    }
    return false;
  }
  if (typeof ev === 'boolean') return data === ev;
  if (Array.isArray(ev)) return Array.isArray(data) && deepEqual(data, ev);
  return isObj(data) && deepEqual(data, ev);
}

function commonValidate(s: Json, data: unknown, path: string): Result | null {
  const enumValues = Array.isArray(s.enum) ? s.enum : [];
  if (enumValues.length === 0) return null;
  for (const ev of enumValues) if (enumMatches(data, ev)) return null;
  const shown = enumValues.map((v) => (typeof v === 'string' ? v : goJSON(v))).join(' ');
  return errResult(verr('enum', path, `${path} in ${IN} should be one of [${shown}]`, { value: data, values: enumValues }));
}

function objectValidate(s: Json, data: Json, path: string): Result {
  const res = new Result();
  const keys = Object.keys(data).filter((k) => data[k] !== undefined);
  const n = keys.length;
  const minProperties = numOrUndef(s.minProperties);
  const maxProperties = numOrUndef(s.maxProperties);
  if (minProperties !== undefined && n < minProperties) {
    res.add(verr('tooFewProps', path, `${path} in ${IN} should have at least ${minProperties} properties`, { value: n, valid: minProperties }));
  }
  if (maxProperties !== undefined && n > maxProperties) {
    res.add(verr('tooManyProps', path, `${path} in ${IN} should have at most ${maxProperties} properties`, { value: n, valid: maxProperties }));
  }
  const props = isObj(s.properties) ? s.properties : {};
  const ap = sAddl(s);
  if (ap && !ap.allows) {
    for (const k of keys) {
      if (!hasOwn(props, k)) res.add(verr('unallowed', path, `${path}.${k} in ${IN} is a forbidden property`, { value: k }));
    }
  } else if (ap?.schema) {
    for (const k of keys) if (!hasOwn(props, k)) res.merge(validateSchema(ap.schema, data[k], `${path}.${k}`));
  }
  for (const [pName, pSchema] of Object.entries(props)) {
    if (!isObj(pSchema) || !hasOwn(data, pName) || data[pName] === undefined) continue;
    res.merge(validateSchema(pSchema, data[pName], path ? `${path}.${pName}` : pName));
  }
  if (Array.isArray(s.required)) {
    for (const k of s.required) {
      if (typeof k === 'string' && (!hasOwn(data, k) || data[k] === undefined)) res.add(verr('required', `${path}.${k}`, `${path}.${k} in ${IN} is required`));
    }
  }
  return res;
}

/** field.Invalid / field.TypeInvalid, printing a float64 bad value the way Go's %v does (1.5, 1e+06). */
function invalidValue(typeInvalid: boolean, path: string, value: unknown, detail: string): FieldError {
  if (typeof value === 'number' && kindOf(value) === 'float') {
    return { type: typeInvalid ? 'FieldValueTypeInvalid' : 'FieldValueInvalid', field: path, message: `Invalid value: ${formatGoFloat(value)}: ${detail}` };
  }
  return typeInvalid ? field.typeInvalid(path, value, detail) : field.invalid(path, value, detail);
}

/** kubeOpenAPIResultToFieldErrors */
function toFieldErrors(result: Result, fldPath?: string): FieldError[] {
  const root = fldPath || undefined;
  const out: FieldError[] = [];
  for (const e of result.errors) {
    if (e.kind === 'plain') {
      out.push(field.invalid(root ?? '<nil>', '', e.message));
      continue;
    }
    let errPath = root ?? '<nil>';
    if (e.name && e.name !== '.') {
      const n = e.name.startsWith('.') ? e.name.slice(1) : e.name;
      errPath = root === undefined ? n : `${root}.${n}`;
    }
    const value = e.value === undefined || e.value === null ? '' : e.value;
    switch (e.code) {
      case 'required':
        out.push(field.required(errPath));
        break;
      case 'enum':
        out.push(field.notSupported(errPath, e.value ?? null, (e.values ?? []).map((v) => (typeof v === 'string' ? v : goJSON(v)))));
        break;
      case 'tooLong':
        out.push(field.tooLong(errPath, '', e.valid ?? -1));
        break;
      case 'maxItems':
      case 'tooManyProps':
        out.push(field.tooMany(errPath, typeof e.value === 'number' ? e.value : -1, e.valid ?? -1));
        break;
      case 'type':
        out.push(invalidValue(true, errPath, value, e.message));
        break;
      default:
        out.push(invalidValue(false, errPath, value, e.message));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Embedded resources and list types

function isPathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const c of ['/', '%']) if (name.includes(c)) errs.push(`may not contain '${c}'`);
  return errs;
}

function validateEmbeddedResource(pth: string, x: Json): FieldError[] {
  const errs: FieldError[] = [];
  if (!hasOwn(x, 'apiVersion')) errs.push(field.required(child(pth, 'apiVersion')));
  if (!hasOwn(x, 'kind')) errs.push(field.required(child(pth, 'kind')));
  for (const [k, v] of Object.entries(x)) {
    if (k === 'apiVersion') {
      const p = child(pth, 'apiVersion');
      if (typeof v !== 'string') errs.push(field.invalid(p, v, 'must be a string'));
      else if (v.length === 0) errs.push(field.invalid(p, v, 'must not be empty'));
      else if (v !== '/' && (v.match(/\//g) ?? []).length > 1) errs.push(field.invalid(p, v, `unexpected GroupVersion string: ${v}`));
    } else if (k === 'kind') {
      const p = child(pth, 'kind');
      if (typeof v !== 'string') errs.push(field.invalid(p, v, 'must be a string'));
      else if (v.length === 0) errs.push(field.invalid(p, v, 'must not be empty'));
      else {
        const e = isDNS1035Label(v.toLowerCase());
        if (e.length) errs.push(field.invalid(p, v, `may have mixed case, but should otherwise match: ${e.join(',')}`));
      }
    } else if (k === 'metadata') {
      const p = child(pth, 'metadata');
      if (v !== null && !isObj(v)) {
        errs.push(field.invalid(p, v, `json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type v1.ObjectMeta`));
        continue;
      }
      const meta: Json = { ...((v as Json | null) ?? {}) };
      if (typeof meta.name !== 'string' || meta.name === '') meta.name = 'fakename';
      const namespaced = typeof meta.namespace === 'string' && meta.namespace.length > 0;
      for (const e of validateObjectMeta(meta as ObjectMeta, { namespaced, nameFn: isPathSegmentName, builtinFinalizers: false })) {
        errs.push({ ...e, field: p + e.field.slice('metadata'.length) });
      }
    }
  }
  return errs;
}

/** schemaobjectmeta.Validate: apiVersion, kind and metadata of x-kubernetes-embedded-resource values. */
function validateEmbedded(pth: string, x: unknown, s: Json | null, isResourceRoot: boolean): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  if (Array.isArray(x)) {
    const it = sItems(s);
    x.forEach((v, i) => errs.push(...validateEmbedded(key(pth, i), v, it, false)));
    return errs;
  }
  if (!isObj(x)) return errs;
  if (isResourceRoot || embedded(s)) errs.push(...validateEmbeddedResource(pth, x));
  const props = sProps(s) ?? {};
  const ap = sAddl(s);
  for (const [k, v] of Object.entries(x)) {
    if (hasOwn(props, k)) errs.push(...validateEmbedded(child(pth, k), v, props[k], false));
    else if (ap) errs.push(...validateEmbedded(key(pth, k), v, ap.schema, false));
  }
  return errs;
}

/** The identity of a list-set element: Go compares scalars by type and value, compounds by their JSON. */
function setKey(v: unknown): string {
  if (v === UNSPECIFIED) return 'u:';
  if (Array.isArray(v) || isObj(v)) return `c:${goJSON(v)}`;
  if (typeof v === 'number') return `${Number.isInteger(v) ? 'i' : 'f'}:${v}`;
  return `${typeof v}:${String(v)}`;
}
const UNSPECIFIED = Symbol('unspecifiedKeyValue');

/** Indices of the second appearance of each non-unique element. */
function nonUniqueIndices(list: unknown[]): number[] {
  if (list.length <= 1) return [];
  const seen = new Map<string, number>();
  const out: number[] = [];
  list.forEach((x, i) => {
    const k = setKey(x);
    const times = seen.get(k) ?? 0;
    seen.set(k, times + 1);
    if (times === 1) out.push(i);
  });
  return out;
}

function validateListMap(p: string, s: Json, list: unknown[]): FieldError[] {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x !== null && !isObj(x)) return [field.invalid(key(p, i), x, 'must be an object for an array of list-type map')];
  }
  if (list.length <= 1) return [];
  const keyFields = (Array.isArray(s['x-kubernetes-list-map-keys']) ? s['x-kubernetes-list-map-keys'] : []).map(String);
  if (keyFields.length === 1) {
    const kf = keyFields[0];
    const keys = list.map((x) => (x === null || !hasOwn(x as Json, kf) ? UNSPECIFIED : (x as Json)[kf]));
    return nonUniqueIndices(keys).map((i) => field.duplicate(key(p, i), keys[i] === UNSPECIFIED ? {} : { [kf]: keys[i] }));
  }
  const keys = list.map((x) => {
    const k: Json = {};
    if (x === null) return k;
    for (const kf of keyFields) if (hasOwn(x as Json, kf)) k[kf] = (x as Json)[kf];
    return k;
  });
  return nonUniqueIndices(keys).map((i) => field.duplicate(key(p, i), keys[i]));
}

function listSetsAndMaps(p: string, s: Json | null, x: unknown): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  if (Array.isArray(x)) {
    const lt = s['x-kubernetes-list-type'];
    if (lt === 'set') for (const i of nonUniqueIndices(x)) errs.push(field.duplicate(key(p, i), x[i]));
    else if (lt === 'map') errs.push(...validateListMap(p, s, x));
    const it = sItems(s);
    if (it) x.forEach((v, i) => errs.push(...listSetsAndMaps(key(p, i), it, v)));
    return errs;
  }
  if (!isObj(x)) return errs;
  const ap = sAddl(s);
  if (ap?.schema) for (const [k, v] of Object.entries(x)) errs.push(...listSetsAndMaps(key(p, k), ap.schema, v));
  const props = sProps(s);
  if (props) for (const [k, v] of Object.entries(x)) if (hasOwn(props, k)) errs.push(...listSetsAndMaps(child(p, k), props[k], v));
  return errs;
}

/**
 * Validate a custom resource (or any value) against a structural schema, the way the custom resource
 * strategy does: OpenAPI schema validation (messages as kube-apiserver words them), embedded resources,
 * then x-kubernetes-list-type set/map uniqueness. `root` prefixes every field path (as ValidateCustomResource's
 * fldPath); without it errors not tied to a property have the field `<nil>`, as upstream.
 */
export function validateValue(obj: unknown, schema: unknown, root?: string): FieldError[] {
  if (!isObj(schema)) return [];
  const errs = toFieldErrors(validateSchema(schema, obj, ''), root);
  errs.push(...validateEmbedded(root ?? '', obj, schema, false));
  if (isObj(obj)) {
    const props = sProps(schema);
    const ap = sAddl(schema);
    const r = root ?? '';
    if (ap?.schema) for (const [k, v] of Object.entries(obj)) errs.push(...listSetsAndMaps(key(r, k), ap.schema, v));
    if (props) for (const [k, v] of Object.entries(obj)) if (hasOwn(props, k)) errs.push(...listSetsAndMaps(child(r, k), props[k], v));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Patterns (Go RE2 syntax, run as JS RegExp) and string formats

const patternCache = new Map<string, { re?: RegExp; error?: string }>();

/** Compile a Go (RE2) pattern as a JS RegExp: flags groups, \A \z, (?P<name>, POSIX classes. */
export function compilePattern(pattern: string): { re?: RegExp; error?: string } {
  const hit = patternCache.get(pattern);
  if (hit) return hit;
  let result: { re?: RegExp; error?: string };
  const perl = /\(\?(<=|<!|=|!)/.exec(pattern);
  const backref = /(^|[^\\])(\\\\)*\\([1-9])/.exec(pattern);
  if (perl) result = { error: `error parsing regexp: invalid or unsupported Perl syntax: \`${perl[0].slice(0, 3)}\`` };
  else if (backref) result = { error: `error parsing regexp: invalid escape sequence: \`\\${backref[3]}\`` };
  else {
    let src = pattern;
    let flags = '';
    const lead = /^\(\?([imsU]+)\)/.exec(src);
    if (lead) {
      src = src.slice(lead[0].length);
      for (const f of lead[1]) if (f !== 'U' && !flags.includes(f)) flags += f;
    }
    const posix: Record<string, string> = {
      alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F', digit: '0-9',
      graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
    };
    src = src
      .replace(/\(\?P</g, '(?<')
      .replace(/\\A/g, '^')
      .replace(/\\z/g, '$')
      .replace(/\[:(\w+):\]/g, (m, n: string) => posix[n] ?? m);
    try {
      result = { re: new RegExp(src, `${flags}u`) };
    } catch {
      try {
        result = { re: new RegExp(src, flags) };
      } catch (e) {
        result = { error: `error parsing regexp: ${goRegexpError(pattern, (e as Error).message)}` };
      }
    }
  }
  if (patternCache.size > 1000) patternCache.clear();
  patternCache.set(pattern, result);
  return result;
}

/** Go regexp/syntax's wording for the usual mistakes (JS RegExp's message otherwise). */
function goRegexpError(pattern: string, jsMessage: string): string {
  const nested = /[*+?][*+]|[*+?]\?[*+?]/.exec(pattern);
  if (nested) return `invalid nested repetition operator: \`${nested[0]}\``;
  if (/Nothing to repeat/i.test(jsMessage)) {
    const m = /(?:^|[(|])([*+?]|\{\d+(?:,\d*)?\})/.exec(pattern);
    return `missing argument to repetition operator: \`${m ? m[1] : pattern}\``;
  }
  if (/Unterminated group/i.test(jsMessage)) return `missing closing ): \`${pattern}\``;
  if (/Unmatched '\)'/i.test(jsMessage)) return `unexpected ): \`${pattern}\``;
  if (/Unterminated character class|missing \/|Missing \]/i.test(jsMessage)) {
    const i = pattern.lastIndexOf('[');
    return `missing closing ]: \`${i >= 0 ? pattern.slice(i) : pattern}\``;
  }
  if (/Range out of order/i.test(jsMessage)) {
    const m = /(.)-(.)/.exec(pattern.replace(/^.*\[/, ''));
    return `invalid character class range: \`${m ? m[0] : pattern}\``;
  }
  if (/Invalid escape/i.test(jsMessage)) {
    const m = /\\./.exec(pattern);
    return `invalid escape sequence: \`${m ? m[0] : pattern}\``;
  }
  return jsMessage.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
}

function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[mo - 1];
}

function isDateTime(str: string): boolean {
  if (str.length < 4) return false;
  const parts = str.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0])) return false;
  const m = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/.exec(parts[1]);
  if (!m) return false;
  return m[1] <= '23' && m[2] <= '59' && m[3] <= '59';
}

function isDuration(s: string): boolean {
  if (/^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/.test(s) || /^[-+]?0$/.test(s)) return true;
  const matches = [...s.matchAll(/(\d+)\s*([A-Za-zµ]+)/g)];
  if (matches.length === 0) return false;
  const units = ['ns', 'nano', 'us', 'µs', 'micro', 'ms', 'milli', 's', 'sec', 'm', 'min', 'h', 'hr', 'hour', 'd', 'day', 'w', 'wk', 'week'];
  return matches.every((m) => {
    const u = m[2].toLowerCase().replace(/s$/, '');
    return units.includes(u) || units.includes(m[2].toLowerCase());
  });
}

const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|\d{1,2}|0\d{1,2})\.){3}(25[0-5]|2[0-4]\d|1\d\d|\d{1,2}|0\d{1,2})$/;

function isIPv6(s: string): boolean {
  if (!s.includes(':')) return false;
  let str = s;
  let groupsNeeded = 8;
  const lastColon = str.lastIndexOf(':');
  const tail = str.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!IPV4.test(tail)) return false;
    str = `${str.slice(0, lastColon + 1)}0:0`;
  }
  const dbl = str.split('::');
  if (dbl.length > 2) return false;
  const groups = (part: string): string[] | null => {
    if (part === '') return [];
    const g = part.split(':');
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g : null;
  };
  if (dbl.length === 1) {
    const g = groups(str);
    return !!g && g.length === groupsNeeded;
  }
  const a = groups(dbl[0]);
  const b = groups(dbl[1]);
  if (!a || !b) return false;
  groupsNeeded -= a.length + b.length;
  return groupsNeeded >= 1;
}

function isCIDR(s: string): boolean {
  const i = s.indexOf('/');
  if (i < 0) return false;
  const ip = s.slice(0, i);
  const bits = s.slice(i + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  if (IPV4.test(ip)) return +bits <= 32;
  return isIPv6(ip) && +bits <= 128;
}

function luhn(digits: string): boolean {
  let sum = 0;
  let alt = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = +digits[i];
    if (alt) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    alt = !alt;
  }
  return sum % 10 === 0;
}

function isISBN10(s: string): boolean {
  const v = s.replace(/[\s-]/g, '');
  if (!/^(?:[0-9]{9}X|[0-9]{10})$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (i + 1) * +v[i];
  sum += v[9] === 'X' ? 100 : 10 * +v[9];
  return sum % 11 === 0;
}

function isISBN13(s: string): boolean {
  const v = s.replace(/[\s-]/g, '');
  if (!/^[0-9]{13}$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += +v[i] * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10 === +v[12];
}

const RGB_PART = '\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*';
const HOSTNAME_RE =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;

/** strfmt.Default's validators (normalized names), close enough for API validation. */
const FORMAT_CHECKS: Record<string, (s: string) => boolean> = {
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  uri: (s) => /^([a-zA-Z][a-zA-Z0-9+.-]*:|\/)[^\s]*$/.test(s),
  email: (s) => /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/.test(s) || /^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(s),
  hostname: (s) => HOSTNAME_RE.test(s) && s.length <= 255 && s.split('.').every((p) => p.length <= 63),
  ipv4: (s) => IPV4.test(s) || (isIPv6(s) && s.includes('.')),
  ipv6: (s) => isIPv6(s),
  cidr: isCIDR,
  mac: (s) =>
    /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(s) ||
    /^([0-9a-fA-F]{2}[:-]){7}[0-9a-fA-F]{2}$/.test(s) ||
    /^([0-9a-fA-F]{2}[:-]){19}[0-9a-fA-F]{2}$/.test(s) ||
    /^([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$/.test(s) ||
    /^([0-9a-fA-F]{4}\.){3}[0-9a-fA-F]{4}$/.test(s) ||
    /^([0-9a-fA-F]{4}\.){9}[0-9a-fA-F]{4}$/.test(s),
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid3: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid4: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  uuid5: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  isbn: (s) => isISBN10(s) || isISBN13(s),
  isbn10: isISBN10,
  isbn13: isISBN13,
  creditcard: (s) => {
    const d = s.replace(/[^0-9]/g, '');
    return (
      /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$/.test(d) &&
      luhn(d)
    );
  },
  ssn: (s) => s.length === 11 && /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(s),
  hexcolor: (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  rgbcolor: (s) => new RegExp(`^rgb\\(${RGB_PART},${RGB_PART},${RGB_PART}\\)$`).test(s),
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/.test(s),
  password: () => true,
  date: isDate,
  datetime: isDateTime,
  duration: isDuration,
  k8sshortname: (s) => s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s),
  k8slongname: (s) => s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s),
};
