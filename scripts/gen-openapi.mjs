#!/usr/bin/env node
// Derives the OpenAPI definitions kubedo serves (/openapi/v2, /openapi/v3) from installed npm packages:
//  - @kubernetes/client-node (generated from the Kubernetes 1.36 spec): every model's fields, JSON names,
//    types, formats (attributeTypeMap in dist/gen/models/*.js), required fields (non-optional members in
//    the .d.ts) and descriptions (doc comments in the .d.ts);
//  - kubernetes-types (1.30): which API package a type belongs to (core/v1, apps/v1, ...), which fields are
//    Quantity / Time / MicroTime / RawExtension / JSON / FieldsV1, and descriptions of fields whose type
//    is another model (the openapi generator behind client-node drops those).
// Writes src/generated/openapi-defs.ts: one string constant holding compact JSON (see the format note in
// src/api/openapi.ts), parsed lazily at runtime. Run: node scripts/gen-openapi.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cnDir = path.join(root, 'node_modules/@kubernetes/client-node/dist/gen/models');
const ktDir = path.join(root, 'node_modules/kubernetes-types');
const outFile = path.join(root, 'src/generated/openapi-defs.ts');

// ---------------------------------------------------------------------------------------------------
// Facts: API packages → definition-name prefix and API group.
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const SPECIAL_PREFIX = {
  meta: (v) => `io.k8s.apimachinery.pkg.apis.meta.${v}`,
  apiextensions: (v) => `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${v}`,
  apiregistration: (v) => `io.k8s.kube-aggregator.pkg.apis.apiregistration.${v}`,
};
const GROUP_OF_PACKAGE = {
  core: '',
  meta: 'meta.k8s.io',
  admissionregistration: 'admissionregistration.k8s.io',
  apiextensions: 'apiextensions.k8s.io',
  apiregistration: 'apiregistration.k8s.io',
  apiserverinternal: 'internal.apiserver.k8s.io',
  apps: 'apps',
  authentication: 'authentication.k8s.io',
  authorization: 'authorization.k8s.io',
  autoscaling: 'autoscaling',
  batch: 'batch',
  certificates: 'certificates.k8s.io',
  coordination: 'coordination.k8s.io',
  discovery: 'discovery.k8s.io',
  events: 'events.k8s.io',
  flowcontrol: 'flowcontrol.apiserver.k8s.io',
  networking: 'networking.k8s.io',
  node: 'node.k8s.io',
  policy: 'policy',
  rbac: 'rbac.authorization.k8s.io',
  resource: 'resource.k8s.io',
  scheduling: 'scheduling.k8s.io',
  storage: 'storage.k8s.io',
  storagemigration: 'storagemigration.k8s.io',
};
// client-node API classes (dist/gen/apis/<Name>Api.js) → package, used to place models kubernetes-types
// (1.30) does not know yet.
const PACKAGE_OF_API_CLASS = {
  FlowcontrolApiserver: 'flowcontrol',
  RbacAuthorization: 'rbac',
};
const defPrefix = (pkg, ver) => (SPECIAL_PREFIX[pkg] ? SPECIAL_PREFIX[pkg](ver) : `io.k8s.api.${pkg}.${ver}`);

// Types that client-node flattens (to string / Date / any) but upstream publishes as their own definitions.
const SPECIAL_DEFS = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { ktName: 'Quantity', schema: { o: ['string', 'number'] } },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    schema: { o: ['integer', 'string'], f: 'int-or-string' },
    description:
      'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
  },
  [`${META}.Time`]: { ktName: 'Time', schema: { t: 'string', f: 'date-time' } },
  [`${META}.MicroTime`]: { ktName: 'MicroTime', schema: { t: 'string', f: 'date-time' } },
  [`${META}.FieldsV1`]: { ktName: 'FieldsV1', schema: { t: 'object', u: 1 } },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': { ktName: 'RawExtension', schema: { t: 'object', u: 1 } },
  [`${META}.Patch`]: {
    schema: { t: 'object' },
    description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
  },
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON': { ktName: 'JSON', schema: { u: 1 } },
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray': { ktName: 'JSONSchemaPropsOrArray', schema: { u: 1 } },
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool': { ktName: 'JSONSchemaPropsOrBool', schema: { u: 1 } },
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray': { ktName: 'JSONSchemaPropsOrStringArray', schema: { u: 1 } },
};
const SPECIAL_BY_KT = Object.fromEntries(
  Object.entries(SPECIAL_DEFS).filter(([, v]) => v.ktName).map(([name, v]) => [v.ktName, name]),
);

