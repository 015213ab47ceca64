// Sandboxes and their Cluster Durable Objects. The local emulator always has sandbox `default`.
import type { ClusterObject } from '../durable/cluster';
import type { Env } from '../env';

export const DEFAULT_SANDBOX_ID = 'default';

/** Sandboxes this isolate has already seen initialized (saves an RPC per request). */
const ready = new Set<string>();

export async function ensureSandbox(env: Env, id: string): Promise<DurableObjectStub<ClusterObject> | undefined> {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(id)) return undefined;
  const stub = env.CLUSTER.get(env.CLUSTER.idFromName(id));
  if (ready.has(id)) return stub;
  if (id === DEFAULT_SANDBOX_ID) {
    await stub.init({ name: id });
  } else if (!(await stub.isInitialized())) {
    return undefined;
  }
  ready.add(id);
  return stub;
}
