// The service account controller: every active namespace has a ServiceAccount named "default"
// (created with the namespace, recreated if deleted), as kube-controller-manager's
// serviceaccount-controller does.
import type { Controller } from '../durable/control-loop';
import { trySystemCall, type ClusterContext } from './context';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

export function serviceAccountController(ctx: ClusterContext): Controller {
  return {
    name: 'serviceaccount',
    keysFor(e) {
      if (e.resource === 'namespaces') return e.type !== 'DELETED' && !e.object.metadata.deletionTimestamp ? [e.name] : [];
      if (e.resource === 'serviceaccounts' && e.type === 'DELETED' && e.name === DEFAULT_SERVICE_ACCOUNT) return [e.namespace];
      return [];
    },
    reconcile(namespace) {
      const ns = ctx.store.get('namespaces', '', namespace);
      if (!ns || ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return;
      if (ctx.store.get('serviceaccounts', namespace, DEFAULT_SERVICE_ACCOUNT)) return;
      const reply = trySystemCall(ctx, 'serviceaccount-controller', {
        verb: 'create',
        resource: 'serviceaccounts',
        namespace,
        body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT } },
      });
      if (reply.status >= 300 && reply.status !== 409 && reply.status !== 403) throw new Error(`creating the default ServiceAccount in ${namespace}: ${reply.status}`);
    },
  };
}