// Only generally-available versions are served (v1, v2): alpha/beta models are left out to keep it lean.
const GA = /^v\d+$/;

// ---------------------------------------------------------------------------------------------------
// kubernetes-types: per package/version, interfaces with field docs and field type texts.
function parseDoc(raw) {
  // raw: text between /** and */
  const lines = raw.split('\n').map((l) => l.replace(/^\s*\* ?/, '').replace(/\s+$/, ''));
  while (lines.length && lines[0].trim() === '') lines.shift();
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  return lines.join('\n').trim();
}

function readTypeText(src, start) {
  // from `start` (just after the colon) to the `;` at brace/angle depth 0
  let depth = 0;
  for (let i = start; i < src.length; i++) {
    const k = skipNonCode(src, i);
    if (k !== i) {
      i = k - 1;
      continue;
    }
    const c = src[i];
    if (c === '{' || c === '<' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === '>' || c === ')' || c === ']') depth--;
    else if (c === ';' && depth === 0) return { text: src.slice(start, i).trim(), end: i + 1 };
  }
  return { text: src.slice(start).trim(), end: src.length };
}

/** Members of one `{ ... }` body: name → {doc, type, optional}. */
function parseMembers(body, quoted) {
  const out = new Map();
  const re = quoted
    ? /(?:\/\*\*([\s\S]*?)\*\/\s*)?(?:readonly\s+)?'([^']+)'(\?)?:/g
    : /(?:\/\*\*([\s\S]*?)\*\/\s*)?(?:readonly\s+)?([A-Za-z_$][\w$]*)(\?)?:/g;
  let m;
  let pos = 0;
  while ((m = re.exec(body))) {
    if (m.index < pos) continue;
    const { text, end } = readTypeText(body, m.index + m[0].length);
    out.set(m[2], { doc: m[1] ? parseDoc(m[1]) : '', type: text, optional: !!m[3] });
    pos = end;
    re.lastIndex = end;
  }
  return out;
}

/** Index just past the comment or string literal starting at i, or i when there is none. */
function skipNonCode(src, i) {
  if (src.startsWith('/*', i)) return src.indexOf('*/', i + 2) + 2;
  if (src.startsWith('//', i)) return src.indexOf('\n', i);
  const q = src[i];
  if (q === "'" || q === '"' || q === '`') {
    for (let j = i + 1; j < src.length; j++) {
      if (src[j] === '\\') j++;
      else if (src[j] === q) return j + 1;
    }
  }
  return i;
}

function findBody(src, openIdx) {
  let depth = 0;
  for (let i = openIdx; i < src.length; i++) {
    const k = skipNonCode(src, i);
    if (k !== i) {
      i = k - 1;
      continue;
    }
    if (src[i] === '{') depth++;
    else if (src[i] === '}') {
      depth--;
      if (depth === 0) return src.slice(openIdx + 1, i);
    }
  }
  throw new Error('unbalanced braces');
}

