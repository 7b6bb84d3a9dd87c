/**
 * The bench's CI variant (what `npm run bench:quick` runs): one round each of ours (template 2),
 * the generic Webhook → Filter → HTTP Request flow and the bare Node.js relay, 20 conversations ×
 * 5 messages, against the simulators in a real n8n. Asserts correctness only — ours loses and
 * duplicates nothing, every way completes its round — and prints the figures; timing is never
 * asserted (a shared 2-core machine makes it noise).
 */
import * as path from 'path';

import { type BenchConfig, benchConfig } from '../../bench/config';
import { textReport, writeJson } from '../../bench/report';
import { type BenchResults, runBench } from '../../bench/suite';
import { runDir } from './lib/n8n';

const QUICK: BenchConfig = {
	...benchConfig(true),
	// Fixed here, whatever HANDOFF_BENCH_* the environment sets.
	rounds: 1,
	conversations: 20,
	messages: 5,
	rate: 20,
	drainTimeoutMs: 120_000,
	settings: [],
	queue: false,
	profile: false,
	outFile: path.join(runDir(), 'bench-quick.json'),
};

describe('bench (quick): ours, generic and floor relay every message', () => {
	let results: BenchResults;

	beforeAll(async () => {
		results = await runBench(QUICK, (line) => console.log(`bench: ${line}`));
		writeJson(results, QUICK.outFile);
		console.log(textReport(results));
	}, 360_000);

	const way = (name: string) => results.ways.find((w) => w.way === name);

	test('ours: nothing lost, nothing duplicated', () => {
		const ours = way('ours');
		expect(ours).toBeDefined();
		expect({ sent: ours!.sent, lost: ours!.lost, duplicated: ours!.duplicated }).toEqual({ sent: 100, lost: 0, duplicated: 0 });
	});

	test.each(['ours', 'generic', 'floor'])('%s completes its round', (name) => {
		const summary = way(name);
		expect(summary).toBeDefined();
		expect(summary!.complete).toBe(true);
		expect(summary!.delivered).toBeGreaterThan(0);
	});
});
