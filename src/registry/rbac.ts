// rbac.authorization.k8s.io/v1: clusterrolebindings, clusterroles, rolebindings, roles. Facts as
// kube-apiserver 1.33 serves them; printers as pkg/printers/internalversion (roles and clusterroles have
// no printer there, so the apiserver's default table applies); validation after pkg/apis/rbac/validation.
import { age } from '../machinery/duration';
import { field, isDNS1123Subdomain } from '../machinery/validation';
import {
  AGE_COLUMN,
  DEFAULT_TABLE,
  NAME_COLUMN,
  asArray,
  col,
  isObj,
  isValidPathSegmentName,
  validateLabelSelector,
  wide,
  type Obj,
} from './common';
import { ALL_VERBS, type FieldError, type KObject, type Printer, type ResourceDef } from './types';

const GROUP = 'rbac.authorization.k8s.io';
const VERSION = 'v1';

// ---------------------------------------------------------------------------------------------
// Roles

function validatePolicyRule(rule: Obj, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const verbs = asArray(rule.verbs);
  const nonResourceURLs = asArray(rule.nonResourceURLs);
  const apiGroups = asArray(rule.apiGroups);
  const res = asArray(rule.resources);
  const resourceNames = asArray(rule.resourceNames);
  if (verbs.length === 0) errs.push(field.required(`${path}.verbs`, 'verbs must contain at least one value'));
  if (nonResourceURLs.length > 0) {
    if (namespaced) errs.push(field.invalid(`${path}.nonResourceURLs`, nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (apiGroups.length > 0 || res.length > 0 || resourceNames.length > 0) {
      errs.push(field.invalid(`${path}.nonResourceURLs`, nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (apiGroups.length === 0) errs.push(field.required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (res.length === 0) errs.push(field.required(`${path}.resources`, 'resource rules must supply at least one resource'));
  if (resourceNames.length > 0 && res.length > 1) {
    errs.push(field.required(`${path}.resourceNames`, 'resource names cannot apply to multiple resources'));
  }
  return errs;
}

function validateRules(obj: KObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  asArray(obj.rules).forEach((r, i) => errs.push(...validatePolicyRule(isObj(r) ? r : {}, namespaced, `rules[${i}]`)));
  return errs;
}

const roles: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'roles',
  singular: 'role',
  kind: 'Role',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  nameValidator: isValidPathSegmentName,
  printer: DEFAULT_TABLE,
  validate: (obj) => validateRules(obj, true),
};

const clusterroles: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'clusterroles',
  singular: 'clusterrole',
  kind: 'ClusterRole',
  scope: 'Cluster',
  verbs: ALL_VERBS,
  nameValidator: isValidPathSegmentName,
  printer: DEFAULT_TABLE,
  validate(obj) {
    const errs = validateRules(obj, false);
    if (isObj(obj.aggregationRule)) {
      const selectors = asArray(obj.aggregationRule.clusterRoleSelectors);
      const p = 'aggregationRule.clusterRoleSelectors';
      if (selectors.length === 0) errs.push(field.required(p, 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
      selectors.forEach((s, i) => errs.push(...validateLabelSelector(s, `${p}[${i}]`)));
    }
    return errs;
  },
};

// ---------------------------------------------------------------------------------------------
// Bindings

/** rbac.SubjectsStrings: users, groups, service accounts ("namespace/name"). */
function subjectsStrings(subjects: unknown): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const raw of asArray(subjects)) {
    if (!isObj(raw)) continue;
    if (raw.kind === 'ServiceAccount') sas.push(`${raw.namespace ?? ''}/${raw.name ?? ''}`);
    else if (raw.kind === 'User') users.push(String(raw.name ?? ''));
    else if (raw.kind === 'Group') groups.push(String(raw.name ?? ''));
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingPrinter(what: string): Printer {
  return {
    columns: [
      NAME_COLUMN,
      col('Role', 'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.'),
      AGE_COLUMN,
      wide('Users', `Users in the ${what}`),
      wide('Groups', `Groups in the ${what}`),
      wide('ServiceAccounts', `ServiceAccounts in the ${what}`),
    ],
    cells(obj, now) {
      const ref = isObj(obj.roleRef) ? obj.roleRef : {};
      return [obj.metadata.name, `${ref.kind ?? ''}/${ref.name ?? ''}`, age(obj.metadata.creationTimestamp, now), ...subjectsStrings(obj.subjects)];
    },
  };
}

/** SetDefaults_RoleBinding / ClusterRoleBinding / Subject */
function defaultBinding(obj: KObject): void {
  if (!isObj(obj.roleRef)) obj.roleRef = {};
  const ref = obj.roleRef as Obj;
  if (!ref.apiGroup) ref.apiGroup = GROUP;
  for (const s of asArray(obj.subjects)) {
    if (!isObj(s) || s.apiGroup) continue;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = GROUP;
  }
}

function validateSubject(s: Obj, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = typeof s.name === 'string' ? s.name : '';
  const apiGroup = typeof s.apiGroup === 'string' ? s.apiGroup : '';
  if (!name) errs.push(field.required(`${path}.name`, ''));
  switch (s.kind) {
    case 'ServiceAccount':
      if (name) for (const m of isDNS1123Subdomain(name)) errs.push(field.invalid(`${path}.name`, name, m));
      if (apiGroup) errs.push(field.notSupported(`${path}.apiGroup`, apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(field.required(`${path}.namespace`, ''));
      break;
    case 'User':
      if (!name) errs.push(field.invalid(`${path}.name`, name, 'user name cannot be empty'));
      if (apiGroup !== GROUP) errs.push(field.notSupported(`${path}.apiGroup`, apiGroup, [GROUP]));
      break;
    case 'Group':
      if (!name) errs.push(field.invalid(`${path}.name`, name, 'group name cannot be empty'));
      if (apiGroup !== GROUP) errs.push(field.notSupported(`${path}.apiGroup`, apiGroup, [GROUP]));
      break;
    default:
      errs.push(field.notSupported(`${path}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(obj: KObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = isObj(obj.roleRef) ? obj.roleRef : {};
  if (ref.apiGroup !== GROUP) errs.push(field.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(field.notSupported('roleRef.kind', ref.kind ?? '', kinds));
  const name = typeof ref.name === 'string' ? ref.name : '';
  if (!name) errs.push(field.required('roleRef.name', ''));
  else for (const m of isValidPathSegmentName(name)) errs.push(field.invalid('roleRef.name', name, m));
  asArray(obj.subjects).forEach((s, i) => errs.push(...validateSubject(isObj(s) ? s : {}, namespaced, `subjects[${i}]`)));
  return errs;
}

/** RoleRef is immutable: `roleRef: Invalid value: {...}: cannot change roleRef`. */
function validateBindingUpdate(obj: KObject, old: KObject): FieldError[] {
  const a = isObj(obj.roleRef) ? obj.roleRef : {};
  const b = isObj(old.roleRef) ? old.roleRef : {};
  const same = (a.apiGroup ?? '') === (b.apiGroup ?? '') && (a.kind ?? '') === (b.kind ?? '') && (a.name ?? '') === (b.name ?? '');
  if (same) return [];
  return [field.invalid('roleRef', { apiGroup: a.apiGroup ?? '', kind: a.kind ?? '', name: a.name ?? '' }, 'cannot change roleRef')];
}

const rolebindings: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'rolebindings',
  singular: 'rolebinding',
  kind: 'RoleBinding',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  nameValidator: isValidPathSegmentName,
  printer: bindingPrinter('roleBinding'),
  defaults: defaultBinding,
  validate: (obj) => validateBinding(obj, true),
  validateUpdate: validateBindingUpdate,
};

const clusterrolebindings: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  kind: 'ClusterRoleBinding',
  scope: 'Cluster',
  verbs: ALL_VERBS,
  nameValidator: isValidPathSegmentName,
  printer: bindingPrinter('clusterRoleBinding'),
  defaults: defaultBinding,
  validate: (obj) => validateBinding(obj, false),
  validateUpdate: validateBindingUpdate,
};

export const resources: ResourceDef[] = [clusterrolebindings, clusterroles, rolebindings, roles];
