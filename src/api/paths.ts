// Parsing Kubernetes API paths: /api/v1/..., /apis/{group}/{version}/..., with namespaces,
// subresources and the legacy /watch/ prefix.

export interface ResourcePath {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The deprecated /watch/ path prefix was used. */
  watchPrefix: boolean;
}

/** Subresources of a namespace that live at /api/v1/namespaces/{name}/{sub}. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * `segments` are the path parts after the cluster prefix, e.g. ["api","v1","namespaces","ns","pods","p"].
 * Returns undefined for anything that is not a resource path.
 */
export function parseResourcePath(segments: string[]): ResourcePath | undefined {
  let rest: string[];
  let group: string;
  let version: string;
  if (segments[0] === 'api' && segments.length >= 3) {
    group = '';
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1];
    version = segments[2];
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  if (rest.length === 0 || rest.some((s) => s === '')) return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && NAMESPACE_SUBRESOURCES.has(rest[2]))) {
    const [, namespace, resource, name, subresource, ...extra] = rest;
    if (extra.length) return undefined;
    return { group, version, resource, namespace, name, subresource, watchPrefix };
  }
  const [resource, name, subresource, ...extra] = rest;
  if (extra.length) return undefined;
  return { group, version, resource, name, subresource, watchPrefix };
}
