/**
 * The whole bench: interleaved rounds of ours, generic and floor on one n8n, then the batching
 * what-if on it; then, each on an n8n of its own, the settings experiments, the queue-mode rounds
 * (1 and 2 workers) and the profiled rounds. Side experiments that fail are recorded and skipped,
 * so the main figures survive them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { type BatchProbeResult, batchProbe } from './batch-probe';
import type { BenchConfig } from './config';
import { type ProfileSummary, profileOf, summarizeProfile } from './profile';
import { type RoundResult, type RoundSpec, runRound } from './round';
import { SETTINGS } from './settings';
import { type Ratios, type WaySummary, ratios, roundRecord, summarizeWay } from './summary';
import { type Rig, type Way, startFloorRig, startN8nRig } from './ways';
import { REPO_ROOT, packPackage, runDir } from '../test/e2e/lib/n8n';
import { type Platforms, startPlatforms } from '../test/e2e/lib/relay';

export interface SideResult {
	experiment: string;
	why?: string;
	ways: WaySummary[];
	error?: string;
}

export interface BenchResults {
	startedAt: string;
	finishedAt: string;
	machine: { cpus: number; loadAverageAtStart: number[]; loadAverageAtEnd: number[]; node: string };
	config: BenchConfig;
	ways: WaySummary[];
	ratios: { oursToGeneric: Ratios; oursToFloor: Ratios } | null;
	rounds: Array<Omit<RoundResult, 'samples'>>;
	batchProbe: BatchProbeResult[];
	batchProbeError?: string;
	settings: SideResult[];
	queue: SideResult[];
	profile: ProfileSummary[];
	profileThreads?: Record<string, Record<string, number>>;
	profileError?: string;
}

type Log = (line: string) => void;

/** A round of a few messages first: n8n compiles and caches on a workflow's first executions. */
async function warmUp(p: Platforms, ways: Way[]): Promise<void> {
	for (const way of ways) await runRound(p, way, { round: 0, conversations: 2, messages: 2, rate: 10, drainTimeoutMs: 60_000 });
}

function line(r: RoundResult): string {
	return (
		`${r.way} round ${r.round}: ${r.delivered}/${r.sent} in ${r.wallMs} ms (${r.msgPerSec} msg/s), ` +
		`e2e p50 ${r.e2eMs.p50} ms, ack p50 ${r.ackMs.p50} ms, CPU ${r.cpuMsPerMessage} ms/msg, ` +
		`lost ${r.lost} dup ${r.duplicated} reord ${r.reordered}`
	);
}

async function withRig<T>(start: () => Promise<Rig>, use: (rig: Rig) => Promise<T>): Promise<T> {
	const rig = await start();
	try {
		return await use(rig);
	} finally {
		await rig.stop();
	}
}

/** A warm-up, then one round of each of a rig's ways. */
async function sideRounds(p: Platforms, rig: Rig, spec: RoundSpec, log: Log): Promise<{ ways: WaySummary[]; rounds: RoundResult[] }> {
	await warmUp(p, rig.ways);
	const rounds: RoundResult[] = [];
	for (const way of rig.ways) {
		const result = await runRound(p, way, spec);
		log(`  ${line(result)}`);
		rounds.push(result);
	}
	return { ways: rounds.map((r) => summarizeWay(r.way, [r])), rounds };
}

interface MainResults {
	rounds: RoundResult[];
	batch: BatchProbeResult[];
	batchError?: string;
}

/** The interleaved rounds; then, on the same n8n, the batching what-if. */
async function mainRounds(p: Platforms, config: BenchConfig, tarball: string, log: Log): Promise<MainResults> {
	const spec = (round: number): RoundSpec => ({ ...config, round });
	const maxMs = config.rounds * 3 * (config.drainTimeoutMs + 120_000) + 600_000;
	const n8n = await startN8nRig(p, { label: 'main', tarball });
	try {
		const rounds = await withRig(
			() => startFloorRig(p, maxMs),
			async (floor) => {
				const ways = [...n8n.ways, ...floor.ways];
				await warmUp(p, ways);
				const all: RoundResult[] = [];
				for (let round = 1; round <= config.rounds; round++) {
					for (const way of ways) {
						const result = await runRound(p, way, spec(round));
						log(line(result));
						all.push(result);
					}
				}
				return all;
			},
		);
		if (!config.batchProbe) return { rounds, batch: [] };
		log('batching what-if: deliveries of 1 and of 20 conversations posted to our trigger');
		const total = config.conversations * config.sideMessages;
		return await batchProbe(p, n8n.ways[0], [1, 20], total)
			.then((batch) => ({ rounds, batch }))
			.catch((error) => ({ rounds, batch: [], batchError: String(error).slice(0, 2000) }));
	} finally {
		await n8n.stop();
	}
}

async function settingsExperiments(p: Platforms, config: BenchConfig, tarball: string, log: Log): Promise<SideResult[]> {
	const results: SideResult[] = [];
	for (const name of config.settings) {
		const { env, why } = SETTINGS[name];
		log(`settings "${name}": ${why}`);
		const spec = { ...config, messages: config.sideMessages, round: 1 };
		try {
			const { ways } = await withRig(() => startN8nRig(p, { label: name, tarball, env }), (rig) => sideRounds(p, rig, spec, log));
			results.push({ experiment: name, why, ways });
		} catch (error) {
			log(`  failed: ${String(error).slice(0, 500)}`);
			results.push({ experiment: name, why, ways: [], error: String(error).slice(0, 2000) });
		}
	}
	return results;
}

