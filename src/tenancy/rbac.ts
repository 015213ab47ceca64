// The RBAC authorizer: does a user's Role/ClusterRole bindings allow one request? Semantics of
// kube-apiserver's RBAC authorizer (rule matching, subjects, reasons). Bindings are indexed by
// subject in memory so a request looks only at its caller's bindings; the index and the role rules
// are kept current from store events on rbac objects (O(changes), built lazily on first use).
import type { UserInfo } from '../api/call';
import { matchesLabels } from '../machinery/labels';
import { deepEqual } from '../machinery/validation';
import { selectorOf } from '../registry/common';
import type { KObject } from '../registry/types';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  apiGroup?: string;
  kind: string;
  name: string;
}

/** What is asked (authorizer.Attributes): a resource request or a non-resource path. */
export interface Attributes {
  user: UserInfo;
  verb: string;
  /** Non-resource requests carry a path (/api, /healthz, ...) and no resource. */
  path?: string;
  apiGroup?: string;
  apiVersion?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface Decision {
  allowed: boolean;
  /** Upstream's reason text: `RBAC: allowed by ...`, or errors met while evaluating (else ""). */
  reason: string;
}

export const SYSTEM_MASTERS = 'system:masters';
export const AUTHENTICATED = 'system:authenticated';
export const UNAUTHENTICATED = 'system:unauthenticated';
export const ANONYMOUS = 'system:anonymous';
const SA_PREFIX = 'system:serviceaccount:';

export const RBAC_STORAGE = {
  roles: 'roles.rbac.authorization.k8s.io',
  clusterroles: 'clusterroles.rbac.authorization.k8s.io',
  rolebindings: 'rolebindings.rbac.authorization.k8s.io',
  clusterrolebindings: 'clusterrolebindings.rbac.authorization.k8s.io',
} as const;

export function isResourceRequest(a: Attributes): boolean {
  return a.resource !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Rule matching (rbac/v1 helpers)

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === '*' || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === '*' || g === group);
}

/** `resource/subresource` entries, `*` and `*∕subresource` (any resource's subresource). */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string | undefined): boolean {
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string | undefined): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name ?? '');
}

/** Exact paths, `*`, and prefixes ending in `*`. */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(a: Attributes, rule: PolicyRule): boolean {
  if (!verbMatches(rule, a.verb)) return false;
  if (!isResourceRequest(a)) return nonResourceURLMatches(rule, a.path ?? '');
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource!;
  return apiGroupMatches(rule, a.apiGroup ?? '') && resourceMatches(rule, combined, a.subresource) && resourceNameMatches(rule, a.name);
}

// ---------------------------------------------------------------------------------------------
// Aggregated ClusterRoles

/** The clusterRoleSelectors of an aggregated ClusterRole, or undefined when it is not one. */
export function aggregationSelectors(role: KObject | undefined): unknown[] | undefined {
  const rule = role?.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined;
  return rule ? (rule.clusterRoleSelectors ?? []) : undefined;
}

export function selectsRole(selector: unknown, role: KObject | undefined): boolean {
  const reqs = selectorOf(selector);
  return !!role && !!reqs && matchesLabels(reqs, role.metadata.labels);
}

/** The rules an aggregated role should have: selector by selector, roles by name, each rule once. */
export function aggregateRules(role: KObject, all: Iterable<KObject>): PolicyRule[] {
  const roles = [...all].filter((r) => r.metadata.name !== role.metadata.name).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  const out: PolicyRule[] = [];
  for (const sel of aggregationSelectors(role) ?? []) {
    for (const r of roles) {
      if (!selectsRole(sel, r)) continue;
      for (const rule of (r.rules as PolicyRule[] | undefined) ?? []) if (!out.some((x) => deepEqual(x, rule))) out.push(rule);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Subjects

/** `system:serviceaccount:ns:name` → {namespace, name}. */
export function parseServiceAccountUser(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SA_PREFIX)) return undefined;
  const rest = username.slice(SA_PREFIX.length);
  const i = rest.indexOf(':');
  if (i <= 0 || i === rest.length - 1 || rest.indexOf(':', i + 1) >= 0) return undefined;
  return { namespace: rest.slice(0, i), name: rest.slice(i + 1) };
}

export function serviceAccountUser(namespace: string, name: string): string {
  return `${SA_PREFIX}${namespace}:${name}`;
}

/** The groups every service account of a namespace is in. */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
}

