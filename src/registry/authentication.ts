// authentication.k8s.io/v1: SelfSubjectReview (`kubectl auth whoami`) and TokenReview, create-only
// and not stored. SelfSubjectReview is answered by src/tenancy/reviews.ts with the caller as
// authenticated (after impersonation); TokenReview by the sandbox's service-account token
// authenticator (src/durable/tokens.ts).
import type { ResourceDef } from './types';

export const AUTHENTICATION_GROUP = 'authentication.k8s.io';

export const resources: ResourceDef[] = [
  { group: AUTHENTICATION_GROUP, version: 'v1', resource: 'selfsubjectreviews', singular: 'selfsubjectreview', kind: 'SelfSubjectReview', scope: 'Cluster', verbs: ['create'] },
  { group: AUTHENTICATION_GROUP, version: 'v1', resource: 'tokenreviews', singular: 'tokenreview', kind: 'TokenReview', scope: 'Cluster', verbs: ['create'] },
];