async function queueRounds(p: Platforms, config: BenchConfig, tarball: string, log: Log): Promise<SideResult[]> {
	const results: SideResult[] = [];
	try {
		execFileSync(path.join(REPO_ROOT, 'scripts/ensure-services.sh'), { stdio: 'inherit' });
	} catch (error) {
		return [{ experiment: 'queue', ways: [], error: `PostgreSQL/Redis not available: ${String(error).slice(0, 500)}` }];
	}
	for (const workers of [1, 2]) {
		const experiment = `queue mode, ${workers} worker${workers > 1 ? 's' : ''}`;
		log(experiment);
		// n8n's own default worker concurrency (10); N8nInstance's default is 5.
		const queue = { webhookProcesses: 1, workers, concurrency: 10 };
		const spec = { ...config, messages: config.sideMessages, round: 1 };
		try {
			const { ways } = await withRig(
				() => startN8nRig(p, { label: experiment, tarball, queue, generic: false }),
				(rig) => sideRounds(p, rig, spec, log),
			);
			results.push({ experiment, ways });
		} catch (error) {
			log(`  failed: ${String(error).slice(0, 500)}`);
			results.push({ experiment, ways: [], error: String(error).slice(0, 2000) });
		}
	}
	return results;
}

/** Settings the profiled rounds run under: n8n's defaults, lazy isolates, and no isolated-vm at all (what remains). */
const PROFILED_SETTINGS = ['defaults', 'isolate-lazy-cache', 'engine-legacy'];

/** A round of ours and one of generic under `node --cpu-prof`, each cut out of n8n's profile. */
async function profiledRounds(p: Platforms, config: BenchConfig, tarball: string, setting: string, log: Log) {
	const dir = fs.mkdtempSync(path.join(runDir(), 'cpu-prof-'));
	log(`profile under "${setting}": n8n with --cpu-prof (${dir})`);
	const nodeOptions = `--cpu-prof --cpu-prof-dir=${dir}`;
	const rig = await startN8nRig(p, { label: `profile ${setting}`, tarball, env: SETTINGS[setting].env, nodeOptions });
	const pid = rig.n8n.pid;
	let rounds: RoundResult[];
	try {
		rounds = (await sideRounds(p, rig, { ...config, messages: config.sideMessages, round: 1 }, log)).rounds;
	} finally {
		await rig.stop(); // the profile is written when n8n exits
	}
	const profile = profileOf(dir, pid);
	if (!profile) throw new Error(`n8n (pid ${pid}) wrote no CPU profile into ${dir}`);
	const label = (r: RoundResult) => `${setting} · ${r.way}`;
	return {
		summaries: rounds.map((r) => summarizeProfile(label(r), profile, r.window)),
		threads: Object.fromEntries(rounds.map((r) => [label(r), r.cpuMsByThread])),
	};
}

async function profiles(p: Platforms, config: BenchConfig, tarball: string, log: Log) {
	const summaries: ProfileSummary[] = [];
	const threads: Record<string, Record<string, number>> = {};
	const errors: string[] = [];
	for (const setting of PROFILED_SETTINGS) {
		try {
			const result = await profiledRounds(p, config, tarball, setting, log);
			summaries.push(...result.summaries);
			Object.assign(threads, result.threads);
		} catch (error) {
			log(`  failed: ${String(error).slice(0, 500)}`);
			errors.push(`${setting}: ${String(error).slice(0, 1000)}`);
		}
	}
	return { summaries, threads, error: errors.length ? errors.join('\n') : undefined };
}

function pooled(rounds: RoundResult[]): WaySummary[] {
	const names = [...new Set(rounds.map((r) => r.way))];
	return names.map((name) => summarizeWay(name, rounds.filter((r) => r.way === name)));
}

export async function runBench(config: BenchConfig, log: Log = (l) => console.log(`bench: ${l}`)): Promise<BenchResults> {
	const startedAt = new Date().toISOString();
	const loadAverageAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100);
	const tarball = await packPackage();
	// Unscaled: Landbot's real retry schedule (5, 10, 15 s…) and its 10 s answer timeout.
	const p = await startPlatforms({ timeScale: 1 });
	try {
		const { rounds, batch, batchError } = await mainRounds(p, config, tarball, log);
		const ways = pooled(rounds);
		const [ours, generic, floor] = ['ours', 'generic', 'floor'].map((name) => ways.find((w) => w.way === name));
		const settings = await settingsExperiments(p, config, tarball, log);
		const queue = config.queue ? await queueRounds(p, config, tarball, log) : [];
		const profile = config.profile ? await profiles(p, config, tarball, log) : undefined;
		return {
			startedAt,
			finishedAt: new Date().toISOString(),
			machine: {
				cpus: os.cpus().length,
				loadAverageAtStart,
				loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
				node: process.version,
			},
			config,
			ways,
			ratios: ours && generic && floor ? { oursToGeneric: ratios(ours, generic), oursToFloor: ratios(ours, floor) } : null,
			rounds: rounds.map(roundRecord),
			batchProbe: batch,
			batchProbeError: batchError,
			settings,
			queue,
			profile: profile?.summaries ?? [],
			profileThreads: profile?.threads,
			profileError: profile?.error,
		};
	} finally {
		await p.stop();
	}
}
