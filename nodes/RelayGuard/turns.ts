import type { SequencerOptions } from '../shared';
import { sequencerFor } from '../shared';

/**
 * What the Relay Guard keeps, in this n8n process's memory (JavaScript runs one callback at a time,
 * so these maps are atomic here): one delivery sequencer (nodes/shared/sequencer.ts) per Wait for
 * Turn node, and the turns each execution holds until its End Turn. Nothing is shared between
 * processes: in queue mode each worker orders and drops copies only among its own executions.
 */

export interface HeldTurn {
	finish: (ok: boolean) => void;
	takenAt: number;
}

/** Execution id → turns it holds. */
const held = new Map<string, HeldTurn[]>();

export interface GuardOptions {
	holdBackMs: number;
	turnTimeoutMs: number;
	rememberMs: number;
}

/** The guard of one Wait for Turn node of one workflow. */
export function guardFor(id: string, options: GuardOptions) {
	const sequencer: SequencerOptions = {
		holdBackMs: options.holdBackMs,
		// 0 means "do not wait at all", also not for the way's delay.
		maxLagHoldMs: options.holdBackMs > 0 ? 5000 : 0,
		maxBatch: 1,
		dropDuplicates: true,
		keepOrder: true,
		rememberMs: options.rememberMs,
		rememberMax: 20000,
		maxRunMs: options.turnTimeoutMs,
		// The executions exist already, waiting costs them nothing but time: no cap of our own.
		maxBacklog: Number.MAX_SAFE_INTEGER,
		maxBacklogBytes: Number.MAX_SAFE_INTEGER,
		maxRunning: Number.MAX_SAFE_INTEGER,
	};
	return sequencerFor(`relayGuard:${id}`, sequencer);
}

export function holdTurn(executionId: string, finish: (ok: boolean) => void, now: number): void {
	const turns = held.get(executionId) ?? [];
	turns.push({ finish, takenAt: now });
	held.set(executionId, turns);
}

/** Longer than any Turn Timeout: what is older belongs to executions that failed before End Turn. */
const FORGET_AFTER_MS = 2 * 60 * 60 * 1000;

/**
 * Ends every turn the execution holds, and how many. Turns of executions that never reached End
 * Turn (they failed) were given up by their sequencer after the turn timeout; their records go too.
 */
export function endTurns(executionId: string, ok: boolean, now: number): number {
	const turns = held.get(executionId) ?? [];
	held.delete(executionId);
	for (const turn of turns) turn.finish(ok);
	for (const [id, others] of held) {
		if (others.every((turn) => turn.takenAt < now - FORGET_AFTER_MS)) held.delete(id);
	}
	return turns.length;
}
