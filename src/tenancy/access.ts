// Access control of a sandbox's API: impersonation (Impersonate-* headers) and then authorization
// of the request, with kube-apiserver's 403 wording. system:masters is always allowed (the
// privileged-group authorizer in front of RBAC); calls without a user are the control plane's own.
import type { Impersonation, UserInfo } from '../api/call';
import { errors, failure, StatusError } from '../api/status';
import {
  ANONYMOUS,
  AUTHENTICATED,
  isResourceRequest,
  parseServiceAccountUser,
  RbacAuthorizer,
  serviceAccountGroups,
  SYSTEM_MASTERS,
  UNAUTHENTICATED,
  type Attributes,
  type Decision,
} from './rbac';

/** Attributes of a request without the user (what the Worker and the DO know about it). */
export type RequestAttributes = Omit<Attributes, 'user'>;

export function isMaster(user: UserInfo): boolean {
  return user.groups.includes(SYSTEM_MASTERS);
}

/** forbiddenMessage: `User "u" cannot list resource "pods" in API group "" in the namespace "default"`. */
export function forbiddenMessage(a: Attributes): string {
  if (!isResourceRequest(a)) return `User "${a.user.username}" cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${a.user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup ?? ''}" ${where}`;
}

/** responsewriters.Forbidden: NewForbidden(group/resource, name, message[: reason]). */
export function forbidden(a: Attributes, reason: string): StatusError {
  const why = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!isResourceRequest(a)) return new StatusError(failure(403, 'Forbidden', `forbidden: ${why}`, {}));
  const group = a.apiGroup ?? '';
  const qualified = group ? `${a.resource}.${group}` : a.resource!;
  const message = a.name ? `${qualified} "${a.name}" is forbidden: ${why}` : `${qualified} is forbidden: ${why}`;
  const details: Record<string, string> = { kind: a.resource! };
  if (group) details.group = group;
  if (a.name) details.name = a.name;
  return new StatusError(failure(403, 'Forbidden', message, details));
}

export class AccessControl {
  constructor(readonly rbac: RbacAuthorizer) {}

  /** The union authorizer: RBAC first (its reasons), then the privileged group. */
  decide(a: Attributes): Decision {
    const d = this.rbac.authorize(a);
    if (d.allowed || !isMaster(a.user)) return d;
    return { allowed: true, reason: '' };
  }

  check(a: Attributes): void {
    if (isMaster(a.user)) return;
    const d = this.rbac.authorize(a);
    if (!d.allowed) throw forbidden(a, d.reason);
  }

  /**
   * The user a request acts as: the caller, or whom it impersonates once the caller may
   * (`impersonate` on users, groups, serviceaccounts, uids, userextras).
   */
  effectiveUser(caller: UserInfo, imp: Impersonation | undefined): UserInfo {
    if (!imp) return caller;
    if (imp.user === undefined) {
      const what = [...(imp.groups ?? []).map((g) => `Group ${g}`), ...(imp.uid !== undefined ? [`UID ${imp.uid}`] : []), ...Object.keys(imp.extra ?? {}).map((k) => `Extra ${k}`)];
      throw errors.badRequest(`requested [${what.join(' ')}] without impersonating a user`);
    }
    const checks: RequestAttributes[] = [];
    const username = imp.user;
    let groups = [...(imp.groups ?? [])];
    const sa = parseServiceAccountUser(username);
    if (sa) {
      checks.push({ verb: 'impersonate', apiGroup: '', resource: 'serviceaccounts', namespace: sa.namespace, name: sa.name });
      // A service account's groups are a fixed mapping: implied unless groups were asked for.
      if (!imp.groups?.length) groups = serviceAccountGroups(sa.namespace);
    } else {
      checks.push({ verb: 'impersonate', apiGroup: '', resource: 'users', name: username });
    }
    for (const g of imp.groups ?? []) checks.push({ verb: 'impersonate', apiGroup: '', resource: 'groups', name: g });
    for (const [key, values] of Object.entries(imp.extra ?? {})) {
      for (const v of values) checks.push({ verb: 'impersonate', apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: key, name: v });
    }
    if (imp.uid !== undefined) checks.push({ verb: 'impersonate', apiGroup: 'authentication.k8s.io', resource: 'uids', name: imp.uid });
    for (const c of checks) this.check({ ...c, user: caller });
    const implied = username === ANONYMOUS ? UNAUTHENTICATED : AUTHENTICATED;
    if (!groups.includes(implied)) groups.push(implied);
    const user: UserInfo = { username, groups };
    if (imp.uid !== undefined) user.uid = imp.uid;
    if (imp.extra) user.extra = imp.extra;
    return user;
  }

  /** Impersonation, then the request itself; the user the request then acts as. */
  admit(caller: UserInfo, imp: Impersonation | undefined, req: RequestAttributes): UserInfo {
    // An un-impersonating admin is the common case: nothing to look at.
    if (!imp && isMaster(caller)) return caller;
    const user = this.effectiveUser(caller, imp);
    this.check({ ...req, user });
    return user;
  }
}

/** list/watch with `fieldSelector=metadata.name=x` authorize as that name (RequestInfo does). */
export function nameFromFieldSelector(selector: string | undefined): string | undefined {
  if (!selector) return undefined;
  for (const part of selector.split(',')) {
    const m = /^\s*metadata\.name\s*(==?)\s*(.*?)\s*$/.exec(part);
    if (m) return m[2];
  }
  return undefined;
}

/** The attributes of an API request (RequestInfo of kube-apiserver). */
export function callAttributes(c: { verb: string; group: string; version: string; resource: string; subresource?: string; namespace?: string; name?: string; fieldSelector?: string }): RequestAttributes {
  const name = c.name ?? (c.verb === 'list' || c.verb === 'watch' ? nameFromFieldSelector(c.fieldSelector) : undefined);
  return { verb: c.verb, apiGroup: c.group, apiVersion: c.version, resource: c.resource, subresource: c.subresource, namespace: c.namespace || undefined, name: name || undefined };
}
