/**
 * Which conversations a trigger's process has read back from the platform since it started
 * (catchUp.ts), and the reads under way. In process memory: a process that restarts has read
 * nothing back, which is exactly what makes its first delivery of each conversation catch up.
 */

const KNOWN_CONVERSATIONS_MAX = 10_000;
const GAPS_PER_CONVERSATION_MAX = 1_000;

export class ReadBacks {
	/** Conversations read back since this process started, and none of whose deliveries was pushed back. */
	private readonly known = new Map<string, true>();
	/** Conversations being read back now: later deliveries of theirs wait for it. */
	private readonly reading = new Map<string, Promise<void>>();
	/** Conversations read back since this process started, and when first (not forgotten by a push-back). */
	private readonly firstRead = new Map<string, number>();
	/**
	 * Per conversation, the keys of deliveries pushed back (or whose relay failed) and not relayed
	 * since: the platform may give up on them, and a later relay may have moved the mark past them,
	 * so a read-back brings them wherever they are, and the mark does not count them as relayed.
	 */
	private readonly gaps = new Map<string, Set<string>>();
	/** Deliveries waiting for a read-back, not yet admitted (they count as waiting). */
	waiting = 0;

	constructor(private readonly now: () => number = Date.now) {}

	/**
	 * Whether deliveries of this conversation may have been lost without this process noticing: it
	 * read none back since it started (a restart, an outage), or pushed one back to the platform.
	 * While one delivery reads the conversation back, the others wait for it: it goes first.
	 */
	mayHaveMissed(conversation: string): boolean {
		return !this.known.has(conversation) || this.reading.has(conversation);
	}

	/** The conversation may miss deliveries: these `keys` (if given) were pushed back or failed. */
	forget(conversation: string, keys: string[] = []): void {
		this.known.delete(conversation);
		// Before its first read-back this process relayed nothing of it: the mark says it all.
		if (keys.length === 0 || !this.firstRead.has(conversation)) return;
		const gaps = this.gaps.get(conversation) ?? new Set<string>();
		this.gaps.delete(conversation);
		this.gaps.set(conversation, gaps);
		for (const key of keys) if (gaps.size < GAPS_PER_CONVERSATION_MAX) gaps.add(key);
		if (this.gaps.size > KNOWN_CONVERSATIONS_MAX) this.gaps.delete(this.gaps.keys().next().value as string);
	}

	/** These keys were relayed: no longer gaps. */
	filled(conversation: string, keys: string[]): void {
		const gaps = this.gaps.get(conversation);
		if (!gaps) return;
		for (const key of keys) gaps.delete(key);
		if (gaps.size === 0) this.gaps.delete(conversation);
	}

	gapsOf(conversation: string): ReadonlySet<string> {
		return this.gaps.get(conversation) ?? new Set<string>();
	}

	/**
	 * Whether the platform's mark says all about an event sent at `sentAt`: yes unless this process
	 * read the conversation back before it was sent — then this process relayed whatever came since,
	 * and its own memory, not the mark (which a later relay may have moved past it), says what it relayed.
	 */
	markSaysAll(conversation: string, sentAt: number | undefined): boolean {
		const first = this.firstRead.get(conversation);
		return first === undefined || sentAt === undefined || sentAt < first;
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
		if (!this.firstRead.has(conversation)) this.firstRead.set(conversation, this.now());
		if (this.firstRead.size > KNOWN_CONVERSATIONS_MAX) this.firstRead.delete(this.firstRead.keys().next().value as string);
		// Bounded: the oldest conversation forgotten costs one more read-back, nothing else.
		if (this.known.size > KNOWN_CONVERSATIONS_MAX) this.known.delete(this.known.keys().next().value as string);
	}
}