/** Does a binding's subject (in a binding of `bindingNamespace`, "" for cluster bindings) name this user? */
export function appliesTo(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.username === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns !== '' && user.username === serviceAccountUser(ns, s.name);
    }
  }
  return false;
}

/** The index key a subject is filed under: the one user name or group it matches. */
function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User':
      return `u:${s.name}`;
    case 'Group':
      return `g:${s.name}`;
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns ? `u:${serviceAccountUser(ns, s.name)}` : undefined;
    }
  }
  return undefined;
}

function userKeys(user: UserInfo): string[] {
  return [`u:${user.username}`, ...user.groups.map((g) => `g:${g}`)];
}

/** describeSubject: ServiceAccount names read `name/namespace`. */
function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `ServiceAccount "${s.name}/${s.namespace || bindingNamespace}"`;
  return `${s.kind} "${s.name}"`;
}

// ---------------------------------------------------------------------------------------------
// The authorizer

/** Where the policy objects come from (the Store; arrays in tests). */
export interface PolicyReader {
  get(resource: string, namespace: string, name: string): KObject | undefined;
  list(resource: string): Iterable<KObject>;
}

interface BindingEntry {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  namespace: string;
  name: string;
  roleRef: RoleRef;
  subject: Subject;
}

export interface AppliedRules {
  /** Each rule with the binding that grants it (for reasons). */
  rules: { rule: PolicyRule; source: string }[];
  /** Unresolvable role references: `clusterrole.rbac.authorization.k8s.io "x" not found`. */
  errors: string[];
}

