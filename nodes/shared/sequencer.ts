import { sleep } from 'n8n-workflow';

import type { SequencerOptions } from './deliveryOptions';
import { DeliveryKeys } from './deliveryKeys';
import type { Batch, DeliveryTicketInput, Line, Relay, Ticket, Turn } from './deliveryTurn';
import { deferred } from './deliveryTurn';
import { HoldBack } from './holdBack';
import { ReadBacks } from './readBacks';
import { flagMaybeRelayed } from './sourceKeys';

const RUN_MS_PER_EXTRA_ITEM = 10 * 1000;
/** A delivery sent before this long after the sequencer started may repeat a relay of the process before it. */
const RESTART_SLACK_MS = 5 * 1000;

/**
 * Per-conversation ordering and exactly-once admission for trigger deliveries, inside one n8n
 * process (JavaScript runs one callback at a time, so a module-level map is atomic here).
 *
 * A delivery is admitted once: a retry that arrives while the first copy is still relaying waits
 * for its outcome instead of running twice, and a retry of one that completed is dropped. Within
 * a conversation the relays run one after another in the source's order (its own timestamp or
 * sequence), after a hold-back so a straggler sent earlier but received later goes first. The
 * hold-back follows the way's delay (holdBack.ts): a delivery waits until every delivery sent
 * before it would have arrived with the longest delay seen lately (capped), plus Hold Back (Ms).
 * Deliveries that queued up behind a running relay start together, as one execution.
 *
 * The trigger answers the platform only when the relay's execution has ended, so a crash leaves
 * the delivery to the platform's retry (at-least-once); the `done` window drops the duplicates
 * those retries cause. What lives here is lost with the process: see docs/delivery-guarantees.md.
 */

/** The options live beside the node fields that set them; they are part of this file's API. */
export type { SequencerOptions } from './deliveryOptions';

export type { DeliveryTicketInput, Outcome, Turn } from './deliveryTurn';

export class DeliverySequencer {
	private readonly lines = new Map<string, Line>();
	/** Keys waiting, relaying, or relayed within the retry horizon. */
	private readonly keys = new DeliveryKeys();
	/** Lines whose turn has come while `maxRunning` executions were running, oldest first. */
	private readonly ready = new Map<string, Line>();
	/** Executions started whose end has not been seen, nor has their time run out. */
	private readonly running = new Set<Batch>();
	private bytes = 0;
	private arrivals = 0;
	private readonly holdBack = new HoldBack();
	private readonly readBacks = new ReadBacks(() => this.now());

	/** When this process's sequencer started: what was sent before, an earlier process may have relayed. */
	private readonly startedAt: number;

	constructor(public options: SequencerOptions) {
		this.startedAt = this.now();
	}

	private now(): number {
		return this.options.now ? this.options.now() : Date.now();
	}

	private async sleep(ms: number): Promise<void> {
		return await (this.options.sleep ?? sleep)(ms);
	}

	/** Deliveries waiting or relaying (those waiting for a read-back included). */
	get backlog(): number {
		let count = this.readBacks.waiting;
		for (const line of this.lines.values()) count += line.pending.length + (line.running?.tickets.length ?? 0);
		return count;
	}

	/** Executions started and not yet ended (nor overdue). */
	get relaying(): number {
		return this.running.size;
	}

	/** Too much is waiting: a new delivery should be pushed back to the platform's retry. */
	get full(): boolean {
		return this.backlog >= this.options.maxBacklog || this.bytes >= this.options.maxBacklogBytes;
	}

	/** Whether the key is relaying or has relayed (within the retry horizon). */
	seen(key: string): boolean {
		return this.keys.seen(key);
	}

	/** Whether this conversation's deliveries may have been lost unnoticed (readBacks.ts). */
	mayHaveMissed(conversation: string): boolean {
		return this.readBacks.mayHaveMissed(conversation);
	}

	/** A delivery of this conversation was pushed back (these keys): the platform may give up on it. */
	forget(conversation: string, keys: string[] = []): void {
		this.readBacks.forget(conversation, keys);
	}

