/**
 * Delivery guarantees of the Landbot ↔ Tiledesk relay (templates 2 and 3, unchanged) in a real n8n at
 * its DEFAULT concurrency, with a bounded competing load saturating the CPU:
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
import { N8nInstance, packPackage } from './lib/n8n';
import { startCpuLoad, type CpuLoad } from './lib/load';
import {
	LANDBOT_AGENT_ID,
	type Platforms,
	isInfoLine,
	landbotCredential,
	requestIdFor,
	sleep,
	startPlatforms,
	tiledeskCredential,
	waitForLandbotTrigger,
	waitForTiledeskTrigger,
	waitUntil,
} from './lib/relay';
import { PLACEHOLDERS, TEMPLATE_FILES, type Template, loadTemplate, webhookPath } from './lib/templates';

const FULL = process.env.HANDOFF_RELIABILITY === 'full';
const SCALE = FULL
	? { conversations: 20, messagesEachWay: 25, crashConversations: 20, crashMessages: 50 }
	: { conversations: 6, messagesEachWay: 10, crashConversations: 5, crashMessages: 12 };
const WRITE_EVERY_MS = 200;
const HANDOFF_FIELD = 'handoff_conversation';

interface Counts {
	lost: number;
	duplicated: number;
	reordered: number;
}

/** What arrived against what was sent, for one conversation. */
export function compare(sent: string[], received: string[]): Counts {
	const position = new Map(sent.map((text, index) => [text, index]));
	const seen = new Set<string>();
	let duplicated = 0;
	let reordered = 0;
	let highest = -1;
	for (const text of received) {
		if (seen.has(text)) {
			duplicated++;
			continue;
		}
		seen.add(text);
		const index = position.get(text) ?? -1;
		if (index < highest) reordered++;
		highest = Math.max(highest, index);
	}
	return { lost: sent.filter((text) => !seen.has(text)).length, duplicated, reordered };
}

const sum = (all: Counts[]): Counts =>
	all.reduce((a, b) => ({ lost: a.lost + b.lost, duplicated: a.duplicated + b.duplicated, reordered: a.reordered + b.reordered }), {
		lost: 0,
		duplicated: 0,
		reordered: 0,
	});