const kt = new Map(); // "pkg/ver" → Map(name → {doc, members?})
const ktByVerName = new Map(); // "ver/Name" → [pkg...]
function loadKt(file, pkg, ver) {
  const src = fs.readFileSync(file, 'utf8');
  const types = new Map();
  const re = /(?:\/\*\*((?:(?!\*\/)[\s\S])*?)\*\/\s*)?export (interface|type) ([A-Za-z0-9_]+)/g;
  let m;
  while ((m = re.exec(src))) {
    const entry = { doc: m[1] ? parseDoc(m[1]) : '' };
    if (m[2] === 'interface') entry.members = parseMembers(findBody(src, src.indexOf('{', re.lastIndex)), false);
    types.set(m[3], entry);
    const key = `${ver}/${m[3]}`;
    if (!ktByVerName.has(key)) ktByVerName.set(key, []);
    ktByVerName.get(key).push(pkg);
  }
  kt.set(`${pkg}/${ver}`, types);
}
for (const pkg of fs.readdirSync(ktDir)) {
  const dir = path.join(ktDir, pkg);
  if (!fs.statSync(dir).isDirectory()) continue;
  for (const f of fs.readdirSync(dir)) {
    const ver = f.replace(/\.d\.ts$/, '');
    if (pkg === 'api') loadKt(path.join(dir, f), 'resource-api', 'resource');
    else if (GA.test(ver)) loadKt(path.join(dir, f), pkg, ver);
  }
}
loadKt(path.join(ktDir, 'runtime.d.ts'), 'runtime', 'runtime');
const ktDocOf = (ktName) => {
  for (const types of kt.values()) if (types.has(ktName)) return types.get(ktName).doc;
  return '';
};

