// Pieces the registry modules share: accessors for plain JSON objects, the standard printer columns
// (pkg/printers/internalversion and rest.NewDefaultTableConvertor), label-selector validation and
// formatting, Go-style rendering of bad values, IntOrString and port checks, subresource shapes.
// Pod-template defaults and validation wrap core's pod spec and live in core.ts.
import { formatLabelSelector, isNothing, labelSelectorFromObject, type Requirement } from '../machinery/labels';
import { FIELD_IMMUTABLE, deepEqual, field, goQuote, isQualifiedName, isValidLabelValue, validateLabels } from '../machinery/validation';
import { STATUS_VERBS, type ColumnDefinition, type FieldError, type KObject, type Printer, type SubresourceDef } from './types';

// ---------------------------------------------------------------------------------------------
// Plain JSON accessors

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** `v` when it is a plain object, else a fresh {}. */
export const objOf = (v: unknown): Obj => (isObj(v) ? v : {});
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** Neither undefined nor null (a Go pointer that is set). */
export const isSet = (v: unknown): boolean => v !== undefined && v !== null;
/** A string value, '' for anything else. */
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
/** A number value, 0 for anything else. */
export const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
/** A deep copy of a JSON value. */
export const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** parent[key] as a plain object, created (and stored) when missing or not an object. */
export function ensureObj(parent: Obj, key: string): Obj {
  if (!isObj(parent[key])) parent[key] = {};
  return parent[key] as Obj;
}
/** obj.spec for reading ({} when missing; not stored). */
export const specOf = (obj: KObject): Obj => (isObj(obj.spec) ? obj.spec : {});
/** obj.status for reading ({} when missing; not stored). */
export const statusOf = (obj: KObject): Obj => (isObj(obj.status) ? obj.status : {});

/** True when validating an update: the store fills in metadata.resourceVersion before validating one. */
export const isUpdate = (obj: KObject): boolean => Boolean(obj.metadata.resourceVersion);

// ---------------------------------------------------------------------------------------------
// Printer columns

/** ObjectMeta.name's description, which kube-apiserver gives the NAME column. */
export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
/** ObjectMeta.creationTimestamp's description (AGE and CREATED AT columns). */
export const CREATION_TIMESTAMP_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** A column definition (priority 0 shows by default, 1 only with -o wide). */
export function col(name: string, description: string, type = 'string', priority = 0, format = ''): ColumnDefinition {
  return { name, type, format, description, priority };
}
/** A priority-1 column (kubectl shows it with -o wide). */
export const wide = (name: string, description: string, type = 'string'): ColumnDefinition => col(name, description, type, 1);

export const NAME_COLUMN: ColumnDefinition = col('Name', NAME_DESCRIPTION, 'string', 0, 'name');
export const AGE_COLUMN: ColumnDefinition = col('Age', CREATION_TIMESTAMP_DESCRIPTION);
/** The workload printers' template columns (layoutContainerCells). */
export const CONTAINERS_COLUMN: ColumnDefinition = wide('Containers', 'Names of each container in the template.');
export const IMAGES_COLUMN: ColumnDefinition = wide('Images', 'Images referenced by each container in the template.');