	/** Keys of this conversation pushed back or failed and not relayed since (readBacks.ts). */
	gapsOf(conversation: string): ReadonlySet<string> {
		return this.readBacks.gapsOf(conversation);
	}

	/** Whether the platform's mark says all about an event of this conversation sent then (readBacks.ts). */
	markSaysAll(conversation: string, sentAt: number | undefined): boolean {
		return this.readBacks.markSaysAll(conversation, sentAt);
	}

	/**
	 * A delivery of this conversation is pushed back before it was admitted. Reading back, the
	 * deliveries waiting that were sent after it go back too: relayed now, they would move the
	 * conversation's mark past it, and the read-back that brings it would put it after them.
	 */
	pushBack(input: DeliveryTicketInput): void {
		const keys = [input.key, ...(input.alsoKeys ?? [])];
		const line = this.options.keepOrder && this.options.readsBack ? this.lines.get(input.conversation) : undefined;
		if (line) {
			const later = line.pending.filter((ticket) => ticket.order > input.order);
			line.pending = line.pending.filter((ticket) => ticket.order <= input.order);
			for (const ticket of later) keys.push(...this.giveBack(ticket));
			if (line.pending.length === 0 && !line.running) this.schedule(input.conversation, line);
		}
		this.readBacks.forget(input.conversation, keys);
	}

	/** A waiting ticket goes back to its platform (503); returns its keys. */
	private giveBack(ticket: Ticket): string[] {
		this.bytes -= ticket.size ?? 0;
		this.settleKeys(ticket, false);
		ticket.relay.settle('failed');
		ticket.assign({ kind: 'busy' });
		return [ticket.key, ...(ticket.alsoKeys ?? [])];
	}

	/**
	 * Reads back what a conversation may have missed, once at a time: a delivery of the same
	 * conversation arriving meanwhile waits for it (and then needs no read of its own). Counted as
	 * waiting meanwhile, so a flood of deliveries that all read back is pushed back too.
	 */
	async catchUpOnce(conversation: string, read: () => Promise<void>): Promise<void> {
		return await this.readBacks.once(conversation, read);
	}

	async admit(input: DeliveryTicketInput): Promise<Turn> {
		while (this.options.dropDuplicates) {
			this.keys.forgetBefore(this.now() - this.options.rememberMs, this.now() - 2 * this.options.rememberMs);
			if (this.keys.relayed(input.key)) return { kind: 'duplicate' };
			const relay = this.keys.relayOf(input.key);
			if (!relay) break;
			if (relay.batch) this.expireIfOverdue(relay.batch);
			if (relay.stale) return { kind: 'busy' };
			// The first copy is still relaying: its outcome decides; a failed relay is retried by this copy.
			// An overdue run settles as 'unknown' (checked by the next copy or delivery): then busy.
			if ((await relay.outcome) === 'done') return { kind: 'duplicate' };
		}

		const { outcome, settle } = deferred();
		const relay: Relay = { outcome, settle, stale: false };
		if (this.options.dropDuplicates) this.keys.register(input, relay);

		let assign: (turn: Turn) => void = () => {};
		const turn = new Promise<Turn>((resolve) => (assign = resolve));
		const arrivedAt = this.now();
		const ticket: Ticket = { ...input, maybeRelayed: this.maybeRelayed(input), arrival: this.arrivals++, arrivedAt, readyAt: this.holdBack.readyTime(input, arrivedAt, this.options), relay, assign };
		this.bytes += input.size ?? 0;

		// Without ordering every delivery is a line of its own.
		const lineId = this.options.keepOrder ? input.conversation : `\u0000${ticket.arrival}`;
		const line = this.lines.get(lineId) ?? { pending: [] };
		this.lines.set(lineId, line);
		line.pending.push(ticket);
		line.pending.sort((a, b) => a.order - b.order || a.arrival - b.arrival);
		this.schedule(lineId, line);
		return await turn;
	}

