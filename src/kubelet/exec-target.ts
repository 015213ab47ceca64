// The kubelet side of `kubectl exec`: find the pod and container (with kube-apiserver's and
// kubelet's refusals), and describe the running container for the shell.
import type { Store } from '../durable/store';
import { failure, type Status } from '../api/status';
import { kubeletRunning } from '../controllers/kubelet';
import { nodeInternalIP } from '../network/routing';
import { containerEnv, DEFAULT_CLUSTER_DNS, linkedServices, serviceEnvVars, shellHostFor, type PodSpec } from './container-env';
import type { ShellHost } from './shell';

export type ExecTarget = { ok: true; host: ShellHost; container: string } | { ok: false; status: Status };

const refuse = (code: number, reason: string, message: string): ExecTarget => ({ ok: false, status: failure(code, reason, message) });

export function execTarget(store: Store, namespace: string, name: string, containerName: string | undefined, tty: boolean): ExecTarget {
  const pod = store.get('pods', namespace, name);
  if (!pod) return { ok: false, status: failure(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' }) };
  const spec = (pod.spec ?? {}) as PodSpec;
  const containers = spec.containers ?? [];
  let cname = containerName;
  if (!cname) {
    if (containers.length !== 1) return refuse(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`);
    cname = containers[0].name;
  }
  const container = [...containers, ...(spec.initContainers ?? [])].find((c) => c.name === cname);
  if (!container) return refuse(400, 'BadRequest', `container ${cname} is not valid for pod ${name}`);
  if (!spec.nodeName) return refuse(400, 'BadRequest', `pod ${name} does not have a host assigned`);
  const node = store.get('nodes', '', spec.nodeName);
  if (!node || !kubeletRunning(node)) {
    return refuse(500, 'InternalError', `error dialing backend: dial tcp ${node ? nodeInternalIP(node) : spec.nodeName}:10250: i/o timeout`);
  }
  const statuses = [
    ...(((pod.status as { containerStatuses?: unknown[] } | undefined)?.containerStatuses ?? []) as { name: string; state?: { running?: { startedAt?: string } } }[]),
    ...(((pod.status as { initContainerStatuses?: unknown[] } | undefined)?.initContainerStatuses ?? []) as { name: string; state?: { running?: { startedAt?: string } } }[]),
  ];
  const running = statuses.find((s) => s.name === cname)?.state?.running;
  if (!running) return refuse(400, 'BadRequest', `container not found ("${cname}")`);
  const startedAt = Date.parse(running.startedAt ?? '') || Date.now();
  const services = linkedServices(pod, [...store.list('services', { namespace })], store.get('services', 'default', 'kubernetes'), startedAt);
  const env = containerEnv(pod, container, store, serviceEnvVars(services), tty);
  const dns = (store.get('services', 'kube-system', 'kube-dns')?.spec as { clusterIP?: string } | undefined)?.clusterIP;
  const ca = (store.get('configmaps', namespace, 'kube-root-ca.crt')?.data as Record<string, string> | undefined)?.['ca.crt'];
  return { ok: true, container: cname, host: shellHostFor(pod, container, env, dns && dns !== 'None' ? dns : DEFAULT_CLUSTER_DNS, ca) };
}
