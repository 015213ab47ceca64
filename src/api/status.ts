// Kubernetes `Status` objects for every failure, worded like kube-apiserver (k8s.io/apimachinery/pkg/api/errors).
import type { FieldError } from '../registry/types';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
  type?: string;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never> | { resourceVersion?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

/** A Status carried as an exception inside the API machinery; routes turn it into a response. */
export class StatusError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
  get code(): number {
    return this.status.code;
  }
}

export interface GroupResource {
  group: string;
  resource: string;
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export function failure(code: number, reason: string, message: string, details?: Status['details']): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) s.details = details;
  return s;
}

export function success(details?: Status['details']): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details) s.details = details;
  return s;
}

export const errors = {
  notFound: (gr: GroupResource, name: string) =>
    new StatusError(failure(404, 'NotFound', `${qualified(gr)} "${name}" not found`, { name, group: gr.group || undefined, kind: gr.resource })),
  alreadyExists: (gr: GroupResource, name: string) =>
    new StatusError(failure(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, { name, group: gr.group || undefined, kind: gr.resource })),
  conflict: (gr: GroupResource, name: string, why: string) =>
    new StatusError(
      failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, { name, group: gr.group || undefined, kind: gr.resource }),
    ),
  /** 422 with field causes: `Kind "name" is invalid: [a, b]`. */
  invalid: (kind: string, group: string, name: string, errs: FieldError[]) => {
    const parts = errs.map((e) => `${e.field}: ${e.message}`);
    const agg = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
    return new StatusError(
      failure(422, 'Invalid', `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${agg}`, {
        name,
        group: group || undefined,
        kind,
        causes: errs.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
      }),
    );
  },
  badRequest: (message: string) => new StatusError(failure(400, 'BadRequest', message)),
  unauthorized: () => new StatusError(failure(401, 'Unauthorized', 'Unauthorized')),
  forbidden: (gr: GroupResource, name: string, why: string) =>
    new StatusError(failure(403, 'Forbidden', `${qualified(gr)} "${name}" is forbidden: ${why}`, { name, group: gr.group || undefined, kind: gr.resource })),
  methodNotAllowed: (message = 'the server does not allow this method on the requested resource') =>
    new StatusError(failure(405, 'MethodNotAllowed', message)),
  gone: (message: string) => new StatusError(failure(410, 'Expired', message)),
  requestEntityTooLarge: (message: string) => new StatusError(failure(413, 'RequestEntityTooLarge', message)),
  unsupportedMediaType: (contentType: string) =>
    new StatusError(failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`, {
      causes: [{ reason: 'UnsupportedMediaType', message: contentType }],
    })),
  notAcceptable: (message: string) => new StatusError(failure(406, 'NotAcceptable', message)),
  tooManyRequests: (message: string, retryAfterSeconds = 1) =>
    new StatusError(failure(429, 'TooManyRequests', message, { retryAfterSeconds })),
  internal: (message: string) => new StatusError(failure(500, 'InternalError', `Internal error occurred: ${message}`)),
  resourceNotFound: () => new StatusError(failure(404, 'NotFound', 'the server could not find the requested resource')),
};

export function toStatus(err: unknown): Status {
  if (err instanceof StatusError) return err.status;
  const message = err instanceof Error ? err.message : String(err);
  return errors.internal(message).status;
}
