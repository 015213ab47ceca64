import { describe, expect, it } from 'vitest';
import { parseResourcePath } from '../../src/api/paths';

const p = (s: string) => parseResourcePath(s.split('/').filter(Boolean));

describe('parseResourcePath', () => {
  it.each([
    ['api/v1/pods', { group: '', version: 'v1', resource: 'pods' }],
    ['api/v1/namespaces', { group: '', version: 'v1', resource: 'namespaces' }],
    ['api/v1/namespaces/kube-system', { resource: 'namespaces', name: 'kube-system' }],
    ['api/v1/namespaces/kube-system/status', { resource: 'namespaces', name: 'kube-system', subresource: 'status' }],
    ['api/v1/namespaces/kube-system/finalize', { resource: 'namespaces', name: 'kube-system', subresource: 'finalize' }],
    ['api/v1/namespaces/default/pods', { resource: 'pods', namespace: 'default' }],
    ['api/v1/namespaces/default/pods/web', { resource: 'pods', namespace: 'default', name: 'web' }],
    ['api/v1/namespaces/default/pods/web/status', { resource: 'pods', namespace: 'default', name: 'web', subresource: 'status' }],
    ['apis/apps/v1/namespaces/a/deployments/d/scale', { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'a', name: 'd', subresource: 'scale' }],
    ['apis/rbac.authorization.k8s.io/v1/clusterroles/admin', { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'admin' }],
    ['api/v1/watch/namespaces/default/pods', { resource: 'pods', namespace: 'default', watchPrefix: true }],
    ['api/v1/nodes/n1', { resource: 'nodes', name: 'n1' }],
  ])('%s', (path, want) => {
    expect(p(path)).toMatchObject(want);
  });

  it.each(['api/v1', 'apis/apps', 'version', 'api/v1/namespaces/a/pods/b/c/d'])('%s is not a resource path', (path) => {
    expect(p(path)).toBeUndefined();
  });
});
