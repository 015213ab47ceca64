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
  // Sandbox API and per-sandbox limits (README "Sandboxes"; defaults in src/tenancy/limits.ts and policy.ts).
  /** `open` (anyone, rate-limited per client) or `operator` (POST /v1/sandboxes needs the operator token). */
  KUBEDO_SANDBOX_CREATION?: string;
  /** The operator's bearer token for the sandbox API (a secret in production). */
  KUBEDO_OPERATOR_TOKEN?: string;
  KUBEDO_SANDBOX_CREATE_PER_MINUTE?: string;
  KUBEDO_SANDBOX_CREATE_BURST?: string;
  KUBEDO_SANDBOX_MAX_PER_OWNER?: string;
  KUBEDO_SANDBOX_DEFAULT_TTL_SECONDS?: string;
  KUBEDO_SANDBOX_MAX_TTL_SECONDS?: string;
  KUBEDO_SANDBOX_MAX_OBJECTS?: string;
  KUBEDO_SANDBOX_MAX_BYTES?: string;
  KUBEDO_SANDBOX_MAX_NODES?: string;
  KUBEDO_SANDBOX_MAX_PODS?: string;
  KUBEDO_SANDBOX_REQUESTS_PER_SECOND?: string;
  KUBEDO_SANDBOX_REQUEST_BURST?: string;
  KUBEDO_SANDBOX_MAX_WATCHES?: string;
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
