// The clusterrole-aggregation controller: a ClusterRole with an aggregationRule gets as its rules
// the union of the rules of every other ClusterRole its selectors match (admin, edit and view are
// built this way from the system:aggregate-to-* roles and any role labelled to join them).
import type { Controller } from '../durable/control-loop';
import { matchesLabels } from '../machinery/labels';
import { deepEqual } from '../machinery/validation';
import { selectorOf } from '../registry/common';
import type { KObject } from '../registry/types';
import { RBAC_STORAGE, type PolicyRule } from '../tenancy/rbac';
import { systemCall, type ClusterContext } from './context';

const MANAGER = 'clusterrole-aggregation-controller';

function selectors(role: KObject | undefined): unknown[] | undefined {
  const rule = role?.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined;
  return rule ? (rule.clusterRoleSelectors ?? []) : undefined;
}

function selects(sel: unknown, role: KObject | undefined): boolean {
  const reqs = selectorOf(sel);
  return !!role && !!reqs && matchesLabels(reqs, role.metadata.labels);
}

/** The rules an aggregated role should have: selector by selector, roles by name, each rule once. */
export function aggregateRules(role: KObject, all: Iterable<KObject>): PolicyRule[] {
  const roles = [...all].filter((r) => r.metadata.name !== role.metadata.name).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  const out: PolicyRule[] = [];
  for (const sel of selectors(role) ?? []) {
    for (const r of roles) {
      if (!selects(sel, r)) continue;
      for (const rule of (r.rules as PolicyRule[] | undefined) ?? []) if (!out.some((x) => deepEqual(x, rule))) out.push(rule);
    }
  }
  return out;
}

export function clusterRoleAggregationController(ctx: ClusterContext): Controller {
  // The selectors of every aggregated role, kept from the events this controller sees (loaded once),
  // so that a ClusterRole change costs a look at a few selectors rather than a list of all roles.
  let aggregators: Map<string, unknown[]> | undefined;
  return {
    name: 'clusterrole-aggregation',
    keysFor(e) {
      if (e.resource !== RBAC_STORAGE.clusterroles) return [];
      if (!aggregators) {
        aggregators = new Map();
        for (const r of ctx.store.list(RBAC_STORAGE.clusterroles)) {
          const sels = selectors(r);
          if (sels) aggregators.set(r.metadata.name!, sels);
        }
      }
      const own = e.type === 'DELETED' ? undefined : selectors(e.object);
      if (own) aggregators.set(e.name, own);
      else aggregators.delete(e.name);
      // Aggregated roles selecting the changed role before or after the change, and the role itself.
      const keys: string[] = own ? [e.name] : [];
      for (const [name, sels] of aggregators) {
        if (name !== e.name && sels.some((s) => selects(s, e.object) || selects(s, e.prev))) keys.push(name);
      }
      return keys;
    },
    reconcile(name) {
      const role = ctx.store.get(RBAC_STORAGE.clusterroles, '', name);
      if (!role || !selectors(role) || role.metadata.deletionTimestamp) return;
      const rules = aggregateRules(role, ctx.store.list(RBAC_STORAGE.clusterroles));
      if (deepEqual(rules, role.rules ?? [])) return;
      systemCall(ctx, MANAGER, {
        verb: 'update',
        group: 'rbac.authorization.k8s.io',
        resource: 'clusterroles',
        name,
        body: { ...role, rules },
      });
    },
  };
}
