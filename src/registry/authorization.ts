// authorization.k8s.io/v1: the access reviews (create-only, nothing stored; answered by
// src/tenancy/reviews.ts from the sandbox's RBAC policy).
import type { ResourceDef } from './types';

export const AUTHORIZATION_GROUP = 'authorization.k8s.io';

const review = (resource: string, kind: string, scope: 'Namespaced' | 'Cluster'): ResourceDef => ({
  group: AUTHORIZATION_GROUP,
  version: 'v1',
  resource,
  singular: resource.replace(/s$/, ''),
  kind,
  scope,
  verbs: ['create'],
});

export const resources: ResourceDef[] = [
  review('localsubjectaccessreviews', 'LocalSubjectAccessReview', 'Namespaced'),
  review('selfsubjectaccessreviews', 'SelfSubjectAccessReview', 'Cluster'),
  review('selfsubjectrulesreviews', 'SelfSubjectRulesReview', 'Cluster'),
  review('subjectaccessreviews', 'SubjectAccessReview', 'Cluster'),
];
