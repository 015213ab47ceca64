// `npm run bench`: runs the scenarios against a fresh local emulator, prints tables, writes JSON
// to bench/results/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiScenario } from './api.mjs';
import { launch } from './launch.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = await launch();
try {
  const results = [];
  const api = await apiScenario(env, { clients: Number(process.env.BENCH_CLIENTS || 16), opsPerClient: Number(process.env.BENCH_OPS || 40) });
  results.push(api);
  console.log(`\nscenario api: ${api.clients} clients, ${api.seconds}s, ${api.requestsPerSecond} req/s overall`);
  console.table(api.rows);
  const out = path.join(here, 'results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2));
  console.log(`results written to ${path.relative(process.cwd(), out)}`);
} finally {
  await env.stop();
}
