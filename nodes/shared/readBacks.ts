/**
 * Which conversations a trigger's process has read back from the platform since it started
 * (catchUp.ts), and the reads under way. In process memory: a process that restarts has read
 * nothing back, which is exactly what makes its first delivery of each conversation catch up.
 */

const KNOWN_CONVERSATIONS_MAX = 10_000;

export class ReadBacks {
	/** Conversations read back since this process started, and none of whose deliveries was pushed back. */
	private readonly known = new Map<string, true>();
	/** Conversations being read back now: later deliveries of theirs wait for it. */
	private readonly reading = new Map<string, Promise<void>>();
	/** Deliveries waiting for a read-back, not yet admitted (they count as waiting). */
	waiting = 0;

	/**
	 * Whether deliveries of this conversation may have been lost without this process noticing: it
	 * read none back since it started (a restart, an outage), or pushed one back to the platform.
	 * While one delivery reads the conversation back, the others wait for it: it goes first.
	 */
	mayHaveMissed(conversation: string): boolean {
		return !this.known.has(conversation) || this.reading.has(conversation);
	}

	forget(conversation: string): void {
		this.known.delete(conversation);
	}

	/** One read at a time per conversation; `read` must admit what it found before it resolves. */
	async once(conversation: string, read: () => Promise<void>): Promise<void> {
		this.waiting++;
		try {
			const running = this.reading.get(conversation);
			if (running) return await running;
			this.learn(conversation);
			const started = read().finally(() => this.reading.delete(conversation));
			this.reading.set(conversation, started);
			return await started;
		} finally {
			this.waiting--;
		}
	}

	private learn(conversation: string): void {
		this.known.delete(conversation);
		this.known.set(conversation, true);
		// Bounded: the oldest conversation forgotten costs one more read-back, nothing else.
		if (this.known.size > KNOWN_CONVERSATIONS_MAX) this.known.delete(this.known.keys().next().value as string);
	}
}
