/** Rounds of one way pooled into one line, and the ratios between ways. */
import type { RoundResult } from './round';
import { type Spread, ratio, round1, spread } from './stats';

export interface WaySummary {
	way: string;
	rounds: number;
	sent: number;
	delivered: number;
	/** Every round delivered everything before its drain timeout. */
	complete: boolean;
	/** Delivered / the rounds' wall time added up. */
	msgPerSec: number;
	e2eMs: Spread;
	ackMs: Spread;
	cpuMsPerMessage: number | null;
	peakRssMB: number;
	lost: number;
	duplicated: number;
	reordered: number;
	landbotRetries: number;
	failedAcks: number;
}

export function summarizeWay(way: string, rounds: RoundResult[]): WaySummary {
	const total = (pick: (r: RoundResult) => number) => rounds.reduce((n, r) => n + pick(r), 0);
	const delivered = total((r) => r.delivered);
	const wallMs = total((r) => r.wallMs);
	return {
		way,
		rounds: rounds.length,
		sent: total((r) => r.sent),
		delivered,
		complete: rounds.every((r) => r.complete),
		msgPerSec: wallMs > 0 ? round1((delivered * 1000) / wallMs) : 0,
		e2eMs: spread(rounds.flatMap((r) => r.samples.e2e)),
		ackMs: spread(rounds.flatMap((r) => r.samples.ack)),
		cpuMsPerMessage: ratio(total((r) => r.cpuMs), delivered),
		peakRssMB: Math.max(0, ...rounds.map((r) => r.peakRssMB)),
		lost: total((r) => r.lost),
		duplicated: total((r) => r.duplicated),
		reordered: total((r) => r.reordered),
		landbotRetries: total((r) => r.landbotRetries),
		failedAcks: total((r) => r.failedAcks),
	};
}

export interface Ratios {
	msgPerSec: number | null;
	e2eP50: number | null;
	e2eP95: number | null;
	ackP50: number | null;
	cpuMsPerMessage: number | null;
	peakRssMB: number | null;
}

/** a relative to b: above 1 means a is faster (msg/s) or slower and costlier (the rest). */
export function ratios(a: WaySummary, b: WaySummary): Ratios {
	return {
		msgPerSec: ratio(a.msgPerSec, b.msgPerSec),
		e2eP50: ratio(a.e2eMs.p50, b.e2eMs.p50),
		e2eP95: ratio(a.e2eMs.p95, b.e2eMs.p95),
		ackP50: ratio(a.ackMs.p50, b.ackMs.p50),
		cpuMsPerMessage: ratio(a.cpuMsPerMessage, b.cpuMsPerMessage),
		peakRssMB: ratio(a.peakRssMB, b.peakRssMB),
	};
}

/** A round as written to the JSON: without its raw samples. */
export function roundRecord(r: RoundResult): Omit<RoundResult, 'samples'> {
	const { samples: _samples, ...rest } = r;
	return rest;
}
