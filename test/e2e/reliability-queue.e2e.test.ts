/**
 * The reliability workload of reliability.e2e.test.ts in n8n queue mode (PostgreSQL + Redis, 2
 * workers at n8n's default worker concurrency), with the CPU saturated by a competing load:
 *  - one webhook process: nothing lost, nothing twice — asserted; order holds as in regular mode
 *    except when n8n 2.40.7 misses a queue-mode answer (the sequencer then lets the conversation go
 *    on after a minute): reported;
 *  - two webhook processes behind a round-robin balancer, the triggers' *Webhook Processes* option
 *    naming both: each conversation is relayed by the process that owns it, the other hands its
 *    deliveries over — nothing lost, nothing twice, asserted; order reported as above
 *    (docs/delivery-guarantees.md);
 *  - and there, `kill -9` of a worker and of a webhook process mid-stream, with 20% of Tiledesk's
 *    calls refused, both restarted at once: 0 lost, 0 duplicated, 0 reordered (a crash between
 *    Tiledesk's write and the answer repeats that message, as in regular mode).
 * Quick variant in `npm test`, full figures with `npm run test:reliability`.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

import { startCpuLoad, type CpuLoad } from './lib/load';
import { N8nInstance, REPO_ROOT, WEBHOOK_PROCESSES_PLACEHOLDER, packPackage } from './lib/n8n';
import { Conversations, FULL, TEST_TIMEOUT_MS, relayTemplates, waitForRelayTriggers } from './lib/reliability';
import { type Platforms, landbotCredential, sleep, startPlatforms, tiledeskCredential } from './lib/relay';
import { nodeByName } from './lib/templates';

const SCALE = FULL
	? { conversations: 20, messagesEachWay: 25, crashConversations: 20, crashMessages: 50 }
	: { conversations: 4, messagesEachWay: 8, crashConversations: 4, crashMessages: 12 };

execFileSync(path.join(REPO_ROOT, 'scripts/ensure-services.sh'), { stdio: 'inherit' });

const TITLE = `reliability in queue mode (${FULL ? 'full' : 'quick'}): $webhookProcesses webhook process(es), 2 workers, CPU saturated`;

describe.each([{ webhookProcesses: 1 }, { webhookProcesses: 2 }])(TITLE, ({ webhookProcesses }) => {
	let p: Platforms;
	let n8n: N8nInstance;
	let load: CpuLoad | undefined;
	let c: Conversations;

	beforeAll(async () => {
		p = await startPlatforms({ timeScale: 1 });
		const t = relayTemplates(p);
		if (webhookProcesses > 1) {
			for (const trigger of [nodeByName(t.toTiledesk, 'Customer message in a handoff'), nodeByName(t.toLandbot, 'Agent message')]) {
				const parameters = trigger.parameters as { options?: Record<string, unknown> };
				parameters.options = { ...parameters.options, webhookProcesses: WEBHOOK_PROCESSES_PLACEHOLDER };
			}
		}
		c = new Conversations(p);
		n8n = await N8nInstance.start({
			tarball: await packPackage(),
			credentials: [landbotCredential(p), tiledeskCredential(p)],
			workflows: [t.toTiledesk, t.toLandbot],
			queue: { webhookProcesses, workers: 2, concurrency: 10 },
		});
		await waitForRelayTriggers(n8n, p, t);
	}, 300_000);

	afterAll(async () => {
		await load?.stop();
		await n8n?.stop();
		await p?.stop();
	}, 60_000);

	test(
		'every conversation writes every 200 ms both ways: 0 lost, 0 duplicated; order reported',
		async () => {
			const ids = await c.open('Queue', SCALE.conversations);
			load = startCpuLoad();
			const started = Date.now();
			const written = await c.write(ids, { messages: SCALE.messagesEachWay, agentMessages: SCALE.messagesEachWay });
			const { total, beforeNextMessage } = await c.relayedWithCatchUp(ids, written, FULL ? 600_000 : 240_000);
			const relayedIn = Date.now() - started;
			await load.stop();
			load = undefined;
			await Promise.all([p.landbot.idle(180_000), p.tiledesk.idle(120_000)]);
			await sleep(2_000);
			const counts = c.count(ids, written);
			const trail = c.trail(ids, written);
			if (trail.length) console.log(`not arrived (the source's delivery attempts):\n${trail.join('\n')}`);
			console.log(
				`reliability queue mode, ${webhookProcesses} webhook process(es): ${JSON.stringify({
					conversations: ids.length,
					messages: total,
					relayedInMs: relayedIn,
					perSecond: Math.round((total / relayedIn) * 10_000) / 10,
					...counts,
					...(beforeNextMessage ? { beforeNextMessage } : {}),
					requestsPerProcess: n8n.webhookProcessRequestCounts,
				})}`,
			);
			const { reordered: _a, ...customerToAgent } = counts.customerToAgent;
			const { reordered: _b, ...agentToCustomer } = counts.agentToCustomer;
			expect({ customerToAgent, agentToCustomer }).toEqual({
				customerToAgent: { lost: 0, duplicated: 0 },
				agentToCustomer: { lost: 0, duplicated: 0 },
			});
		},
		TEST_TIMEOUT_MS,
	);

	if (webhookProcesses > 1) {
		test('kill -9 of a worker and a webhook process mid-stream, 20% 429/5xx from Tiledesk, restarted at once: 0 lost, 0 duplicated, 0 reordered', async () => {
			const ids = await c.open('QueueCrash', SCALE.crashConversations);
			// The earlier test's deliveries and calls are counted out.
			const deliveriesBefore = p.landbot.getDeliveries().length;
			const callsBefore = p.tiledesk.getCalls().length;
			load = startCpuLoad();
			p.tiledesk.setFaults({ rate: 0.2 });
			let crash: Promise<void> | undefined;
			let downForMs = 0;
			const started = Date.now();
			const written = await c.write(ids, {
				messages: SCALE.crashMessages,
				agentMessages: 0,
				during: (i) => {
					if (i !== Math.floor(SCALE.crashMessages / 2)) return;
					crash = (async () => {
						const killedAt = Date.now();
						await Promise.all([n8n.kill9('worker-1'), n8n.kill9('webhook-2')]);
						await Promise.all([n8n.restart('worker-1'), n8n.restart('webhook-2')]);
						downForMs = Date.now() - killedAt;
					})();
				},
			});
			await crash;
			const total = await c.relayed(ids, written, FULL ? 600_000 : 240_000);
			const relayedIn = Date.now() - started;
			p.tiledesk.setFaults({ rate: 0 });
			await load.stop();
			load = undefined;
			await Promise.all([p.landbot.idle(180_000), p.tiledesk.idle(120_000)]);
			await sleep(2_000);
			const { customerToAgent } = c.count(ids, written);
			const deliveries = p.landbot.getDeliveries().slice(deliveriesBefore);
			console.log(
				`reliability queue mode crash, ${webhookProcesses} webhook processes: ${JSON.stringify({
					conversations: ids.length,
					messages: total,
					downForMs,
					relayedInMs: relayedIn,
					injectedFailures: p.tiledesk.getCalls().slice(callsBefore).filter((call) => call.injected).length,
					// Messages flagged maybeRelayed: Tiledesk Send looked for them in the conversation first.
					destinationChecks: p.tiledesk
						.getCalls()
						.slice(callsBefore)
						.filter((call) => call.method === 'GET' && /\/messages$/.test(call.path) && !call.injected).length,
					landbotRetries: deliveries.filter((d) => d.attempt > 1).length,
					landbotGaveUp: deliveries.filter((d) => d.gaveUp).length,
					...customerToAgent,
				})}`,
			);
			expect({ lost: customerToAgent.lost, duplicated: customerToAgent.duplicated, reordered: customerToAgent.reordered }).toEqual({ lost: 0, duplicated: 0, reordered: 0 });
		}, TEST_TIMEOUT_MS);
	}
});
