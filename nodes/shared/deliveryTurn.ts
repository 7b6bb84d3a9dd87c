import type { INodeExecutionData } from 'n8n-workflow';

/**
 * The sequencer's vocabulary (sequencer.ts): what a trigger hands it (a delivery), what it hands
 * back (a turn), and the records it keeps per delivery key, batch and conversation line.
 */

export interface DeliveryTicketInput {
	/** Stable across the platform's retries of this delivery (its delivery / message id). */
	key: string;
	/** Deliveries of one conversation relay one at a time, in `order`. */
	conversation: string;
	/** The source's order, in ms (its timestamp) or any increasing number; ties keep arrival order. */
	order: number;
	/** When the platform sent the event, in ms by its clock, when the event says so. */
	sentAt?: number;
	items: INodeExecutionData[];
	/** Roughly what the items hold in memory, in bytes (bounded by `maxBacklogBytes`). */
	size?: number;
	/**
	 * Keys of earlier deliveries whose events these items carry too (read back from the platform
	 * after an outage, catchUp.ts): admitted and remembered with this one, so their retries are dropped.
	 */
	alsoKeys?: string[];
}

/** How a relay ended: done, failed, or not seen within `maxRunMs` (it may still end either way). */
export type Outcome = 'done' | 'failed' | 'unknown';

/** What the trigger does with a delivery once it is admitted. */
export type Turn =
	/** Start the execution with these items (this delivery's and those that queued behind it). */
	| { kind: 'lead'; items: INodeExecutionData[]; finish: (ok: boolean) => void }
	/** Another delivery's execution carries this one; answer with its outcome. */
	| { kind: 'follow'; outcome: Promise<Outcome> }
	/** Relayed already (or by a copy that just succeeded): answer 200, run nothing. */
	| { kind: 'duplicate' }
	/**
	 * Ask the platform to retry later: a copy of a relay whose end has not been seen for longer than
	 * `maxRunMs`, or a delivery that waited behind a relay that failed (with `readsBack`).
	 */
	| { kind: 'busy' };

export interface Ticket extends DeliveryTicketInput {
	/** This n8n cannot rule out that it was relayed before (event.ts, `message.maybeRelayed`). */
	maybeRelayed: boolean;
	arrival: number;
	arrivedAt: number;
	readyAt: number;
	relay: Relay;
	assign: (turn: Turn) => void;
}

/** One delivery key in flight: waiting in its line, or running in a batch. */
export interface Relay {
	outcome: Promise<Outcome>;
	settle: (outcome: Outcome) => void;
	batch?: Batch;
	/** Its run outlived maxRunMs: the line went on; copies are answered busy until the real end. */
	stale: boolean;
}

export interface Batch {
	tickets: Ticket[];
	startedAt: number;
	ended: boolean;
	expired: boolean;
	/** A timer will check it for being overdue (deliveries wait behind it). */
	watched?: boolean;
	/** The conversations it relays: one, or several when batching across conversations. */
	lines: Array<{ line: Line; lineId: string }>;
}

export interface Line {
	pending: Ticket[];
	running?: Batch;
	wakeAt?: number;
}

export function deferred(): { outcome: Promise<Outcome>; settle: (outcome: Outcome) => void } {
	let settle: (outcome: Outcome) => void = () => {};
	const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
	return { outcome, settle };
}

const RUN_MS_PER_EXTRA_ITEM = 10 * 1000;

/** How long a batch may run before it counts as never answered: it runs its items one after the other, each may wait out a rate limit. */
export function runLimit(batch: Batch, maxRunMs: number): number {
	return maxRunMs + (batch.tickets.length - 1) * RUN_MS_PER_EXTRA_ITEM;
}
