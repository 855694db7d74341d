// `node --import tsx --import ./fuzz/register.mjs`: instruments rdds's own modules (src/) for
// coverage as they load, so that the fuzzer (fuzz/run.ts) can tell which inputs reach new code.
import { register } from 'node:module';

register('./coverage-hooks.mjs', import.meta.url);
