/// <reference types="node" />
// RBAC with real kubectl (1.31 and 1.33): `auth can-i` (incl. --list), `auth whoami`, impersonation
// with --as, and a service account refused (403) until a RoleBinding to view is created.
import { afterAll, expect, it } from 'vitest';
import { describeKubectl, uniqueName } from './kubectl';

const SA = 'system:serviceaccount:default:app';

describeKubectl(
  'rbac',
  (k) => {
    const binding = uniqueName(`app-view-${k.version.replace('.', '')}`);

    afterAll(async () => {
      await k.run(['delete', 'rolebinding', binding, '-n', 'default', '--ignore-not-found']);
    });

    it('the sandbox admin can do anything and is kubedo:admin in system:masters', async () => {
      expect((await k.run(['auth', 'can-i', 'create', 'pods'])).stdout.trim()).toBe('yes');
      expect((await k.run(['auth', 'can-i', '*', '*'])).stdout.trim()).toBe('yes');
      const who = await k.run(['auth', 'whoami']);
      expect(who.stdout).toMatch(/^ATTRIBUTE\s+VALUE$/m);
      expect(who.stdout).toMatch(/^Username\s+kubedo:admin$/m);
      expect(who.stdout).toMatch(/^Groups\s+\[system:masters system:authenticated\]$/m);
    });

    it('whoami as a service account shows its groups', async () => {
      const who = await k.run(['auth', 'whoami', `--as=${SA}`, '-o', 'json']);
      expect(JSON.parse(who.stdout).status.userInfo).toEqual({
        username: SA,
        groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
      });
    });

    it('a service account is refused until a RoleBinding to view, then may read but not write', async () => {
      const no = await k.run(['auth', 'can-i', 'list', 'pods', `--as=${SA}`], { expectFail: true });
      expect(no.stdout.trim()).toBe('no');
      const refused = await k.run(['get', 'pods', '-n', 'default', `--as=${SA}`], { expectFail: true });
      expect(refused.stderr).toContain(
        'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:app" cannot list resource "pods" in API group "" in the namespace "default"',
      );

      const created = await k.run(['create', 'rolebinding', binding, '--clusterrole=view', '--serviceaccount=default:app', '-n', 'default']);
      expect(created.stdout).toContain(`rolebinding.rbac.authorization.k8s.io/${binding} created`);
      const wide = await k.run(['get', 'rolebinding', binding, '-n', 'default', '-o', 'wide']);
      expect(wide.stdout).toMatch(new RegExp(`^${binding}\\s+ClusterRole/view\\s+\\S+\\s+default/app`, 'm'));

      expect((await k.run(['auth', 'can-i', 'list', 'pods', `--as=${SA}`])).stdout.trim()).toBe('yes');
      expect((await k.run(['get', 'pods', '-n', 'default', `--as=${SA}`])).code).toBe(0);
      expect((await k.run(['auth', 'can-i', 'list', 'pods', '-n', 'kube-system', `--as=${SA}`], { expectFail: true })).stdout.trim()).toBe('no');
      expect((await k.run(['auth', 'can-i', 'create', 'pods', `--as=${SA}`], { expectFail: true })).stdout.trim()).toBe('no');
      expect((await k.run(['auth', 'can-i', 'get', 'secrets', `--as=${SA}`], { expectFail: true })).stdout.trim()).toBe('no');
      const write = await k.run(['create', 'configmap', uniqueName('cm'), '-n', 'default', `--as=${SA}`], { expectFail: true });
      expect(write.stderr).toContain('cannot create resource "configmaps" in API group "" in the namespace "default"');
    });

    it('auth can-i --list shows the rules of the service account', async () => {
      const list = await k.run(['auth', 'can-i', '--list', '-n', 'default', `--as=${SA}`]);
      expect(list.stdout).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/m);
      expect(list.stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
      expect(list.stdout).toMatch(/^deployments\.apps\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
      expect(list.stdout).toMatch(/^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
      expect(list.stdout).toMatch(/^\s+\[\/api\/\*\]\s+\[\]\s+\[get\]$/m);
    });
  },
  ['1.31', '1.33'],
);
