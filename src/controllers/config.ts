// ConfigMap kube-system/kubedo-config: the sandbox's control-plane tuning, read where it is needed
// (one row read; changing it with kubectl takes effect at the next reconcile).
import { parseGoDuration } from '../machinery/duration';
import type { Store } from '../durable/store';

export interface SandboxConfig {
  /** Node monitor grace period: a node whose kubelet stopped goes Unknown after this (ms). */
  nodeMonitorGracePeriodMs: number;
  /** tolerationSeconds added to pods for the not-ready/unreachable NoExecute taints. */
  defaultTolerationSeconds: number;
  /** Every controller and kubelet timer runs this many times faster. */
  timeScale: number;
}

export const DEFAULT_CONFIG: SandboxConfig = { nodeMonitorGracePeriodMs: 40_000, defaultTolerationSeconds: 300, timeScale: 1 };

export function sandboxConfig(store: Store): SandboxConfig {
  const cm = store.get('configmaps', 'kube-system', 'kubedo-config');
  const data = (cm?.data ?? {}) as Record<string, string>;
  const grace = data.nodeMonitorGracePeriod !== undefined ? parseGoDuration(data.nodeMonitorGracePeriod) : undefined;
  const tol = Number(data.defaultTolerationSeconds);
  const scale = Number(data.timeScale);
  return {
    nodeMonitorGracePeriodMs: grace !== undefined && grace > 0 ? grace : DEFAULT_CONFIG.nodeMonitorGracePeriodMs,
    defaultTolerationSeconds: Number.isInteger(tol) && tol >= 0 ? tol : DEFAULT_CONFIG.defaultTolerationSeconds,
    timeScale: Number.isFinite(scale) && scale > 0 ? scale : DEFAULT_CONFIG.timeScale,
  };
}
