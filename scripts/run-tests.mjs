#!/usr/bin/env node
// `npm test`: the unit suites (in parallel), then the end-to-end suites against a real n8n (one file
// at a time: each starts its own n8n). Extra arguments go to both jest runs. Ends with one plain
// "N passed, N failed" line for the whole run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const only = process.env.HANDOFF_TESTS; // "unit" or "e2e" to run one suite
const suites = [
	{ name: 'unit', config: 'jest.config.js' },
	{ name: 'e2e', config: 'jest.e2e.config.js' },
].filter((suite) => !only || suite.name === only);

const dir = mkdtempSync(path.join(tmpdir(), 'handoff-tests-'));
const totals = { passed: 0, failed: 0, skipped: 0, total: 0 };
let status = 0;

for (const suite of suites) {
	const report = path.join(dir, `${suite.name}.json`);
	const jest = path.resolve('node_modules/jest/bin/jest.js');
	const run = spawnSync(process.execPath, [jest, '-c', suite.config, '--json', '--outputFile', report, ...args], {
		stdio: 'inherit',
	});
	if (run.status !== 0) status = 1;
	if (!existsSync(report)) {
		console.error(`${suite.name}: jest wrote no report`);
		status = 1;
		continue;
	}
	const result = JSON.parse(readFileSync(report, 'utf8'));
	totals.passed += result.numPassedTests;
	totals.failed += result.numFailedTests;
	totals.skipped += result.numPendingTests;
	totals.total += result.numTotalTests;
	console.log(`${suite.name}: ${result.numPassedTests} passed, ${result.numFailedTests} failed`);
}

if (totals.total === 0) {
	console.error('no test ran');
	status = 1;
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(status);
