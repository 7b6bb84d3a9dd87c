/**
 * The keys of deliveries relayed successfully, so the sequencer drops the platform's retries of
 * them: kept for the retry horizon, at most a given number, oldest forgotten first (Map order is
 * insertion order, and a key remembered again moves to the end).
 */
export class RelayedKeys {
	/** Key → when it was relayed. */
	private readonly relayedAt = new Map<string, number>();

	has(key: string): boolean {
		return this.relayedAt.has(key);
	}

	remember(key: string, at: number, max: number): void {
		this.relayedAt.delete(key);
		this.relayedAt.set(key, at);
		while (this.relayedAt.size > max) {
			const oldest = this.relayedAt.keys().next().value as string;
			this.relayedAt.delete(oldest);
		}
	}

	/** Forgets the keys relayed before `horizon`. */
	forgetBefore(horizon: number): void {
		for (const [key, at] of this.relayedAt) {
			if (at >= horizon) break;
			this.relayedAt.delete(key);
		}
	}
}
