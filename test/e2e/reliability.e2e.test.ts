/**
 * Delivery guarantees of the Landbot ↔ Tiledesk relay (templates 2 and 3, unchanged) in a real n8n at
 * its DEFAULT concurrency (regular mode, SQLite), with a bounded competing load saturating the CPU:
 *  1. order and exactly-once: many conversations write at once, each every 200 ms in both
 *     directions (faster than the relay drains, so a backlog forms);
 *  2. nothing lost across a crash: `kill -9` of n8n in the middle of a stream, with 20% of the
 *     destination's API calls refused (429/5xx), restarted at once; Landbot's documented retries
 *     (5, 10, 15, 20, 25 s, unscaled) bring back what was not answered.
 * Counts lost, duplicated and reordered messages per conversation and asserts all three are 0.
 *
 * `npm test` runs a quick variant; `npm run test:reliability` (HANDOFF_RELIABILITY=full) the full
 * figures: 20 conversations × 25 messages each way, and a 1,000-message crash run.
 */
import { startCpuLoad, type CpuLoad } from './lib/load';
import { N8nInstance, packPackage } from './lib/n8n';
import { Conversations, FULL, NONE, TEST_TIMEOUT_MS, relayTemplates, waitForRelayTriggers } from './lib/reliability';
import { type Platforms, landbotCredential, sleep, startPlatforms, tiledeskCredential } from './lib/relay';

const SCALE = FULL
	? { conversations: 20, messagesEachWay: 25, crashConversations: 20, crashMessages: 50 }
	: { conversations: 6, messagesEachWay: 10, crashConversations: 5, crashMessages: 12 };

describe(`reliability (${FULL ? 'full' : 'quick'}): Landbot ↔ Tiledesk at n8n's default concurrency, CPU saturated`, () => {
	let p: Platforms;
	let n8n: N8nInstance;
	let load: CpuLoad | undefined;
	let t: ReturnType<typeof relayTemplates>;
	let c: Conversations;

	beforeAll(async () => {
		// Unscaled: Landbot's retry schedule must outlast an n8n restart, as it does in production.
		p = await startPlatforms({ timeScale: 1 });
		t = relayTemplates(p);
		c = new Conversations(p);
		n8n = await N8nInstance.start({
			tarball: await packPackage(),
			credentials: [landbotCredential(p), tiledeskCredential(p)],
			workflows: [t.toTiledesk, t.toLandbot],
		});
		await waitForRelayTriggers(n8n, p, t);
	}, 240_000);

	afterAll(async () => {
		await load?.stop();
		await n8n?.stop();
		await p?.stop();
	}, 60_000);

	async function settle() {
		await load?.stop();
		load = undefined;
		// Late duplicates would come from retried deliveries: let the platforms finish retrying.
		await Promise.all([p.landbot.idle(180_000), p.tiledesk.idle(120_000)]);
		await sleep(2_000);
	}

	test('order and exactly-once: every conversation writes every 200 ms both ways, 0 lost / duplicated / reordered', async () => {
		const ids = await c.open('Order', SCALE.conversations);
		load = startCpuLoad();
		const started = Date.now();
		const written = await c.write(ids, { messages: SCALE.messagesEachWay, agentMessages: SCALE.messagesEachWay });
		const writtenIn = Date.now() - started;
		const { total, beforeNextMessage } = await c.relayedWithCatchUp(ids, written, FULL ? 600_000 : 240_000);
		const relayedIn = Date.now() - started;
		await settle();
		const counts = c.count(ids, written);
		const trail = c.trail(ids, written);
		if (trail.length) console.log(`not arrived (the source's delivery attempts):\n${trail.join('\n')}`);
		console.log(
			`reliability order: ${JSON.stringify({
				conversations: ids.length,
				messages: total,
				writtenInMs: writtenIn,
				relayedInMs: relayedIn,
				perSecond: Math.round((total / relayedIn) * 10_000) / 10,
				...counts,
				...(beforeNextMessage ? { beforeNextMessage } : {}),
				landbotRetries: p.landbot.getDeliveries().filter((d) => d.attempt > 1).length,
				tiledeskRetries: p.tiledesk.getDeliveries().filter((d) => d.attempt > 1).length,
			})}`,
		);
		expect(counts).toEqual({ customerToAgent: NONE, agentToCustomer: NONE });
	}, TEST_TIMEOUT_MS);

	test('nothing lost across kill -9: a crash mid-stream with 20% 429/5xx from Tiledesk, restarted at once: 0 lost, 0 duplicated, 0 reordered', async () => {
		const ids = await c.open('Crash', SCALE.crashConversations);
		load = startCpuLoad();
		p.tiledesk.setFaults({ rate: 0.2 });
		let crash: Promise<void> | undefined;
		const started = Date.now();
		let killedAt = 0;
		let restartedAt = 0;
		const written = await c.write(ids, {
			messages: SCALE.crashMessages,
			agentMessages: 0,
			during: (i) => {
				if (i !== Math.floor(SCALE.crashMessages / 2)) return;
				crash = (async () => {
					killedAt = Date.now();
					await n8n.kill9();
					await n8n.restart();
					restartedAt = Date.now();
				})();
			},
		});
		await crash;
		await waitForRelayTriggers(n8n, p, t);
		const total = await c.relayed(ids, written, FULL ? 600_000 : 240_000);
		const relayedIn = Date.now() - started;
		p.tiledesk.setFaults({ rate: 0 });
		await settle();
		const { customerToAgent } = c.count(ids, written);
		const deliveries = p.landbot.getDeliveries();
		console.log(
			`reliability crash: ${JSON.stringify({
				conversations: ids.length,
				messages: total,
				downForMs: restartedAt - killedAt,
				relayedInMs: relayedIn,
				injectedFailures: p.tiledesk.getCalls().filter((call) => call.injected).length,
				// Messages flagged maybeRelayed: Tiledesk Send looked for them in the conversation first.
				destinationChecks: p.tiledesk.getCalls().filter((call) => call.method === 'GET' && /\/messages$/.test(call.path) && !call.injected).length,
				landbotRetries: deliveries.filter((d) => d.attempt > 1).length,
				landbotGaveUp: deliveries.filter((d) => d.gaveUp).length,
				...customerToAgent,
			})}`,
		);
		// A crash between Tiledesk's write and n8n's answer makes Landbot deliver that message again to a
		// process that no longer remembers it: the trigger flags it, and Tiledesk Send finds it there.
		expect({ lost: customerToAgent.lost, duplicated: customerToAgent.duplicated, reordered: customerToAgent.reordered }).toEqual({ lost: 0, duplicated: 0, reordered: 0 });
	}, TEST_TIMEOUT_MS);
});