	/**
	 * A retry of a relay that failed or was never answered, a delivery sent before this process
	 * started (a crash between the destination's write and the answer), or messages read back after
	 * an outage (one may have been relayed just before its mark was written).
	 */
	private maybeRelayed(input: DeliveryTicketInput): boolean {
		if (this.keys.triedBefore(input.key) || (input.alsoKeys ?? []).length > 0) return true;
		return input.sentAt !== undefined && input.sentAt < this.startedAt + RESTART_SLACK_MS;
	}

	private schedule(lineId: string, line: Line): void {
		if (line.running) this.expireIfOverdue(line.running);
		if (line.running) {
			if (line.pending.length > 0) this.watch(line.running);
			return;
		}
		if (line.pending.length === 0) {
			// Only this line: a newer one may already serve the conversation.
			if (this.lines.get(lineId) === line) this.lines.delete(lineId);
			return;
		}
		// The line waits for its first delivery in source order; a later one is never started before it.
		const readyAt = line.pending[0].readyAt;
		const wait = readyAt - this.now();
		if (wait > 0) {
			if (line.wakeAt !== undefined && line.wakeAt <= readyAt) return;
			line.wakeAt = readyAt;
			void this.sleep(wait).then(() => {
				if (line.wakeAt === readyAt) line.wakeAt = undefined;
				this.schedule(lineId, line);
			});
			return;
		}
		if (this.atCapacity()) {
			this.ready.set(lineId, line);
			for (const batch of this.running) this.watch(batch);
			return;
		}
		this.ready.delete(lineId);
		this.start([[lineId, line]]);
	}

	/**
	 * An execution ended or went overdue: the longest-waiting ready lines take the free slot, each
	 * in an execution of its own, or (batching across conversations) together in one.
	 */
	private leave(batch: Batch): void {
		this.running.delete(batch);
		for (const ticket of batch.tickets) this.bytes -= ticket.size ?? 0;
		if (this.options.batchAcross && this.options.maxBatch > 1) {
			while (this.ready.size > 0 && !this.atCapacity()) {
				const lines = [...this.ready].filter(([, line]) => !line.running && line.pending.length > 0);
				this.ready.clear();
				// What does not fit waits in `ready` for the next free execution.
				if (lines.length > 0) this.start(lines);
			}
			return;
		}
		for (const [lineId, line] of this.ready) {
			if (this.atCapacity()) break;
			this.ready.delete(lineId);
			this.schedule(lineId, line);
		}
	}

	/** All slots taken. Overdue runs give theirs up here: no delivery of their own may come to notice. */
	private atCapacity(): boolean {
		const limit = Math.max(1, this.options.maxRunning);
		if (this.running.size < limit) return false;
		for (const batch of [...this.running]) this.expireIfOverdue(batch);
		return this.running.size >= limit;
	}