/** metav1.Time formatted as RFC 3339 in UTC, Go's zero time when unset. */
export function createdAt(ts: string | undefined): string {
  const t = ts ? Date.parse(ts) : NaN;
  if (Number.isNaN(t)) return '0001-01-01T00:00:00Z';
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * rest.NewDefaultTableConvertor: what kube-apiserver prints for types without a printer
 * (`kubectl get roles`: NAME CREATED AT).
 */
export const DEFAULT_TABLE: Printer = {
  columns: [NAME_COLUMN, col('Created At', CREATION_TIMESTAMP_DESCRIPTION, 'date')],
  cells(obj) {
    return [obj.metadata.name, createdAt(obj.metadata.creationTimestamp)];
  },
};

/** layoutContainerCells for a PodTemplateSpec: container names and images, comma separated. */
export function containerCells(template: unknown): [string, string] {
  const spec = isObj(template) && isObj(template.spec) ? template.spec : {};
  const containers = asArray(spec.containers).filter(isObj);
  return [containers.map((c) => String(c.name ?? '')).join(','), containers.map((c) => String(c.image ?? '')).join(',')];
}

/** A PodTemplateSpec's metadata.labels, when it has them. */
export const templateLabels = (template: unknown): Obj | undefined =>
  isObj(template) && isObj(template.metadata) && isObj(template.metadata.labels) ? template.metadata.labels : undefined;

// ---------------------------------------------------------------------------------------------
// Labels and label selectors

/** labels.FormatLabels: sorted k=v pairs, "<none>" when empty. */
export function formatLabels(m: unknown): string {
  if (!isObj(m)) return '<none>';
  const s = Object.keys(m)
    .sort()
    .map((k) => `${k}=${m[k]}`)
    .join(',');
  return s || '<none>';
}

/** metav1.LabelSelectorAsSelector, undefined when the selector cannot be converted. */
export function selectorOf(sel: unknown): Requirement[] | undefined {
  try {
    return labelSelectorFromObject(sel === undefined || sel === null ? undefined : (sel as Parameters<typeof labelSelectorFromObject>[0]));
  } catch {
    return undefined;
  }
}

/** selector.String() of LabelSelectorAsSelector ("" for nil or empty selectors). */
export function selectorString(reqs: Requirement[]): string {
  return isNothing(reqs) ? '' : formatLabelSelector(reqs);
}

/** metav1.FormatLabelSelector: "<none>" for nil/empty, "<error>" when invalid. */
export function formatSelector(sel: unknown): string {
  const reqs = selectorOf(sel);
  if (!reqs) return '<error>';
  return selectorString(reqs) || '<none>';
}

export interface LabelSelectorOptions {
  /**
   * Report a bad operator or value as the string it reads as (`"5"` for 5), as the workload groups
   * (apps, batch, policy) do; by default the JSON value itself is reported.
   */
  stringValues?: boolean;
}

/** v1validation.ValidateLabelSelector (label values must be valid). */
export function validateLabelSelector(sel: unknown, path: string, opts: LabelSelectorOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(sel)) return errs;
  errs.push(...validateLabels(isObj(sel.matchLabels) ? sel.matchLabels : undefined, `${path}.matchLabels`));
  asArray(sel.matchExpressions).forEach((raw, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const r = isObj(raw) ? raw : {};
    const values = asArray(r.values);
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(field.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(field.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default: {
        const operator = r.operator ?? '';
        errs.push(field.invalid(`${p}.operator`, opts.stringValues ? String(operator) : operator, 'not a valid selector operator'));
      }
    }
    const key = String(r.key ?? '');
    for (const m of isQualifiedName(key)) errs.push(field.invalid(`${p}.key`, key, m));
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(String(v))) errs.push(field.invalid(`${p}.values[${j}]`, opts.stringValues ? String(v) : v, m));
    });
  });
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Go-style rendering of bad values (field.Error prints composite values with %#v)

/** %#v of a map[string]string (keys sorted like fmt does); `valueText` renders each value before quoting. */
export function goStringMap(m: unknown, valueText: (v: unknown) => string = String): string {
  if (!isObj(m)) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(valueText(m[k]))}`).join(', ')}}`;
}

