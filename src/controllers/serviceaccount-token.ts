// The token controller (kube-controller-manager's serviceaccount-token controller) for legacy
// token Secrets: a Secret of type kubernetes.io/service-account-token naming an account in its
// kubernetes.io/service-account.name annotation gets data.token (a non-expiring JWT), ca.crt and
// namespace, and the account's uid annotation; it is deleted when its account is gone.
// Signing is asynchronous: the write happens when the signature is ready, and is re-checked then.
import type { Controller } from '../durable/control-loop';
import { utf8ToBase64 } from '../machinery/base64';
import type { KObject } from '../registry/types';
import { splitKey, systemCall, trySystemCall, type ClusterContext } from './context';

export const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

const b64 = utf8ToBase64;

export function serviceAccountTokenController(ctx: ClusterContext): Controller {
  const signing = new Set<string>();
  const name = 'serviceaccount-token';
  // A 404/409 (already gone, or replaced meanwhile) is fine: the precondition protects a newer secret.
  const deleteSecret = (namespace: string, secret: KObject) =>
    trySystemCall(ctx, 'tokens-controller', {
      verb: 'delete',
      resource: 'secrets',
      namespace,
      name: secret.metadata.name,
      body: { preconditions: { uid: secret.metadata.uid } },
    });

  function syncSecret(namespace: string, secretName: string): void {
    const secret = ctx.store.get('secrets', namespace, secretName);
    if (!secret || secret.type !== SA_TOKEN_TYPE || secret.metadata.deletionTimestamp) return;
    const annotations = secret.metadata.annotations ?? {};
    const sa = ctx.store.get('serviceaccounts', namespace, annotations[SA_NAME_ANNOTATION] ?? '');
    if (!sa || (annotations[SA_UID_ANNOTATION] && annotations[SA_UID_ANNOTATION] !== sa.metadata.uid)) {
      deleteSecret(namespace, secret);
      return;
    }
    const data = (secret.data ?? {}) as Record<string, string>;
    const ca = ctx.caCertificate ?? '';
    const complete = data.token && data.namespace === b64(namespace) && (!ca || data['ca.crt'] === b64(ca)) && annotations[SA_UID_ANNOTATION] === sa.metadata.uid;
    if (complete || !ctx.tokens) return;
    const key = `${namespace}/${secretName}`;
    if (signing.has(key)) return;
    signing.add(key);
    const token = data.token ? Promise.resolve(atob(data.token)) : ctx.tokens.legacyToken(namespace, sa, secretName);
    token
      .then((jwt) => {
        // Whatever changed while signing: write only onto the same secret and account.
        const now = ctx.store.get('secrets', namespace, secretName);
        const account = ctx.store.get('serviceaccounts', namespace, sa.metadata.name!);
        if (!now || now.metadata.uid !== secret.metadata.uid || account?.metadata.uid !== sa.metadata.uid) return;
        const nowData = (now.data ?? {}) as Record<string, string>;
        const next: Record<string, string> = { ...nowData, token: nowData.token ?? b64(jwt), namespace: b64(namespace) };
        if (ca) next['ca.crt'] = b64(ca);
        systemCall(ctx, 'tokens-controller', {
          verb: 'update',
          resource: 'secrets',
          namespace,
          name: secretName,
          body: { ...now, metadata: { ...now.metadata, annotations: { ...(now.metadata.annotations ?? {}), [SA_UID_ANNOTATION]: sa.metadata.uid! } }, data: next } as KObject,
        });
      })
      .catch((err) => {
        console.error(`kubedo: ${name} ${key} failed`, err);
        ctx.loop.schedule(name, `secret/${key}`, Date.now() + 1000);
      })
      .finally(() => signing.delete(key));
  }

  return {
    name,
    keysFor(e) {
      if (e.resource === 'secrets' && e.type !== 'DELETED' && e.object.type === SA_TOKEN_TYPE) return [`secret/${e.namespace}/${e.name}`];
      if (e.resource === 'serviceaccounts' && e.type === 'DELETED') return [`serviceaccount/${e.namespace}/${e.name}`];
      return [];
    },
    reconcile(key) {
      const slash = key.indexOf('/');
      const kind = key.slice(0, slash);
      const { namespace, name: objName } = splitKey(key.slice(slash + 1));
      if (kind === 'secret') return syncSecret(namespace, objName);
      // The account is gone: so are its token secrets.
      if (ctx.store.get('serviceaccounts', namespace, objName)) return;
      for (const s of [...ctx.store.list('secrets', { namespace })]) {
        if (s.type === SA_TOKEN_TYPE && s.metadata.annotations?.[SA_NAME_ANNOTATION] === objName && !s.metadata.deletionTimestamp) deleteSecret(namespace, s);
      }
    },
  };
}
