// Recording core/v1 Events as a control-plane component (client-go's event recorder): names
// `<object>.<hex nanoseconds>`, and repeats of the same event counted on one Event like the
// EventCorrelator does.
import { StatusError } from '../api/status';
import { nowTimestamp } from '../durable/generic-registry';
import type { KObject } from '../registry/types';
import { systemCall, type ClusterContext } from './context';

export interface EventRecorder {
  event(obj: KObject, kind: string, apiVersion: string, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/**
 * Events are best-effort, like client-go's recorder: one the API refuses (a sandbox over its quota,
 * a terminating namespace) is dropped instead of failing the controller that reports it.
 */
function dropped(err: unknown): boolean {
  return err instanceof StatusError;
}

export function eventRecorder(ctx: ClusterContext, component: string, reportingInstance = ''): EventRecorder {
  let seq = 0;
  const recorded = new Map<string, { name: string; count: number }>();
  return {
    event(obj, kind, apiVersion, type, reason, message) {
      const now = Date.now();
      const ns = obj.metadata.namespace ?? 'default';
      const key = `${obj.metadata.uid}\u0000${type}\u0000${reason}\u0000${message}`;
      const seen = recorded.get(key);
      if (seen) {
        const live = ctx.store.get('events', ns, seen.name);
        if (live) {
          seen.count++;
          try {
            const r = systemCall(ctx, component, { verb: 'update', resource: 'events', namespace: ns, name: seen.name, body: { ...live, count: seen.count, lastTimestamp: nowTimestamp(now) } });
            if (r.status < 300) return;
          } catch (err) {
            if (dropped(err)) return;
            throw err;
          }
        }
      }
      if (recorded.size > 10_000) recorded.clear();
      const name = `${obj.metadata.name}.${(BigInt(now) * 1_000_000n + BigInt(seq++ % 1_000_000)).toString(16)}`;
      let r;
      try {
        r = systemCall(ctx, component, {
          verb: 'create',
          resource: 'events',
          namespace: ns,
          body: {
            apiVersion: 'v1',
            kind: 'Event',
            metadata: { name, namespace: ns },
            involvedObject: { kind, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid, apiVersion, resourceVersion: obj.metadata.resourceVersion },
            reason,
            message,
            source: { component },
            firstTimestamp: nowTimestamp(now),
            lastTimestamp: nowTimestamp(now),
            count: 1,
            type,
            reportingComponent: component,
            reportingInstance,
          },
        });
      } catch (err) {
        if (dropped(err)) return;
        throw err;
      }
      if (r.status < 300) recorded.set(key, { name, count: 1 });
    },
  };
}