/** %#v of a metav1.LabelSelector value ("null" for a nil pointer, as field.Error prints it). */
export function goLabelSelector(sel: unknown): string {
  if (!isObj(sel)) return 'null';
  const exprs = Array.isArray(sel.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions
        .map((e: unknown) => {
          const x = isObj(e) ? e : {};
          const values = Array.isArray(x.values) ? `[]string{${x.values.map((v: unknown) => goQuote(String(v))).join(', ')}}` : '[]string(nil)';
          return `v1.LabelSelectorRequirement{Key:${goQuote(String(x.key ?? ''))}, Operator:${goQuote(String(x.operator ?? ''))}, Values:${values}}`;
        })
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`;
}

/** %#v of an intstr.IntOrString value. */
export function goIntOrString(v: unknown): string {
  if (typeof v === 'number') return `intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}`;
  return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(String(v ?? ''))}}`;
}

/** field.Invalid with a value already rendered the way Go prints it. */
export function invalidRendered(path: string, rendered: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field: path, message: detail ? `Invalid value: ${rendered}: ${detail}` : `Invalid value: ${rendered}` };
}

/** ValidateImmutableField for a *metav1.LabelSelector, rendered like Go. */
export function immutableSelector(sel: unknown, old: unknown, path: string): FieldError[] {
  return deepEqual(sel ?? null, old ?? null) ? [] : [invalidRendered(path, goLabelSelector(sel), FIELD_IMMUTABLE)];
}

/** "`selector` does not match template `labels`" */
export function selectorMismatch(path: string, labels: unknown): FieldError {
  return invalidRendered(path, goStringMap(labels), '`selector` does not match template `labels`');
}

// ---------------------------------------------------------------------------------------------
// Small validators

export const NEGATIVE_ERROR = 'must be greater than or equal to 0';

/** ValidateNonnegativeField for an optional number. */
export function nonNegative(v: unknown, path: string): FieldError[] {
  return typeof v === 'number' && v < 0 ? [field.invalid(path, v, NEGATIVE_ERROR)] : [];
}

/** validation.IsValidPortNum */
export function isValidPortNum(port: unknown): string[] {
  return Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** validation.IsValidPortName (IANA_SVC_NAME) */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** path.IsValidPathSegmentName (names may contain ':', e.g. RBAC's system:controller:...). */
export function isValidPathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  if (name.includes('/')) errs.push("may not contain '/'");
  if (name.includes('%')) errs.push("may not contain '%'");
  return errs;
}

// ---------------------------------------------------------------------------------------------
// IntOrString

/** intstr.IntOrString.String() */
export function intOrStringText(v: unknown): string {
  return typeof v === 'number' ? String(v) : String(v ?? '');
}

const PERCENT_RE = /^[0-9]+%$/;
const PERCENT_MSG =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%' or '93%', regex used for validation is '[0-9]+%')";

/** ValidatePositiveIntOrPercent (apps validation). */
export function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return PERCENT_RE.test(v) ? [] : [invalidRendered(path, goIntOrString(v), PERCENT_MSG)];
  if (typeof v === 'number') return v < 0 ? [field.invalid(path, v, NEGATIVE_ERROR)] : [];
  return [invalidRendered(path, goIntOrString(v), "must be an integer or percentage (e.g '5%')")];
}

function percentValue(v: unknown): number | undefined {
  return typeof v === 'string' && PERCENT_RE.test(v) ? parseInt(v.slice(0, -1), 10) : undefined;
}

/** IsNotMoreThan100Percent */
export function notMoreThan100Percent(v: unknown, path: string): FieldError[] {
  const p = percentValue(v);
  return p !== undefined && p > 100 ? [invalidRendered(path, goIntOrString(v), 'must not be greater than 100%')] : [];
}

/** getIntOrPercentValue (IntValue() of a non-percent string is its integer parse, else 0). */
export function intOrPercentValue(v: unknown): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  if (typeof v === 'number') return v;
  const n = parseInt(String(v ?? ''), 10);
  return Number.isNaN(n) ? 0 : n;
}

// ---------------------------------------------------------------------------------------------
// Subresources

export function statusSubresource(group: string, version: string, kind: string): SubresourceDef {
  return { name: 'status', group, version, kind, verbs: STATUS_VERBS };
}
