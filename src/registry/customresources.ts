// Custom resources: the ResourceDefs a CustomResourceDefinition serves, one per served version,
// all sharing one storage (conversion strategy None: only apiVersion changes between versions).
import { applyDefaults, prune, unknownFieldPaths, validateValue } from '../machinery/schema';
import { evalJsonPath, printerCell } from '../machinery/jsonpath';
import { field } from '../machinery/validation';
import { NAME_COLUMN } from './common';
import { BUILTIN_RESOURCES } from './index';
import { ALL_VERBS, STATUS_VERBS, type FieldError, type KObject, type Printer, type ResourceDef } from './types';

const CRD_GROUP = 'apiextensions.k8s.io';

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
  subresources?: { status?: object; scale?: { specReplicasPath?: string; statusReplicasPath?: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: { name: string; type: string; format?: string; description?: string; priority?: number; jsonPath: string }[];
}

export interface CrdSpec {
  group: string;
  names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  scope: 'Namespaced' | 'Cluster';
  versions: CrdVersion[];
}

export function crdSpec(crd: KObject): CrdSpec {
  return crd.spec as CrdSpec;
}

/** A CRD serves once Established is True (set by the CRD controller). */
export function isEstablished(crd: KObject): boolean {
  const conds = ((crd.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []);
  return conds.some((c) => c.type === 'Established' && c.status === 'True');
}

export function crdStorageKey(spec: CrdSpec): string {
  return `${spec.names.plural}.${spec.group}`;
}

/** The CRD table convertor: Name, then additionalPrinterColumns (default: Age). */
function printerOf(v: CrdVersion): Printer {
  const extra = v.additionalPrinterColumns?.length
    ? v.additionalPrinterColumns
    : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }];
  return {
    columns: [
      NAME_COLUMN,
      ...extra.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
    ],
    cells(obj: KObject, now: number) {
      return [
        obj.metadata.name,
        ...extra.map((c) => printerCell(evalJsonPath(c.jsonPath, obj), c.type, c.format, now)),
      ];
    },
  };
}

/** The ResourceDefs a CRD serves (served versions, storage version first listed as in the CRD). */
export function crdResourceDefs(crd: KObject): ResourceDef[] {
  const spec = crdSpec(crd);
  if (!spec?.names?.plural || !spec.group) return [];
  const key = crdStorageKey(spec);
  return (spec.versions ?? [])
    .filter((v) => v.served !== false)
    .map((v): ResourceDef => {
      const schema = v.schema?.openAPIV3Schema;
      const subresources = [];
      if (v.subresources?.status) subresources.push({ name: 'status', group: spec.group, version: v.name, kind: spec.names.kind, verbs: STATUS_VERBS });
      if (v.subresources?.scale) subresources.push({ name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: STATUS_VERBS });
      return {
        group: spec.group,
        version: v.name,
        resource: spec.names.plural,
        singular: spec.names.singular || spec.names.kind.toLowerCase(),
        kind: spec.names.kind,
        listKind: spec.names.listKind || `${spec.names.kind}List`,
        scope: spec.scope,
        verbs: ALL_VERBS,
        shortNames: spec.names.shortNames,
        categories: spec.names.categories,
        subresources,
        generation: true,
        statusSubresource: !!v.subresources?.status,
        custom: true,
        openAPISchema: schema,
        storage: { key },
        printer: printerOf(v),
        scalePaths: v.subresources?.scale,
        // With a status subresource, status is not the creator's to set (the custom resource strategy).
        prepareForCreate: v.subresources?.status ? (obj) => void delete obj.status : undefined,
        // Pruning and defaulting mutate the object in place but keep its metadata object (the store
        // holds on to it while it prepares the write).
        defaults: schema
          ? (obj) => {
              const meta = obj.metadata;
              const pruned = applyDefaults(prune(obj, schema), schema) as KObject;
              for (const k of Object.keys(obj)) delete obj[k];
              Object.assign(obj, pruned, { metadata: meta });
            }
          : undefined,
        unknownFields: schema ? (obj) => unknownFieldPaths(obj, schema) : undefined,
        validate: schema ? (obj) => validateValue(withoutMeta(obj), schema) : undefined,
      };
    });
}

/** Schema validation covers the body; metadata is validated as ObjectMeta by the store. */
function withoutMeta(obj: KObject): Record<string, unknown> {
  const { metadata: _m, ...rest } = obj;
  return rest;
}

export const CRD_STORAGE_KEY = `customresourcedefinitions.${CRD_GROUP}`;

const APPROVAL_ANNOTATION = 'api-approved.kubernetes.io';
let builtinNames: Set<string> | undefined;

/**
 * CRD admission: groups of the Kubernetes project need the approval annotation (upstream's rule),
 * and a CRD may not take the name of a resource the API server serves itself.
 */
export function admitCRD(crd: KObject): FieldError[] {
  const spec = (crd.spec ?? {}) as Partial<CrdSpec>;
  const group = typeof spec.group === 'string' ? spec.group : '';
  const plural = typeof spec.names?.plural === 'string' ? spec.names.plural : '';
  const errs: FieldError[] = [];
  if (/(^|\.)(k8s|kubernetes)\.io$/.test(group) && !crd.metadata.annotations?.[APPROVAL_ANNOTATION]) {
    errs.push(
      field.required(
        `metadata.annotations[${APPROVAL_ANNOTATION}]`,
        `protected groups must have approval annotation "${APPROVAL_ANNOTATION}", see https://github.com/kubernetes/enhancements/pull/1111`,
      ),
    );
  }
  builtinNames ??= new Set(BUILTIN_RESOURCES.map((d) => `${d.resource}.${d.group}`));
  if (builtinNames.has(`${plural}.${group}`)) {
    errs.push(field.invalid('spec.names.plural', plural, `"${plural}.${group}" is already served by the API server`));
  }
  return errs;
}
