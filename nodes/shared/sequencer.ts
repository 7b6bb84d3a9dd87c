import { sleep } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

const DEFAULT_HOLD_BACK_MS = 300;
const DEFAULT_MAX_BATCH = 1;

/**
 * Per-conversation ordering and exactly-once admission for trigger deliveries, inside one n8n
 * process (JavaScript runs one callback at a time, so a module-level map is atomic here).
 *
 * A delivery is admitted once: a retry that arrives while the first copy is still relaying waits
 * for its outcome instead of running twice, and a retry of one that completed is dropped. Within
 * a conversation the relays run one after another in the source's order (its own timestamp or
 * sequence), after a short hold-back so a straggler sent earlier but received later goes first.
 * Deliveries that queued up behind a running relay start together, as one execution.
 *
 * The trigger answers the platform only when the relay's execution has ended, so a crash leaves
 * the delivery to the platform's retry (at-least-once); the `done` window drops the duplicates
 * those retries cause. What lives here is lost with the process: see docs/delivery-guarantees.md.
 */

export interface DeliveryTicketInput {
	/** Stable across the platform's retries of this delivery (its delivery / message id). */
	key: string;
	/** Deliveries of one conversation relay one at a time, in `order`. */
	conversation: string;
	/** The source's order, in ms (its timestamp) or any increasing number; ties keep arrival order. */
	order: number;
	items: INodeExecutionData[];
}

export interface SequencerOptions {
	/** How long a delivery waits for stragglers of the same conversation before it starts. */
	holdBackMs: number;
	/** At most this many queued deliveries start together in one execution. */
	maxBatch: number;
	/** Drop retries of deliveries that are relaying or have relayed. */
	dropDuplicates: boolean;
	/** Off: every delivery starts at once, on a line of its own (n8n's own concurrency decides). */
	keepOrder: boolean;
	/** How long a completed delivery's key is remembered (the platform's retry horizon). */
	rememberMs: number;
	/** How many completed keys are remembered at most, oldest forgotten first. */
	rememberMax: number;
	/** A relay whose end is never observed releases its conversation after this long. */
	maxRunMs: number;
	now?: () => number;
}

/** What the trigger does with a delivery once it is admitted. */
export type Turn =
	/** Start the execution with these items (this delivery's and those that queued behind it). */
	| { kind: 'lead'; items: INodeExecutionData[]; finish: (ok: boolean) => void }
	/** Another delivery's execution carries this one; answer as that execution ends. */
	| { kind: 'follow'; outcome: Promise<boolean> }
	/** Relayed already (or by a copy that just succeeded): answer 200, run nothing. */
	| { kind: 'duplicate' };

interface Ticket extends DeliveryTicketInput {
	arrival: number;
	arrivedAt: number;
	assign: (turn: Turn) => void;
}

interface Batch {
	tickets: Ticket[];
	startedAt: number;
	finish: (ok: boolean) => void;
}

interface Line {
	pending: Ticket[];
	running?: Batch;
	wakeAt?: number;
}

const noop = (): void => {};

export class DeliverySequencer {
	private readonly lines = new Map<string, Line>();
	/** Keys being relayed now → the outcome of their batch. */
	private readonly inFlight = new Map<string, Promise<boolean>>();
	/** Keys relayed successfully → when; insertion order is age order. */
	private readonly done = new Map<string, number>();
	private arrivals = 0;

	constructor(public options: SequencerOptions) {}

	private now(): number {
		return this.options.now ? this.options.now() : Date.now();
	}

	/** Deliveries waiting or relaying, for back-pressure and tests. */
	get backlog(): number {
		let count = 0;
		for (const line of this.lines.values()) count += line.pending.length + (line.running?.tickets.length ?? 0);
		return count;
	}

	async admit(input: DeliveryTicketInput): Promise<Turn> {
		const { dropDuplicates } = this.options;
		while (dropDuplicates) {
			this.forgetOld();
			if (this.done.has(input.key)) return { kind: 'duplicate' };
			const running = this.inFlight.get(input.key);
			if (!running) break;
			// The first copy is still relaying: its outcome decides. A failed relay is retried by this copy.
			if (await running) return { kind: 'duplicate' };
		}

		let assign: (turn: Turn) => void = noop;
		const turn = new Promise<Turn>((resolve) => (assign = resolve));
		const ticket: Ticket = { ...input, arrival: this.arrivals++, arrivedAt: this.now(), assign };

		if (dropDuplicates) {
			// Registered before the relay starts, so a simultaneous copy waits for this one.
			let settle: (ok: boolean) => void = noop;
			const outcome = new Promise<boolean>((resolve) => (settle = resolve));
			this.inFlight.set(input.key, outcome);
			ticket.assign = (t) => {
				if (t.kind === 'lead') {
					const finish = t.finish;
					assign({ ...t, finish: (ok) => { finish(ok); settle(ok); } });
				} else if (t.kind === 'follow') {
					void t.outcome.then(settle);
					assign(t);
				} else {
					settle(true);
					assign(t);
				}
			};
		}

		// Without ordering every delivery is a line of its own.
		const lineId = this.options.keepOrder ? input.conversation : `\u0000${ticket.arrival}`;
		const line = this.lines.get(lineId) ?? { pending: [] };
		this.lines.set(lineId, line);
		line.pending.push(ticket);
		line.pending.sort((a, b) => a.order - b.order || a.arrival - b.arrival);
		this.schedule(lineId, line);
		return await turn;
	}

