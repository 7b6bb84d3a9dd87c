import type { SequencerOptions, Turn } from '../../../nodes/shared/sequencer';
import { DeliverySequencer } from '../../../nodes/shared/sequencer';
import { deliveryOptions } from '../../../nodes/shared/deliveryOptions';

const OPTIONS: SequencerOptions = {
	holdBackMs: 0,
	maxLagHoldMs: 5_000,
	maxBatch: 20,
	dropDuplicates: true,
	keepOrder: true,
	rememberMs: 60_000,
	rememberMax: 100,
	maxRunMs: 60_000,
	maxBacklog: 1000,
	maxBacklogBytes: 1_000_000,
	maxRunning: 100,
	// The sequencer's timers (hold-back, overdue runs) must not keep Jest waiting after the last test.
	sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
};

const tick = () => new Promise((resolve) => setImmediate(resolve));

function delivery(key: string, order: number, conversation = 'c1') {
	return { key, conversation, order, items: [{ json: { key } }] };
}

/** Admits deliveries and records, per key, the turn it got. */
function recorder(sequencer: DeliverySequencer) {
	const turns = new Map<string, Turn>();
	const admit = (key: string, order: number, conversation = 'c1') =>
		sequencer.admit(delivery(key, order, conversation)).then((turn) => {
			turns.set(key, turn);
			return turn;
		});
	const lead = (key: string) => {
		const turn = turns.get(key);
		if (turn?.kind !== 'lead') throw new Error(`${key} is not leading (${turn?.kind})`);
		return turn;
	};
	const keysOf = (turn: Turn) => (turn.kind === 'lead' ? turn.items.map((item) => item.json.key) : []);
	return { turns, admit, lead, keysOf };
}

