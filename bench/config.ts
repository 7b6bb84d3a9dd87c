/** What a bench run does, from HANDOFF_BENCH_* environment variables (or the quick preset). */
import * as path from 'path';

import { REPO_ROOT } from '../test/e2e/lib/n8n';

export interface BenchConfig {
	/** Interleaved rounds of ours, generic, floor. */
	rounds: number;
	/** Concurrent Landbot conversations per round. */
	conversations: number;
	/** Customer messages each conversation sends per round. */
	messages: number;
	/** Offered load: customer messages per second, all conversations together, on a fixed schedule. */
	rate: number;
	/** How long a round waits, after its last message was sent, for everything to arrive. */
	drainTimeoutMs: number;
	/** Settings experiments (see settings.ts), run on their own n8n each; [] for none. */
	settings: string[];
	/** Messages per conversation in each settings, queue-mode and profile round. */
	sideMessages: number;
	/** Queue-mode rounds of ours with 1 and with 2 workers. */
	queue: boolean;
	/** What-if: executions of ours carrying 1 vs 20 conversations' messages (batch-probe.ts). */
	batchProbe: boolean;
	/** A CPU profile (--cpu-prof) of n8n during one round of ours and one of generic. */
	profile: boolean;
	/** Where the JSON results go. */
	outFile: string;
}

function intFrom(name: string, fallback: number, min = 1): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isFinite(value) || value < min) throw new Error(`${name}=${raw}: expected a number >= ${min}`);
	return value;
}

function flagFrom(name: string, fallback: boolean): boolean {
	const raw = process.env[name];
	return raw === undefined || raw === '' ? fallback : !['0', 'false', 'no', 'off'].includes(raw.toLowerCase());
}

export const ALL_SETTINGS = [
	'defaults',
	'log-debug',
	'no-execution-data',
	'engine-legacy',
	'engine-quickjs',
	'isolate-pool-4',
	'isolate-lazy',
	'isolate-compile-cache',
	'isolate-lazy-cache',
	'runner-external',
	'combined',
];

function settingsFrom(fallback: string[]): string[] {
	const raw = process.env.HANDOFF_BENCH_SETTINGS;
	if (raw === undefined || raw === '') return fallback;
	if (raw === 'none') return [];
	const names = raw === 'all' ? ALL_SETTINGS : raw.split(',').map((s) => s.trim());
	const unknown = names.filter((n) => !ALL_SETTINGS.includes(n));
	if (unknown.length) throw new Error(`HANDOFF_BENCH_SETTINGS: unknown ${unknown.join(', ')} (known: ${ALL_SETTINGS.join(', ')}, all, none)`);
	return names;
}

function defaultOutFile(): string {
	const stamp = new Date().toISOString().replace(/[:.]/g, '-');
	return path.join(REPO_ROOT, 'bench', 'results', `${stamp}.json`);
}

/** The full run (`npm run bench`); `quick` (`npm run bench:quick`) is one small round of each way, nothing else. */
export function benchConfig(quick = flagFrom('HANDOFF_BENCH_QUICK', false)): BenchConfig {
	return {
		rounds: intFrom('HANDOFF_BENCH_ROUNDS', quick ? 1 : 3),
		conversations: intFrom('HANDOFF_BENCH_CONVERSATIONS', 20),
		messages: intFrom('HANDOFF_BENCH_MESSAGES', quick ? 5 : 15),
		rate: intFrom('HANDOFF_BENCH_RATE', 20),
		drainTimeoutMs: intFrom('HANDOFF_BENCH_DRAIN_TIMEOUT_MS', 180_000),
		settings: settingsFrom(quick ? [] : ALL_SETTINGS),
		sideMessages: intFrom('HANDOFF_BENCH_SIDE_MESSAGES', 5),
		queue: flagFrom('HANDOFF_BENCH_QUEUE', !quick),
		batchProbe: flagFrom('HANDOFF_BENCH_BATCH_PROBE', !quick),
		profile: flagFrom('HANDOFF_BENCH_PROFILE', !quick),
		outFile: process.env.HANDOFF_BENCH_OUT || defaultOutFile(),
	};
}
