import type { DeliveryTicketInput, Relay, Ticket } from './deliveryTurn';
import { RelayedKeys } from './relayedKeys';

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

	relayed(key: string): boolean {
		return this.done.has(key);
	}

	/** Whether a relay of this key ran without a known success (within the retry horizon). */
	triedBefore(key: string): boolean {
		return this.tried.has(key);
	}

	/** A run carrying these tickets failed or went overdue. */
	ranWithoutSuccess(tickets: Ticket[], at: number, max: number): void {
		for (const ticket of tickets) {
			for (const key of [ticket.key, ...(ticket.alsoKeys ?? [])]) this.tried.remember(key, at, max);
		}
	}

	relayOf(key: string): Relay | undefined {
		return this.inFlight.get(key);
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
