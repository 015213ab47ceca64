// The review APIs: SelfSubjectAccessReview (`kubectl auth can-i`), SelfSubjectRulesReview
// (`can-i --list`), SubjectAccessReview, LocalSubjectAccessReview (authorization.k8s.io) and
// SelfSubjectReview (`kubectl auth whoami`, authentication.k8s.io). Nothing is stored: the created
// object comes back with its status filled, like kube-apiserver's.
import type { ApiCall, ApiReply, UserInfo } from '../api/call';
import { errors } from '../api/status';
import { field } from '../machinery/validation';
import { AUTHENTICATION_GROUP } from '../registry/authentication';
import { AUTHORIZATION_GROUP } from '../registry/authorization';
import type { FieldError, ResourceDef } from '../registry/types';
import { isMaster, type AccessControl } from './access';
import type { Attributes, PolicyRule } from './rbac';

type Obj = Record<string, unknown>;

interface ReviewSpec {
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string };
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
  namespace?: string;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validateAttributes(spec: ReviewSpec): FieldError[] {
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    return [field.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes')];
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    return [field.invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  }
  return [];
}

function attributesOf(user: UserInfo, spec: ReviewSpec): Attributes {
  const n = spec.nonResourceAttributes;
  if (n) return { user, verb: n.verb ?? '', path: n.path ?? '' };
  const r = spec.resourceAttributes!;
  return {
    user,
    verb: r.verb ?? '',
    apiGroup: r.group ?? '',
    apiVersion: r.version ?? '',
    resource: r.resource ?? '',
    subresource: r.subresource || undefined,
    namespace: r.namespace || undefined,
    name: r.name || undefined,
  };
}

/** The rules of a SelfSubjectRulesReview status, in the shapes of authorization/v1. */
function rulesStatus(rules: PolicyRule[], errs: string[]): Obj {
  const resourceRules: Obj[] = [];
  const nonResourceRules: Obj[] = [];
  for (const r of rules) {
    if (r.resources?.length) {
      const rr: Obj = { verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources };
      if (r.resourceNames?.length) rr.resourceNames = r.resourceNames;
      resourceRules.push(rr);
    }
    if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
  }
  const status: Obj = { resourceRules, nonResourceRules, incomplete: errs.length > 0 };
  if (errs.length) status.evaluationError = errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
  return status;
}

const ALL_RULES: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** The reply to a create of a review resource, or undefined when `def` is not one. */
export function reviewReply(access: AccessControl, def: ResourceDef, call: ApiCall): ApiReply | undefined {
  if (call.verb !== 'create' || (def.group !== AUTHORIZATION_GROUP && def.group !== AUTHENTICATION_GROUP)) return undefined;
  const body = isObj(call.body) ? call.body : {};
  const spec = (isObj(body.spec) ? body.spec : {}) as ReviewSpec;
  const caller = call.user ?? { username: '', groups: [] };
  const invalid = (errs: FieldError[]) => errors.invalid(def.kind, def.group, '', errs);
  const reply = (status: Obj): ApiReply => ({
    status: 201,
    body: { kind: def.kind, apiVersion: `${def.group}/${def.version}`, metadata: isObj(body.metadata) ? body.metadata : {}, spec: body.spec ?? {}, status },
  });
  const decide = (user: UserInfo) => {
    const d = access.decide(attributesOf(user, spec));
    return d.allowed ? { allowed: true, reason: d.reason } : { allowed: false, ...(d.reason ? { reason: d.reason } : {}) };
  };

  switch (def.resource) {
    case 'selfsubjectreviews': {
      const userInfo: Obj = { username: caller.username, groups: caller.groups };
      if (caller.uid) userInfo.uid = caller.uid;
      if (caller.extra) userInfo.extra = caller.extra;
      return { status: 201, body: { kind: def.kind, apiVersion: `${def.group}/${def.version}`, metadata: isObj(body.metadata) ? body.metadata : {}, status: { userInfo } } };
    }
    case 'selfsubjectaccessreviews': {
      const errs = validateAttributes(spec);
      if (errs.length) throw invalid(errs);
      return reply(decide(caller));
    }
    case 'subjectaccessreviews':
    case 'localsubjectaccessreviews': {
      const errs = validateAttributes(spec);
      if (!spec.user && !spec.groups?.length) errs.push(field.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
      if (errs.length) throw invalid(errs);
      if (def.resource === 'localsubjectaccessreviews') {
        const ns = call.namespace ?? '';
        if (!ns) throw errors.badRequest('namespace is required on this type');
        if (spec.resourceAttributes && spec.resourceAttributes.namespace !== ns) throw errors.badRequest(`spec.resourceAttributes.namespace must match namespace: ${ns}`);
        if (spec.nonResourceAttributes) throw errors.badRequest('disallowed on this kind of request');
      }
      const user: UserInfo = { username: spec.user ?? '', groups: spec.groups ?? [] };
      if (spec.uid) user.uid = spec.uid;
      if (spec.extra) user.extra = spec.extra;
      return reply(decide(user));
    }
    case 'selfsubjectrulesreviews': {
      const ns = spec.namespace ?? '';
      if (!ns) throw errors.badRequest('no namespace on request');
      const applied = access.rbac.rulesFor(caller, ns);
      const rules = [...(isMaster(caller) ? ALL_RULES : []), ...applied.rules.map((r) => r.rule)];
      return reply(rulesStatus(rules, applied.errors));
    }
  }
  return undefined;
}
