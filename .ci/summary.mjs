// Prints "N passed, N failed" from vitest's JSON report, plus the Terraform checks' counts when
// .ci/terraform wrote them (reports/terraform.json; absent when terraform is not installed). A test
// file that failed to load has no failed test of its own, so it counts as one failure here.
import { existsSync, readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2] ?? 'reports/vitest.json', 'utf8'));
const brokenFiles = report.testResults.filter((file) => file.status === 'failed' && !file.assertionResults.some((t) => t.status === 'failed')).length;
const terraformReport = process.argv[3] ?? 'reports/terraform.json';
const terraform = existsSync(terraformReport) ? JSON.parse(readFileSync(terraformReport, 'utf8')) : { passed: 0, failed: 0 };
console.log(`${report.numPassedTests + terraform.passed} passed, ${report.numFailedTests + brokenFiles + terraform.failed} failed`);
