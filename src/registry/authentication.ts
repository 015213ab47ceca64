// authentication.k8s.io/v1: SelfSubjectReview (`kubectl auth whoami`), create-only and not stored;
// answered by src/tenancy/reviews.ts with the caller as authenticated (after impersonation).
import type { ResourceDef } from './types';

export const AUTHENTICATION_GROUP = 'authentication.k8s.io';

export const resources: ResourceDef[] = [
  { group: AUTHENTICATION_GROUP, version: 'v1', resource: 'selfsubjectreviews', singular: 'selfsubjectreview', kind: 'SelfSubjectReview', scope: 'Cluster', verbs: ['create'] },
];
