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
const failures = [];
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
	for (const file of result.testResults)
		for (const test of file.assertionResults)
			if (test.status === 'failed')
				failures.push(`${suite.name} ${path.relative(process.cwd(), file.name)} › ${test.fullName}: ${firstLine(test.failureMessages)}`);
	console.log(`${suite.name}: ${result.numPassedTests} passed, ${result.numFailedTests} failed`);
}

if (totals.total === 0) {
	console.error('no test ran');
	status = 1;
}
// The failures again at the end, where a CI log cut to its tail still shows them.
for (const failure of failures) console.log(`failed: ${failure}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(status);

function firstLine(messages) {
	const text = (messages ?? []).join('\n').replace(/\u001b\[[0-9;]*m/g, '');
	return (text.split('\n').find((line) => line.trim() && !line.trim().startsWith('●')) ?? '').trim().slice(0, 300);
}
