// events.k8s.io/v1: events, kept in the same storage as core v1 events (kube-apiserver serves both from
// one REST store). Conversion after pkg/apis/events/v1/conversion.go: regarding⇄involvedObject,
// note⇄message, deprecated*⇄the core fields, reportingController⇄reportingComponent; both directions
// produce what Go's encoder writes (zero times as null, zero structs as {}). Field selectors after the
// events.k8s.io field label mapping, printer as core events (pkg/printers/internalversion printEvent),
// validation worded like pkg/apis/core/validation/events.go for events.k8s.io/v1 requests.
import { age } from '../machinery/duration';
import { deepEqual, field, isQualifiedName, validateImmutableField } from '../machinery/validation';
import { NAME_COLUMN, clone, col, isObj, str, wide, type Obj } from './common';
import { ALL_VERBS, type ColumnDefinition, type FieldError, type KObject, type ResourceDef } from './types';

/** Set and not empty (a Go time or string that is not its zero value). */
const isSet = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/** Copy the set values in order (Go struct field order with omitempty). */
function put(out: Obj, key: string, v: unknown): void {
  if (v === undefined || v === null || v === '' || v === 0) return;
  out[key] = clone(v);
}

/** events.k8s.io/v1 Event → core/v1 Event (Convert_v1_Event_To_core_Event, then core/v1 encoding). */
export function eventsV1ToCore(obj: KObject): KObject {
  const out: KObject = { apiVersion: 'v1', kind: 'Event', metadata: clone(obj.metadata) };
  out.involvedObject = isObj(obj.regarding) ? clone(obj.regarding) : {};
  put(out, 'reason', obj.reason);
  put(out, 'message', obj.note);
  out.source = isObj(obj.deprecatedSource) ? clone(obj.deprecatedSource) : {};
  out.firstTimestamp = obj.deprecatedFirstTimestamp ?? null;
  out.lastTimestamp = obj.deprecatedLastTimestamp ?? null;
  put(out, 'count', obj.deprecatedCount);
  put(out, 'type', obj.type);
  out.eventTime = obj.eventTime ?? null;
  put(out, 'series', obj.series);
  put(out, 'action', obj.action);
  put(out, 'related', obj.related);
  out.reportingComponent = str(obj.reportingController);
  out.reportingInstance = str(obj.reportingInstance);
  return out;
}

/** core/v1 Event → events.k8s.io/v1 Event (Convert_core_Event_To_v1_Event, then events/v1 encoding). */
export function coreToEventsV1(obj: KObject): KObject {
  const out: KObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: clone(obj.metadata) };
  out.eventTime = obj.eventTime ?? null;
  put(out, 'series', obj.series);
  put(out, 'reportingController', obj.reportingComponent);
  put(out, 'reportingInstance', obj.reportingInstance);
  put(out, 'action', obj.action);
  put(out, 'reason', obj.reason);
  out.regarding = isObj(obj.involvedObject) ? clone(obj.involvedObject) : {};
  put(out, 'related', obj.related);
  put(out, 'note', obj.message);
  put(out, 'type', obj.type);
  out.deprecatedSource = isObj(obj.source) ? clone(obj.source) : {};
  out.deprecatedFirstTimestamp = obj.firstTimestamp ?? null;
  out.deprecatedLastTimestamp = obj.lastTimestamp ?? null;
  put(out, 'deprecatedCount', obj.count);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Printer: core's event columns, computed from the core shape

