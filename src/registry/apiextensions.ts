// apiextensions.k8s.io/v1: customresourcedefinitions (storage only; serving custom resources comes
// later). Facts as kube-apiserver 1.33 serves them; kube-apiserver has no printer for CRDs, so the
// default table (NAME, CREATED AT) applies; defaults, strategy and validation after
// k8s.io/apiextensions-apiserver (apis/apiextensions/v1/defaults.go, registry/customresourcedefinition,
// apis/apiextensions/validation).
import { validateStructural } from '../machinery/schema';
import { field, isDNS1035Label, isDNS1123Subdomain, validateImmutableField } from '../machinery/validation';
import { DEFAULT_TABLE, asArray, isObj, specOf, statusSubresource, str, type Obj } from './common';
import { ALL_VERBS, type FieldError, type KObject, type ResourceDef } from './types';

const GROUP = 'apiextensions.k8s.io';
const VERSION = 'v1';

function versionsOf(obj: KObject): Obj[] {
  return asArray(specOf(obj).versions).map((v) => (isObj(v) ? v : {}));
}

/** ValidateCustomResourceDefinitionNames */
function validateNames(names: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const plural = str(names.plural);
  const singular = str(names.singular);
  const kind = str(names.kind);
  const listKind = str(names.listKind);
  if (plural) {
    const m = isDNS1035Label(plural);
    if (m.length) errs.push(field.invalid(`${path}.plural`, plural, m.join(',')));
  }
  if (singular) {
    const m = isDNS1035Label(singular);
    if (m.length) errs.push(field.invalid(`${path}.singular`, singular, m.join(',')));
  }
  if (kind) {
    const m = isDNS1035Label(kind.toLowerCase());
    if (m.length) errs.push(field.invalid(`${path}.kind`, kind, `may have mixed case, but should otherwise match: ${m.join(',')}`));
  }
  if (listKind) {
    const m = isDNS1035Label(listKind.toLowerCase());
    if (m.length) errs.push(field.invalid(`${path}.listKind`, listKind, `may have mixed case, but should otherwise match: ${m.join(',')}`));
  }
  asArray(names.shortNames).forEach((s, i) => {
    const m = isDNS1035Label(String(s));
    if (m.length) errs.push(field.invalid(`${path}.shortNames[${i}]`, s, m.join(',')));
  });
  if (kind && kind === listKind) errs.push(field.invalid(`${path}.listKind`, listKind, 'kind and listKind may not be the same'));
  asArray(names.categories).forEach((c, i) => {
    const m = isDNS1035Label(String(c));
    if (m.length) errs.push(field.invalid(`${path}.categories[${i}]`, c, m.join(',')));
  });
  return errs;
}

