import type { Batch, DeliveryTicketInput, Relay, Ticket, Turn } from './deliveryTurn';
import { RelayedKeys } from './relayedKeys';

/** A delivery sent before this long after the sequencer started may repeat a relay of the process before it. */
const RESTART_SLACK_MS = 5 * 1000;

/**
 * The sequencer's record of delivery keys (sequencer.ts): those waiting or relaying now, and those
 * relayed within the retry horizon — what "drop duplicates" answers from.
 */
export class DeliveryKeys {
	/** Keys waiting or relaying now. */
	private readonly inFlight = new Map<string, Relay>();
	/** Keys relayed successfully, within the retry horizon. */
	private readonly done = new RelayedKeys();
	/** Keys whose relay ran and failed or was never answered: it may have reached the destination. */
	private readonly tried = new RelayedKeys();

	/** Whether the key is relaying or has relayed (within the retry horizon). */
	seen(key: string): boolean {
		return this.done.has(key) || this.inFlight.has(key);
	}

	/**
	 * Whether this delivery may have been relayed before (event.ts, `message.maybeRelayed`): a retry
	 * of a relay that failed or was never answered, a delivery sent before this process's sequencer
	 * started (a crash between the destination's write and the answer), or messages read back after
	 * an outage (one may have been relayed just before its mark was written).
	 */
	maybeRelayed(input: DeliveryTicketInput, startedAt: number): boolean {
		if (this.tried.has(input.key) || (input.alsoKeys ?? []).length > 0) return true;
		return input.sentAt !== undefined && input.sentAt < startedAt + RESTART_SLACK_MS;
	}

	/** A run carrying these tickets failed or went overdue. */
	ranWithoutSuccess(tickets: Ticket[], at: number, max: number): void {
		for (const ticket of tickets) {
			for (const key of [ticket.key, ...(ticket.alsoKeys ?? [])]) this.tried.remember(key, at, max);
		}
	}

	/**
	 * A copy of a delivery seen before: duplicate (relayed, or its first copy just succeeded), busy
	 * (a run whose end was not seen in time), or undefined when it is to be relayed (new, or the
	 * first copy failed). While the first copy relays, its outcome decides; `expire` lets an overdue
	 * run settle as 'unknown' first.
	 */
	async copyOf(key: string, now: () => number, rememberMs: number, expire: (batch: Batch) => void): Promise<Turn | undefined> {
		for (;;) {
			this.forgetBefore(now() - rememberMs, now() - 2 * rememberMs);
			if (this.done.has(key)) return { kind: 'duplicate' };
			const relay = this.inFlight.get(key);
			if (!relay) return undefined;
			if (relay.batch) expire(relay.batch);
			if (relay.stale) return { kind: 'busy' };
			if ((await relay.outcome) === 'done') return { kind: 'duplicate' };
		}
	}

	/** Registered before the relay starts, so a simultaneous copy waits for this one. */
	register(input: DeliveryTicketInput, relay: Relay): void {
		for (const key of [input.key, ...(input.alsoKeys ?? [])]) this.inFlight.set(key, relay);
	}

	/** A ticket's keys are no longer in flight; relayed, they are remembered to drop retries. */
	settle(ticket: Ticket, relayed: boolean, at: number, max: number): void {
		for (const key of [ticket.key, ...(ticket.alsoKeys ?? [])]) {
			if (this.inFlight.get(key) === ticket.relay) this.inFlight.delete(key);
			if (relayed) this.done.remember(key, at, max);
		}
	}

	/**
	 * Forgets what was relayed before `horizon`, and relays whose end was never seen that started
	 * before it. Runs without a known success are kept until `triedHorizon`: copies of a run never
	 * answered are asked to retry later until `horizon`, and one relayed after it is still flagged.
	 */
	forgetBefore(horizon: number, triedHorizon: number): void {
		this.done.forgetBefore(horizon);
		this.tried.forgetBefore(triedHorizon);
		for (const [key, relay] of this.inFlight) {
			if (relay.stale && relay.batch && relay.batch.startedAt < horizon) this.inFlight.delete(key);
		}
	}
}