function bindingId(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export class RbacAuthorizer {
  /** subject key → the bindings naming it; undefined until first needed. */
  private index?: Map<string, BindingEntry[]>;
  /** `kind/namespace/name` of a role → its rules (null: the role does not exist). */
  private rulesCache = new Map<string, PolicyRule[] | null>();

  constructor(private readonly reader: PolicyReader) {}

  /** Keep the index and the rules cache current (call for every committed store change). */
  onEvent(e: { resource: string; namespace: string; name: string; type: string; object: KObject; prev?: KObject }): void {
    if (e.resource === RBAC_STORAGE.roles || e.resource === RBAC_STORAGE.clusterroles) {
      this.rulesCache.delete(bindingId(e.resource === RBAC_STORAGE.roles ? 'Role' : 'ClusterRole', e.namespace, e.name));
      return;
    }
    const kind = e.resource === RBAC_STORAGE.rolebindings ? 'RoleBinding' : e.resource === RBAC_STORAGE.clusterrolebindings ? 'ClusterRoleBinding' : undefined;
    if (!kind || !this.index) return;
    if (e.prev) this.unindex(kind, e.prev);
    else if (e.type !== 'ADDED') this.unindex(kind, e.object);
    if (e.type !== 'DELETED') this.indexBinding(kind, e.object);
  }

  private buildIndex(): Map<string, BindingEntry[]> {
    this.index = new Map();
    for (const b of this.reader.list(RBAC_STORAGE.clusterrolebindings)) this.indexBinding('ClusterRoleBinding', b);
    for (const b of this.reader.list(RBAC_STORAGE.rolebindings)) this.indexBinding('RoleBinding', b);
    return this.index;
  }

  private indexBinding(kind: BindingEntry['kind'], b: KObject): void {
    const namespace = b.metadata.namespace ?? '';
    const roleRef = b.roleRef as RoleRef;
    for (const subject of (b.subjects as Subject[] | undefined) ?? []) {
      const key = subjectKey(subject, kind === 'RoleBinding' ? namespace : '');
      if (!key) continue;
      const list = this.index!.get(key) ?? [];
      list.push({ kind, namespace, name: b.metadata.name!, roleRef, subject });
      this.index!.set(key, list);
    }
  }

  private unindex(kind: BindingEntry['kind'], b: KObject): void {
    const namespace = b.metadata.namespace ?? '';
    for (const subject of (b.subjects as Subject[] | undefined) ?? []) {
      const key = subjectKey(subject, kind === 'RoleBinding' ? namespace : '');
      const list = key && this.index!.get(key);
      if (!list) continue;
      const rest = list.filter((x) => !(x.kind === kind && x.namespace === namespace && x.name === b.metadata.name));
      if (rest.length) this.index!.set(key, rest);
      else this.index!.delete(key);
    }
  }

  /** The user's bindings that count in `namespace` ("" = cluster-wide only): cluster bindings first, by name. */
  private bindingsFor(user: UserInfo, namespace: string): BindingEntry[] {
    const index = this.index ?? this.buildIndex();
    const seen = new Set<string>();
    const out: BindingEntry[] = [];
    for (const key of userKeys(user)) {
      for (const b of index.get(key) ?? []) {
        if (b.kind === 'RoleBinding' && b.namespace !== namespace) continue;
        if (!appliesTo(user, b.subject, b.namespace)) continue;
        const id = bindingId(b.kind, b.namespace, b.name);
        if (seen.has(id)) continue;
        seen.add(id);
        out.push(b);
      }
    }
    return out.sort((a, b) => (a.kind !== b.kind ? (a.kind === 'ClusterRoleBinding' ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The rules of a binding's role (cached), or null when it does not exist. */
  roleRules(ref: RoleRef, bindingNamespace: string): PolicyRule[] | null {
    const namespace = ref.kind === 'Role' ? bindingNamespace : '';
    const id = bindingId(ref.kind, namespace, ref.name);
    let rules = this.rulesCache.get(id);
    if (rules === undefined) {
      const role = this.reader.get(ref.kind === 'Role' ? RBAC_STORAGE.roles : RBAC_STORAGE.clusterroles, namespace, ref.name);
      rules = role ? ((role.rules as PolicyRule[] | undefined) ?? []) : null;
      this.rulesCache.set(id, rules);
    }
    return rules;
  }

  private static source(b: BindingEntry): string {
    const name = b.kind === 'RoleBinding' ? `${b.name}/${b.namespace}` : b.name;
    return `${b.kind} "${name}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${describeSubject(b.subject, b.namespace)}`;
  }

  private static missing(ref: RoleRef): string {
    return `${ref.kind.toLowerCase()}.rbac.authorization.k8s.io "${ref.name}" not found`;
  }

  /** RBAC's decision alone (no system:masters short cut). */
  authorize(a: Attributes): Decision {
    const errors: string[] = [];
    for (const b of this.bindingsFor(a.user, a.namespace ?? '')) {
      const rules = this.roleRules(b.roleRef, b.namespace);
      if (!rules) {
        errors.push(RbacAuthorizer.missing(b.roleRef));
        continue;
      }
      if (rules.some((r) => ruleAllows(a, r))) return { allowed: true, reason: `RBAC: allowed by ${RbacAuthorizer.source(b)}` };
    }
    return { allowed: false, reason: errors.length ? `RBAC: ${aggregate(errors)}` : '' };
  }

  /** Every rule granted to the user in a namespace (SelfSubjectRulesReview). */
  rulesFor(user: UserInfo, namespace: string): AppliedRules {
    const out: AppliedRules = { rules: [], errors: [] };
    for (const b of this.bindingsFor(user, namespace)) {
      const rules = this.roleRules(b.roleRef, b.namespace);
      if (!rules) out.errors.push(RbacAuthorizer.missing(b.roleRef));
      else for (const rule of rules) out.rules.push({ rule, source: RbacAuthorizer.source(b) });
    }
    return out;
  }
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several as `[a, b]`. */
function aggregate(msgs: string[]): string {
  return msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
}
