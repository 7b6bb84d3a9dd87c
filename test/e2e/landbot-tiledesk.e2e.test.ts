/**
 * Landbot ↔ Tiledesk handoff, end to end: templates 1–5 imported unchanged (only their placeholders
 * filled) into a real n8n with the packed package, published, and driven through the Landbot and
 * Tiledesk simulators. Assertions read the simulators' conversations — what the customer and the
 * agent would see — not n8n internals (except "no execution started" for rejected deliveries).
 */
import type { LandbotMessage } from '../fakes';
import { findLeaks } from './lib/leaks';
import { N8nInstance, packPackage, request } from './lib/n8n';
import {
	HEADER_SECRET_NAME,
	LANDBOT_AGENT_ID,
	LANDBOT_TOKEN,
	TILEDESK_OWNER,
	type Platforms,
	carriesMarker,
	executionCount,
	headerSecretCredential,
	isInfoLine,
	landbotCredential,
	landbotView,
	requestIdFor,
	sleep,
	startPlatforms,
	tiledeskCredential,
	tiledeskView,
	waitForLandbotTrigger,
	waitForTiledeskTrigger,
	waitUntil,
} from './lib/relay';
import { PLACEHOLDERS, TEMPLATE_CREDENTIALS, TEMPLATE_FILES, type Template, loadTemplate, webhookPath } from './lib/templates';

/** Landbot hook retries (5, 10, 15 s…), idle unassignment and Tiledesk's retries run 20× faster. */
const TIME_SCALE = 0.05;
const BOT_ID = '777';
const RESUME_BLOCK = 'Nresume42';
const GREETING = 'An agent will be with you shortly.';
const HANDOFF_FIELD = 'handoff_conversation';