describe('DeliverySequencer', () => {
	it('runs one conversation one relay at a time; what queued meanwhile starts together, in source order', async () => {
		const { turns, admit, lead, keysOf } = recorder(new DeliverySequencer({ ...OPTIONS }));
		void admit('m1', 1);
		await tick();
		expect(turns.get('m1')?.kind).toBe('lead');
		// m4, m2, m3 arrive while m1 relays, out of order.
		void admit('m4', 4);
		void admit('m2', 2);
		void admit('m3', 3);
		await tick();
		expect(turns.size).toBe(1);
		lead('m1').finish(true);
		await tick();
		expect(keysOf(lead('m2'))).toEqual(['m2', 'm3', 'm4']);
		expect(turns.get('m3')?.kind).toBe('follow');
		expect(turns.get('m4')?.kind).toBe('follow');
	});

	it('lets other conversations run side by side', async () => {
		const { turns, admit } = recorder(new DeliverySequencer({ ...OPTIONS }));
		void admit('a1', 1, 'a');
		void admit('b1', 1, 'b');
		await tick();
		expect([turns.get('a1')?.kind, turns.get('b1')?.kind]).toEqual(['lead', 'lead']);
	});

	it('holds a delivery back so a straggler sent before it goes first', async () => {
		const { turns, admit, keysOf } = recorder(new DeliverySequencer({ ...OPTIONS, holdBackMs: 80 }));
		void admit('late', 2);
		await new Promise((resolve) => setTimeout(resolve, 20));
		void admit('early', 1);
		await tick();
		expect(turns.size).toBe(0);
		await new Promise((resolve) => setTimeout(resolve, 120));
		const first = turns.get('early');
		expect(first?.kind).toBe('lead');
		expect(keysOf(first!)).toEqual(['early', 'late']);
	});

	describe('when deliveries take long to arrive (a saturated n8n)', () => {
		const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
		const sent = (key: string, sentAt: number, conversation = 'c1') => ({ ...delivery(key, sentAt, conversation), sentAt });

		/** Message 1 sent 10 ms before message 2 but handed over 300 ms after it; the way lately took `lagMs`. */
		async function straggler(lagMs: number) {
			const sequencer = new DeliverySequencer({ ...OPTIONS, holdBackMs: 50 });
			const leads: string[] = [];
			const admit = (input: ReturnType<typeof sent>) =>
				sequencer.admit(input).then((turn) => {
					if (turn.kind !== 'lead') return;
					leads.push(...turn.items.map((item) => String(item.json.key)));
					turn.finish(true);
				});
			const t = Date.now();
			if (lagMs > 0) await admit(sent('other conversation', t - lagMs, 'c0'));
			const second = admit(sent('m2', t));
			await wait(300);
			const first = admit(sent('m1', t - 10));
			await Promise.all([first, second]);
			return leads.filter((key) => key !== 'other conversation');
		}

		it('waits for the delay seen lately: a message handed over late still goes first', async () => {
			expect(await straggler(400)).toEqual(['m1', 'm2']);
		});

		it('without such a delay it waits only Hold Back (Ms), which a late hand-over misses', async () => {
			expect(await straggler(0)).toEqual(['m2', 'm1']);
		});

		it('never waits more than the cap for a delay', async () => {
			const sequencer = new DeliverySequencer({ ...OPTIONS, maxLagHoldMs: 100 });
			const t = Date.now();
			await sequencer.admit(sent('old', t - 60_000, 'c0'));
			const started = Date.now();
			expect((await sequencer.admit(sent('m1', t))).kind).toBe('lead');
			expect(Date.now() - started).toBeLessThan(1_000);
		});

		it("a platform's retry of a failed relay does not count as the way's delay", async () => {
			const sequencer = new DeliverySequencer({ ...OPTIONS, maxLagHoldMs: 5_000 });
			const t = Date.now();
			const first = await sequencer.admit(sent('m1', t));
			if (first.kind !== 'lead') throw new Error('expected lead');
			first.finish(false);
			// The retry comes 3 s after the message was sent; it is relayed at once, and so is the next message.
			expect((await sequencer.admit(sent('m1', t - 3_000))).kind).toBe('lead');
			const started = Date.now();
			const next = await sequencer.admit(sent('m2', Date.now(), 'c2'));
			expect(next.kind).toBe('lead');
			expect(Date.now() - started).toBeLessThan(1_000);
		});
	});

	it('caps a batch at Max Deliveries Per Execution', async () => {
		const { admit, lead, keysOf } = recorder(new DeliverySequencer({ ...OPTIONS, maxBatch: 2 }));
		void admit('m1', 1);
		await tick();
		for (const [key, order] of [['m2', 2], ['m3', 3], ['m4', 4]] as const) void admit(key, order);
		await tick();
		lead('m1').finish(true);
		await tick();
		expect(keysOf(lead('m2'))).toEqual(['m2', 'm3']);
		lead('m2').finish(true);
		await tick();
		expect(keysOf(lead('m4'))).toEqual(['m4']);
	});

	it('a copy that arrives while the first relays waits for it, and is dropped when it succeeded', async () => {
		const { turns, admit, lead } = recorder(new DeliverySequencer({ ...OPTIONS }));
		void admit('m1', 1);
		await tick();
		const copy = admit('m1', 1);
		await tick();
		expect(turns.get('m1')?.kind).toBe('lead');
		lead('m1').finish(true);
		expect((await copy).kind).toBe('duplicate');
		// A retry after the relay ended is dropped too.
		expect((await admit('m1', 1)).kind).toBe('duplicate');
	});

	it('a copy of a failed relay takes it over: the message is relayed again, not lost', async () => {
		const sequencer = new DeliverySequencer({ ...OPTIONS });
		const first = await sequencer.admit(delivery('m1', 1));
		const copy = sequencer.admit(delivery('m1', 1));
		await tick();
		if (first.kind !== 'lead') throw new Error('expected lead');
		first.finish(false);
		const retried = await copy;
		expect(retried.kind).toBe('lead');
	});

	it('followers learn their batch outcome; a failed batch is remembered for none of its deliveries', async () => {
		const { turns, admit, lead } = recorder(new DeliverySequencer({ ...OPTIONS }));
		void admit('m1', 1);
		await tick();
		void admit('m2', 2);
		void admit('m3', 3);
		await tick();
		lead('m1').finish(true);
		await tick();
		const follower = turns.get('m3');
		if (follower?.kind !== 'follow') throw new Error('expected follow');
		lead('m2').finish(false);
		expect(await follower.outcome).toBe('failed');
		expect((await admit('m3', 3)).kind).toBe('lead');
	});

	it('a failed relay: its conversation may have missed it; reading back, the deliveries waiting behind it are pushed back too', async () => {
		for (const readsBack of [false, true]) {
			const sequencer = new DeliverySequencer({ ...OPTIONS, readsBack });
			const { turns, admit, lead, keysOf } = recorder(sequencer);
			await sequencer.readBacks.once('c1', async () => undefined); // read back: nothing missed
			expect(sequencer.readBacks.mayHaveMissed('c1')).toBe(false);
			void admit('m1', 1);
			void admit('x1', 1, 'c2');
			await tick();
			void admit('m2', 2);
			await tick();
			lead('m1').finish(false);
			await tick();
			expect(sequencer.readBacks.mayHaveMissed('c1')).toBe(true);
			if (readsBack) {
				// Relayed now, m2 would pass m1, which the platform may give up on; its retry reads back.
				expect(turns.get('m2')?.kind).toBe('busy');
				expect(sequencer.backlog).toBe(1); // x1 only
				expect((await admit('m2', 2)).kind).toBe('lead'); // m2's retry is admitted afresh
			} else {
				expect(keysOf(lead('m2'))).toEqual(['m2']);
			}
			expect(turns.get('x1')?.kind).toBe('lead'); // another conversation is not touched
		}
	});

	it('without Drop Duplicates every copy relays; without Keep Order nothing waits', async () => {
		const plain = recorder(new DeliverySequencer({ ...OPTIONS, dropDuplicates: false, keepOrder: false }));
		void plain.admit('m1', 1);
		void plain.admit('m1', 1);
		void plain.admit('m2', 2);
		await tick();
		expect(plain.turns.get('m1')?.kind).toBe('lead');
		expect(plain.turns.get('m2')?.kind).toBe('lead');
	});

	it('forgets completed keys after the retry horizon and beyond the cap', async () => {
		let now = 1_000;
		const sequencer = new DeliverySequencer({ ...OPTIONS, rememberMs: 100, rememberMax: 2, now: () => now });
		for (const key of ['a', 'b', 'c']) {
			const turn = await sequencer.admit(delivery(key, 1, key));
			if (turn.kind === 'lead') turn.finish(true);
		}
		expect((await sequencer.admit(delivery('c', 1, 'c'))).kind).toBe('duplicate');
		expect((await sequencer.admit(delivery('a', 1, 'a'))).kind).toBe('lead'); // beyond the cap
		now += 500;
		expect((await sequencer.admit(delivery('c', 1, 'c'))).kind).toBe('lead'); // beyond the horizon
	});

	it('a copy of a relay whose end was never seen is asked to retry later, then dropped once the end is seen', async () => {
		let now = 0;
		const sequencer = new DeliverySequencer({ ...OPTIONS, maxRunMs: 1_000, now: () => now });
		const first = await sequencer.admit(delivery('m1', 1));
		if (first.kind !== 'lead') throw new Error('expected lead');
		const early = sequencer.admit(delivery('m1', 1));
		now = 2_000;
		// The next copy finds the run overdue: it and the copy that was waiting are told to retry later.
		expect((await sequencer.admit(delivery('m1', 1))).kind).toBe('busy');
		expect((await early).kind).toBe('busy');
		// n8n answers at last: done, so later copies are duplicates.
		first.finish(true);
		expect((await sequencer.admit(delivery('m1', 1))).kind).toBe('duplicate');
	});

	it('is full once Max Backlog deliveries wait or relay', async () => {
		const sequencer = new DeliverySequencer({ ...OPTIONS, maxBacklog: 2 });
		void sequencer.admit(delivery('m1', 1));
		expect(sequencer.full).toBe(false);
		void sequencer.admit(delivery('m2', 2));
		await tick();
		expect(sequencer.full).toBe(true);
	});

	it('counts deliveries waiting for a read-back of their conversation: a flood of cold conversations is pushed back too', async () => {
		const sequencer = new DeliverySequencer({ ...OPTIONS, maxBacklog: 2 });
		let endRead: () => void = () => {};
		const reading = new Promise<void>((resolve) => (endRead = resolve));
		void sequencer.readBacks.once('a', async () => await reading);
		void sequencer.readBacks.once('b', async () => await reading);
		await tick();
		expect(sequencer.full).toBe(true);
		endRead();
		await tick();
		expect(sequencer.full).toBe(false);
	});

	it('is full once the waiting deliveries hold Max Backlog Bytes', async () => {
		const sequencer = new DeliverySequencer({ ...OPTIONS, maxBacklogBytes: 1_000 });
		const turn = sequencer.admit({ ...delivery('m1', 1), size: 1_200 });
		await tick();
		expect(sequencer.full).toBe(true);
		const first = await turn;
		if (first.kind !== 'lead') throw new Error('expected lead');
		first.finish(true);
		expect(sequencer.full).toBe(false);
	});

	it('runs at most Max Executions At Once; other conversations wait their turn, longest-waiting first', async () => {
		const { turns, admit, lead } = recorder(new DeliverySequencer({ ...OPTIONS, maxRunning: 2 }));
		void admit('a1', 1, 'a');
		void admit('b1', 1, 'b');
		await tick();
		void admit('c1', 1, 'c');
		await tick();
		void admit('d1', 1, 'd');
		await tick();
		expect([...turns.keys()]).toEqual(['a1', 'b1']);
		// A new delivery of a running conversation queues in its line, behind c and d.
		void admit('a2', 2, 'a');
		lead('a1').finish(true);
		await tick();
		expect([...turns.keys()]).toEqual(['a1', 'b1', 'c1']);
		lead('b1').finish(false);
		await tick();
		expect([...turns.keys()]).toEqual(['a1', 'b1', 'c1', 'd1']);
		lead('c1').finish(true);
		await tick();
		expect(turns.has('a2')).toBe(true);
	});

	it('batching across conversations: what waits for a free execution starts together, each conversation in order, up to Max Deliveries Per Execution', async () => {
		const { turns, admit, lead, keysOf } = recorder(new DeliverySequencer({ ...OPTIONS, maxRunning: 1, maxBatch: 4, batchAcross: true }));
		void admit('a1', 1, 'a');
		await tick();
		// b waits longest, then c, d, e; b2 arrives before b1 (out of order).
		void admit('b2', 2, 'b');
		void admit('b1', 1, 'b');
		await tick();
		void admit('c1', 1, 'c');
		void admit('d1', 1, 'd');
		void admit('e1', 1, 'e');
		await tick();
		expect([...turns.keys()]).toEqual(['a1']);
		lead('a1').finish(true);
		await tick();
		expect(keysOf(lead('b1'))).toEqual(['b1', 'b2', 'c1', 'd1']);
		expect(['b2', 'c1', 'd1'].map((key) => turns.get(key)?.kind)).toEqual(['follow', 'follow', 'follow']);
		// No room left for e: it takes the next free execution. A conversation in a running batch waits for it.
		void admit('c2', 2, 'c');
		await tick();
		expect(turns.has('e1')).toBe(false);
		const outcome = (turns.get('d1') as Extract<Turn, { kind: 'follow' }>).outcome;
		lead('b1').finish(true);
		await expect(outcome).resolves.toBe('done');
		await tick();
		expect(keysOf(lead('e1'))).toEqual(['e1', 'c2']);
		// Copies of what a batch relayed are dropped, whichever conversation they belong to.
		expect((await admit('d1', 1, 'd')).kind).toBe('duplicate');
	});

	it('without batching across conversations each waiting conversation gets an execution of its own', async () => {
		const { turns, admit, lead, keysOf } = recorder(new DeliverySequencer({ ...OPTIONS, maxRunning: 1, maxBatch: 4 }));
		void admit('a1', 1, 'a');
		await tick();
		void admit('b1', 1, 'b');
		void admit('c1', 1, 'c');
		await tick();
		lead('a1').finish(true);
		await tick();
		expect(keysOf(lead('b1'))).toEqual(['b1']);
		expect(turns.has('c1')).toBe(false);
	});

	it('an overdue execution frees its slot for another conversation', async () => {
		let now = 0;
		const { turns, admit } = recorder(new DeliverySequencer({ ...OPTIONS, maxRunning: 1, maxRunMs: 1_000, now: () => now }));
		void admit('a1', 1, 'a');
		await tick();
		void admit('b1', 1, 'b');
		await tick();
		expect(turns.has('b1')).toBe(false);
		now = 2_000;
		// Whatever arrives next notices the overdue run.
		void admit('a2', 2, 'a');
		await tick();
		expect(turns.get('b1')?.kind).toBe('lead');
	});

	it('a run never answered releases its line after Max Run even when nothing else arrives (the deliveries queued behind it go on)', async () => {
		// A clock and timers the test moves by hand: the outcome cannot depend on how busy the machine is.
		let now = 0;
		const timers: Array<{ at: number; fire: () => void }> = [];
		const sleep = (ms: number) => new Promise<void>((resolve) => timers.push({ at: now + ms, fire: resolve }));
		const advance = async (to: number) => {
			now = to;
			const due = timers.filter((t) => t.at <= to);
			timers.splice(0, timers.length, ...timers.filter((t) => t.at > to));
			for (const timer of due) timer.fire();
			for (let i = 0; i < 5; i++) await tick();
		};
		const { turns, admit, lead } = recorder(new DeliverySequencer({ ...OPTIONS, maxBatch: 1, maxRunMs: 50, now: () => now, sleep }));
		void admit('a1', 1);
		await tick();
		void admit('a2', 2);
		await tick();
		expect(turns.has('a2')).toBe(false);
		await advance(40);
		expect(turns.has('a2')).toBe(false);
		// No other delivery, no copy: only the sequencer's own timer can notice the overdue run.
		await advance(60);
		expect(lead('a2').kind).toBe('lead');
		// The stale run's copies are asked to retry later; its real end still counts.
		expect((await admit('a1', 1)).kind).toBe('busy');
	});

	it('a new conversation takes the slot of an overdue execution of another one', async () => {
		let now = 0;
		const { turns, admit } = recorder(new DeliverySequencer({ ...OPTIONS, maxRunning: 1, maxRunMs: 1_000, now: () => now }));
		void admit('a1', 1, 'a');
		await tick();
		now = 2_000;
		void admit('b1', 1, 'b');
		await tick();
		expect(turns.get('b1')?.kind).toBe('lead');
	});

	it('releases a conversation whose relay end was never seen, after Max Run', async () => {
		let now = 0;
		const { turns, admit } = recorder(new DeliverySequencer({ ...OPTIONS, maxRunMs: 1_000, now: () => now }));
		void admit('m1', 1);
		await tick();
		void admit('m2', 2);
		await tick();
		expect(turns.has('m2')).toBe(false);
		now = 2_000;
		void admit('m3', 3);
		await tick();
		expect(turns.get('m2')?.kind).toBe('lead');
	});
});

