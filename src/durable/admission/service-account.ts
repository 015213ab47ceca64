// The store half of the ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount): the
// pod strategy already defaulted serviceAccountName and added the kube-api-access volume; here the
// account must exist, and an account with automountServiceAccountToken: false keeps the token out
// unless the pod asks for it. A pod without imagePullSecrets gets the account's.
import { errors } from '../../api/status';
import type { KObject, ResourceDef } from '../../registry/types';
import type { Store } from '../store';

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const TOKEN_VOLUME_PREFIX = 'kube-api-access-';

interface PodSpec {
  serviceAccountName?: string;
  imagePullSecrets?: { name?: string }[];
  automountServiceAccountToken?: boolean;
  volumes?: { name?: string }[];
  containers?: { volumeMounts?: { name?: string }[] }[];
  initContainers?: { volumeMounts?: { name?: string }[] }[];
}

export function admitServiceAccountExists(store: Store, def: ResourceDef, pod: KObject): void {
  if (def.group !== '' || def.resource !== 'pods') return;
  // Mirror pods of static pods are the kubelet's; they use no service account.
  if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
  const spec = (pod.spec ?? {}) as PodSpec;
  const ns = pod.metadata.namespace ?? '';
  const name = spec.serviceAccountName || 'default';
  const sa = store.get('serviceaccounts', ns, name);
  if (!sa) {
    // "default" is the service account controller's to create, right after its namespace: a pod
    // racing it is let through (kube-apiserver would refuse it until the controller catches up).
    if (name === 'default') return;
    throw errors.forbidden({ group: '', resource: 'pods' }, pod.metadata.name ?? '', `error looking up service account ${ns}/${name}: serviceaccount "${name}" not found`);
  }
  const pullSecrets = sa.imagePullSecrets as { name?: string }[] | undefined;
  if (!spec.imagePullSecrets?.length && pullSecrets?.length) spec.imagePullSecrets = pullSecrets.map((s) => ({ name: s.name }));
  if (sa.automountServiceAccountToken !== false || spec.automountServiceAccountToken === true) return;
  // The account opts out: take back the token volume the pod strategy added.
  const volume = spec.volumes?.find((v) => v.name?.startsWith(TOKEN_VOLUME_PREFIX))?.name;
  if (!volume) return;
  spec.volumes = spec.volumes!.filter((v) => v.name !== volume);
  if (!spec.volumes.length) delete spec.volumes;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    if (!c.volumeMounts) continue;
    c.volumeMounts = c.volumeMounts.filter((m) => m.name !== volume);
    if (!c.volumeMounts.length) delete c.volumeMounts;
  }
}
