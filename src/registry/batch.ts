// batch/v1: jobs and cronjobs. Discovery facts as kube-apiserver 1.33 serves them, printers as
// pkg/printers/internalversion, defaults after pkg/apis/batch/v1/defaults.go, strategies after
// pkg/registry/batch/{job,cronjob}, validation worded like pkg/apis/batch/validation (schedules parsed
// like robfig/cron's ParseStandard, whose error texts kube-apiserver returns).
import { age, humanDuration } from '../machinery/duration';
import { deepEqual, field, goQuote, isDNS1123Label, validateImmutableField } from '../machinery/validation';
import { matchesLabels } from '../machinery/labels';
import {
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  NAME_COLUMN,
  asArray,
  col,
  containerCells,
  ensureObj,
  formatSelector,
  goLabelSelector,
  goStringMap,
  immutableSelector,
  invalidRendered,
  isObj,
  isSet,
  isUpdate,
  nonNegative,
  num,
  selectorMismatch,
  selectorOf,
  specOf,
  statusOf,
  statusSubresource,
  templateLabels,
  validateLabelSelector,
  wide,
  type Obj,
} from './common';
import { defaultPodTemplateSpec, validateWorkloadPodTemplate } from './core';
import { ALL_VERBS, type FieldError, type KObject, type ResourceDef } from './types';

const GROUP = 'batch';
const VERSION = 'v1';

/** The Selector column of jobs and cronjobs (the job spec's selector). */
const SELECTOR_COLUMN = wide(
  'Selector',
  'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
);

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const LEGACY_JOB_NAME_LABEL = 'job-name';
const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';

const MAX_INT32 = 2147483647;
const MAX_PARALLELISM_FOR_INDEXED_JOB = 100000;

// ---------------------------------------------------------------------------------------------
// Cron schedules (robfig/cron v3 ParseStandard: 5 fields or a descriptor)

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}
const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

class CronError extends Error {}