function validateSpec(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const group = str(spec.group);
  if (!group) errs.push(field.required('spec.group', ''));
  else {
    const m = isDNS1123Subdomain(group);
    if (m.length) errs.push(field.invalid('spec.group', group, m.join(',')));
    else if (group.split('.').length < 2) errs.push(field.invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  const scope = str(spec.scope);
  if (!scope) errs.push(field.required('spec.scope', ''));
  else if (scope !== 'Cluster' && scope !== 'Namespaced') errs.push(field.notSupported('spec.scope', scope, ['Cluster', 'Namespaced']));

  const versions = asArray(spec.versions).map((v) => (isObj(v) ? v : {}));
  let storageCount = 0;
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (v.storage === true) storageCount++;
    const name = str(v.name);
    if (seen.has(name)) unique = false;
    seen.add(name);
    const m = isDNS1035Label(name);
    if (m.length) errs.push(field.invalid(`${p}.name`, name, m.join(',')));
    // v1 requires a structural schema per version.
    const schema = isObj(v.schema) ? v.schema.openAPIV3Schema : undefined;
    if (!isObj(schema)) errs.push(field.required(`${p}.schema.openAPIV3Schema`, 'schemas are required'));
    else {
      const statusSubresource = isObj(v.subresources) && v.subresources.status !== undefined && v.subresources.status !== null;
      errs.push(...validateStructural(schema, `${p}.schema.openAPIV3Schema`, { statusSubresource }));
    }
  });
  if (!unique) errs.push(field.invalid('spec.versions', spec.versions ?? [], 'must contain unique version names'));
  if (storageCount !== 1) errs.push(field.invalid('spec.versions', spec.versions ?? [], 'must have exactly one version marked as storage version'));

  const names = isObj(spec.names) ? spec.names : {};
  if (!str(names.plural)) errs.push(field.required('spec.names.plural', ''));
  if (!str(names.singular)) errs.push(field.required('spec.names.singular', ''));
  if (!str(names.kind)) errs.push(field.required('spec.names.kind', ''));
  if (!str(names.listKind)) errs.push(field.required('spec.names.listKind', ''));
  errs.push(...validateNames(names, 'spec.names'));

  const conversion = isObj(spec.conversion) ? spec.conversion : undefined;
  if (conversion) {
    const strategy = str(conversion.strategy);
    if (!strategy) errs.push(field.required('spec.conversion.strategy', ''));
    else if (strategy !== 'None' && strategy !== 'Webhook') errs.push(field.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
    if (strategy === 'Webhook' && !isObj(conversion.webhook)) {
      errs.push(field.required('spec.conversion.webhook', 'required when strategy is set to Webhook'));
    } else if (strategy !== 'Webhook' && conversion.webhook != null) {
      errs.push(field.forbidden('spec.conversion.webhook', 'should not be set when strategy is not set to Webhook'));
    }
  }
  return errs;
}

/** ValidateCustomResourceDefinitionStoredVersions */
function validateStoredVersions(obj: KObject): FieldError[] {
  const status = isObj(obj.status) ? obj.status : {};
  const stored = asArray(status.storedVersions).map(String);
  const p = 'status.storedVersions';
  if (stored.length === 0) return [field.invalid(p, stored, 'must have at least one stored version')];
  const errs: FieldError[] = [];
  const remaining = new Map(stored.map((v, i) => [v, i]));
  for (const v of versionsOf(obj)) {
    const name = str(v.name);
    if (v.storage === true && !remaining.has(name)) errs.push(field.invalid(p, v, `must have the storage version ${name}`));
    remaining.delete(name);
  }
  for (const [v, i] of remaining) errs.push(field.invalid(`${p}[${i}]`, v, 'must appear in spec.versions'));
  return errs;
}

function isEstablished(obj: KObject): boolean {
  const status = isObj(obj.status) ? obj.status : {};
  return asArray(status.conditions).some((c) => isObj(c) && c.type === 'Established' && c.status === 'True');
}

const customresourcedefinitions: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  kind: 'CustomResourceDefinition',
  scope: 'Cluster',
  verbs: ALL_VERBS,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  subresources: [statusSubresource(GROUP, VERSION, 'CustomResourceDefinition')],
  generation: true,
  statusSubresource: true,
  // rest.NewDefaultTableConvertor
  printer: DEFAULT_TABLE,
  defaults(obj) {
    if (!isObj(obj.spec)) obj.spec = {};
    const spec = obj.spec as Obj;
    if (!isObj(spec.names)) spec.names = {};
    const names = spec.names as Obj;
    if (!str(names.singular) && str(names.kind)) names.singular = str(names.kind).toLowerCase();
    if (!str(names.listKind) && str(names.kind)) names.listKind = `${names.kind}List`;
    if (spec.conversion == null) spec.conversion = { strategy: 'None' };
    const webhook = isObj(spec.conversion) && isObj(spec.conversion.webhook) ? spec.conversion.webhook : undefined;
    const service = webhook && isObj(webhook.clientConfig) && isObj(webhook.clientConfig.service) ? webhook.clientConfig.service : undefined;
    if (service && service.port == null) service.port = 443;
    // SetDefaults_CustomResourceDefinition plus the strategy's PrepareForUpdate: the current storage
    // version is always recorded in status.storedVersions (defaults also run on main-resource updates).
    const storage = versionsOf(obj).find((v) => v.storage === true);
    if (storage && isObj(obj.status)) {
      const stored = asArray(obj.status.storedVersions).map(String);
      if (!stored.includes(str(storage.name))) obj.status.storedVersions = [...stored, str(storage.name)];
    }
  },
  prepareForCreate(obj) {
    // The strategy resets status; the naming and establishing controllers fill in acceptedNames/conditions.
    const storage = versionsOf(obj).find((v) => v.storage === true);
    obj.status = { acceptedNames: { plural: '', kind: '' }, storedVersions: storage ? [str(storage.name)] : [] };
  },
  validate(obj) {
    const errs: FieldError[] = [];
    const spec = specOf(obj);
    const names = isObj(spec.names) ? spec.names : {};
    const required = `${str(names.plural)}.${str(spec.group)}`;
    if ((obj.metadata.name ?? '') !== required) {
      errs.push(field.invalid('metadata.name', obj.metadata.name ?? '', 'must be spec.names.plural+"."+spec.group'));
    }
    errs.push(...validateSpec(spec));
    errs.push(...validateStoredVersions(obj));
    return errs;
  },
  validateUpdate(obj, old) {
    const a = specOf(obj);
    const b = specOf(old);
    const errs: FieldError[] = [];
    if (isEstablished(old)) {
      errs.push(...validateImmutableField(a.scope, b.scope, 'spec.scope'));
      errs.push(...validateImmutableField(a.names?.kind, b.names?.kind, 'spec.names.kind'));
    }
    errs.push(...validateImmutableField(a.group, b.group, 'spec.group'));
    errs.push(...validateImmutableField(a.names?.plural, b.names?.plural, 'spec.names.plural'));
    return errs;
  },
};

export const resources: ResourceDef[] = [customresourcedefinitions];