describe(`reliability (${FULL ? 'full' : 'quick'}): Landbot ↔ Tiledesk at n8n's default concurrency, CPU saturated`, () => {
	let p: Platforms;
	let n8n: N8nInstance;
	let load: CpuLoad | undefined;
	const t: { toTiledesk?: Template; toLandbot?: Template } = {};

	beforeAll(async () => {
		// Unscaled: Landbot's retry schedule must outlast an n8n restart, as it does in production.
		p = await startPlatforms({ timeScale: 1 });
		t.toTiledesk = loadTemplate(TEMPLATE_FILES.landbotToTiledesk, { [PLACEHOLDERS.landbotChannelId]: String(p.channelId) });
		t.toLandbot = loadTemplate(TEMPLATE_FILES.tiledeskToLandbot);
		n8n = await N8nInstance.start({
			tarball: await packPackage(),
			credentials: [landbotCredential(p), tiledeskCredential(p)],
			workflows: [t.toTiledesk, t.toLandbot],
			env: { EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none' },
		});
		await waitForTriggers();
	}, 240_000);

	afterAll(async () => {
		await load?.stop();
		await n8n?.stop();
		await p?.stop();
	}, 60_000);

	async function waitForTriggers() {
		await Promise.all([
			waitForLandbotTrigger(n8n, p, webhookPath(t.toTiledesk!, 'Customer message in a handoff')),
			waitForTiledeskTrigger(n8n, p, webhookPath(t.toLandbot!, 'Agent message'), ['message.create']),
		]);
	}

	let nextCustomerId = 700_000;

	/** A customer already handed off: the handoff field names the Tiledesk conversation (as template 1 leaves it). */
	function newHandoff(tag: string, i: number): number {
		const cid = nextCustomerId++;
		p.landbot.createCustomer({
			id: cid,
			channel_id: p.channelId,
			name: `${tag} ${i}`,
			agent_id: LANDBOT_AGENT_ID,
			fields: { [HANDOFF_FIELD]: requestIdFor(p, cid) },
		});
		return cid;
	}

	const customerTexts = (cid: number) =>
		p.tiledesk
			.getMessages(requestIdFor(p, cid))
			.filter((m) => m.sender === `landbot-${cid}` && !isInfoLine(m))
			.map((m) => m.text ?? '');
	const agentTexts = (cid: number) =>
		p.landbot
			.getCustomerState(cid)
			.messages.filter((m) => m.author_type === 'agent')
			.map((m) => m.message);

	/** Opens each conversation in Tiledesk with a first customer message, through the relay. */
	async function openConversations(tag: string, count: number): Promise<number[]> {
		const ids = Array.from({ length: count }, (_, i) => newHandoff(tag, i));
		for (const cid of ids) p.landbot.customerSays(cid, `hello from ${cid}`);
		await waitUntil(`${count} conversations opened in Tiledesk`, () => ids.every((cid) => customerTexts(cid).length >= 1), {
			timeoutMs: 120_000,
		});
		return ids;
	}

	test('order and exactly-once: every conversation writes every 200 ms both ways, 0 lost / duplicated / reordered', async () => {
		const ids = await openConversations('Order', SCALE.conversations);
		load = startCpuLoad();
		const toAgent = new Map<number, string[]>(ids.map((cid) => [cid, []]));
		const toCustomer = new Map<number, string[]>(ids.map((cid) => [cid, []]));
		const started = Date.now();
		await Promise.all(
			ids.map(async (cid, k) => {
				await sleep(k * 7); // conversations out of step with each other
				for (let i = 1; i <= SCALE.messagesEachWay; i++) {
					const c = `customer ${cid} #${i}`;
					p.landbot.customerSays(cid, c);
					toAgent.get(cid)!.push(c);
					await sleep(WRITE_EVERY_MS / 2);
					const a = `agent ${cid} #${i}`;
					p.tiledesk.agentSays(requestIdFor(p, cid), p.agentId, a);
					toCustomer.get(cid)!.push(a);
					await sleep(WRITE_EVERY_MS / 2);
				}
			}),
		);
		const written = Date.now() - started;
		const total = ids.length * SCALE.messagesEachWay * 2;
		await waitUntil(
			`${total} messages relayed`,
			() => ids.every((cid) => customerTexts(cid).length > SCALE.messagesEachWay && agentTexts(cid).length >= SCALE.messagesEachWay),
			{ timeoutMs: FULL ? 600_000 : 240_000, pollMs: 250 },
		);
		const drained = Date.now() - started;
		await load.stop();
		load = undefined;
		// Late duplicates would come from retried deliveries: let the platforms finish retrying.
		await Promise.all([p.landbot.idle(120_000), p.tiledesk.idle(120_000)]);
		await sleep(2_000);

		const agentSide = ids.map((cid) => compare(toAgent.get(cid)!, customerTexts(cid).slice(1)));
		const customerSide = ids.map((cid) => compare(toCustomer.get(cid)!, agentTexts(cid)));
		const figures = {
			conversations: ids.length,
			messages: total,
			writtenInMs: written,
			relayedInMs: drained,
			perSecond: Math.round((total / drained) * 1000 * 10) / 10,
			customerToAgent: sum(agentSide),
			agentToCustomer: sum(customerSide),
			landbotRetries: p.landbot.getDeliveries().filter((d) => d.attempt > 1).length,
			tiledeskRetries: p.tiledesk.getDeliveries().filter((d) => d.attempt > 1).length,
		};
		console.log(`reliability order: ${JSON.stringify(figures)}`);
		expect({ customerToAgent: figures.customerToAgent, agentToCustomer: figures.agentToCustomer }).toEqual({
			customerToAgent: { lost: 0, duplicated: 0, reordered: 0 },
			agentToCustomer: { lost: 0, duplicated: 0, reordered: 0 },
		});
	});

	test('nothing lost across kill -9: a crash mid-stream with 20% 429/5xx from Tiledesk, restarted at once: 0 lost / duplicated / reordered', async () => {
		const ids = await openConversations('Crash', SCALE.crashConversations);
		load = startCpuLoad();
		p.tiledesk.setFaults({ rate: 0.2 });
		const sent = new Map<number, string[]>(ids.map((cid) => [cid, []]));
		const half = Math.floor(SCALE.crashMessages / 2);
		let crash: Promise<void> | undefined;
		const started = Date.now();
		await Promise.all(
			ids.map(async (cid, k) => {
				await sleep(k * 11);
				for (let i = 1; i <= SCALE.crashMessages; i++) {
					if (k === 0 && i === half) {
						crash = (async () => {
							await n8n.kill9();
							await n8n.restart();
						})();
					}
					const text = `crash ${cid} #${i}`;
					p.landbot.customerSays(cid, text);
					sent.get(cid)!.push(text);
					await sleep(WRITE_EVERY_MS);
				}
			}),
		);
		await crash;
		const back = Date.now() - started;
		await waitForTriggers();
		const total = ids.length * SCALE.crashMessages;
		await waitUntil(`${total} messages relayed after the restart`, () => ids.every((cid) => customerTexts(cid).length > SCALE.crashMessages), {
			timeoutMs: FULL ? 600_000 : 240_000,
			pollMs: 500,
		});
		const drained = Date.now() - started;
		p.tiledesk.setFaults({ rate: 0 });
		await load.stop();
		load = undefined;
		await Promise.all([p.landbot.idle(180_000), p.tiledesk.idle(60_000)]);
		await sleep(2_000);

		const counts = sum(ids.map((cid) => compare(sent.get(cid)!, customerTexts(cid).slice(1))));
		const deliveries = p.landbot.getDeliveries();
		const figures = {
			conversations: ids.length,
			messages: total,
			restartedAfterMs: back,
			relayedInMs: drained,
			injectedFailures: p.tiledesk.getCalls().filter((c) => c.injected).length,
			landbotRetries: deliveries.filter((d) => d.attempt > 1).length,
			landbotGaveUp: deliveries.filter((d) => d.gaveUp).length,
			...counts,
		};
		console.log(`reliability crash: ${JSON.stringify(figures)}`);
		expect(counts).toEqual({ lost: 0, duplicated: 0, reordered: 0 });
	});
});