	private schedule(conversation: string, line: Line): void {
		// A run whose end was never seen (its answer lost) must not hold the conversation forever.
		if (line.running && this.now() - line.running.startedAt > this.options.maxRunMs) line.running.finish(false);
		if (line.running) return;
		const head = line.pending[0];
		if (!head) {
			this.lines.delete(conversation);
			return;
		}
		const readyAt = Math.min(...line.pending.map((ticket) => ticket.arrivedAt)) + this.options.holdBackMs;
		const wait = readyAt - this.now();
		if (wait > 0) {
			if (line.wakeAt !== undefined && line.wakeAt <= readyAt) return;
			line.wakeAt = readyAt;
			void sleep(wait).then(() => {
				if (line.wakeAt === readyAt) line.wakeAt = undefined;
				this.schedule(conversation, line);
			});
			return;
		}
		this.start(conversation, line);
	}

	private start(conversation: string, line: Line): void {
		const tickets = line.pending.splice(0, Math.max(1, this.options.maxBatch));
		let settle: (ok: boolean) => void = noop;
		const outcome = new Promise<boolean>((resolve) => (settle = resolve));
		let finished = false;
		const finish = (ok: boolean): void => {
			if (finished) return;
			finished = true;
			for (const ticket of tickets) {
				this.inFlight.delete(ticket.key);
				if (ok && this.options.dropDuplicates) this.remember(ticket.key);
			}
			if (line.running === batch) line.running = undefined;
			settle(ok);
			this.schedule(conversation, line);
		};
		const batch: Batch = { tickets, startedAt: this.now(), finish };
		line.running = batch;

		const [lead, ...followers] = tickets;
		lead.assign({ kind: 'lead', items: tickets.flatMap((ticket) => ticket.items), finish });
		for (const follower of followers) follower.assign({ kind: 'follow', outcome });
	}

	private remember(key: string): void {
		this.done.delete(key);
		this.done.set(key, this.now());
		while (this.done.size > this.options.rememberMax) {
			const oldest = this.done.keys().next().value as string;
			this.done.delete(oldest);
		}
	}

	private forgetOld(): void {
		const horizon = this.now() - this.options.rememberMs;
		for (const [key, at] of this.done) {
			if (at >= horizon) break;
			this.done.delete(key);
		}
	}
}

const sequencers = new Map<string, DeliverySequencer>();

/** The sequencer of one trigger node of one workflow, in this process; options follow the node's. */
export function sequencerFor(id: string, options: SequencerOptions): DeliverySequencer {
	const existing = sequencers.get(id);
	if (existing) {
		existing.options = options;
		return existing;
	}
	const created = new DeliverySequencer(options);
	sequencers.set(id, created);
	return created;
}

/** Options every relaying trigger offers in its "Options" collection, beside "Drop Duplicate Deliveries". */
export const deliveryOptionFields: INodeProperties[] = [
	{
		displayName: 'Keep Order Per Conversation',
		name: 'keepOrder',
		type: 'boolean',
		default: true,
		description:
			"Whether to relay one conversation's deliveries one after another, in the platform's order, whatever n8n's concurrency. Off: each delivery runs at once, in parallel.",
	},
	{
		displayName: 'Hold Back (Ms)',
		name: 'holdBackMs',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 10000 },
		default: DEFAULT_HOLD_BACK_MS,
		description:
			'How long a delivery waits for an earlier message of the same conversation that is still on its way, so both go out in order. Adds this much latency.',
	},
	{
		displayName: 'Max Deliveries Per Execution',
		name: 'maxBatch',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 500 },
		default: DEFAULT_MAX_BATCH,
		description:
			"Deliveries of one conversation that queued up while its previous relay ran start together, as the items of one execution, in order: fewer executions under a backlog. Keep 1 unless the workflow is a straight line of this package's nodes: n8n's Retry On Fail runs a node again for all its items, and branches run one after the other.",
	},
];

/** The sequencer options a trigger's "Options" collection chose; `rememberMs` = the platform's retry horizon. */
export function deliveryOptions(options: IDataObject, rememberMs: number): SequencerOptions {
	const keepOrder = options.keepOrder !== false;
	const number = (value: unknown, fallback: number): number =>
		typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
	return {
		dropDuplicates: options.dropDuplicates !== false,
		holdBackMs: keepOrder ? number(options.holdBackMs, DEFAULT_HOLD_BACK_MS) : 0,
		maxBatch: Math.max(1, Math.floor(number(options.maxBatch, DEFAULT_MAX_BATCH))),
		keepOrder,
		rememberMs,
		rememberMax: 20000,
		maxRunMs: 15 * 60 * 1000,
	};
}
