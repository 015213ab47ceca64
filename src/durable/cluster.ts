// The Cluster Durable Object: one per sandbox. Holds the etcd partition (Store), runs the API
// machinery for writes in one place (GenericRegistry) and fans out watches (WatchHub).
import { DurableObject } from 'cloudflare:workers';
import { drizzle, type DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite';
import { migrate } from 'drizzle-orm/durable-sqlite/migrator';
import migrations from '../../migrations/cluster/migrations.js';
import type { ApiCall, ApiReply, Impersonation, UserInfo, WatchParams, WireReply } from '../api/call';
import { unknownFields } from '../api/openapi';
import { errors, failure, StatusError, toStatus } from '../api/status';
import { reconcileCRD } from '../controllers/crd';
import { admitCRD, CRD_STORAGE_KEY } from '../registry/customresources';
import type { Env } from '../env';
import { lookupResource } from '../registry';
import { GenericRegistry, nowTimestamp } from './generic-registry';
import { DEFAULT_SANDBOX, seedObjects, type SandboxSpec } from './seed';
import { ADDONS_CONTROLLER, ADDONS_KEY } from '../controllers/kube-system-addons';
import { presentHeartbeat } from '../controllers/node-lifecycle';
import { controllers } from '../controllers';
import type { ClusterContext } from '../controllers/context';
import { PodsByNode } from './caches';
import { ClusterNetwork } from '../network';
import { Catalog } from './catalog';
import { ControlLoop, type Controller } from './control-loop';
import { createBinding, createEviction } from './subresources';
import { admitDefaultTolerationSeconds, admitPodPriority, admitStorageProtection } from './admission';
import { admitLimitRanges, defaultLimitRanges } from './admission/limit-ranger';
import { admitResourceQuota } from './admission/resource-quota';
import { admitServiceAccountExists } from './admission/service-account';
import { SigningKeys } from './signing-key';
import { authenticateServiceAccountToken, createTokenRequest, createTokenReview, legacyToken } from './tokens';
import { TokenError } from '../tenancy/serviceaccount-token';
import { metricsReply } from './metrics-api';
import { sandboxConfig } from '../controllers/config';
import { containerLog, LogError, nextLogLineAt, resolveLogContainer } from '../kubelet/logs';
import { METRICS_GROUP } from '../registry/metrics';
import type { ResourceDef } from '../registry/types';
import { bytesToBase64 } from '../machinery/base64';
import type { Pod } from 'kubernetes-types/core/v1';
import { Store, type StoredEvent } from './store';
import { newRoutingState, PROXY_MODES } from '../network/kube-proxy';
import { proxySubresource, type ProxyRequest } from '../network/proxy-subresource';
import type { HttpReply } from '../kubelet/http-echo';
import { execTarget, type ExecTarget } from '../kubelet/exec-target';
import type { ConnectResult, HttpRequestOut } from '../kubelet/shell';
import { answer, connect } from '../network/routing';
import { resolve, type DnsAnswer, type DnsSource } from '../network/dns';
import { DnsIpIndex } from '../network/dns-index';
import { WatchHub } from './watch-hub';
import { checkQuota, tooManyRequests, tooManyWatches } from '../tenancy/limits';
import { forgetSandbox, reportNextDue } from '../tenancy/sandboxes';
import { LoadReporter } from '../tenancy/load-report';
import { EXPIRY_TIMER, Tenant, type TenantRecord } from '../tenancy/tenant';
import { AccessControl, callAttributes, type RequestAttributes } from '../tenancy/access';
import { RbacAuthorizer } from '../tenancy/rbac';
import { BOOTSTRAP_POLICY_VERSION, bootstrapPolicyObjects } from '../tenancy/bootstrap-policy';
import { systemCall } from '../controllers/context';
import { reviewReply } from '../tenancy/reviews';
import { confirmNoEscalation } from '../tenancy/escalation';

export const WATCH_PARAMS_HEADER = 'x-kubedo-watch';

/**
 * PEM of the CA in-cluster clients trust: the launcher's CA (KUBEDO_CA_DATA). Without one (a
 * deployment whose serving certificate is publicly trusted) the sandbox publishes its own
 * service-account signing public key instead, a sandbox-generated stand-in so that
 * kube-root-ca.crt and ca.crt are never missing.
 */
async function rootCA(env: Env, keys: SigningKeys): Promise<string> {
  if (env.KUBEDO_CA_DATA) return atob(env.KUBEDO_CA_DATA);
  const { publicKey } = await keys.get();
  const spki = new Uint8Array((await crypto.subtle.exportKey('spki', publicKey)) as ArrayBuffer);
  const b64 = bytesToBase64(spki).replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PUBLIC KEY-----\n${b64}\n-----END PUBLIC KEY-----\n`;
}

export class ClusterObject extends DurableObject<Env> {
  private db: DrizzleSqliteDODatabase;
  private store!: Store;
  private registry!: GenericRegistry;
  private hub!: WatchHub;
  private catalog!: Catalog;
  private loop!: ControlLoop;
  private pods!: PodsByNode;
  /** The nodes' data plane memory: ipvs round-robin positions and ClientIP affinity (lost on eviction, like conntrack on a reboot). */
  private routing = newRoutingState();
  private network!: ClusterNetwork;
  private keys: SigningKeys;
  private access!: AccessControl;
  private dnsIndex!: DnsIpIndex;
  private tenant!: Tenant;
  private reporter: LoadReporter | undefined;
  /** Storage is set up (init() ran); false for an unknown or deleted sandbox id. */
  private booted = false;
  private readonly boot: () => Promise<void>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = drizzle(ctx.storage);
    this.keys = new SigningKeys(this.db);
    const boot = async () => {
      await migrate(this.db, migrations);
      const caCertificate = await rootCA(env, this.keys);
      this.store = new Store(this.db, ctx.storage);
      this.catalog = new Catalog(this.store);
      const rbac = new RbacAuthorizer(this.store);
      this.store.onEvent((e) => rbac.onEvent(e));
      this.access = new AccessControl(rbac);
      this.registry = new GenericRegistry(this.store, {
        unknownFields: (def, obj) => def.unknownFields?.(obj) ?? unknownFields({ group: def.group, version: def.version, kind: def.kind }, obj),
        admit: (def, obj) => (def.group === 'apiextensions.k8s.io' && def.kind === 'CustomResourceDefinition' ? admitCRD(obj) : []),
        mutate: (def, obj) => {
          if (def.group === '' && def.resource === 'pods') {
            admitPodPriority(this.store, obj);
            admitDefaultTolerationSeconds(obj, sandboxConfig(this.store).defaultTolerationSeconds);
          }
          if (def.group === '') admitStorageProtection(def.resource, obj);
          admitServiceAccountExists(this.store, def, obj);
          defaultLimitRanges(this.store, def, obj);
        },
        validateAdmission: (def, obj, old, call, dryRun) => {
          admitLimitRanges(this.store, def, obj, old, call.subresource);
          admitResourceQuota(this.store, def, obj, old, call.subresource, dryRun);
        },
        present: (def, obj) => presentHeartbeat(this.store, def, obj, Date.now()),
        special: (def, call) => this.special(def, call),
        begin: (def, obj, old, dryRun) => this.network.begin(def, obj, old, dryRun),
      });
      this.network = new ClusterNetwork(this.db, ctx.storage, this.store, this.registry);
      this.loop = new ControlLoop(this.db, ctx.storage);
      const pods = (this.pods = new PodsByNode(this.store));
      const cc: ClusterContext = {
        store: this.store,
        registry: this.registry,
        catalog: this.catalog,
        loop: this.loop,
        network: this.network,
        caCertificate,
        tokens: { legacyToken: (ns, sa, secret) => legacyToken(this.keys, ns, sa, secret) },
      };
      const registered = controllers(cc, pods);
      for (const c of registered) this.loop.register(c);
      this.backfillNamespaces(registered);
      this.store.onEvent((e) => this.loop.onEvent(e));
      // Controllers react to committed changes right away (level-triggered, safe to run twice).
      this.store.onEvent((e) => this.react(e));
      this.hub = new WatchHub(ctx, this.store, this.catalog);
      const dnsIndex = (this.dnsIndex = new DnsIpIndex(this.store));
      this.store.onEvent((e) => dnsIndex.onEvent(e));
      this.applyTenant();
      this.booted = true;
    };
    this.boot = boot;
    // Storage exists only once init() ran: requests for unknown or deleted ids leave nothing behind.
    ctx.blockConcurrencyWhile(async () => {
      if (this.hasStorage()) await boot();
    });
  }

  /**
   * Once per sandbox: namespaces created before the service account and root CA controllers existed
   * get their default ServiceAccount and kube-root-ca.crt too (new ones get them from events).
   */
  private backfillNamespaces(registered: Controller[]): void {
    const FLAG = 'namespaces_backfilled';
    if (!this.isInitialized() || this.ctx.storage.sql.exec('SELECT value FROM meta WHERE key = ?', FLAG).toArray().length) return;
    for (const c of registered) {
      if (c.name !== 'serviceaccount' && c.name !== 'root-ca-cert-publisher') continue;
      for (const ns of this.store.list('namespaces')) this.loop.enqueue(c, ns.metadata.name!);
    }
    this.ctx.storage.sql.exec('INSERT OR REPLACE INTO meta (key, value) VALUES (?, 1)', FLAG);
  }

  private hasStorage(): boolean {
    return this.ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").toArray().length > 0;
  }

  /** Load the sandbox's tenant record (token hash, expiry) and enforce its quotas in the store. */
  private applyTenant(): void {
    this.tenant = new Tenant(this.ctx.storage, this.env);
    const limits = this.tenant.limits;
    this.store.guard = limits ? (w, usage) => checkQuota(limits, usage, w) : undefined;
    // The registry learns when this sandbox goes busy or idle, so the cron wakes only what needs it.
    const id = this.tenant.record?.id;
    this.reporter?.close();
    this.reporter = id ? new LoadReporter(this.ctx.storage, (nextDue) => reportNextDue(this.env, id, nextDue)) : undefined;
    const reporter = this.reporter;
    this.loop.onArm = reporter ? (next) => reporter.observe(next) : undefined;
  }

  /** Which controller cares about a change; each runs after the write has committed. */
  private react(e: StoredEvent): void {
    if (e.resource === CRD_STORAGE_KEY && e.type !== 'DELETED') {
      queueMicrotask(() => reconcileCRD(this.registry, this.store, e.name));
    } else if (e.type === 'DELETED' && this.store.get(CRD_STORAGE_KEY, '', e.resource)?.metadata.deletionTimestamp) {
      // A custom resource of a terminating CRD is gone (the CRD's name is its storage key).
      queueMicrotask(() => reconcileCRD(this.registry, this.store, e.resource));
    }
  }

  /** Requests that are not plain storage: bindings, evictions, metrics. */
  private special(def: ResourceDef, call: ApiCall): ApiReply | undefined {
    const review = reviewReply(this.access, def, call);
    if (review) return review;
    if (def.group === METRICS_GROUP) return metricsReply(this.store, this.pods, def, call, sandboxConfig(this.store).timeScale);
    if (def.group !== '' || call.verb !== 'create') return undefined;
    if ((def.resource === 'pods' && call.subresource === 'binding') || def.resource === 'bindings') return createBinding(this.store, call);
    if (def.resource === 'pods' && call.subresource === 'eviction') {
      return createEviction(this.store, call, (opts) =>
        this.registry.handle(def, { ...call, verb: 'delete', subresource: undefined, body: opts }),
      );
    }
    return undefined;
  }

  /** kubectl logs: the simulated container log (text), and when the next line comes (follow). */
  async podLog(namespace: string, name: string, q: Record<string, string>, since?: number): Promise<{ status: number; text: string; nextAt?: number }> {
    try {
      if (!this.booted) throw errors.resourceNotFound();
      const pod = this.store.get('pods', namespace, name);
      if (!pod) throw errors.notFound({ group: '', resource: 'pods' }, name);
      const now = Date.now();
      const p = pod as unknown as Pod;
      const container = resolveLogContainer(p, q.container);
      const { timeScale } = sandboxConfig(this.store);
      const sinceMs = since ?? (q.sinceSeconds ? now - Number(q.sinceSeconds) * 1000 : q.sinceTime ? Date.parse(q.sinceTime) : undefined);
      const text = containerLog(p, container, {
        now,
        since: sinceMs,
        tailLines: since === undefined && q.tailLines ? Number(q.tailLines) : undefined,
        timestamps: q.timestamps === 'true',
        previous: q.previous === 'true',
        limitBytes: q.limitBytes ? Number(q.limitBytes) : undefined,
        timeScale,
      });
      return { status: 200, text, nextAt: nextLogLineAt(p, container, now, { timeScale, previous: q.previous === 'true' }) };
    } catch (e) {
      if (e instanceof LogError) return { status: e.code, text: JSON.stringify(failure(e.code, e.code === 404 ? 'NotFound' : 'BadRequest', e.message)) };
      const s = toStatus(e);
      return { status: s.code, text: JSON.stringify(s) };
    }
  }

  /** nodes|services|pods/{name}/proxy: answered by kube-proxy's choice of backend and the simulated container. */
  async proxy(req: ProxyRequest): Promise<HttpReply> {
    try {
      return proxySubresource(this.store, this.routing, req);
    } catch (e) {
      const s = toStatus(e);
      console.error('kubedo: proxy error', e);
      return { status: s.code, headers: [['Content-Type', 'application/json']], body: JSON.stringify(s) };
    }
  }

  /** kubectl exec: the container to run in (or kube-apiserver's/kubelet's refusal). */
  async execTarget(namespace: string, name: string, container: string | undefined, tty: boolean): Promise<ExecTarget> {
    return execTarget(this.store, namespace, name, container, tty);
  }

  /** An HTTP exchange from a pod to ip:port, through kube-proxy's routing to the answering container. */
  async execHttp(fromIP: string, ip: string, port: number, req: HttpRequestOut): Promise<ConnectResult> {
    const c = connect(this.store, this.routing, fromIP, ip, port);
    if (!c.ok) return { ok: false, error: c.error };
    const r = answer(c, { ...req, remoteAddr: `${fromIP}:${40000 + Math.floor(Math.random() * 20000)}` });
    return { ok: true, status: r.status, headers: r.headers, body: r.body };
  }

  /** What the cluster DNS reads: the store, with the IP index for PTR answers (exec's resolver uses this too). */
  dnsSource(): DnsSource {
    return { get: (r, ns, n) => this.store.get(r, ns, n), list: (r, o) => this.store.list(r, o), ownersOf: (ip) => this.dnsIndex.ownersOf(ip) };
  }

  /** One DNS question, answered as the sandbox's CoreDNS would (served as DNS-over-HTTPS). */
  async dnsQuery(qname: string, qtype: string): Promise<DnsAnswer> {
    if (!this.booted) return { rcode: 'REFUSED', answers: [], authority: [], additional: [] };
    return resolve(this.dnsSource(), qname, qtype);
  }

  /** A deadline of the control loop is due. */
  async alarm(): Promise<void> {
    if (!this.booted) return this.ctx.storage.deleteAlarm();
    if (this.tenant.expired()) return this.expire();
    this.loop.fire();
  }

  /** The cron watchdog: run whatever is overdue and re-arm the alarm; expire the sandbox when due. */
  async watchdog(): Promise<{ pending: number; exists: boolean }> {
    if (!this.booted) return { pending: 0, exists: false };
    if (this.tenant.expired()) {
      await this.expire();
      return { pending: 0, exists: false };
    }
    this.loop.resync();
    // The registry row is current when the cron's sweep moves on.
    await this.reporter?.settled();
    return { pending: this.loop.pending(), exists: true };
  }

  /**
   * Who a bearer token is in this sandbox: its admin token, else a service-account token; undefined
   * (401) for anything else, and for an unknown, deleted or expired sandbox.
   */
  async authenticate(token: string): Promise<UserInfo | undefined> {
    if (!this.booted) return undefined;
    if (this.tenant.expired()) {
      await this.expire();
      return undefined;
    }
    return (await this.tenant.admin(token)) ?? (await this.authenticateToken(token));
  }

  /** Delete the sandbox: its watches end, its alarm and all its storage go; its tokens stop working. */
  async destroy(): Promise<{ deleted: boolean }> {
    const existed = this.booted;
    this.booted = false;
    this.reporter?.close();
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(1001, 'sandbox deleted');
      } catch {
        // already closed
      }
    }
    await this.ctx.storage.deleteAll();
    await this.ctx.storage.deleteAlarm();
    return { deleted: existed };
  }

  /** The TTL ran out: delete everything, then the registry row (the cron sweep retries that). */
  private async expire(): Promise<void> {
    const id = this.tenant.record?.id;
    await this.destroy();
    if (id) await forgetSandbox(this.env, id).catch((err) => console.error('kubedo: registry cleanup failed', id, err));
  }

  /**
   * TokenReview for a bearer token that is not a sandbox token: a service-account JWT signed with
   * this sandbox's key (TokenRequest / legacy token Secrets). Undefined when it is not valid here.
   */
  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    try {
      return (await authenticateServiceAccountToken(this.store, this.keys, token)).user;
    } catch (e) {
      if (e instanceof TokenError) return undefined;
      throw e;
    }
  }

  /**
   * May this caller make a request the Worker serves itself (discovery, /version, /healthz, pod
   * logs)? Undefined when allowed, else the Status to answer with (403, or 400 for bad impersonation).
   */
  async authorize(user: UserInfo, impersonate: Impersonation | undefined, attrs: RequestAttributes): Promise<{ status: number; body: object } | undefined> {
    try {
      this.access.admit(user, impersonate, attrs);
      return undefined;
    } catch (e) {
      const status = toStatus(e);
      return { status: status.code, body: status };
    }
  }

  /** The established CRDs, for the Worker's discovery, OpenAPI and tables. */
  async customResourceDefinitions(): Promise<object[]> {
    if (!this.booted) return [];
    return this.catalog.establishedCRDs();
  }

  /** Create the sandbox's system objects once; later calls are no-ops. */
  async init(spec: Partial<SandboxSpec> & { name: string }, tenant?: TenantRecord): Promise<{ created: boolean; revision: number }> {
    if (!this.booted) await this.ctx.blockConcurrencyWhile(this.boot);
    if (this.isInitialized()) {
      this.ensureBootstrapPolicy();
      return { created: false, revision: this.store.revision() };
    }
    const full: SandboxSpec = { ...DEFAULT_SANDBOX, ...spec };
    if (!PROXY_MODES.includes(full.proxyMode)) full.proxyMode = DEFAULT_SANDBOX.proxyMode;
    this.network.settings.save(full);
    const now = nowTimestamp();
    for (const { resource, group, object } of seedObjects(full, now)) {
      const def = lookupResource(group, group ? object.apiVersion!.split('/')[1] : 'v1', resource)!;
      this.registry.handle(def, { verb: 'create', group, version: def.version, resource, namespace: object.metadata.namespace, query: {}, body: object });
      if (resource === 'nodes' || resource === 'servicecidrs') {
        // Status is the kubelet's (the ServiceCIDR controller's) to write: a create resets it.
        this.registry.handle(def, {
          verb: 'update',
          subresource: 'status',
          group,
          version: def.version,
          resource,
          name: object.metadata.name,
          query: {},
          body: { ...object, metadata: { name: object.metadata.name } },
        });
      }
    }
    // kube-system's add-ons come right after, from a timer (kubeadm's addon phase).
    this.loop.schedule(ADDONS_CONTROLLER, ADDONS_KEY, Date.now());
    if (tenant) {
      Tenant.save(this.ctx.storage, tenant);
      this.applyTenant();
      if (tenant.expiresAt !== undefined) this.loop.schedule(EXPIRY_TIMER, tenant.id, tenant.expiresAt);
    }
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('initialized', 1)");
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('rbacPolicy', ?)", BOOTSTRAP_POLICY_VERSION);
    return { created: true, revision: this.store.revision() };
  }

  /** Sandboxes made before a newer default RBAC policy get its missing roles and bindings (as kube-apiserver's start-up does). */
  private ensureBootstrapPolicy(): void {
    const row = this.ctx.storage.sql.exec("SELECT value FROM meta WHERE key = 'rbacPolicy'").toArray()[0];
    if (row && Number(row.value) >= BOOTSTRAP_POLICY_VERSION) return;
    for (const { resource, object } of bootstrapPolicyObjects()) {
      const namespace = object.metadata.namespace;
      if (this.store.get(`${resource}.rbac.authorization.k8s.io`, namespace ?? '', object.metadata.name!)) continue;
      const cc = { store: this.store, registry: this.registry, catalog: this.catalog, loop: this.loop, network: this.network };
      systemCall(cc, 'kube-apiserver', { verb: 'create', group: 'rbac.authorization.k8s.io', resource, namespace, body: object });
    }
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('rbacPolicy', ?)", BOOTSTRAP_POLICY_VERSION);
  }

  isInitialized(): boolean {
    if (!this.booted) return false;
    return this.ctx.storage.sql.exec("SELECT value FROM meta WHERE key = 'initialized'").toArray().length > 0;
  }

  /** One Kubernetes API request (everything but watch). Errors come back as Status replies. */
  async call(c: ApiCall): Promise<WireReply> {
    try {
      if (!this.booted) throw errors.resourceNotFound();
      const wait = this.tenant.throttle();
      if (wait) throw tooManyRequests(wait);
      const def = this.catalog.lookup(c.group, c.version, c.resource);
      if (!def) throw errors.resourceNotFound();
      if (c.user) {
        // Impersonation, then RBAC; the request then acts as the effective user (reviews answer for it).
        const user = this.access.admit(c.user, c.impersonate, callAttributes({ ...c, fieldSelector: c.query.fieldSelector }));
        c = { ...c, user, impersonate: undefined };
        confirmNoEscalation(this.access, def, c, (preview) => this.registry.handle(def, preview));
      }
      // Token signing and checking are asynchronous (WebCrypto): beside the synchronous registry, after RBAC.
      if (c.verb === 'create' && c.group === '' && c.resource === 'serviceaccounts' && c.subresource === 'token') return await createTokenRequest(this.store, this.keys, c);
      if (c.verb === 'create' && c.group === 'authentication.k8s.io' && c.resource === 'tokenreviews') return await createTokenReview(this.store, this.keys, c);
      return this.registry.handle(def, c) as WireReply;
    } catch (e) {
      const status = toStatus(e);
      if (!(e instanceof StatusError)) console.error('kubedo: internal error', e);
      return { status: status.code, body: status };
    }
  }

  /** Watches: the Worker upgrades to a WebSocket; the DO hibernates between events. */
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade') !== 'websocket') return new Response('expected a watch upgrade', { status: 426 });
    let params: WatchParams;
    try {
      params = JSON.parse(request.headers.get(WATCH_PARAMS_HEADER) ?? '') as WatchParams;
    } catch {
      return Response.json(errors.badRequest('malformed watch parameters').status, { status: 400 });
    }
    try {
      if (!this.booted) throw errors.resourceNotFound();
      const wait = this.tenant.throttle();
      if (wait) throw tooManyRequests(wait);
      if (params.user) this.access.admit(params.user, params.impersonate, callAttributes({ ...params, verb: 'watch' }));
      const maxWatches = this.tenant.limits?.maxWatches;
      if (maxWatches && this.hub.active() >= maxWatches) throw tooManyWatches(maxWatches);
      const watcher = this.hub.compile(params);
      const pair = new WebSocketPair();
      this.hub.start(pair[1], params, watcher);
      return new Response(null, { status: 101, webSocket: pair[0] });
    } catch (e) {
      const status = toStatus(e);
      const retry = status.details?.retryAfterSeconds;
      return Response.json(status, { status: status.code, headers: retry ? { 'Retry-After': String(retry) } : {} });
    }
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (this.booted) this.hub.onMessage(ws, message);
  }

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, 'closed');
    } catch {
      // already closed
    }
  }
}