	/**
	 * Starts one execution for these lines, in this order: from each, the deliveries whose time has
	 * come, in source order (a later one may still wait for a straggler), up to maxBatch in all. A
	 * line whose turn it was but that got no room goes back to the ready lines.
	 */
	private start(lines: Array<[string, Line]>): void {
		const now = this.now();
		const tickets: Ticket[] = [];
		const taken: Batch['lines'] = [];
		for (const [lineId, line] of lines) {
			const room = this.options.maxBatch - tickets.length;
			if (room <= 0) {
				this.ready.set(lineId, line);
				continue;
			}
			let count = 1;
			while (count < Math.min(line.pending.length, room) && line.pending[count].readyAt <= now) count++;
			tickets.push(...line.pending.splice(0, count));
			taken.push({ line, lineId });
		}
		const batch: Batch = { tickets, startedAt: this.now(), ended: false, expired: false, lines: taken };
		for (const ticket of tickets) ticket.relay.batch = batch;
		for (const { line } of taken) line.running = batch;
		this.running.add(batch);

		const { outcome, settle } = deferred();
		const finish = (ok: boolean): void => {
			if (batch.ended) return;
			batch.ended = true;
			if (!ok) this.keys.ranWithoutSuccess(tickets, this.now(), this.options.rememberMax);
			if (ok) for (const ticket of tickets) this.readBacks.filled(ticket.conversation, [ticket.key, ...(ticket.alsoKeys ?? [])]);
			for (const ticket of tickets) {
				this.settleKeys(ticket, ok);
				if (!ok) this.holdBack.relayFailed(ticket.key, this.now());
				ticket.relay.settle(ok ? 'done' : 'failed');
			}
			settle(ok ? 'done' : 'failed');
			if (!ok) this.afterFailure(batch);
			// Its conversations line up first, so the free execution goes to whoever waited longest among all.
			this.release(batch);
			if (!batch.expired) this.leave(batch);
		};
		// Followers learn the batch's end, or that it is overdue.
		batch.tickets.forEach((ticket, index) => {
			if (index > 0) void ticket.relay.outcome.then(settle);
		});

		const [lead, ...followers] = tickets;
		const items = tickets.flatMap((ticket) => (ticket.maybeRelayed ? flagMaybeRelayed(ticket.items) : ticket.items));
		lead.assign({ kind: 'lead', items, finish });
		for (const follower of followers) follower.assign({ kind: 'follow', outcome });
	}

	/**
	 * A run whose end has not been seen for maxRunMs (n8n never answered it) must not hold its
	 * conversation: the line goes on, and copies of its deliveries are asked to retry later until
	 * the real end is seen. Relaying them again could duplicate what most likely arrived.
	 */
	private expireIfOverdue(batch: Batch): void {
		if (batch.ended || batch.expired || this.now() - batch.startedAt <= this.runLimit(batch)) return;
		batch.expired = true;
		this.keys.ranWithoutSuccess(batch.tickets, this.now(), this.options.rememberMax);
		for (const ticket of batch.tickets) {
			ticket.relay.stale = true;
			ticket.relay.settle('unknown');
		}
		this.release(batch);
		this.leave(batch);
	}

	/**
	 * A relay failed: the platform may give up on it, so its conversations read back with their next
	 * delivery. Reading back, the deliveries waiting behind it go back to the platform as well —
	 * relayed now, they would move the conversation's mark past what the read-back must find.
	 */
	private afterFailure(batch: Batch): void {
		if (!this.options.keepOrder) return;
		for (const { line, lineId } of batch.lines) {
			const keys = batch.tickets.filter((ticket) => ticket.conversation === lineId).flatMap((ticket) => [ticket.key, ...(ticket.alsoKeys ?? [])]);
			if (this.options.readsBack) for (const ticket of line.pending.splice(0)) keys.push(...this.giveBack(ticket));
			this.readBacks.forget(lineId, keys);
		}
	}

	private settleKeys(ticket: Ticket, relayed: boolean): void {
		this.keys.settle(ticket, relayed && this.options.dropDuplicates, this.now(), this.options.rememberMax);
	}

	/** The batch's conversations go on with their next deliveries. */
	private release(batch: Batch): void {
		for (const { line, lineId } of batch.lines) {
			if (line.running !== batch) continue;
			line.running = undefined;
			this.schedule(lineId, line);
		}
	}

	/**
	 * Someone waits for this run: notice when it is overdue even if nothing else arrives. A run n8n
	 * never answers would otherwise hold the deliveries queued behind it (and their retries) for ever.
	 */
	private watch(batch: Batch): void {
		if (batch.watched || batch.ended || batch.expired) return;
		batch.watched = true;
		const wait = batch.startedAt + this.runLimit(batch) - this.now() + 1;
		void this.sleep(Math.max(1, wait)).then(() => this.expireIfOverdue(batch));
	}

	/** A batch runs its items one after the other: each may wait out a rate limit. */
	private runLimit(batch: Batch): number {
		return this.options.maxRunMs + (batch.tickets.length - 1) * RUN_MS_PER_EXTRA_ITEM;
	}
}
