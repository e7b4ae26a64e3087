// Sums the per-package vitest JSON reports into one closing line: "tests: N passed, N failed, N skipped".
import { globSync, readFileSync } from 'node:fs';

const reports = globSync('{packages,stacks}/*/test-results/vitest.json');
const total = { passed: 0, failed: 0, skipped: 0 };
for (const file of reports) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  total.passed += report.numPassedTests;
  total.failed += report.numFailedTests;
  total.skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`${reports.length} test reports`);
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exitCode = total.failed > 0 || reports.length === 0 ? 1 : 0;