describe('deliveryOptions', () => {
	it('reads the trigger options, with defaults and bounds', () => {
		expect(deliveryOptions({}, 5_000)).toMatchObject({
			dropDuplicates: true,
			keepOrder: true,
			holdBackMs: 300,
			maxBatch: 1,
			rememberMs: 5_000,
			maxRunning: 16,
			maxBacklog: 100,
		});
		expect(deliveryOptions({ maxWaiting: 500, maxRunning: 4 }, 1)).toMatchObject({ maxBacklog: 500, maxRunning: 4 });
		expect(deliveryOptions({ maxWaiting: 0 }, 1).maxBacklog).toBe(1);
		expect(deliveryOptions({ keepOrder: false, dropDuplicates: false, maxBatch: 0 }, 1)).toMatchObject({
			dropDuplicates: false,
			keepOrder: false,
			holdBackMs: 0,
			maxBatch: 1,
		});
	});
});

describe('DeliverySequencer: what may have been relayed before is flagged, so the destination can be checked', () => {
	const message = (key: string, sentAt?: number) => ({
		key,
		conversation: 'c1',
		order: sentAt ?? 0,
		sentAt,
		items: [{ json: { message: { type: 'text', text: key } as Record<string, unknown> } }],
	});
	const flagOf = (turn: Turn) => (turn.kind === 'lead' ? turn.items.map((item) => (item.json.message as { maybeRelayed?: boolean }).maybeRelayed) : []);

	it('a message sent now is not flagged; one sent before the process started is (a crash before its answer)', async () => {
		let now = 1_000_000;
		const sequencer = new DeliverySequencer({ ...OPTIONS, now: () => now });
		now += 60_000;
		const fresh = await sequencer.admit(message('fresh', now - 50));
		expect(flagOf(fresh)).toEqual([undefined]);
		if (fresh.kind === 'lead') fresh.finish(true);
		const old = await sequencer.admit(message('old', 1_000_000 - 30_000));
		expect(flagOf(old)).toEqual([true]);
	});

	it('a retry of a relay that failed is flagged, and so is a copy after a run never answered', async () => {
		let now = 1_000_000;
		const sequencer = new DeliverySequencer({ ...OPTIONS, now: () => now });
		now += 60_000;
		const first = await sequencer.admit(message('m1', now));
		expect(flagOf(first)).toEqual([undefined]);
		if (first.kind === 'lead') first.finish(false);
		const retry = await sequencer.admit(message('m1', now));
		expect(flagOf(retry)).toEqual([true]);
		if (retry.kind === 'lead') retry.finish(true);

		const unanswered = await sequencer.admit(message('m2', now));
		expect(flagOf(unanswered)).toEqual([undefined]);
		now += OPTIONS.maxRunMs + 1;
		// Overdue: copies are asked to retry later until the horizon, then relayed — flagged.
		expect((await sequencer.admit(message('m2', now))).kind).toBe('busy');
		now += OPTIONS.rememberMs + 1;
		expect(flagOf(await sequencer.admit(message('m2', now)))).toEqual([true]);
	});
});

describe('DeliverySequencer: a delivery pushed back takes the later ones of its conversation with it (reading back)', () => {
	it('the waiting deliveries sent after it go back to the platform too, so the mark cannot pass it', async () => {
		const sequencer = new DeliverySequencer({ ...OPTIONS, readsBack: true });
		const { turns, admit, lead } = recorder(sequencer);
		void admit('m1', 1);
		await tick();
		void admit('m3', 3);
		void admit('m4', 4);
		void admit('b5', 5, 'other');
		await tick();
		// m2 (sent before m3 and m4) is pushed back while m1 relays: m3 and m4 go back with it; the other conversation stays.
		sequencer.pushBack(delivery('m2', 2));
		await tick();
		expect([turns.get('m3')?.kind, turns.get('m4')?.kind]).toEqual(['busy', 'busy']);
		expect(turns.get('b5')?.kind).toBe('lead');
		expect(sequencer.readBacks.mayHaveMissed('c1')).toBe(true);
		lead('m1').finish(true);
		await tick();
		expect(sequencer.backlog).toBe(1);
	});
});
