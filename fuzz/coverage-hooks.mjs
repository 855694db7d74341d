// Module load hook (runs on Node's loader thread): src/ modules, as tsx has made them JavaScript,
// get istanbul's statement, branch and function counters in globalThis[COVERAGE_VARIABLE].
import { fileURLToPath } from 'node:url';
import { createInstrumenter } from 'istanbul-lib-instrument';

const SRC = new URL('../src/', import.meta.url).href;
const instrumenter = createInstrumenter({ esModules: true, compact: true, coverageVariable: '__rddsFuzzCoverage', produceSourceMap: false });

export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  if (!url.startsWith(SRC) || result.format !== 'module' || result.source == null) return result;
  return { ...result, source: instrumenter.instrumentSync(String(result.source), fileURLToPath(url)) };
}
