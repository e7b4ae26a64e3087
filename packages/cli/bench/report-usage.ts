/**
 * Preloaded (`node --import`) into the process a benchmark measures: at exit, writes its own resource use
 * (`process.resourceUsage()`: CPU µs, peak RSS KB) as JSON to the file GLYCO_BENCH_USAGE names.
 */
import { writeFileSync } from 'node:fs';

const path = process.env.GLYCO_BENCH_USAGE;
if (path) process.on('exit', () => writeFileSync(path, JSON.stringify(process.resourceUsage())));