describe('Landbot ↔ Tiledesk handoff through templates 1–5 in a real n8n', () => {
	let p: Platforms;
	let n8n: N8nInstance;
	let blockSecret: string;
	const t: Record<keyof typeof TEMPLATE_FILES, Template> = {} as never;
	const t0 = Date.now();

	beforeAll(async () => {
		p = await startPlatforms({ timeScale: TIME_SCALE });
		const channel = { [PLACEHOLDERS.landbotChannelId]: String(p.channelId) };
		t.handoffStart = loadTemplate(TEMPLATE_FILES.handoffStart);
		t.landbotToTiledesk = loadTemplate(TEMPLATE_FILES.landbotToTiledesk, channel);
		t.tiledeskToLandbot = loadTemplate(TEMPLATE_FILES.tiledeskToLandbot);
		t.timeoutReassign = loadTemplate(TEMPLATE_FILES.timeoutReassign, channel);
		t.handback = loadTemplate(TEMPLATE_FILES.handback, {
			[PLACEHOLDERS.landbotBotId]: BOT_ID,
			[PLACEHOLDERS.landbotBlockId]: RESUME_BLOCK,
		});
		const block = headerSecretCredential(TEMPLATE_CREDENTIALS.landbotWebhookBlock);
		blockSecret = block.value;

		n8n = await N8nInstance.start({
			tarball: await packPackage(),
			credentials: [landbotCredential(p), tiledeskCredential(p), block.credential],
			workflows: [t.handoffStart, t.landbotToTiledesk, t.tiledeskToLandbot, t.timeoutReassign, t.handback],
		});
		await Promise.all([
			n8n.waitForWebhook(webhookPath(t.handoffStart, 'Handoff requested')),
			waitForLandbotTrigger(n8n, p, webhookPath(t.landbotToTiledesk, 'Customer message in a handoff')),
			waitForLandbotTrigger(n8n, p, webhookPath(t.timeoutReassign, 'Handoff interrupted')),
			waitForTiledeskTrigger(n8n, p, webhookPath(t.tiledeskToLandbot, 'Agent message'), ['message.create']),
			waitForTiledeskTrigger(n8n, p, webhookPath(t.handback, 'Conversation closed'), ['request.close']),
		]);
		console.log(`landbot-tiledesk: n8n up with 5 published templates, triggers live after ${Date.now() - t0} ms`);
	}, 240_000);

	afterAll(async () => {
		await n8n?.stop();
		await p?.stop();
		console.log(`landbot-tiledesk: whole file ${Date.now() - t0} ms`);
	}, 60_000);

	// ------------------------------------------------------------ helpers

	const state = (cid: number) => p.landbot.getCustomerState(cid);
	const landbotMessages = (cid: number, author?: LandbotMessage['author_type']) =>
		state(cid).messages.filter((m) => author === undefined || m.author_type === author);
	const tiledeskMessages = (cid: number) => p.tiledesk.getMessages(requestIdFor(p, cid));
	/** What the customer wrote during the handoff, as the agent sees it (the bot history excluded). */
	const relayedCustomerMessages = (cid: number) =>
		tiledeskMessages(cid).filter(
			(m) => m.sender === `landbot-${cid}` && !isInfoLine(m) && m.attributes?.historyIndex === undefined,
		);
	/** What agents wrote, as the customer sees it in Landbot (the handoff greeting excluded). */
	const relayedAgentMessages = (cid: number) => landbotMessages(cid, 'agent').filter((m) => m.message !== GREETING);

	/**
	 * A bot conversation, one message a second. Landbot returns the transcript in no particular order
	 * with times to the second, so messages within the same second cannot be put back in order by Get
	 * Transcript (a known limit; bots that send several messages a second get them shuffled).
	 */
	async function botConversation(cid: number, lines: Array<['bot' | 'customer', string]>) {
		for (const [who, text] of lines) {
			if (who === 'bot') p.landbot.botSays(cid, text);
			else p.landbot.customerSays(cid, text);
			await sleep(1_050);
		}
	}

	/** The bot's Webhook block calls template 1; resolves once the customer has the agent's greeting. */
	async function startHandoff(cid: number) {
		const call = await p.landbot.webhookBlock(cid, {
			url: n8n.webhookUrl(webhookPath(t.handoffStart, 'Handoff requested')),
			headers: { [HEADER_SECRET_NAME]: blockSecret },
			body: { customer_id: '@id', name: '@name' },
		});
		expect(call.status).toBe(200);
		await waitUntil(`the handoff greeting for customer ${cid}`, () => landbotMessages(cid, 'agent').some((m) => m.message === GREETING), {
			timeoutMs: 60_000,
			describe: () => state(cid),
		});
	}

	function newCustomer(name: string) {
		return p.landbot.createCustomer({ channel_id: p.channelId, name, email: `${name.toLowerCase()}@example.com` }).id as number;
	}

	// ------------------------------------------------------------ tests

	test('a whole handoff: history first, 20 messages each way once and in order, no echo, back to the bot at the block', async () => {
		const started = Date.now();
		const cid = newCustomer('Carla');
		const rid = requestIdFor(p, cid);
		const history: Array<['bot' | 'customer', string]> = [
			['bot', 'Hi! I am the shop bot. How can I help?'],
			['customer', 'My parcel never arrived'],
			['bot', 'Sorry to hear that. Shall I get you a person?'],
			['customer', 'Yes please'],
			['bot', 'Connecting you to an agent…'],
		];
		await botConversation(cid, history);
		await startHandoff(cid);

		// ---- the handoff started: Tiledesk conversation with the history, agent assigned, field set
		const request = p.tiledesk.getRequest(rid) as any;
		expect(request).toBeDefined();
		expect(request.lead.lead_id).toBe(`landbot-${cid}`);
		expect(request.status).toBe(200);
		expect(request.participants).toContain(p.agentId);
		const visible = tiledeskMessages(cid).filter((m) => !isInfoLine(m));
		expect(visible.map((m) => m.text)).toEqual(history.map(([, text]) => text));
		expect(visible.map((m) => m.sender)).toEqual(history.map(([who]) => (who === 'bot' ? 'bot_landbot' : `landbot-${cid}`)));
		expect(tiledeskMessages(cid).some((m) => m.text?.endsWith('\\agent'))).toBe(true);
		expect(state(cid).customer.custom_fields).toEqual({ [HANDOFF_FIELD]: rid });
		expect(state(cid).agent_id).toBe(LANDBOT_AGENT_ID);
		expect(state(cid).bot.active).toBe(false);
		const afterStart = Date.now();

		// ---- 20 messages each way, interleaved, an image each way. Each side writes every 100 ms, faster
		// than the relay drains, at n8n's default concurrency: order comes from the triggers' sequencer.
		const customerImage = 'https://cdn.example.com/uploads/damaged-box.jpg';
		const agentImage = 'https://cdn.example.com/agent/label.png';
		const customerSent: string[] = [];
		const agentSent: string[] = [];
		for (let i = 1; i <= 20; i++) {
			if (i === 7) {
				p.landbot.customerSays(cid, { image: customerImage, caption: 'This is the box' });
				customerSent.push(`image ${customerImage} This is the box`);
			} else {
				p.landbot.customerSays(cid, `customer message ${i}`);
				customerSent.push(`customer message ${i}`);
			}
			await sleep(50);
			if (i === 12) {
				p.tiledesk.agentSays(rid, p.agentId, {
					type: 'image',
					text: 'Our label photo',
					metadata: { src: agentImage, name: 'label.png', width: 640, height: 480 },
				});
				agentSent.push(`image ${agentImage} Our label photo`);
			} else {
				p.tiledesk.agentSays(rid, p.agentId, `agent message ${i}`);
				agentSent.push(`agent message ${i}`);
			}
			await sleep(50);
		}
		await waitUntil(
			'20 customer messages in Tiledesk and 20 agent messages in Landbot',
			() => relayedCustomerMessages(cid).length >= 20 && relayedAgentMessages(cid).length >= 20,
			{
				timeoutMs: 60_000,
				describe: () => ({ tiledesk: relayedCustomerMessages(cid).map(tiledeskView), landbot: relayedAgentMessages(cid).map(landbotView) }),
			},
		);
		const relayed = Date.now();
		// Late duplicates would come from retried deliveries: let every retry window pass.
		await Promise.all([p.landbot.idle(30_000), p.tiledesk.idle(30_000)]);
		await sleep(1_500);

		expect({ toAgent: relayedCustomerMessages(cid).map(tiledeskView), toCustomer: relayedAgentMessages(cid).map(landbotView) }).toEqual({
			toAgent: customerSent,
			toCustomer: agentSent,
		});
		const customerImageInTiledesk = relayedCustomerMessages(cid).find((m) => m.type === 'image')!;
		expect(customerImageInTiledesk.metadata).toMatchObject({ src: customerImage });
		expect(relayedAgentMessages(cid).find((m) => m.type === 'image')!.data).toMatchObject({ url: agentImage, caption: 'Our label photo' });

		// ---- no echo: the agent messages came back through MessageHooks (to both Landbot triggers), and
		// none of them went to Tiledesk again; the customer sees each agent message once.
		const agentUuids = new Set(relayedAgentMessages(cid).map((m) => m.uuid));
		const echoDeliveries = p.landbot.getDeliveries().filter((d) => agentUuids.has(d.messageUuid) && d.status === 200);
		expect(echoDeliveries.length).toBe(2 * 20);
		const written = tiledeskMessages(cid).filter((m) => carriesMarker(m) && !isInfoLine(m) && m.attributes?.historyIndex === undefined);
		expect(written.every((m) => m.sender === `landbot-${cid}`)).toBe(true);
		expect(written).toHaveLength(20);
		expect(landbotMessages(cid, 'agent').filter((m) => m.message === GREETING)).toHaveLength(1);
		expect(landbotMessages(cid, 'user').map(landbotView)).toEqual([
			...history.filter(([who]) => who === 'customer').map(([, text]) => text),
			...customerSent,
		]);

		// ---- the agent closes: field deleted first, unassigned, the bot resumes at the chosen block
		p.tiledesk.agentCloses(rid, p.agentId);
		await waitUntil('the bot to resume', () => state(cid).bot.active, { timeoutMs: 30_000, describe: () => state(cid) });
		await Promise.all([p.landbot.idle(30_000), p.tiledesk.idle(30_000)]);
		await sleep(1_500); // time for a wrong re-assignment by workflow 4 to show up

		const after = state(cid);
		expect(after.agent_id).toBeNull();
		expect(after.customer.custom_fields).toEqual({});
		expect(after.bot).toEqual({ id: Number(BOT_ID), node: RESUME_BLOCK, active: true, launched: true });
		expect(landbotView(after.messages[after.messages.length - 1])).toBe(`Bot ${BOT_ID} started at ${RESUME_BLOCK}`);
		const events = after.events.map((e) => e.type);
		expect(events.slice(events.lastIndexOf('unassign'))).toEqual(['unassign', 'assign_bot']);
		const customerCalls = p.landbot
			.getCalls()
			.filter((c) => c.path.startsWith(`/v1/customers/${cid}/`) && c.at >= relayed && c.status !== 429)
			.map((c) => `${c.method} ${c.path.replace(`/v1/customers/${cid}/`, '')}`);
		expect(customerCalls).toEqual([`DELETE fields/${HANDOFF_FIELD}/`, 'PUT unassign/', `PUT assign_bot/${BOT_ID}/`]);
		expect((p.tiledesk.getRequest(rid) as any).status).toBe(1000);
		// Tiledesk's "Chat closed" info line is not shown to the customer.
		expect(relayedAgentMessages(cid).map(landbotView)).toEqual(agentSent);

		console.log(
			`full conversation: bot phase + handoff start ${afterStart - started} ms, 40 messages relayed in ` +
				`${relayed - afterStart} ms, close → bot ${Date.now() - relayed} ms (incl. settle waits)`,
		);
	});

	test('idle unassignment: workflow 4 re-assigns as soon as the next customer message shows it, and that message still reaches the agent', async () => {
		p.landbot.configure({ idleUnassignMs: 30_000 }); // 1.5 s at this time scale
		try {
			const cid = newCustomer('Dora');
			await botConversation(cid, [
				['bot', 'Hello Dora, what can I do for you?'],
				['customer', 'I want a human'],
			]);
			await startHandoff(cid);
			p.tiledesk.agentSays(requestIdFor(p, cid), p.agentId, 'Hi Dora, I am here');
			await waitUntil('the agent message in Landbot', () => relayedAgentMessages(cid).length === 1);

			await waitUntil('Landbot to unassign the idle conversation', () => state(cid).events.some((e) => e.type === 'idle_unassign'), {
				timeoutMs: 20_000,
				describe: () => state(cid).events,
			});
			p.landbot.configure({ idleUnassignMs: 0 });
			expect(state(cid).agent_id).toBeNull();
			expect(state(cid).customer.custom_fields).toMatchObject({ [HANDOFF_FIELD]: requestIdFor(p, cid) });

			p.landbot.customerSays(cid, 'Hello? Are you still there?');
			await waitUntil('the conversation to be assigned again', () => state(cid).agent_id === LANDBOT_AGENT_ID, {
				timeoutMs: 20_000,
				describe: () => state(cid).events,
			});
			await waitUntil('the customer message at the agent', () => relayedCustomerMessages(cid).length === 1, { timeoutMs: 20_000 });
			await Promise.all([p.landbot.idle(30_000), p.tiledesk.idle(30_000)]);
			await sleep(1_000);

			const events = state(cid).events;
			const idleAt = events.findIndex((e) => e.type === 'idle_unassign');
			expect(events.slice(idleAt).map((e) => [e.type, e.agent_id ?? null])).toEqual([
				['idle_unassign', LANDBOT_AGENT_ID],
				['assign', LANDBOT_AGENT_ID],
			]);
			expect(relayedCustomerMessages(cid).map(tiledeskView)).toEqual(['Hello? Are you still there?']);
			// The bot did not take over.
			expect(state(cid).bot.active).toBe(false);
		} finally {
			p.landbot.configure({ idleUnassignMs: 0 });
		}
	});

	test("an outage longer than Tiledesk's retries: what the agent wrote meanwhile reaches the customer once and in order, with the conversation's next message", async () => {
		const cid = newCustomer('Olga');
		await botConversation(cid, [
			['bot', 'Hello Olga, what can I do for you?'],
			['customer', 'Agent, please'],
		]);
		await startHandoff(cid);
		const rid = requestIdFor(p, cid);
		p.tiledesk.agentSays(rid, p.agentId, 'before the outage');
		await waitUntil('the first agent message in Landbot', () => relayedAgentMessages(cid).length === 1, { timeoutMs: 30_000 });
		await Promise.all([p.landbot.idle(30_000), p.tiledesk.idle(30_000)]);

		await n8n.kill9();
		const during = ['while n8n is down 1', 'while n8n is down 2', 'while n8n is down 3'];
		const downSince = Date.now();
		for (const text of during) {
			p.tiledesk.agentSays(rid, p.agentId, text);
			await sleep(200);
		}
		// Tiledesk's two retries fail too: it gives up on all three.
		await p.tiledesk.idle(60_000);
		const given = p.tiledesk.getDeliveries().filter((d) => d.gaveUp && d.at >= downSince && d.body?.payload?.recipient === rid);
		expect(given.map((d) => d.body.payload.text)).toEqual(during);
		await n8n.restart();
		await waitForTiledeskTrigger(n8n, p, webhookPath(t.tiledeskToLandbot, 'Agent message'), ['message.create']);

		p.tiledesk.agentSays(rid, p.agentId, 'after the outage');
		await waitUntil('every agent message in Landbot', () => relayedAgentMessages(cid).length >= 5, {
			timeoutMs: 60_000,
			describe: () => relayedAgentMessages(cid).map((m) => m.message),
		});
		await Promise.all([p.landbot.idle(30_000), p.tiledesk.idle(30_000)]);
		await sleep(1_500);
		expect(relayedAgentMessages(cid).map((m) => m.message)).toEqual(['before the outage', ...during, 'after the outage']);
	});

	test('a wrong webhook secret gets 401 and starts no execution', async () => {
		const cid = newCustomer('Mallory');
		const rid = requestIdFor(p, cid);
		await sleep(500);
		const before = await executionCount(n8n);

		// A delivery that the relays would act on if it were genuine: a customer message in a handoff…
		const landbotDelivery = {
			messages: [
				{
					type: 'text',
					timestamp: Date.now() / 1000,
					data: { body: 'forged' },
					sender: { id: cid, name: 'Mallory', type: 'customer' },
					customer: { id: cid, agent_id: null, name: 'Mallory', [HANDOFF_FIELD]: rid },
					channel: { id: p.channelId, name: 'Web bot', type: 'landbot' },
					_raw: { uuid: 'forged-1', message: 'forged' },
				},
			],
		};
		for (const [template, node] of [
			[t.landbotToTiledesk, 'Customer message in a handoff'],
			[t.timeoutReassign, 'Handoff interrupted'],
		] as const) {
			const url = n8n.webhookUrl(webhookPath(template, node));
			for (const headers of [{ authorization: 'Token wrong-token' }, {}, { authorization: 'Bearer x' }] as Array<Record<string, string>>) {
				const res = await request(url, { method: 'POST', headers, body: landbotDelivery });
				expect([node, res.status]).toEqual([node, 401]);
			}
		}
		// …an agent message and a closed conversation.
		const agentMessage = {
			timestamp: Date.now(),
			hook: { event: 'message.create' },
			payload: { _id: 'forged', sender: p.agentId, recipient: rid, text: 'forged', request: { request_id: rid } },
			token: 'x',
		};
		const closed = { timestamp: Date.now(), hook: { event: 'request.close' }, payload: { request_id: rid, lead: { lead_id: `landbot-${cid}` } }, token: 'x' };
		for (const [template, node, body] of [
			[t.tiledeskToLandbot, 'Agent message', agentMessage],
			[t.handback, 'Conversation closed', closed],
		] as const) {
			const url = n8n.webhookUrl(webhookPath(template, node));
			for (const headers of [{ 'x-hook-secret': 'wrong-secret' }, {}] as Array<Record<string, string>>) {
				const res = await request(url, { method: 'POST', headers, body });
				expect([node, res.status]).toEqual([node, 401]);
			}
		}
		const start = n8n.webhookUrl(webhookPath(t.handoffStart, 'Handoff requested'));
		for (const headers of [{ [HEADER_SECRET_NAME]: 'wrong' }, {}] as Array<Record<string, string>>) {
			const res = await request(start, { method: 'POST', headers, body: { customer_id: cid, name: 'Mallory' } });
			expect(res.status).toBe(401);
		}

		await sleep(1_500);
		expect(await executionCount(n8n)).toBe(before);
		expect(p.tiledesk.getRequest(rid)).toBeUndefined();
		expect(state(cid).events).toEqual([]);
		expect(state(cid).messages).toEqual([]);
	});

	test('429 bursts from Landbot (2 requests/s): every message arrives once and in order, bursts included', async () => {
		const since = Date.now();
		p.landbot.configure({ rateLimitPerSecond: 2 });
		try {
			const cid = newCustomer('Erik');
			const rid = requestIdFor(p, cid);
			await botConversation(cid, [
				['bot', 'Hej Erik!'],
				['customer', 'Agent please'],
			]);
			await startHandoff(cid); // five Landbot calls in a row: over the limit already

			// The customer types fast: Landbot delivers one conversation's messages one after another.
			const customerSent = Array.from({ length: 10 }, (_, i) => `quick customer ${i + 1}`);
			for (const text of customerSent) {
				p.landbot.customerSays(cid, text);
				await sleep(30);
			}
			// The agent sends 2.5 messages a second, more than Landbot's 2 requests/s allow.
			const pacedSent = Array.from({ length: 10 }, (_, i) => `paced agent ${i + 1}`);
			for (const text of pacedSent) {
				p.tiledesk.agentSays(rid, p.agentId, text);
				await sleep(400);
			}
			// Then ten at once.
			const burstSent = Array.from({ length: 10 }, (_, i) => `burst agent ${i + 1}`);
			for (const text of burstSent) {
				p.tiledesk.agentSays(rid, p.agentId, text);
				await sleep(20);
			}
			await waitUntil(
				'every message on the other side',
				() => relayedAgentMessages(cid).length >= 20 && relayedCustomerMessages(cid).length >= 10,
				{
					timeoutMs: 120_000,
					describe: () => ({ landbot: relayedAgentMessages(cid).map(landbotView), tiledesk: relayedCustomerMessages(cid).map(tiledeskView) }),
				},
			);
			await Promise.all([p.landbot.idle(30_000), p.tiledesk.idle(30_000)]);
			await sleep(1_500);

			const refused = p.landbot.getCalls().filter((c) => c.at >= since && c.status === 429).length;
			const toCustomer = relayedAgentMessages(cid).map(landbotView);
			const burstArrived = toCustomer.filter((m) => m.startsWith('burst'));
			console.log(
				`429 test: Landbot refused ${refused} calls with 429; all relayed after ${Date.now() - since} ms; ` +
					`the 20 ms burst reached the customer as ${burstArrived.map((m) => m.replace('burst agent ', '#')).join(' ')}`,
			);
			expect(refused).toBeGreaterThan(0);
			expect({
				toAgent: relayedCustomerMessages(cid).map(tiledeskView),
				toCustomerPaced: toCustomer.filter((m) => m.startsWith('paced')),
				toCustomerBurst: burstArrived,
			}).toEqual({ toAgent: customerSent, toCustomerPaced: pacedSent, toCustomerBurst: burstSent });
			// Exactly once each: 20 agent messages and the greeting, nothing else.
			expect(toCustomer).toHaveLength(20);
			expect(landbotMessages(cid, 'agent').filter((m) => m.message === GREETING)).toHaveLength(1);
		} finally {
			p.landbot.configure({ rateLimitPerSecond: 10 });
		}
	});

	test('every execution the relays started succeeded', async () => {
		const executions = await n8n.executions({ includeData: true });
		const failed = executions
			.filter((e) => e.status !== 'success')
			.map((e) => ({ id: e.id, workflowId: e.workflowId, status: e.status, error: e.data?.resultData?.error?.message }));
		expect(failed).toEqual([]);
		console.log(`landbot-tiledesk: ${executions.length} executions, all successful`);
	});

	// Last: after every relay above ran, with every secret the run used.
	test('no secret the run used is in any execution (run data, workflow snapshot) or in n8n\'s log', async () => {
		const { leaks, control, scanned } = await findLeaks(n8n, {
			'Webhook block secret (X-Handoff-Secret)': [blockSecret],
			'Landbot API token': [LANDBOT_TOKEN],
			'Landbot MessageHook token': p.landbot.listHooks().map((h) => h.token),
			'Tiledesk password': [TILEDESK_OWNER.password],
			'Tiledesk project shared secret': [p.sharedSecret],
			'Tiledesk subscription secret': p.tiledesk.listSubscriptions().map((s) => s.secret as string),
			'another Landbot secret (simulator)': p.landbot.secrets(),
			'another Tiledesk secret (JWT, Basic credential, password; simulator)': p.tiledesk.secrets(),
		}, {
			// The Tiledesk conversation of every handoff: in the run data of the executions that relayed it.
			control: p.landbot.getWebhookBlockCalls().map((call) => requestIdFor(p, call.customerId)),
		});
		console.log(
			`landbot-tiledesk: ${scanned.secrets} secrets looked for in ${scanned.executions} executions (REST API), ` +
				`${scanned.rows} database rows and ${Math.round(scanned.logBytes / 1024)} KB of n8n's log: ${leaks.length} found`,
		);
		expect(leaks).toEqual([]);
		// The scan read what it should: the conversation IDs are in the run data, through the API and in the database.
		expect(control.some((where) => where.endsWith(': run data'))).toBe(true);
		expect(control.some((where) => where.startsWith('database execution_data'))).toBe(true);
		expect(scanned.logBytes).toBeGreaterThan(0);
	});
});