/** strconv.Atoi */
function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new CronError(`failed to parse int from ${s}: strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
  const n = parseInt(s, 10);
  if (n < 0) throw new CronError(`negative number (${n}) not allowed: ${s}`);
  return n;
}

function intOrName(s: string, b: Bounds): number {
  const named = b.names?.[s.toLowerCase()];
  return named !== undefined ? named : atoi(s);
}

function checkRange(expr: string, b: Bounds): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  let start: number;
  let end: number;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
  } else {
    start = intOrName(lowAndHigh[0], b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = intOrName(lowAndHigh[1], b);
    else throw new CronError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = atoi(rangeAndStep[1]);
    if (lowAndHigh.length === 1) end = b.max;
  } else if (rangeAndStep.length > 2) {
    throw new CronError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
}

function isGoDuration(s: string): boolean {
  return s === '0' || /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/.test(s);
}

function validTimeZone(tz: string): boolean {
  if (tz === 'UTC' || tz === 'Local' || tz === '') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** cron.ParseStandard: undefined when valid, else the parser's error text. */
export function parseCronError(schedule: string): string | undefined {
  try {
    let spec = schedule;
    if (spec.length === 0) throw new CronError('empty spec string');
    if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
      const i = spec.indexOf(' ');
      const eq = spec.indexOf('=');
      const loc = i < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, i);
      if (i < 0 || !validTimeZone(loc)) throw new CronError(`provided bad location ${loc}: unknown time zone ${loc}`);
      spec = spec.slice(i).trim();
    }
    if (spec.startsWith('@')) {
      if (['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'].includes(spec)) return undefined;
      if (spec.startsWith('@every ')) {
        const d = spec.slice('@every '.length);
        if (!isGoDuration(d)) throw new CronError(`failed to parse duration ${spec}: time: invalid duration ${goQuote(d)}`);
        return undefined;
      }
      throw new CronError(`unrecognized descriptor: ${spec}`);
    }
    const fields = spec.split(/\s+/).filter((f) => f.length > 0);
    if (fields.length !== 5) throw new CronError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
    const bounds = [MINUTES, HOURS, DOM, MONTHS, DOW];
    fields.forEach((f, i) => {
      for (const expr of f.split(',').filter((x) => x.length > 0)) checkRange(expr, bounds[i]);
    });
    return undefined;
  } catch (e) {
    if (e instanceof CronError) return e.message;
    throw e;
  }
}

const TZ_CHARS = /^[A-Za-z.\-_0-9+]{1,14}$/;

/** validateTimeZone */
function validateTimeZoneField(tz: unknown, path: string): FieldError[] {
  if (tz === undefined || tz === null) return [];
  const s = String(tz);
  if (s.length === 0) return [field.invalid(path, s, 'timeZone must be nil or non-empty string')];
  for (const part of s.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TZ_CHARS.test(part)) return [field.invalid(path, s, `unknown time zone ${s}`)];
  }
  const errs: FieldError[] = [];
  if (s.toLowerCase() === 'local') {
    errs.push(field.invalid(path, s, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  }
  // time.LoadLocation: "Local" and "UTC" always load; other names must be in the zone database.
  if (!validTimeZone(s)) errs.push(field.invalid(path, s, `unknown time zone ${s}`));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Jobs

function defaultJobSpec(spec: Obj): void {
  if (!isSet(spec.completions) && !isSet(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  if (!isSet(spec.backoffLimit)) spec.backoffLimit = isSet(spec.backoffLimitPerIndex) ? MAX_INT32 : 6;
  spec.completionMode ||= 'NonIndexed';
  spec.suspend ??= false;
  if (isObj(spec.podFailurePolicy)) {
    for (const rule of asArray(spec.podFailurePolicy.rules)) {
      if (!isObj(rule)) continue;
      for (const pattern of asArray(rule.onPodConditions)) if (isObj(pattern)) pattern.status ||= 'True';
    }
  }
  if (!spec.podReplacementPolicy) spec.podReplacementPolicy = isObj(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed';
}

/** generateSelector: job-name and controller-uid labels on the template, the uid label as selector. */
function generateSelector(obj: KObject): void {
  const spec = ensureObj(obj, 'spec');
  const template = ensureObj(spec, 'template');
  const meta = ensureObj(template, 'metadata');
  const labels = ensureObj(meta, 'labels');
  const name = obj.metadata.name ?? '';
  const uid = obj.metadata.uid ?? '';
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!(k in labels)) labels[k] = name;
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) if (!(k in labels)) labels[k] = uid;
  const selector = ensureObj(spec, 'selector');
  const matchLabels = ensureObj(selector, 'matchLabels');
  if (!(CONTROLLER_UID_LABEL in matchLabels)) matchLabels[CONTROLLER_UID_LABEL] = uid;
}

/** ValidateHasLabel */
function hasLabel(labels: Obj | undefined, path: string, key: string, expected: string): FieldError[] {
  const p = `${path}.labels[${key}]`;
  if (!labels || !(key in labels)) return [field.required(p, expected)];
  if (labels[key] !== expected) return [invalidRendered(p, goStringMap(labels), `must be '${expected}'`)];
  return [];
}

/** validateGeneratedSelector */
function validateGeneratedSelector(obj: KObject): FieldError[] {
  const spec = specOf(obj);
  if (spec.manualSelector === true) return [];
  const labels = templateLabels(spec.template);
  if (!labels) return [];
  const errs: FieldError[] = [];
  const uid = obj.metadata.uid ?? '';
  const name = obj.metadata.name ?? '';
  if (!uid) errs.push(field.required('metadata.uid'));
  const path = 'spec.template.metadata';
  errs.push(...hasLabel(labels, path, LEGACY_CONTROLLER_UID_LABEL, uid));
  errs.push(...hasLabel(labels, path, LEGACY_JOB_NAME_LABEL, name));
  errs.push(...hasLabel(labels, path, CONTROLLER_UID_LABEL, uid));
  errs.push(...hasLabel(labels, path, JOB_NAME_LABEL, name));
  const reqs = selectorOf(spec.selector);
  if (reqs && !matchesLabels(reqs, { [CONTROLLER_UID_LABEL]: uid })) {
    errs.push(invalidRendered('spec.selector', goLabelSelector(spec.selector), '`selector` not auto-generated'));
  }
  return errs;
}

const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
const REPLACEMENT_POLICIES = ['Failed', 'TerminatingOrFailed'];

/** validateJobSpec: everything but the selector (shared with CronJob job templates). */
function validateJobSpecCommon(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...nonNegative(spec.parallelism, `${path}.parallelism`));
  errs.push(...nonNegative(spec.completions, `${path}.completions`));
  errs.push(...nonNegative(spec.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`));
  errs.push(...nonNegative(spec.backoffLimit, `${path}.backoffLimit`));
  errs.push(...nonNegative(spec.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`));
  if (isSet(spec.completionMode)) {
    const mode = spec.completionMode;
    if (!COMPLETION_MODES.includes(mode)) errs.push(field.notSupported(`${path}.completionMode`, mode, COMPLETION_MODES));
    if (mode === 'Indexed') {
      if (!isSet(spec.completions)) errs.push(field.required(`${path}.completions`, 'when completion mode is Indexed'));
      if (typeof spec.parallelism === 'number' && spec.parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB) {
        errs.push(
          field.invalid(`${path}.parallelism`, spec.parallelism, `must be less than or equal to ${MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed`),
        );
      }
    }
  }
  if (isSet(spec.podReplacementPolicy) && !REPLACEMENT_POLICIES.includes(spec.podReplacementPolicy)) {
    errs.push(field.notSupported(`${path}.podReplacementPolicy`, spec.podReplacementPolicy, REPLACEMENT_POLICIES));
  }
  errs.push(...validateWorkloadPodTemplate(spec.template, `${path}.template`));
  const tspec = isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : {};
  const rp = tspec.restartPolicy ?? '';
  if (rp === 'Always' || rp === '') {
    errs.push(field.required(`${path}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'));
  } else if (rp !== 'OnFailure' && rp !== 'Never') {
    errs.push(field.notSupported(`${path}.template.spec.restartPolicy`, rp, ['OnFailure', 'Never']));
  } else if (isObj(spec.podFailurePolicy) && rp !== 'Never') {
    errs.push(field.invalid(`${path}.template.spec.restartPolicy`, rp, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

/** ValidateJobSpec */
function validateJobSpec(spec: Obj): FieldError[] {
  const errs = validateJobSpecCommon(spec, 'spec');
  if (!isSet(spec.selector)) errs.push(field.required('spec.selector'));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector', { stringValues: true }));
  const reqs = selectorOf(spec.selector);
  const labels = templateLabels(spec.template);
  if (reqs && !matchesLabels(reqs, labels as Record<string, string> | undefined)) errs.push(selectorMismatch('spec.template.metadata.labels', labels));
  return errs;
}

/** ValidateJob on create; on updates (the store validates those too) just ValidateJobSpec. */
function validateJob(obj: KObject): FieldError[] {
  const spec = specOf(obj);
  if (isUpdate(obj)) return validateJobSpec(spec);
  const errs = validateGeneratedSelector(obj);
  errs.push(...validateJobSpec(spec));
  if (spec.completionMode === 'Indexed' && typeof spec.completions === 'number' && spec.completions > 0) {
    const hostname = `${obj.metadata.name ?? ''}-${spec.completions - 1}`;
    if (isDNS1123Label(hostname).length > 0) {
      errs.push(field.invalid('metadata.name', obj.metadata.name ?? '', `will not able to create pod with invalid DNS label: ${hostname}`));
    }
  }
  return errs;
}

/** validatePodTemplateUpdate: the template is immutable, except scheduling directives of suspended, never started jobs. */
function validateJobTemplateUpdate(spec: Obj, oldSpec: Obj, oldStatus: Obj): FieldError[] {
  let template = spec.template ?? null;
  let oldTemplate = oldSpec.template ?? null;
  if (oldSpec.suspend === true && !isSet(oldStatus.startTime)) {
    const strip = (t: unknown): unknown => {
      if (!isObj(t)) return t;
      const copy: Obj = { ...t, metadata: { ...(isObj(t.metadata) ? t.metadata : {}) }, spec: { ...(isObj(t.spec) ? t.spec : {}) } };
      delete copy.metadata.labels;
      delete copy.metadata.annotations;
      for (const k of ['nodeSelector', 'tolerations', 'affinity', 'schedulingGates']) delete copy.spec[k];
      return copy;
    };
    template = strip(template);
    oldTemplate = strip(oldTemplate);
  }
  return deepEqual(template, oldTemplate) ? [] : [field.invalid('spec.template', spec.template ?? null, 'field is immutable')];
}

/** ValidateJobSpecUpdate minus ValidateJobSpec (which validate runs on updates too). */
function validateJobUpdate(obj: KObject, old: KObject): FieldError[] {
  const spec = specOf(obj);
  const oldSpec = specOf(old);
  const errs: FieldError[] = [];
  // Completions may only change for Indexed jobs, together with parallelism (ElasticIndexedJob).
  if (spec.completionMode === 'Indexed') {
    if (!deepEqual(spec.completions ?? null, oldSpec.completions ?? null) && isSet(spec.completions) && spec.completions !== spec.parallelism) {
      errs.push(field.invalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'));
    }
  } else {
    errs.push(...validateImmutableField(spec.completions ?? null, oldSpec.completions ?? null, 'spec.completions'));
  }
  errs.push(...immutableSelector(spec.selector, oldSpec.selector, 'spec.selector'));
  errs.push(...validateJobTemplateUpdate(spec, oldSpec, statusOf(old)));
  errs.push(...validateImmutableField(spec.completionMode ?? null, oldSpec.completionMode ?? null, 'spec.completionMode'));
  errs.push(...validateImmutableField(spec.podFailurePolicy ?? null, oldSpec.podFailurePolicy ?? null, 'spec.podFailurePolicy'));
  errs.push(...validateImmutableField(spec.backoffLimitPerIndex ?? null, oldSpec.backoffLimitPerIndex ?? null, 'spec.backoffLimitPerIndex'));
  errs.push(...validateImmutableField(spec.managedBy ?? null, oldSpec.managedBy ?? null, 'spec.managedBy'));
  return errs;
}

/** hasJobCondition: the status of the first condition of that type is True. */
function hasCondition(obj: KObject, type: string): boolean {
  const c = asArray(statusOf(obj).conditions).find((x) => isObj(x) && x.type === type);
  return isObj(c) && c.status === 'True';
}

function jobStatusText(obj: KObject): string {
  if (hasCondition(obj, 'Complete')) return 'Complete';
  if (hasCondition(obj, 'Failed')) return 'Failed';
  if (obj.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(obj, 'Suspended')) return 'Suspended';
  if (hasCondition(obj, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(obj: KObject): string {
  const spec = specOf(obj);
  const succeeded = num(statusOf(obj).succeeded);
  if (isSet(spec.completions)) return `${succeeded}/${spec.completions}`;
  const parallelism = num(spec.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(obj: KObject, now: number): string {
  const status = statusOf(obj);
  const start = typeof status.startTime === 'string' ? Date.parse(status.startTime) : NaN;
  if (Number.isNaN(start)) return '';
  const end = typeof status.completionTime === 'string' ? Date.parse(status.completionTime) : NaN;
  return humanDuration((Number.isNaN(end) ? now : end) - start);
}

const jobs: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'jobs',
  singular: 'job',
  kind: 'Job',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  categories: ['all'],
  subresources: [statusSubresource(GROUP, VERSION, 'Job')],
  generation: true,
  statusSubresource: true,
  fieldSelectors: {
    'status.successful': (obj) => String(num(statusOf(obj).succeeded)),
  },
  printer: {
    columns: [
      NAME_COLUMN,
      col('Status', 'Status of the job.'),
      col('Completions', 'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.'),
      col('Duration', 'Time required to complete the job.'),
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      SELECTOR_COLUMN,
    ],
    cells(obj, now) {
      const spec = specOf(obj);
      const [names, images] = containerCells(spec.template);
      return [
        obj.metadata.name ?? '',
        jobStatusText(obj),
        jobCompletions(obj),
        jobDuration(obj, now),
        age(obj.metadata.creationTimestamp, now),
        names,
        images,
        formatSelector(spec.selector),
      ];
    },
  },
  defaults(obj) {
    const spec = ensureObj(obj, 'spec');
    defaultJobSpec(spec);
    defaultPodTemplateSpec(spec);
    // SetDefaults_Job: a job without labels takes its template's. In Go both share one map, so the labels
    // generateSelector adds later show up on the job too: keep the same object.
    const tplLabels = templateLabels(spec.template);
    if (tplLabels && Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = tplLabels as Record<string, string>;
  },
  prepareForCreate(obj) {
    const spec = ensureObj(obj, 'spec');
    if (spec.manualSelector !== true) {
      const tplLabels = templateLabels(spec.template);
      // The labels were copied from the template (shared map in Go): keep them in step after a deep copy too.
      const shared = tplLabels !== undefined && obj.metadata.labels !== undefined && deepEqual(obj.metadata.labels, tplLabels);
      generateSelector(obj);
      if (shared) obj.metadata.labels = { ...(templateLabels(spec.template) as Record<string, string>) };
    }
    obj.status = {};
  },
  validate: validateJob,
  validateUpdate: validateJobUpdate,
};

// ---------------------------------------------------------------------------------------------
// CronJobs

const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];

function validateCronJobSpec(spec: Obj, oldSpec: Obj | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = typeof spec.schedule === 'string' ? spec.schedule : '';
  if (schedule.length === 0) {
    errs.push(field.required('spec.schedule'));
  } else {
    const allowTZ = oldSpec !== undefined && typeof oldSpec.schedule === 'string' && oldSpec.schedule.includes('TZ');
    const perr = parseCronError(schedule);
    if (perr) errs.push(field.invalid('spec.schedule', schedule, perr));
    if (allowTZ && schedule.includes('TZ') && isSet(spec.timeZone)) {
      errs.push(field.invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    } else if (!allowTZ && schedule.includes('TZ')) {
      errs.push(field.invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    }
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (oldSpec === undefined || (oldSpec.timeZone ?? null) !== (spec.timeZone ?? null)) {
    errs.push(...validateTimeZoneField(spec.timeZone, 'spec.timeZone'));
  }
  const cp = spec.concurrencyPolicy ?? '';
  if (cp === '') errs.push(field.required('spec.concurrencyPolicy'));
  else if (!CONCURRENCY_POLICIES.includes(cp)) errs.push(field.notSupported('spec.concurrencyPolicy', cp, CONCURRENCY_POLICIES));
  // ValidateJobTemplateSpec
  const jt = isObj(spec.jobTemplate) ? spec.jobTemplate : {};
  const jspec = isObj(jt.spec) ? jt.spec : {};
  errs.push(...validateJobSpecCommon(jspec, 'spec.jobTemplate.spec'));
  if (isSet(jspec.selector)) {
    errs.push(invalidRendered('spec.jobTemplate.spec.selector', goLabelSelector(jspec.selector), '`selector` will be auto-generated'));
  }
  if (jspec.manualSelector === true) errs.push(field.notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errs;
}

const cronjobs: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'cronjobs',
  singular: 'cronjob',
  kind: 'CronJob',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  shortNames: ['cj'],
  categories: ['all'],
  subresources: [statusSubresource(GROUP, VERSION, 'CronJob')],
  generation: true,
  statusSubresource: true,
  printer: {
    columns: [
      NAME_COLUMN,
      col('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
      col('Timezone', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones'),
      col('Suspend', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions. Defaults to false.', 'boolean'),
      col('Active', 'A list of pointers to currently running jobs.', 'integer'),
      col('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      SELECTOR_COLUMN,
    ],
    cells(obj, now) {
      const spec = specOf(obj);
      const status = statusOf(obj);
      const jt = isObj(spec.jobTemplate) ? spec.jobTemplate : {};
      const jspec = isObj(jt.spec) ? jt.spec : {};
      const [names, images] = containerCells(jspec.template);
      const suspend = typeof spec.suspend === 'boolean' ? (spec.suspend ? 'True' : 'False') : '<unset>';
      return [
        obj.metadata.name ?? '',
        String(spec.schedule ?? ''),
        isSet(spec.timeZone) ? String(spec.timeZone) : '<none>',
        suspend,
        asArray(status.active).length,
        isSet(status.lastScheduleTime) ? age(String(status.lastScheduleTime), now) : '<none>',
        age(obj.metadata.creationTimestamp, now),
        names,
        images,
        formatSelector(jspec.selector),
      ];
    },
  },
  defaults(obj) {
    const spec = ensureObj(obj, 'spec');
    spec.concurrencyPolicy ||= 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    defaultPodTemplateSpec(ensureObj(ensureObj(spec, 'jobTemplate'), 'spec'));
  },
  prepareForCreate(obj) {
    obj.status = {};
  },
  validate(obj) {
    // Updates are validated against the old spec in validateUpdate (the store runs both).
    if (isUpdate(obj)) return [];
    const errs = validateCronJobSpec(specOf(obj), undefined);
    const name = obj.metadata.name ?? '';
    // The controller appends an 11-character suffix to job names, which are at most 63 characters.
    if (name.length > 52) errs.push(field.invalid('metadata.name', name, 'must be no more than 52 characters'));
    return errs;
  },
  validateUpdate(obj, old) {
    return validateCronJobSpec(specOf(obj), specOf(old));
  },
};

export const resources: ResourceDef[] = [cronjobs, jobs];
