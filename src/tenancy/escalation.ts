// RBAC's escalation prevention: writing a Role or ClusterRole needs every rule in it already held
// (or the `escalate` verb on it), and a binding needs the rules of the role it references (or the
// `bind` verb on that role), as kube-apiserver's policy-based rbac storage checks.
import type { ApiCall, ApiReply, UserInfo } from '../api/call';
import { errors, failure, StatusError } from '../api/status';
import { goQuote } from '../machinery/validation';
import type { KObject, ResourceDef } from '../registry/types';
import { isMaster, type AccessControl } from './access';
import type { PolicyRule, RoleRef } from './rbac';

const RBAC = 'rbac.authorization.k8s.io';

/** One rule per (group, resource, verb[, name]) and per (url, verb). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        if (rule.resourceNames?.length) {
          for (const n of rule.resourceNames) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [n] });
        } else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

const hasAll = (set: string[] | undefined, want: string[] | undefined) => (want ?? []).every((w) => (set ?? []).includes(w));

function resourcesCover(owner: string[] | undefined, wanted: string[] | undefined): boolean {
  if (owner?.includes('*') || hasAll(owner, wanted)) return true;
  return (wanted ?? []).every((r) => {
    if (owner?.includes(r)) return true;
    const slash = r.indexOf('/');
    return slash >= 0 && !!owner?.includes(`*/${r.slice(slash + 1)}`);
  });
}

function urlsCover(owner: string[] | undefined, wanted: string[] | undefined): boolean {
  return (wanted ?? []).every((u) => (owner ?? []).some((o) => o === '*' || o === u || (o.endsWith('*') && u.startsWith(o.replace(/\*+$/, '')))));
}

/** Does one held rule cover one broken-down rule? */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = owner.verbs.includes('*') || hasAll(owner.verbs, sub.verbs);
  const groups = !!owner.apiGroups?.includes('*') || hasAll(owner.apiGroups, sub.apiGroups);
  const names = sub.resourceNames?.length ? !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames) : !owner.resourceNames?.length;
  return verbs && groups && resourcesCover(owner.resources, sub.resources) && urlsCover(owner.nonResourceURLs, sub.nonResourceURLs) && names;
}

/** The pieces of `wanted` that no rule of `held` covers. */
export function missingRules(held: PolicyRule[], wanted: PolicyRule[]): PolicyRule[] {
  return wanted.flatMap(breakdownRule).filter((sub) => !held.some((o) => ruleCovers(o, sub)));
}

const quoted = (xs: string[]) => `[${xs.map(goQuote).join(' ')}]`;

/** PolicyRule.CompactString: `{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}`. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${quoted(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${quoted(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${quoted(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${quoted(r.resourceNames)}`);
  if (r.verbs.length) parts.push(`Verbs:${quoted(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

function forbiddenWrite(def: ResourceDef, name: string, why: string): StatusError {
  return new StatusError(failure(403, 'Forbidden', `${def.resource}.${RBAC} "${name}" is forbidden: ${why}`, { name, group: RBAC, kind: def.resource }));
}

/** ConfirmNoEscalation: the rules the user holds in `namespace` must cover `rules`. */
function noEscalation(access: AccessControl, user: UserInfo, namespace: string, rules: PolicyRule[]): string | undefined {
  const held = access.rbac.rulesFor(user, namespace);
  const missing = missingRules(
    held.rules.map((r) => r.rule),
    rules,
  );
  if (!missing.length) return undefined;
  const lines = [...new Set(missing.map(compactString))].sort();
  let msg = `user ${goQuote(user.username)} (groups=${quoted(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  if (held.errors.length) msg += `; resolution errors: [${held.errors.join(' ')}]`;
  return msg;
}

const RBAC_RESOURCES = new Set(['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']);

/**
 * Before a non-admin's write to an RBAC object: the object as it would be stored (a dry run of the
 * same call, so patches count too) must grant nothing the user does not hold.
 */
export function confirmNoEscalation(access: AccessControl, def: ResourceDef, call: ApiCall, dryRun: (c: ApiCall) => ApiReply): void {
  if (def.group !== RBAC || !RBAC_RESOURCES.has(def.resource) || !call.user || isMaster(call.user)) return;
  if (call.verb !== 'create' && call.verb !== 'update' && call.verb !== 'patch') return;
  const user = call.user;
  const preview = dryRun({ ...call, query: { ...call.query, dryRun: 'All' } });
  if (preview.status >= 300) return; // the write itself fails the same way
  const obj = preview.body as KObject;
  const name = obj.metadata.name ?? '';
  const namespace = obj.metadata.namespace ?? '';
  const allowed = (verb: string, resource: string, refName: string) =>
    access.decide({ user, verb, apiGroup: RBAC, resource, namespace: namespace || undefined, name: refName }).allowed;

  if (def.resource === 'roles' || def.resource === 'clusterroles') {
    if (allowed('escalate', def.resource, name)) return;
    if (obj.aggregationRule && noEscalation(access, user, '', FULL_AUTHORITY)) {
      throw forbiddenWrite(def, name, 'must have cluster-admin privileges to use the aggregationRule');
    }
    const why = noEscalation(access, user, namespace, (obj.rules as PolicyRule[] | undefined) ?? []);
    if (why) throw forbiddenWrite(def, name, why);
    return;
  }
  const ref = obj.roleRef as RoleRef;
  const refResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
  if (allowed('bind', refResource, ref.name)) return;
  const role = access.rbac.roleRules(ref, namespace);
  if (!role) throw errors.notFound({ group: RBAC, resource: refResource }, ref.name);
  const why = noEscalation(access, user, namespace, role);
  if (why) throw forbiddenWrite(def, name, why);
}
