// authentication.k8s.io/v1: TokenReview (create only; answered by the sandbox's service-account
// token authenticator, see src/durable/tokens.ts). Nothing is stored.
import type { ResourceDef } from './types';

export const resources: ResourceDef[] = [
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    resource: 'tokenreviews',
    singular: 'tokenreview',
    kind: 'TokenReview',
    scope: 'Cluster',
    verbs: ['create'],
  },
];