export const EVENT_COLUMNS: ColumnDefinition[] = [
  col('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
  col('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
  col('Reason', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  col('Object', 'The object that this event is about.'),
  wide('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.'),
  wide('Source', 'The component reporting this event. Should be a short machine understandable string.'),
  col('Message', 'A human-readable description of the status of this operation.'),
  wide('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
  wide('Count', 'The number of times this event has occurred.'),
  { ...NAME_COLUMN, priority: 1 },
];

/** printEvent (wide) on a core/v1 Event. */
export function coreEventCells(obj: KObject, now: number): unknown[] {
  const firstTimestamp = isSet(obj.firstTimestamp) ? age(str(obj.firstTimestamp), now) : age(str(obj.eventTime) || undefined, now);
  let lastTimestamp = isSet(obj.lastTimestamp) ? age(str(obj.lastTimestamp), now) : firstTimestamp;
  let count = typeof obj.count === 'number' ? obj.count : 0;
  if (isObj(obj.series)) {
    lastTimestamp = age(str(obj.series.lastObservedTime) || undefined, now);
    count = typeof obj.series.count === 'number' ? obj.series.count : 0;
  } else if (count === 0) {
    count = 1; // singleton events don't have a count set in the new API
  }
  const involved: Obj = isObj(obj.involvedObject) ? obj.involvedObject : {};
  const kind = str(involved.kind).toLowerCase();
  const target = str(involved.name) ? `${kind}/${str(involved.name)}` : kind;
  const source: Obj = isObj(obj.source) ? obj.source : {};
  const component = str(source.component) || str(obj.reportingComponent);
  const instance = str(source.host) || str(obj.reportingInstance);
  return [
    lastTimestamp,
    str(obj.type),
    str(obj.reason),
    target,
    str(involved.fieldPath),
    instance ? `${component}, ${instance}` : component,
    str(obj.message).trim(),
    firstTimestamp,
    count,
    obj.metadata.name ?? '',
  ];
}

// ---------------------------------------------------------------------------------------------
// Field selectors (events.k8s.io names mapped onto core's selectable fields)

function regarding(obj: KObject): Obj {
  return isObj(obj.regarding) ? obj.regarding : {};
}

const fieldSelectors: Record<string, (obj: KObject) => string | undefined> = {
  reason: (obj) => str(obj.reason),
  'regarding.kind': (obj) => str(regarding(obj).kind),
  'regarding.namespace': (obj) => str(regarding(obj).namespace),
  'regarding.name': (obj) => str(regarding(obj).name),
  'regarding.uid': (obj) => str(regarding(obj).uid),
  'regarding.apiVersion': (obj) => str(regarding(obj).apiVersion),
  'regarding.resourceVersion': (obj) => str(regarding(obj).resourceVersion),
  'regarding.fieldPath': (obj) => str(regarding(obj).fieldPath),
  reportingController: (obj) => str(obj.reportingController),
  source: (obj) => {
    const src = isObj(obj.deprecatedSource) ? obj.deprecatedSource : {};
    return str(src.component) || str(obj.reportingController);
  },
  type: (obj) => str(obj.type),
};

// ---------------------------------------------------------------------------------------------
// Validation (ValidateEventCreate/ValidateEventUpdate for events.k8s.io/v1 requests; core paths)

const REPORTING_INSTANCE_LIMIT = 128;
const ACTION_LIMIT = 128;
const REASON_LIMIT = 128;
const NOTE_LIMIT = 1024;

/** legacyValidateEvent */
function legacyValidate(ev: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const involved: Obj = isObj(ev.involvedObject) ? ev.involvedObject : {};
  const involvedNs = str(involved.namespace);
  const ns = ev.metadata.namespace ?? '';
  if (!isSet(ev.eventTime)) {
    if (involvedNs === '' ? ns !== '' && ns !== 'default' : ns !== involvedNs) {
      errs.push(field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
    return errs;
  }
  if (involvedNs === '' && ns !== 'default' && ns !== 'kube-system') {
    errs.push(field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  }
  const rc = str(ev.reportingComponent);
  if (rc === '') errs.push(field.required('reportingController'));
  for (const m of isQualifiedName(rc)) errs.push(field.invalid('reportingController', rc, m));
  const ri = str(ev.reportingInstance);
  if (ri === '') errs.push(field.required('reportingInstance'));
  if (ri.length > REPORTING_INSTANCE_LIMIT) errs.push(field.invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LIMIT} characters`));
  const action = str(ev.action);
  if (action === '') errs.push(field.required('action'));
  if (action.length > ACTION_LIMIT) errs.push(field.invalid('action', '', `can have at most ${ACTION_LIMIT} characters`));
  const reason = str(ev.reason);
  if (reason === '') errs.push(field.required('reason'));
  if (reason.length > REASON_LIMIT) errs.push(field.invalid('reason', '', `can have at most ${REASON_LIMIT} characters`));
  if (str(ev.message).length > NOTE_LIMIT) errs.push(field.invalid('message', '', `can have at most ${NOTE_LIMIT} characters`));
  return errs;
}

/** validateV1EventSeries */
function validateSeries(ev: KObject): FieldError[] {
  if (!isObj(ev.series)) return [];
  const errs: FieldError[] = [];
  if (!(typeof ev.series.count === 'number' && ev.series.count >= 2)) errs.push(field.invalid('series.count', '', 'should be at least 2'));
  if (!isSet(ev.series.lastObservedTime)) errs.push(field.required('series.lastObservedTime'));
  return errs;
}

function validateCreate(obj: KObject): FieldError[] {
  const ev = eventsV1ToCore(obj);
  const errs = legacyValidate(ev);
  errs.push(...validateSeries(ev));
  if (!isSet(ev.eventTime)) errs.push(field.required('eventTime'));
  const type = str(ev.type);
  if (type !== 'Normal' && type !== 'Warning') errs.push(field.invalid('type', '', `has invalid value: ${type}`));
  if (isSet(ev.firstTimestamp)) errs.push(field.invalid('deprecatedFirstTimestamp', '', 'needs to be unset'));
  if (isSet(ev.lastTimestamp)) errs.push(field.invalid('deprecatedLastTimestamp', '', 'needs to be unset'));
  if (typeof ev.count === 'number' && ev.count !== 0) errs.push(field.invalid('deprecatedCount', '', 'needs to be unset'));
  const src: Obj = isObj(ev.source) ? ev.source : {};
  if (str(src.component) || str(src.host)) errs.push(field.invalid('deprecatedSource', '', 'needs to be unset'));
  return errs;
}

/** MicroTime truncated to the microsecond, for the eventTime comparison. */
function micros(t: unknown): string {
  if (!isSet(t)) return '';
  const s = String(t);
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(s);
  if (!m) return s;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  return `${Number.isNaN(ms) ? m[1] : ms}.${(m[2] ?? '').padEnd(6, '0').slice(0, 6)}`;
}

function validateUpdate(obj: KObject, oldObj: KObject): FieldError[] {
  const ev = eventsV1ToCore(obj);
  const old = eventsV1ToCore(oldObj);
  const errs = legacyValidate(ev);
  if (!deepEqual(ev.series ?? null, old.series ?? null)) errs.push(...validateSeries(ev));
  const same = (k: string) => errs.push(...validateImmutableField(ev[k] ?? null, old[k] ?? null, k));
  for (const k of ['involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type']) same(k);
  if (micros(ev.eventTime) !== micros(old.eventTime)) same('eventTime');
  same('action');
  same('related');
  errs.push(...validateImmutableField(str(ev.reportingComponent), str(old.reportingComponent), 'reportingController'));
  errs.push(...validateImmutableField(str(ev.reportingInstance), str(old.reportingInstance), 'reportingInstance'));
  return errs;
}

const events: ResourceDef = {
  group: 'events.k8s.io',
  version: 'v1',
  resource: 'events',
  singular: 'event',
  kind: 'Event',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  shortNames: ['ev'],
  storage: { key: 'events', toStored: eventsV1ToCore, fromStored: coreToEventsV1 },
  fieldSelectors,
  printer: { columns: EVENT_COLUMNS, cells: (obj, now) => coreEventCells(eventsV1ToCore(obj), now) },
  // Update rules differ from create ones: validateUpdate does them all (the store runs both).
  validate: (obj) => (obj.metadata.resourceVersion ? [] : validateCreate(obj)),
  validateUpdate,
};

export const resources: ResourceDef[] = [events];
