// The dependency rules of ../shared/DESIGN.md, checked with dependency-cruiser and the rules in
// .dependency-cruiser.cjs: src/ must break none of them, and each rule must catch a scratch tree
// that breaks it on purpose (so a rule that silently matches nothing fails this test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const CLI = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Cruises `dir`/src with the project's rules; the violations found. */
function violations(dir: string): Violation[] {
  const run = spawnSync(process.execPath, [CLI, 'src', '--config', CONFIG, '--output-type', 'json'], { cwd: dir, encoding: 'utf8' });
  assert.ok(run.stdout, `dependency-cruiser printed nothing: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  assert.ok(result.summary.totalCruised > 0, 'no module was read');
  return result.summary.violations;
}

test('src/ keeps every dependency rule and has no import cycle', () => {
  const found = violations(ROOT);
  assert.deepEqual(found.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`), []);
});

test('each rule catches a tree that breaks it on purpose', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rdds-depcruise-'));
  const files: Record<string, string> = {
    // One forbidden arrow per rule, and a cycle.
    'src/model/types.ts': "import { x } from '../store/store.js';\nexport const t = x;\n",
    'src/store/store.ts': "import { p } from '../policy/policy.js';\nexport const x = p;\n",
    'src/query/query.ts': "import { p } from '../policy/policy.js';\nexport const q = p;\n",
    'src/policy/policy.ts': "import { r } from '../render/whois.js';\nexport const p = r;\n",
    'src/render/whois.ts': "import { s } from '../server/port43.js';\nimport { pipe } from '../pipeline.js';\nexport const r = s + pipe;\n",
    'src/server/port43.ts': "import { i } from '../ingest/jsonl.js';\nexport const s = i;\n",
    'src/server/service.ts': "import { x } from '../store/store.js';\nexport const root = x;\n",
    'src/observe/metrics.ts': "import { s } from '../server/port43.js';\nexport const m = s;\n",
    'src/ingest/jsonl.ts': "export const i = 1;\n",
    'src/pipeline.ts': "export const pipe = 1;\n",
    'src/lookup/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
    'src/lookup/b.ts': "import { a } from './a.js';\nexport const b = a;\n",
  };
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const found = violations(dir);
    const broken = (rule: string, from: string, to: string) =>
      assert.ok(found.some((v) => v.rule.name === rule && v.from === from && v.to === to), `${rule} catches ${from} -> ${to}`);
    broken('model-imports-nothing', 'src/model/types.ts', 'src/store/store.ts');
    broken('store-imports-only-model', 'src/store/store.ts', 'src/policy/policy.ts');
    broken('query-imports-only-model', 'src/query/query.ts', 'src/policy/policy.ts');
    broken('policy-not-render-server', 'src/policy/policy.ts', 'src/render/whois.ts');
    broken('render-not-store-server-pipeline', 'src/render/whois.ts', 'src/server/port43.ts');
    broken('render-not-store-server-pipeline', 'src/render/whois.ts', 'src/pipeline.ts');
    broken('doors-not-ingest-store', 'src/server/port43.ts', 'src/ingest/jsonl.ts');
    broken('observe-not-server', 'src/observe/metrics.ts', 'src/server/port43.ts');
    assert.ok(found.some((v) => v.rule.name === 'no-circular' && v.from === 'src/lookup/a.ts'), 'no-circular catches a -> b -> a');
    assert.ok(!found.some((v) => v.from === 'src/server/service.ts'), 'the composition root may open the store');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
