import { sleep } from 'n8n-workflow';

import type { SequencerOptions } from './deliveryOptions';
import { DeliveryKeys } from './deliveryKeys';
import type { Batch, DeliveryTicketInput, Line, Relay, Ticket, Turn } from './deliveryTurn';
import { deferred, runLimit } from './deliveryTurn';
import { HoldBack } from './holdBack';
import { ReadBacks } from './readBacks';
import { flagMaybeRelayed } from './sourceKeys';

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
	/** What each conversation may have missed, and its read-backs (readBacks.ts; used by catch-up). */
	readonly readBacks = new ReadBacks(() => this.now());

	/** When this process's sequencer started: what was sent before, an earlier process may have relayed. */
	private readonly startedAt: number;

	constructor(public options: SequencerOptions) {
		this.startedAt = this.now();
	}

	private readonly now = (): number => (this.options.now ? this.options.now() : Date.now());

	private async sleep(ms: number): Promise<void> {
		return await (this.options.sleep ?? sleep)(ms);
	}

	/** Deliveries waiting or relaying (those waiting for a read-back included). */
	get backlog(): number {
		let count = this.readBacks.waiting;
		for (const line of this.lines.values()) count += line.pending.length + (line.running?.tickets.length ?? 0);
		return count;
	}

	/** Too much is waiting: a new delivery should be pushed back to the platform's retry. */
	get full(): boolean {
		return this.backlog >= this.options.maxBacklog || this.bytes >= this.options.maxBacklogBytes;
	}

	/** Whether the key is relaying or has relayed (within the retry horizon). */
	seen(key: string): boolean {
		return this.keys.seen(key);
	}

	/**
	 * A delivery of this conversation is pushed back before it was admitted. Reading back, the
	 * deliveries waiting that were sent after it go back too: relayed now, they would move the
	 * conversation's mark past it, and the read-back that brings it would put it after them.
	 */
	pushBack(input: DeliveryTicketInput): void {
		const line = this.options.keepOrder ? this.lines.get(input.conversation) : undefined;
		const later = line ? this.giveBack(input.conversation, line, (ticket) => ticket.order > input.order) : [];
		this.readBacks.forget(input.conversation, [input.key, ...(input.alsoKeys ?? []), ...later]);
	}

	/**
	 * Reading back, the waiting tickets of this line that `goBack` picks go back to the platform (503):
	 * relayed now, they would move the conversation's mark past what the read-back must find. Their keys.
	 */
	private giveBack(lineId: string, line: Line, goBack: (ticket: Ticket) => boolean): string[] {
		if (!this.options.readsBack) return [];
		const given = line.pending.filter(goBack);
		line.pending = line.pending.filter((ticket) => !goBack(ticket));
		for (const ticket of given) {
			this.bytes -= ticket.size ?? 0;
			this.settleKeys(ticket, false);
			ticket.relay.settle('failed');
			ticket.assign({ kind: 'busy' });
		}
		if (given.length > 0 && line.pending.length === 0 && !line.running) this.schedule(lineId, line);
		return given.flatMap((ticket) => [ticket.key, ...(ticket.alsoKeys ?? [])]);
	}

	async admit(input: DeliveryTicketInput): Promise<Turn> {
		if (this.options.dropDuplicates) {
			const copy = await this.keys.copyOf(input.key, this.now, this.options.rememberMs, (batch) => this.expireIfOverdue(batch));
			if (copy) return copy;
		}

		const { outcome, settle } = deferred();
		const relay: Relay = { outcome, settle, stale: false };
		if (this.options.dropDuplicates) this.keys.register(input, relay);

		let assign: (turn: Turn) => void = () => {};
		const turn = new Promise<Turn>((resolve) => (assign = resolve));
		const arrivedAt = this.now();
		const ticket: Ticket = { ...input, maybeRelayed: this.keys.maybeRelayed(input, this.startedAt), arrival: this.arrivals++, arrivedAt, readyAt: this.holdBack.readyTime(input, arrivedAt, this.options), relay, assign };
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
		if (batch.ended || batch.expired || this.now() - batch.startedAt <= runLimit(batch, this.options.maxRunMs)) return;
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
	 * delivery, and the deliveries waiting behind it go back to the platform as well.
	 */
	private afterFailure(batch: Batch): void {
		if (!this.options.keepOrder) return;
		for (const { line, lineId } of batch.lines) {
			const failed = batch.tickets.filter((ticket) => ticket.conversation === lineId).flatMap((ticket) => [ticket.key, ...(ticket.alsoKeys ?? [])]);
			this.readBacks.forget(lineId, [...failed, ...this.giveBack(lineId, line, () => true)]);
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
		const wait = batch.startedAt + runLimit(batch, this.options.maxRunMs) - this.now() + 1;
		void this.sleep(Math.max(1, wait)).then(() => this.expireIfOverdue(batch));
	}
}
