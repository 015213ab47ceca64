// What the Worker hands the Cluster Durable Object for one API request, and what comes back.
// Plain data only: it crosses the DO RPC boundary by structured clone.

export type Verb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** An authenticated caller (authentication.k8s.io UserInfo). */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Impersonation asked for with the Impersonate-* headers (kubectl --as, --as-group, --as-uid). */
export interface Impersonation {
  user?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface ApiCall {
  verb: Verb;
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Query parameters (labelSelector, fieldSelector, limit, continue, resourceVersion, dryRun, ...). */
  query: Record<string, string>;
  /** Parsed request body (object or, for JSON patch, an array). */
  body?: unknown;
  patchType?: PatchType;
  /** The client's User-Agent: the default field manager (kubectl.1.33/v1.33.1 (linux/amd64) ...). */
  userAgent?: string;
  /** Who is calling, as authenticated by the Worker; undefined for the control plane's own calls. */
  user?: UserInfo;
  /** Impersonate-* headers, authorized and applied by the DO (RBAC `impersonate`). */
  impersonate?: Impersonation;
}

export interface ApiReply {
  status: number;
  body: unknown;
  warnings?: string[];
}

/** A reply as it crosses the RPC boundary (`unknown` would turn into `never` on a DO stub). */
export interface WireReply {
  status: number;
  body: object;
  warnings?: string[];
}

/** Parameters of a watch, sent to the DO when the Worker opens the watch WebSocket. */
export interface WatchParams {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  sendInitialEvents?: boolean;
  allowWatchBookmarks?: boolean;
  user?: UserInfo;
  impersonate?: Impersonation;
}
