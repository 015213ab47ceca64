// The root CA certificate publisher (kube-controller-manager's root-ca-cert-publisher): a ConfigMap
// kube-root-ca.crt with the CA that clients inside the cluster trust (ca.crt) in every active
// namespace, put back if deleted or changed. Pods read it through their kube-api-access volume.
import type { Controller } from '../durable/control-loop';
import type { KObject } from '../registry/types';
import { systemCall, trySystemCall, type ClusterContext } from './context';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export function rootCAPublisher(ctx: ClusterContext): Controller {
  return {
    name: 'root-ca-cert-publisher',
    keysFor(e) {
      if (e.resource === 'namespaces') return e.type !== 'DELETED' && !e.object.metadata.deletionTimestamp ? [e.name] : [];
      if (e.resource === 'configmaps' && e.name === ROOT_CA_CONFIGMAP) return [e.namespace];
      return [];
    },
    reconcile(namespace) {
      const ca = ctx.caCertificate;
      if (!ca) return;
      const ns = ctx.store.get('namespaces', '', namespace);
      if (!ns || ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return;
      const cm = ctx.store.get('configmaps', namespace, ROOT_CA_CONFIGMAP);
      const data = { 'ca.crt': ca };
      if (!cm) {
        const reply = trySystemCall(ctx, 'root-ca-cert-publisher', {
          verb: 'create',
          resource: 'configmaps',
          namespace,
          body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data },
        });
        if (reply.status >= 300 && reply.status !== 409 && reply.status !== 403) throw new Error(`publishing ${ROOT_CA_CONFIGMAP} in ${namespace}: ${reply.status}`);
        return;
      }
      const current = (cm.data ?? {}) as Record<string, string>;
      const annotations = cm.metadata.annotations ?? {};
      if (Object.keys(current).length === 1 && current['ca.crt'] === ca && annotations[DESCRIPTION_ANNOTATION] === DESCRIPTION) return;
      systemCall(ctx, 'root-ca-cert-publisher', {
        verb: 'update',
        resource: 'configmaps',
        namespace,
        name: ROOT_CA_CONFIGMAP,
        body: { ...cm, metadata: { ...cm.metadata, annotations: { ...annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data } as KObject,
      });
    },
  };
}
