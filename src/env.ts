// Bindings of the Worker and its Durable Objects (wrangler.toml).
import type { ClusterObject } from './durable/cluster';

export interface Env {
  CLUSTER: DurableObjectNamespace<ClusterObject>;
  REGISTRY: D1Database;
  /** Admin token of the local emulator (`npm start` generates it); empty disables it. */
  KUBEDO_BOOTSTRAP_TOKEN?: string;
  /**
   * Base64 PEM of the CA that signs the API's serving certificate (the launcher sets it): the
   * kubeconfigs' certificate-authority-data and every namespace's kube-root-ca.crt.
   */
  KUBEDO_CA_DATA?: string;
  /** Bookmark interval for watches in ms (default 30000); tests shorten it. */
  KUBEDO_BOOKMARK_INTERVAL_MS?: string;
}

declare global {
  namespace Cloudflare {
    // Types `env` and `exports` from "cloudflare:workers" (used by the workerd tests).
    interface Env extends KubedoEnv {}
    interface GlobalProps {
      mainModule: typeof import('./worker');
      durableNamespaces: 'ClusterObject';
    }
  }
}
type KubedoEnv = Env;
