/// <reference types="node" />
// Proves the e2e harness: the launcher is up, kubectl (each installed version) trusts the CA and
// authenticates, and raw HTTPS requests work.
import { describe, expect, inject, it } from 'vitest';
import { VersionApi } from '@kubernetes/client-node';
import { api, clientNodeConfig, describeKubectl, kubectlVersions } from './kubectl';

describe('e2e harness', () => {
  it('serves /clusters/default/version over HTTPS with the bootstrap token', async () => {
    const res = await api('/clusters/default/version');
    expect(res.status).toBe(200);
    const v = res.json<{ major: string; minor: string; gitVersion: string }>();
    expect(v.major).toBe('1');
    expect(v.minor).toMatch(/^33\+?$/);
    expect(v.gitVersion).toMatch(/^v1\.33\./);
  });

  it('provides the kubeconfig, server and token', () => {
    expect(inject('server')).toBe(`${inject('baseUrl')}/clusters/default`);
    expect(inject('token')).toMatch(/^[0-9a-f]{64,}$/);
    expect(inject('caPem')).toContain('BEGIN CERTIFICATE');
  });

  it('@kubernetes/client-node trusts the CA and reads the version', async () => {
    const info = await clientNodeConfig().makeApiClient(VersionApi).getCode();
    expect(info.gitVersion).toMatch(/^v1\.33\./);
  });

  it('finds at least one kubectl version', () => {
    expect(kubectlVersions().length).toBeGreaterThan(0);
  });
});

describeKubectl('kubectl version', (k) => {
  it('prints the client and server versions', async () => {
    const { stdout } = await k.run(['version']);
    expect(stdout).toContain(`Client Version: v${k.version}.`);
    expect(stdout).toMatch(/^Server Version: v1\.33\./m);
  });
});
