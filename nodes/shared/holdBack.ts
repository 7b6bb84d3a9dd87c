import type { SequencerOptions } from './deliveryOptions';
import type { DeliveryTicketInput } from './deliveryTurn';

/** How far back the delivery lag is looked at. */
const LAG_WINDOW_MS = 20 * 1000;
const LAG_SAMPLES_MAX = 256;
/** Copies of failed relays, whose lag is the platform's retry delay, not the way's. */
const FAILED_KEYS_MAX = 1000;

/**
 * The sequencer's hold-back: how long a delivery waits for stragglers of its conversation. It
 * follows the way's delay: a busy n8n can take a second or more to hand over a request, and not in
 * the order they came, so a delivery waits until every delivery sent before it would have arrived
 * with the longest delay seen lately (capped at `maxLagHoldMs`), plus `holdBackMs`.
 */
export class HoldBack {
	/** Recent deliveries' delay (arrival − sent, in ms; the clocks' offset included), oldest first. */
	private readonly lags: Array<{ at: number; lag: number }> = [];
	private readonly failedKeys = new Map<string, number>();

	/**
	 * When a delivery may start: once the deliveries sent before it would have arrived with the
	 * longest recent delay. The clocks' offset cancels out: it is in every delay alike.
	 */
	readyTime(
		input: DeliveryTicketInput,
		arrivedAt: number,
		options: Pick<SequencerOptions, 'holdBackMs' | 'maxLagHoldMs'>,
	): number {
		let wait = 0;
		if (input.sentAt !== undefined && Number.isFinite(input.sentAt)) {
			if (!this.failedKeys.has(input.key)) this.recordLag(arrivedAt, arrivedAt - input.sentAt);
			const longest = Math.max(...this.lags.map((sample) => sample.lag));
			wait = Math.min(Math.max(input.sentAt + longest - arrivedAt, 0), options.maxLagHoldMs);
		}
		return arrivedAt + wait + options.holdBackMs;
	}

	/** The relay of `key` failed: the platform's retries of it say nothing about the way's delay. */
	relayFailed(key: string, at: number): void {
		this.failedKeys.delete(key);
		this.failedKeys.set(key, at);
		if (this.failedKeys.size > FAILED_KEYS_MAX) this.failedKeys.delete(this.failedKeys.keys().next().value as string);
	}

	private recordLag(at: number, lag: number): void {
		this.lags.push({ at, lag });
		while (this.lags.length > LAG_SAMPLES_MAX || (this.lags.length > 1 && this.lags[0].at < at - LAG_WINDOW_MS)) {
			this.lags.shift();
		}
	}
}
