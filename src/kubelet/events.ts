// Turning the simulated kubelet's SimEvents into core/v1 Event objects, named and keyed like client-go's
// event recorder (name `<pod>.<hex UnixNano>`; the EventCorrelator aggregates repeats by `eventKey`).

import type { Pod } from 'kubernetes-types/core/v1';
import type { SimEvent } from './lifecycle';
import { hash32, rfc3339 } from './util';

/** The correlator key: events with the same key update one Event (count + 1, lastTimestamp) instead of adding one. */
export function eventKey(pod: Pod, nodeName: string, ev: SimEvent): string {
  const m = pod.metadata ?? {};
  return ['kubelet', nodeName, 'Pod', m.namespace, m.name, m.uid, ev.fieldPath ?? '', ev.type, ev.reason, ev.message].join('\u0000');
}

/** A core/v1 Event for `ev`, recorded by the kubelet of `nodeName`. */
export function toEventObject(pod: Pod, nodeName: string, ev: SimEvent, count = 1, firstAt = ev.at): Record<string, unknown> {
  const m = pod.metadata ?? {};
  // recorder: fmt.Sprintf("%v.%x", ref.Name, t.UnixNano()). The sub-millisecond part keeps same-ms
  // events apart, and a pod recreated under the same name (a StatefulSet's) apart from its
  // predecessor (its uid is in it), while staying the same for one pod across Durable Object restarts.
  const nanos = BigInt(Math.floor(firstAt)) * 1_000_000n + BigInt(hash32(`${m.uid ?? ''}\u0000${ev.reason}\u0000${ev.message}\u0000${ev.fieldPath ?? ''}`) % 1_000_000);
  const involvedObject: Record<string, unknown> = { kind: 'Pod', namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: 'v1' };
  if (m.resourceVersion) involvedObject.resourceVersion = m.resourceVersion;
  if (ev.fieldPath) involvedObject.fieldPath = ev.fieldPath;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${m.name}.${nanos.toString(16)}`, namespace: m.namespace },
    involvedObject,
    reason: ev.reason,
    message: ev.message,
    source: { component: 'kubelet', host: nodeName },
    firstTimestamp: rfc3339(firstAt),
    lastTimestamp: rfc3339(ev.at),
    count,
    type: ev.type,
    eventTime: null,
    reportingComponent: 'kubelet',
    reportingInstance: nodeName,
  };
}
