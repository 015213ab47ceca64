// The ServiceController of the emulated cloud provider: a LoadBalancer Service (without a
// loadBalancerClass, which names another implementation) gets an address from the sandbox's
// load-balancer pool in status.loadBalancer.ingress (ipMode VIP), with the cloud controller's events;
// the address goes back to the pool when the Service stops being a LoadBalancer or is deleted.
import type { Service } from 'kubernetes-types/core/v1';
import type { Controller } from '../durable/control-loop';
import type { KObject } from '../registry/types';
import { splitKey, systemCall, type ClusterContext } from './context';
import { eventRecorder } from './events';

const COMPONENT = 'service-controller';

export function serviceController(ctx: ClusterContext): Controller {
  const recorder = eventRecorder(ctx, COMPONENT);
  const event = (svc: KObject, type: 'Normal' | 'Warning', reason: string, message: string) => recorder.event(svc, 'Service', 'v1', type, reason, message);

  function setIngress(svc: Service & KObject, ingress: { ip: string; ipMode: string }[]): void {
    const current = (svc.status?.loadBalancer?.ingress ?? []) as unknown[];
    if (JSON.stringify(current) === JSON.stringify(ingress)) return;
    const status = { ...(svc.status ?? {}), loadBalancer: ingress.length ? { ingress } : {} };
    systemCall(ctx, COMPONENT, { verb: 'update', subresource: 'status', resource: 'services', namespace: svc.metadata.namespace, name: svc.metadata.name, body: { ...svc, status } });
  }

  return {
    name: 'service',
    keysFor(e) {
      if (e.resource !== 'services' || e.type === 'DELETED') return [];
      const wasLB = (e.prev?.spec as Service['spec'])?.type === 'LoadBalancer';
      const isLB = (e.object.spec as Service['spec'])?.type === 'LoadBalancer';
      return wasLB || isLB ? [`${e.namespace}/${e.name}`] : [];
    },
    reconcile(key) {
      const { namespace, name } = splitKey(key);
      const svc = ctx.store.get('services', namespace, name) as unknown as (Service & KObject) | undefined;
      if (!svc) {
        ctx.network.loadBalancers.release(key);
        return;
      }
      const uid = svc.metadata.uid ?? '';
      const wanted = svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass && !svc.metadata.deletionTimestamp;
      if (!wanted) {
        if (ctx.network.loadBalancers.release(key, uid)) {
          event(svc, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
          event(svc, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
        }
        if (svc.spec?.type !== 'LoadBalancer') setIngress(svc, []);
        return;
      }
      const requested = svc.spec?.loadBalancerIP || undefined;
      const fresh = !(svc.status?.loadBalancer?.ingress ?? []).length;
      if (fresh) event(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
      const ip = ctx.network.loadBalancers.ensure(key, uid, requested);
      if (!ip) {
        const why = requested ? `requested ip ${requested} is not available in the load-balancer pool ${ctx.network.settings.plan().loadBalancerCIDR}` : 'no available IPs in the load-balancer pool';
        event(svc, 'Warning', 'SyncLoadBalancerFailed', `Error syncing load balancer: failed to ensure load balancer: ${why}`);
        ctx.network.loadBalancers.release(key, uid);
        setIngress(svc, []);
        return;
      }
      setIngress(svc, [{ ip, ipMode: 'VIP' }]);
      if (fresh) event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
    },
  };
}
