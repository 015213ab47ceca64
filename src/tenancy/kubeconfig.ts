// The kubeconfig of a sandbox: its server URL, the CA that signs the API's certificate, its bearer token.
import YAML from 'yaml';

export interface KubeconfigInput {
  /** Context, cluster and user entries are named `kubedo-<name>`. */
  name: string;
  server: string;
  /** Base64 PEM (certificate-authority-data); absent: the server's certificate must be publicly trusted. */
  caData?: string;
  /** Absent: a kubeconfig without credentials (tokens are shown once). */
  token?: string;
}

export function renderKubeconfig(k: KubeconfigInput): string {
  const name = `kubedo-${k.name}`;
  const cluster: Record<string, string> = { server: k.server };
  if (k.caData) cluster['certificate-authority-data'] = k.caData;
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: k.token ? { token: k.token } : {} }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
  });
}
