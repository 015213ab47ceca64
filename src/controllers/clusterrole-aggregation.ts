// The clusterrole-aggregation controller: a ClusterRole with an aggregationRule gets as its rules
// the union of the rules of every other ClusterRole its selectors match (admin, edit and view are
// built this way from the system:aggregate-to-* roles and any role labelled to join them).
import type { Controller } from '../durable/control-loop';
import { deepEqual } from '../machinery/validation';
import { aggregateRules, aggregationSelectors, RBAC_STORAGE, selectsRole } from '../tenancy/rbac';
import { systemCall, type ClusterContext } from './context';

const MANAGER = 'clusterrole-aggregation-controller';

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
          const sels = aggregationSelectors(r);
          if (sels) aggregators.set(r.metadata.name!, sels);
        }
      }
      const own = e.type === 'DELETED' ? undefined : aggregationSelectors(e.object);
      if (own) aggregators.set(e.name, own);
      else aggregators.delete(e.name);
      // Aggregated roles selecting the changed role before or after the change, and the role itself.
      const keys: string[] = own ? [e.name] : [];
      for (const [name, sels] of aggregators) {
        if (name !== e.name && sels.some((s) => selectsRole(s, e.object) || selectsRole(s, e.prev))) keys.push(name);
      }
      return keys;
    },
    reconcile(name) {
      const role = ctx.store.get(RBAC_STORAGE.clusterroles, '', name);
      if (!role || !aggregationSelectors(role) || role.metadata.deletionTimestamp) return;
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
