import { describe, expect, it } from 'vitest';
import type { UserInfo } from '../../src/api/call';
import { StatusError } from '../../src/api/status';
import type { KObject } from '../../src/registry/types';
import { AccessControl, callAttributes, forbidden, nameFromFieldSelector } from '../../src/tenancy/access';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from '../../src/tenancy/bootstrap-policy';
import { breakdownRule, compactString, missingRules } from '../../src/tenancy/escalation';
import {
  aggregateRules,
  appliesTo,
  nonResourceURLMatches,
  parseServiceAccountUser,
  RBAC_STORAGE,
  RbacAuthorizer,
  ruleAllows,
  type Attributes,
  type PolicyReader,
  type PolicyRule,
} from '../../src/tenancy/rbac';

const alice: UserInfo = { username: 'alice', groups: ['devs', 'system:authenticated'] };
const app: UserInfo = { username: 'system:serviceaccount:default:app', groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'] };

const res = (verb: string, resource: string, extra: Partial<Attributes> = {}): Attributes => ({ user: alice, verb, apiGroup: '', resource, ...extra });

describe('ruleAllows', () => {
  const cases: [string, PolicyRule, Attributes, boolean][] = [
    ['exact verb, group, resource', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('get', 'pods'), true],
    ['other verb', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('list', 'pods'), false],
    ['verb *', { verbs: ['*'], apiGroups: [''], resources: ['pods'] }, res('deletecollection', 'pods'), true],
    ['other group', { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, res('get', 'pods'), false],
    ['group *', { verbs: ['get'], apiGroups: ['*'], resources: ['deployments'] }, res('get', 'deployments', { apiGroup: 'apps' }), true],
    ['resource * covers subresources', { verbs: ['get'], apiGroups: [''], resources: ['*'] }, res('get', 'pods', { subresource: 'log' }), true],
    ['plain resource does not cover its subresource', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('get', 'pods', { subresource: 'log' }), false],
    ['resource/subresource', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, res('get', 'pods', { subresource: 'log' }), true],
    ['resource/subresource is not the resource', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, res('get', 'pods'), false],
    ['*/subresource', { verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] }, res('get', 'deployments', { apiGroup: 'apps', subresource: 'scale' }), true],
    ['*/subresource other subresource', { verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] }, res('get', 'deployments', { apiGroup: 'apps', subresource: 'status' }), false],
    ['resourceNames match', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, res('get', 'configmaps', { name: 'a' }), true],
    ['resourceNames other name', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, res('get', 'configmaps', { name: 'b' }), false],
    ['resourceNames never allow list', { verbs: ['list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, res('list', 'configmaps'), false],
    ['non-resource exact', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, { user: alice, verb: 'get', path: '/healthz' }, true],
    ['non-resource prefix *', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, { user: alice, verb: 'get', path: '/apis/apps/v1' }, true],
    ['non-resource prefix is a prefix only', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, { user: alice, verb: 'get', path: '/apis' }, false],
    ['non-resource rule never allows resources', { verbs: ['*'], nonResourceURLs: ['*'] }, res('get', 'pods'), false],
    ['resource rule never allows paths', { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { user: alice, verb: 'get', path: '/api' }, false],
  ];
  for (const [name, rule, attrs, want] of cases) it(name, () => expect(ruleAllows(attrs, rule)).toBe(want));

  it('nonResourceURLMatches *', () => expect(nonResourceURLMatches({ verbs: ['get'], nonResourceURLs: ['*'] }, '/anything')).toBe(true));
});

describe('subjects', () => {
  const cases: [string, UserInfo, { kind: string; name: string; namespace?: string }, string, boolean][] = [
    ['user by name', alice, { kind: 'User', name: 'alice' }, '', true],
    ['user other name', alice, { kind: 'User', name: 'bob' }, '', false],
    ['group member', alice, { kind: 'Group', name: 'devs' }, '', true],
    ['not a group member', alice, { kind: 'Group', name: 'ops' }, '', false],
    ['service account with namespace', app, { kind: 'ServiceAccount', name: 'app', namespace: 'default' }, '', true],
    ['service account defaults to the binding namespace', app, { kind: 'ServiceAccount', name: 'app' }, 'default', true],
    ['service account of another namespace', app, { kind: 'ServiceAccount', name: 'app', namespace: 'other' }, 'default', false],
    ['service account without any namespace', app, { kind: 'ServiceAccount', name: 'app' }, '', false],
    ['service-account groups', app, { kind: 'Group', name: 'system:serviceaccounts:default' }, '', true],
  ];
  for (const [name, user, subject, ns, want] of cases) it(name, () => expect(appliesTo(user, subject, ns)).toBe(want));

  it('parses service-account user names', () => {
    expect(parseServiceAccountUser('system:serviceaccount:kube-system:default')).toEqual({ namespace: 'kube-system', name: 'default' });
    expect(parseServiceAccountUser('system:serviceaccount:a')).toBeUndefined();
    expect(parseServiceAccountUser('system:serviceaccount:a:b:c')).toBeUndefined();
    expect(parseServiceAccountUser('alice')).toBeUndefined();
  });
});

/** A store stand-in over plain arrays, with the change events the Store would emit. */
class Policy implements PolicyReader {
  objects = new Map<string, KObject>();
  reads = 0;
  constructor(readonly authorizer = undefined as RbacAuthorizer | undefined) {}
  private key(resource: string, ns: string, name: string) {
    return `${resource}|${ns}|${name}`;
  }
  get(resource: string, ns: string, name: string) {
    this.reads++;
    return this.objects.get(this.key(resource, ns, name));
  }
  *list(resource: string) {
    this.reads++;
    for (const [k, v] of this.objects) if (k.startsWith(`${resource}|`)) yield v;
  }
  put(resource: string, obj: KObject, rbac?: RbacAuthorizer) {
    const k = this.key(resource, obj.metadata.namespace ?? '', obj.metadata.name!);
    const prev = this.objects.get(k);
    this.objects.set(k, obj);
    rbac?.onEvent({ resource, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name!, type: prev ? 'MODIFIED' : 'ADDED', object: obj, prev });
  }
  remove(resource: string, obj: KObject, rbac?: RbacAuthorizer) {
    const k = this.key(resource, obj.metadata.namespace ?? '', obj.metadata.name!);
    const prev = this.objects.get(k)!;
    this.objects.delete(k);
    rbac?.onEvent({ resource, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name!, type: 'DELETED', object: prev, prev });
  }
}

const role = (name: string, rules: PolicyRule[], namespace?: string): KObject => ({ metadata: { name, namespace }, rules });
const binding = (name: string, roleKind: string, roleName: string, subjects: object[], namespace?: string): KObject => ({
  metadata: { name, namespace },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName },
  subjects,
});

function defaultPolicy(): Policy {
  const p = new Policy();
  for (const r of bootstrapClusterRoles()) p.put(RBAC_STORAGE.clusterroles, r);
  for (const b of bootstrapClusterRoleBindings()) p.put(RBAC_STORAGE.clusterrolebindings, b);
  return p;
}

describe('RbacAuthorizer', () => {
  it('allows through a RoleBinding only in its namespace, with upstream reasons', () => {
    const p = defaultPolicy();
    const rbac = new RbacAuthorizer(p);
    const list = { user: app, verb: 'list', apiGroup: '', resource: 'pods', namespace: 'default' };
    expect(rbac.authorize(list)).toEqual({ allowed: false, reason: '' });
    p.put(RBAC_STORAGE.rolebindings, binding('app-view', 'ClusterRole', 'view', [{ kind: 'ServiceAccount', name: 'app', namespace: 'default' }], 'default'), rbac);
    expect(rbac.authorize(list)).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "app-view/default" of ClusterRole "view" to ServiceAccount "app/default"' });
    expect(rbac.authorize({ ...list, namespace: 'kube-system' }).allowed).toBe(false);
    expect(rbac.authorize({ ...list, namespace: undefined }).allowed).toBe(false);
    expect(rbac.authorize({ ...list, verb: 'create' }).allowed).toBe(false);
    expect(rbac.authorize({ ...list, resource: 'secrets' }).allowed).toBe(false);
  });

  it('cluster bindings: system:masters → cluster-admin; discovery for every authenticated user', () => {
    const rbac = new RbacAuthorizer(defaultPolicy());
    const admin: UserInfo = { username: 'kubedo:admin', groups: ['system:masters', 'system:authenticated'] };
    expect(rbac.authorize({ user: admin, verb: 'delete', apiGroup: 'apps', resource: 'deployments', namespace: 'x', name: 'y' })).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"',
    });
    expect(rbac.authorize({ user: app, verb: 'get', path: '/apis/apps/v1' }).allowed).toBe(true);
    expect(rbac.authorize({ user: app, verb: 'get', path: '/version' }).allowed).toBe(true);
    expect(rbac.authorize({ user: app, verb: 'get', path: '/metrics' }).allowed).toBe(false);
    expect(rbac.authorize({ user: app, verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' }).allowed).toBe(true);
    const anonymous: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
    expect(rbac.authorize({ user: anonymous, verb: 'get', path: '/healthz' }).allowed).toBe(true);
    expect(rbac.authorize({ user: anonymous, verb: 'get', path: '/api' }).allowed).toBe(false);
  });

  it('aggregated admin/edit/view carry the rules of their system:aggregate-to-* roles', () => {
    const p = defaultPolicy();
    const rbac = new RbacAuthorizer(p);
    const bind = (role: string, user: string) =>
      p.put(RBAC_STORAGE.rolebindings, binding(`${user}-${role}`, 'ClusterRole', role, [{ kind: 'User', name: user }], 'team'), rbac);
    bind('view', 'v');
    bind('edit', 'e');
    bind('admin', 'a');
    const can = (user: string, verb: string, resource: string, apiGroup = '', subresource?: string) =>
      rbac.authorize({ user: { username: user, groups: [] }, verb, apiGroup, resource, subresource, namespace: 'team' }).allowed;
    expect([can('v', 'list', 'pods'), can('v', 'get', 'secrets'), can('v', 'create', 'pods'), can('v', 'get', 'pods', '', 'log')]).toEqual([true, false, false, true]);
    expect(can('v', 'list', 'pods', 'metrics.k8s.io')).toBe(true); // kubectl top, through system:aggregated-metrics-reader
    expect([can('e', 'create', 'deployments', 'apps'), can('e', 'get', 'secrets'), can('e', 'create', 'rolebindings', 'rbac.authorization.k8s.io')]).toEqual([true, true, false]);
    expect([can('a', 'create', 'rolebindings', 'rbac.authorization.k8s.io'), can('a', 'list', 'pods'), can('a', 'update', 'deployments', 'apps', 'scale')]).toEqual([true, true, true]);
  });

  it('Roles, resourceNames, a missing role as an error reason, and deletion', () => {
    const p = new Policy();
    const rbac = new RbacAuthorizer(p);
    p.put(RBAC_STORAGE.roles, role('cm-a', [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }], 'ns'), rbac);
    const b = binding('alice-cm', 'Role', 'cm-a', [{ kind: 'User', name: 'alice' }], 'ns');
    p.put(RBAC_STORAGE.rolebindings, b, rbac);
    const get = (name: string) => rbac.authorize({ user: alice, verb: 'get', apiGroup: '', resource: 'configmaps', namespace: 'ns', name });
    expect(get('a').allowed).toBe(true);
    expect(get('b').allowed).toBe(false);
    p.put(RBAC_STORAGE.clusterrolebindings, binding('devs-ghost', 'ClusterRole', 'ghost', [{ kind: 'Group', name: 'devs' }]), rbac);
    expect(get('b')).toEqual({ allowed: false, reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "ghost" not found' });
    // The role changes: the cache follows the store event.
    p.put(RBAC_STORAGE.roles, role('cm-a', [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }], 'ns'), rbac);
    expect(get('b').allowed).toBe(true);
    p.remove(RBAC_STORAGE.rolebindings, b, rbac);
    expect(get('a').allowed).toBe(false);
  });

  it('looks only at the caller’s bindings (index, no scan per request)', () => {
    const p = new Policy();
    const rbac = new RbacAuthorizer(p);
    for (let i = 0; i < 500; i++) p.put(RBAC_STORAGE.rolebindings, binding(`b${i}`, 'ClusterRole', 'view', [{ kind: 'User', name: `u${i}` }], 'ns'), rbac);
    p.put(RBAC_STORAGE.clusterroles, role('view', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]), rbac);
    rbac.authorize({ user: alice, verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns' }); // builds the index
    p.reads = 0;
    for (let i = 0; i < 100; i++) rbac.authorize({ user: { username: `u${i}`, groups: [] }, verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns' });
    expect(p.reads).toBe(1); // the role, once; no binding lists
    expect(rbac.authorize({ user: { username: 'u7', groups: [] }, verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns' }).allowed).toBe(true);
  });

  it('rulesFor: every rule of the applying bindings', () => {
    const p = defaultPolicy();
    const rbac = new RbacAuthorizer(p);
    const { rules, errors } = rbac.rulesFor(app, 'default');
    expect(errors).toEqual([]);
    expect(rules.some((r) => r.rule.nonResourceURLs?.includes('/api'))).toBe(true);
    expect(rules.some((r) => r.rule.resources?.includes('pods'))).toBe(false);
  });
});

describe('aggregateRules', () => {
  it('unions matching roles by name, each rule once, never itself', () => {
    const agg: KObject = { metadata: { name: 'agg', labels: { x: 'true' } }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'true' } }] } };
    const r1: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
    const r2: PolicyRule = { verbs: ['list'], apiGroups: [''], resources: ['pods'] };
    const roles: KObject[] = [
      agg,
      { metadata: { name: 'b', labels: { x: 'true' } }, rules: [r2, r1] },
      { metadata: { name: 'a', labels: { x: 'true' } }, rules: [r1] },
      { metadata: { name: 'c', labels: { x: 'false' } }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] },
    ];
    expect(aggregateRules(agg, roles)).toEqual([r1, r2]);
  });
});

describe('AccessControl', () => {
  const access = () => new AccessControl(new RbacAuthorizer(defaultPolicy()));
  const admin: UserInfo = { username: 'kubedo:admin', groups: ['system:masters', 'system:authenticated'] };

  function status(fn: () => unknown) {
    try {
      fn();
    } catch (e) {
      if (e instanceof StatusError) return e.status;
      throw e;
    }
    throw new Error('no error');
  }

  it('403 with kube-apiserver wording', () => {
    const a = access();
    const s = status(() => a.admit(app, undefined, callAttributes({ verb: 'list', group: '', version: 'v1', resource: 'pods', namespace: 'default' })));
    expect(s).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'pods is forbidden: User "system:serviceaccount:default:app" cannot list resource "pods" in API group "" in the namespace "default"',
      details: { kind: 'pods' },
    });
    const named = status(() => a.admit(app, undefined, callAttributes({ verb: 'get', group: 'apps', version: 'v1', resource: 'deployments', subresource: 'scale', name: 'web', namespace: 'd' })));
    expect(named.message).toBe('deployments.apps "web" is forbidden: User "system:serviceaccount:default:app" cannot get resource "deployments/scale" in API group "apps" in the namespace "d"');
    expect(named.details).toEqual({ kind: 'deployments', group: 'apps', name: 'web' });
    const cluster = status(() => a.admit(app, undefined, callAttributes({ verb: 'list', group: '', version: 'v1', resource: 'nodes' })));
    expect(cluster.message).toBe('nodes is forbidden: User "system:serviceaccount:default:app" cannot list resource "nodes" in API group "" at the cluster scope');
    const path = status(() => a.admit(app, undefined, { verb: 'get', path: '/metrics' }));
    expect(path.message).toBe('forbidden: User "system:serviceaccount:default:app" cannot get path "/metrics"');
  });

  it('watch by name authorizes the name from the field selector', () => {
    expect(nameFromFieldSelector('metadata.name=web')).toBe('web');
    expect(nameFromFieldSelector('status.phase=Running,metadata.name==x')).toBe('x');
    expect(nameFromFieldSelector('status.phase=Running')).toBeUndefined();
    expect(callAttributes({ verb: 'watch', group: '', version: 'v1', resource: 'pods', fieldSelector: 'metadata.name=p' }).name).toBe('p');
  });

  it('impersonation: admins may; the impersonated user gets system:authenticated and SA groups', () => {
    const a = access();
    expect(a.effectiveUser(admin, { user: 'system:serviceaccount:default:app' })).toEqual({
      username: 'system:serviceaccount:default:app',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    });
    expect(a.effectiveUser(admin, { user: 'jane', groups: ['devs'] })).toEqual({ username: 'jane', groups: ['devs', 'system:authenticated'] });
    expect(a.effectiveUser(admin, { user: 'system:anonymous' }).groups).toEqual(['system:unauthenticated']);
  });

  it('impersonation denied with upstream wording; groups without a user are a bad request', () => {
    const a = access();
    expect(status(() => a.effectiveUser(alice, { user: 'x' })).message).toBe(
      'users "x" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    expect(status(() => a.effectiveUser(alice, { user: 'system:serviceaccount:ns:sa' })).message).toBe(
      'serviceaccounts "sa" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "ns"',
    );
    expect(status(() => a.effectiveUser(admin, { groups: ['g'] })).code).toBe(400);
  });

  it('forbidden() for a non-resource path has no details kind', () => {
    expect(forbidden({ user: alice, verb: 'get', path: '/x' }, '').status.details).toEqual({});
  });
});

describe('escalation checks', () => {
  const held: PolicyRule[] = [
    { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', '*/status'] },
    { verbs: ['*'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] },
    { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
  ];
  const cases: [string, PolicyRule, boolean][] = [
    ['same rule', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, true],
    ['more verbs', { verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods'] }, false],
    ['verb * needs *', { verbs: ['*'], apiGroups: [''], resources: ['pods'] }, false],
    ['*/status covers pods/status', { verbs: ['list'], apiGroups: [''], resources: ['pods/status'] }, true],
    ['*/status is not pods/log', { verbs: ['list'], apiGroups: [''], resources: ['pods/log'] }, false],
    ['named grant covered by the named rule', { verbs: ['update'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] }, true],
    ['unnamed grant not covered by a named rule', { verbs: ['update'], apiGroups: ['apps'], resources: ['deployments'] }, false],
    ['url under a prefix', { verbs: ['get'], nonResourceURLs: ['/apis/apps'] }, true],
    ['url outside the prefix', { verbs: ['get'], nonResourceURLs: ['/metrics'] }, false],
  ];
  for (const [name, rule, ok] of cases) it(name, () => expect(missingRules(held, [rule]).length === 0).toBe(ok));

  it('breaks rules down and prints them like CompactString', () => {
    const missing = missingRules(held, [{ verbs: ['get', 'create'], apiGroups: ['', 'batch'], resources: ['pods'] }]);
    expect(missing.map(compactString)).toEqual([
      '{APIGroups:[""], Resources:["pods"], Verbs:["create"]}',
      '{APIGroups:["batch"], Resources:["pods"], Verbs:["get"]}',
      '{APIGroups:["batch"], Resources:["pods"], Verbs:["create"]}',
    ]);
    expect(compactString({ verbs: ['get', 'list'], nonResourceURLs: ['/x'] })).toBe('{NonResourceURLs:["/x"], Verbs:["get" "list"]}');
    expect(breakdownRule({ verbs: ['get'], apiGroups: [''], resources: ['cm'], resourceNames: ['a', 'b'] })).toHaveLength(2);
  });
});
