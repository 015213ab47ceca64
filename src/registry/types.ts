// Shapes shared by every registry module (one module per API group) and the store.

/** A Kubernetes object as stored: plain JSON with the usual envelope. */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
  [field: string]: unknown;
}

export type Scope = 'Namespaced' | 'Cluster';

/** One field-level validation failure, worded like k8s.io/apimachinery field.Error. */
export interface FieldError {
  /** Status cause reason: FieldValueRequired, FieldValueInvalid, FieldValueNotSupported,
   * FieldValueDuplicate, FieldValueForbidden, FieldValueTooLong, FieldValueTypeInvalid. */
  type: string;
  /** Path such as spec.containers[0].image */
  field: string;
  /** Full detail, e.g. `Required value` or `Invalid value: "x": must be ...` */
  message: string;
}

export interface SubresourceDef {
  /** e.g. "status", "scale", "binding", "eviction", "log", "exec" */
  name: string;
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

export interface ColumnDefinition {
  name: string;
  type: string; // string | integer | number | boolean | date
  format: string; // "" | name | date ...
  description: string;
  priority: number; // 0 normal, 1 wide only
}

/** Server-side printing: what kube-apiserver's printers (pkg/printers/internalversion) produce. */
export interface Printer {
  columns: ColumnDefinition[];
  /** One row's cells, same order as columns. `now` is ms since epoch (for AGE cells). */
  cells(obj: KObject, now: number): unknown[];
}

/** Everything the API server knows about one resource (a registry "strategy"). */
export interface ResourceDef {
  group: string; // "" for core
  version: string;
  resource: string; // plural
  singular: string;
  kind: string;
  listKind?: string; // defaults to kind + "List"
  scope: Scope;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: SubresourceDef[];
  /** Set metadata.generation on create and bump it when anything outside metadata/status changes. */
  generation?: boolean;
  /** Has a status subresource: main-resource writes keep the stored status, status writes keep the rest. */
  statusSubresource?: boolean;
  /** Extra field selectors beyond metadata.name and metadata.namespace. */
  fieldSelectors?: Record<string, (obj: KObject) => string | undefined>;
  printer?: Printer;
  /**
   * Several group-versions may share one storage (core and events.k8s.io events; autoscaling v1 and
   * v2 HPAs). `key` is the storage key (default: resource, or resource.group) and the converters map
   * between this version's shape and the stored one (which is the storage version's shape).
   */
  storage?: { key: string; toStored?(obj: KObject): KObject; fromStored?(obj: KObject): KObject };
  /** Fill in defaults before validation (mutates). */
  defaults?(obj: KObject): void;
  /** Strategy hook on create, after defaults (e.g. pods start Pending). */
  prepareForCreate?(obj: KObject): void;
  validate?(obj: KObject): FieldError[];
  /** Strategy hook on update (not status), before defaults and validation: carry over what the old version allocated. */
  prepareForUpdate?(obj: KObject, old: KObject): void;
  /** Name rules (default: DNS-1123 subdomain); returns error details like apimachinery's validators. */
  nameValidator?: (name: string) => string[];
  /**
   * Graceful deletion (pods): seconds the object stays with a deletionTimestamp before it is gone;
   * 0 or absent deletes at once. `requested` is DeleteOptions.gracePeriodSeconds.
   */
  gracefulDeletion?(obj: KObject, requested: number | undefined): number;
  /** Deletion only marks the object (deletionTimestamp); a controller finishes it (namespaces). */
  twoPhaseDelete?: boolean;
  /** Strategy hook when deletion starts (e.g. namespaces turn Terminating). */
  prepareForDelete?(obj: KObject): void;
  /** Where the scale subresource reads and writes (custom resources); default .spec.replicas etc. */
  scalePaths?: { specReplicasPath?: string; statusReplicasPath?: string; labelSelectorPath?: string };
  /** The CRD's openAPIV3Schema for this version (custom resources), published in /openapi. */
  openAPISchema?: Record<string, unknown>;
  /** Served from a CustomResourceDefinition (no strategic merge patch; schema from the CRD). */
  custom?: boolean;
  /** Strict decoding against this resource's own schema (custom resources); built-ins use OpenAPI. */
  unknownFields?(obj: KObject): string[];
  /** DELETE answers with the object instead of a Success Status (pods do). */
  returnDeletedObject?: boolean;
  validateUpdate?(obj: KObject, old: KObject): FieldError[];
}

/** Common verb sets. */
export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const READ_ONLY_VERBS = ['get', 'list', 'watch'];
export const STATUS_VERBS = ['get', 'patch', 'update'];