// ---------------------------------------------------------------------------------------------------
// client-node models
const unescape = (s) => s.replace(/\\(['"\\])/g, '$1');
const models = new Map(); // className → {attrs, doc, members}
for (const f of fs.readdirSync(cnDir)) {
  if (!f.endsWith('.js') || f === 'ObjectSerializer.js' || f === 'all.js') continue;
  const cls = f.slice(0, -3);
  const js = fs.readFileSync(path.join(cnDir, f), 'utf8');
  const am = js.match(/\.attributeTypeMap = (\[[\s\S]*?\n\]);/);
  if (!am) continue;
  const attrs = JSON.parse(am[1]);
  const dts = fs.readFileSync(path.join(cnDir, cls + '.d.ts'), 'utf8');
  const cm = dts.match(/\/\*\*((?:(?!\*\/)[\s\S])*?)\*\/\s*export declare class/);
  const classStart = dts.indexOf('export declare class');
  const members = parseMembers(findBody(dts, dts.indexOf('{', classStart)), true);
  models.set(cls, { attrs, doc: cm ? unescape(parseDoc(cm[1])) : '', members });
}

// Placement of each GA model: package, version, definition name.
const CLASS_RE = /^([A-Z][a-z]+)?(V\d+(?:(?:alpha|beta)\d+)?)([A-Z]\w*)$/;
const placed = new Map(); // className → {pkg, ver, name, def}
function place(cls, pkg, ver, name) {
  placed.set(cls, { pkg, ver, name, def: `${defPrefix(pkg, ver)}.${name}` });
}
const pending = [];
for (const cls of models.keys()) {
  if (cls === 'VersionInfo') {
    placed.set(cls, { pkg: 'version', ver: '', name: 'Info', def: 'io.k8s.apimachinery.pkg.version.Info' });
    continue;
  }
  const m = cls.match(CLASS_RE);
  if (!m) throw new Error(`unexpected model name ${cls}`);
  const ver = m[2].toLowerCase();
  if (!GA.test(ver)) continue;
  const name = m[3];
  if (m[1]) {
    place(cls, m[1].toLowerCase(), ver, name);
    continue;
  }
  const cands = ktByVerName.get(`${ver}/${name}`) ?? [];
  if (cands.length === 1) place(cls, cands[0], ver, name);
  else if (cands.length > 1) {
    const pick = cands.includes('meta') ? 'meta' : cands.includes('core') ? 'core' : null;
    if (!pick) throw new Error(`ambiguous ${cls}: ${cands}`);
    place(cls, pick, ver, name);
  } else pending.push(cls);
}
// Models unknown to kubernetes-types 1.30: first by the API class that serves them, then by a referrer.
const apiDir = path.join(cnDir, '../apis');
for (const f of fs.readdirSync(apiDir)) {
  const am = f.match(/^([A-Za-z]+?)(V\d+)Api\.js$/);
  if (!am) continue;
  const pkg = PACKAGE_OF_API_CLASS[am[1]] ?? am[1].toLowerCase();
  const js = fs.readFileSync(path.join(apiDir, f), 'utf8');
  for (const cls of new Set(js.match(/"V\d+[A-Z]\w*"/g)?.map((s) => s.slice(1, -1)) ?? [])) {
    const i = pending.indexOf(cls);
    if (i < 0) continue;
    const m = cls.match(CLASS_RE);
    place(cls, pkg, m[2].toLowerCase(), m[3]);
    pending.splice(i, 1);
  }
}
const refsOf = (cls) =>
  models.get(cls).attrs.flatMap((a) => a.type.match(/\b[A-Z][a-z]*V\d+\w*|\bV\d+\w*/g) ?? []);
for (let changed = true; changed && pending.length; ) {
  changed = false;
  for (const [cls, p] of [...placed]) {
    if (!models.has(cls)) continue;
    for (const r of refsOf(cls)) {
      const i = pending.indexOf(r);
      if (i < 0) continue;
      const m = r.match(CLASS_RE);
      place(r, p.pkg, m[2].toLowerCase(), m[3]);
      pending.splice(i, 1);
      changed = true;
    }
  }
}
if (pending.length) console.warn(`unplaced (left out): ${pending.join(' ')}`);

// ---------------------------------------------------------------------------------------------------
// Schema conversion. Compact node format (expanded by src/api/openapi.ts):
//   d description (string, or number = index into `strings`), t type, f format, r $ref (definition name),
//   i items, a additionalProperties, p properties, q required, k GVKs [[group, version, kind]],
//   u x-kubernetes-preserve-unknown-fields, o oneOf types (["string","number"]).
const defs = {};
const usedSpecials = new Set();

function ktSpecial(ktType) {
  // Recognise `X`, `Array<X>`, `{ [name: string]: X; }` where X is a special type (Quantity, Time, ...)
  if (!ktType) return null;
  const t = ktType.replace(/\s+/g, ' ').trim();
  let m;
  if (SPECIAL_BY_KT[t]) return { r: SPECIAL_BY_KT[t] };
  if ((m = t.match(/^Array<(\w+)>$/)) && SPECIAL_BY_KT[m[1]]) return { t: 'array', i: { r: SPECIAL_BY_KT[m[1]] } };
  if ((m = t.match(/^\{ \[\w+: string\]: (\w+); \}$/)) && SPECIAL_BY_KT[m[1]]) return { t: 'object', a: { r: SPECIAL_BY_KT[m[1]] } };
  if (t === 'number | string' || t === 'string | number') return { r: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString' };
  return null;
}

function convType(type, format, ctx) {
  let m;
  if ((m = type.match(/^Array<(.+)>$/))) return { t: 'array', i: convType(m[1], format === 'byte' ? '' : format, ctx) };
  if ((m = type.match(/^\{ \[key: string\]: (.+); \}$/))) return { t: 'object', a: convType(m[1], format, ctx) };
  switch (type) {
    case 'string':
      return format === 'byte' ? { t: 'string', f: 'byte' } : { t: 'string' };
    case 'boolean':
      return { t: 'boolean' };
    case 'number':
      if (format === 'int32' || format === 'int64') return { t: 'integer', f: format };
      if (format === 'double') return { t: 'number', f: 'double' };
      return { t: 'number' };
    case 'Date':
      return { r: format === 'date-time-micro' ? `${META}.MicroTime` : `${META}.Time` };
    case 'IntOrString':
      return { r: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString' };
    case 'any':
      return { r: 'io.k8s.apimachinery.pkg.runtime.RawExtension' };
  }
  const p = placed.get(type);
  if (!p) {
    ctx.dangling = true;
    return { t: 'object', u: 1 };
  }
  return { r: p.def };
}

for (const [cls, p] of placed) {
  const model = models.get(cls);
  const ktTypes = kt.get(`${p.pkg}/${p.ver}`);
  const ktDef = ktTypes?.get(p.name);
  const props = {};
  const required = [];
  const names = new Set(model.attrs.map((a) => a.baseName));
  for (const a of model.attrs) {
    const member = model.members.get(a.name) ?? model.members.get(a.baseName);
    const ktMember = ktDef?.members?.get(a.baseName);
    const ctx = {};
    let node = ktSpecial(ktMember?.type) ?? convType(a.type, a.format, ctx);
    if (ctx.dangling) console.warn(`dangling type ${a.type} in ${cls}.${a.baseName}`);
    const desc = ktMember?.doc || (member?.doc ? unescape(member.doc) : '');
    if (desc) node = { d: desc, ...node };
    props[a.baseName] = node;
    if (member && !member.optional) required.push(a.baseName);
  }
  const def = { t: 'object' };
  const desc = ktDef?.doc || model.doc;
  if (desc) def.d = desc;
  if (required.length) def.q = required.sort();
  def.p = props;
  if (names.has('apiVersion') && names.has('kind') && p.pkg in GROUP_OF_PACKAGE) {
    const group = p.pkg === 'meta' ? '' : GROUP_OF_PACKAGE[p.pkg];
    def.k = [[group, p.ver, p.name]];
  }
  defs[p.def] = def;
}
// The flattened special types.
for (const [name, sp] of Object.entries(SPECIAL_DEFS)) {
  const d = sp.description ?? (sp.ktName ? ktDocOf(sp.ktName) : '');
  defs[name] = { ...(d ? { d } : {}), ...sp.schema };
}
defs['io.k8s.apimachinery.pkg.version.Info'].k = undefined;

// Drop definitions nothing can reach from a GA kind (keeps the module lean).
const reach = new Set();
const walk = (n) => {
  if (!n || typeof n !== 'object') return;
  if (n.r && !reach.has(n.r)) {
    reach.add(n.r);
    walk(defs[n.r]);
  }
  walk(n.i);
  walk(n.a);
  if (n.p) for (const v of Object.values(n.p)) walk(v);
};
for (const [name, d] of Object.entries(defs)) if (d.k) walk({ r: name });
walk({ r: 'io.k8s.apimachinery.pkg.version.Info' });
walk({ r: `${META}.Patch` });
for (const name of Object.keys(defs)) if (!reach.has(name)) delete defs[name];

// Deduplicate descriptions used more than once into a string table.
const count = new Map();
const visit = (n, fn) => {
  if (!n || typeof n !== 'object') return;
  fn(n);
  visit(n.i, fn);
  visit(n.a, fn);
  if (n.p) for (const v of Object.values(n.p)) visit(v, fn);
};
for (const d of Object.values(defs)) visit(d, (n) => n.d && count.set(n.d, (count.get(n.d) ?? 0) + 1));
const strings = [...count].filter(([s, c]) => c > 1 && s.length > 16).sort((x, y) => y[1] - x[1]).map(([s]) => s);
const index = new Map(strings.map((s, i) => [s, i]));
for (const d of Object.values(defs)) visit(d, (n) => n.d && index.has(n.d) && (n.d = index.get(n.d)));

const sorted = Object.fromEntries(Object.keys(defs).sort().map((k) => [k, defs[k]]));
const json = JSON.stringify({ strings, defs: sorted });
const literal = json.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
const header =
  '// Generated by scripts/gen-openapi.mjs from @kubernetes/client-node and kubernetes-types. Do not edit.\n' +
  '// Compact OpenAPI definitions (format described in scripts/gen-openapi.mjs), parsed lazily by src/api/openapi.ts.\n';
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, `${header}export const OPENAPI_DEFS_JSON = \`${literal}\`;\n`);
console.log(
  `wrote ${path.relative(root, outFile)}: ${Object.keys(sorted).length} definitions, ${strings.length} shared strings, ${fs.statSync(outFile).size} bytes`,
);
