/**
 * Landbot ↔ LiveChat handoff, end to end: templates 7–11 imported unchanged (only their placeholders
 * filled) into a real n8n with the packed package, published, and driven through the Landbot and
 * LiveChat simulators. Assertions read the simulators' conversations — what the customer and the
 * LiveChat agent would see — not n8n internals (except "no execution started" for rejected deliveries).
 */
import type { LandbotMessage, LiveChatEvent } from '../fakes';
import {
	LIVECHAT_AGENT,
	LIVECHAT_NODES,
	LIVECHAT_PLACEHOLDERS,
	LIVECHAT_TEMPLATE_FILES,
	TINY_PNG,
	type LandbotLiveChatPlatforms,
	carriesLiveChatMarker,
	chatCustomer,
	chatEvents,
	liveChatCredential,
	liveChatView,
	startLandbotAndLiveChat,
	waitForLiveChatTrigger,
} from './lib/livechat';
import { findLeaks } from './lib/leaks';
import { N8nInstance, packPackage, request } from './lib/n8n';
import {
	HEADER_SECRET_NAME,
	LANDBOT_AGENT_ID,
	LANDBOT_TOKEN,
	executionCount,
	headerSecretCredential,
	landbotCredential,
	landbotView,
	sleep,
	waitForLandbotTrigger,
	waitUntil,
} from './lib/relay';
import { PLACEHOLDERS, TEMPLATE_CREDENTIALS, type Template, loadTemplate, webhookPath } from './lib/templates';

/** Landbot hook retries (5, 10, 15 s…), idle unassignment and LiveChat's retries (3 within a minute) run 20× faster. */
const TIME_SCALE = 0.05;
const BOT_ID = '777';
const RESUME_BLOCK = 'Nresume42';
const GREETING = 'An agent will be with you shortly.';
const TRANSFERRED = 'You are being transferred to another agent. Please stay in the chat.';
const queued = (position: number) => `All our agents are busy right now. You are number ${position} in the queue.`;
const HANDOFF_FIELD = 'handoff_conversation';

describe('Landbot ↔ LiveChat handoff through templates 7–11 in a real n8n', () => {
	let p: LandbotLiveChatPlatforms;
	let n8n: N8nInstance;
	let blockSecret: string;
	const t: Record<keyof typeof LIVECHAT_TEMPLATE_FILES, Template> = {} as never;
	const t0 = Date.now();

	beforeAll(async () => {
		p = await startLandbotAndLiveChat({ timeScale: TIME_SCALE });
		const channel = { [PLACEHOLDERS.landbotChannelId]: String(p.channelId) };
		t.handoffStart = loadTemplate(LIVECHAT_TEMPLATE_FILES.handoffStart, { [LIVECHAT_PLACEHOLDERS.groupId]: String(p.groupId) });
		t.landbotToLiveChat = loadTemplate(LIVECHAT_TEMPLATE_FILES.landbotToLiveChat, channel);
		t.liveChatToLandbot = loadTemplate(LIVECHAT_TEMPLATE_FILES.liveChatToLandbot);
		t.timeoutReassign = loadTemplate(LIVECHAT_TEMPLATE_FILES.timeoutReassign, channel);
		t.handback = loadTemplate(LIVECHAT_TEMPLATE_FILES.handback, {
			[PLACEHOLDERS.landbotBotId]: BOT_ID,
			[PLACEHOLDERS.landbotBlockId]: RESUME_BLOCK,
			[LIVECHAT_PLACEHOLDERS.relayAgentId]: p.relayAgent.id,
		});
		const block = headerSecretCredential(TEMPLATE_CREDENTIALS.landbotWebhookBlock);
		blockSecret = block.value;

		n8n = await N8nInstance.start({
			tarball: await packPackage(),
			credentials: [landbotCredential(p), liveChatCredential(p), block.credential],
			workflows: [t.handoffStart, t.landbotToLiveChat, t.liveChatToLandbot, t.timeoutReassign, t.handback],
		});
		await Promise.all([
			n8n.waitForWebhook(webhookPath(t.handoffStart, LIVECHAT_NODES.handoffRequested)),
			waitForLandbotTrigger(n8n, p, webhookPath(t.landbotToLiveChat, LIVECHAT_NODES.customerMessage)),
			waitForLandbotTrigger(n8n, p, webhookPath(t.timeoutReassign, LIVECHAT_NODES.handoffInterrupted)),
			waitForLiveChatTrigger(n8n, p, webhookPath(t.liveChatToLandbot, LIVECHAT_NODES.agentMessage), ['incoming_event']),
			waitForLiveChatTrigger(n8n, p, webhookPath(t.handback, LIVECHAT_NODES.chatEnded), ['chat_deactivated', 'chat_transferred']),
		]);
		console.log(`landbot-livechat: n8n up with 5 published templates, triggers live after ${Date.now() - t0} ms`);
	}, 240_000);

	afterAll(async () => {
		await n8n?.stop();
		await p?.stop();
		console.log(`landbot-livechat: whole file ${Date.now() - t0} ms`);
	}, 60_000);

	// ------------------------------------------------------------ helpers

	const state = (cid: number) => p.landbot.getCustomerState(cid);
	const landbotMessages = (cid: number, author?: LandbotMessage['author_type']) =>
		state(cid).messages.filter((m) => author === undefined || m.author_type === author);
	/** The LiveChat chat of a customer's handoff, as stored in the Landbot customer field by template 7. */
	const chatIdOf = (cid: number) => String((state(cid).customer.custom_fields as Record<string, unknown>)[HANDOFF_FIELD]);
	/** What the customer wrote during the handoff, as the agent sees it (the bot history is written by the relay's agent). */
	const relayedCustomerEvents = (chatId: string) => {
		const customer = chatCustomer(p, chatId);
		return chatEvents(p, chatId).filter((e) => e.author_id === customer);
	};
	/** What agents wrote, as the customer sees it in Landbot (greeting and transfer notices excluded). */
	const notices = (m: LandbotMessage) => m.message === GREETING || m.message === TRANSFERRED || /^All our agents are busy/.test(m.message);
	const relayedAgentMessages = (cid: number) => landbotMessages(cid, 'agent').filter((m) => !notices(m));
	/** An image event is shown by its file name (its CDN address is new); the bytes are checked apart. */
	const agentView = (e: LiveChatEvent) =>
		e.type === 'file' ? `image ${String(e.name)}${e.alternative_text ? ` ${String(e.alternative_text)}` : ''}` : liveChatView(e);

	/** A bot conversation, one message a second (Landbot's transcript times have one-second resolution). */
	async function botConversation(cid: number, lines: Array<['bot' | 'customer', string]>) {
		for (const [who, text] of lines) {
			if (who === 'bot') p.landbot.botSays(cid, text);
			else p.landbot.customerSays(cid, text);
			await sleep(1_050);
		}
	}

	/** The bot's Webhook block calls template 7; resolves with the chat ID once the customer has the greeting. */
	async function startHandoff(cid: number, greetings = 1): Promise<string> {
		const call = await p.landbot.webhookBlock(cid, {
			url: n8n.webhookUrl(webhookPath(t.handoffStart, LIVECHAT_NODES.handoffRequested)),
			headers: { [HEADER_SECRET_NAME]: blockSecret },
			body: { customer_id: '@id', name: '@name', email: '@email' },
		});
		expect(call.status).toBe(200);
		await waitUntil(
			`the handoff greeting for customer ${cid}`,
			() => landbotMessages(cid, 'agent').filter((m) => m.message === GREETING).length === greetings,
			{ timeoutMs: 60_000, describe: () => state(cid) },
		);
		return chatIdOf(cid);
	}

	function newCustomer(name: string) {
		return p.landbot.createCustomer({ channel_id: p.channelId, name, email: `${name.toLowerCase()}@example.com` }).id as number;
	}

	const settle = async () => {
		await Promise.all([p.landbot.idle(30_000), p.livechat.idle(30_000)]);
		await sleep(1_500);
	};

	// ------------------------------------------------------------ tests

	test('a whole handoff: history first, 20 messages each way once and in order, no echo, back to the bot at the block; the same LiveChat customer next time', async () => {
		const started = Date.now();
		const cid = newCustomer('Carla');
		const history: Array<['bot' | 'customer', string]> = [
			['bot', 'Hi! I am the shop bot. How can I help?'],
			['customer', 'My parcel never arrived'],
			['bot', 'Sorry to hear that. Shall I get you a person?'],
			['customer', 'Yes please'],
			['bot', 'Connecting you to an agent…'],
		];
		await botConversation(cid, history);
		const chatId = await startHandoff(cid);

		// ---- the handoff started: a chat in the Support group with the history, the agent in it, the field set
		const chat = p.livechat.getChat(chatId) as any;
		expect(chat).toBeDefined();
		expect(chat.access.group_ids).toEqual([p.groupId]);
		expect(chat.properties[p.clientId]).toEqual({
			external_id: String(cid),
			external_platform: 'landbot',
			customer_external_id: `landbot-${cid}`,
			// The customer's accounts cookies, sealed: template 8 writes as this customer from them.
			customer_identity: expect.stringMatching(/^v1\./),
			// Nothing relayed back to the customer yet: the LiveChat Trigger's catch-up mark.
			relayed: '',
		});
		const customerId = chatCustomer(p, chatId)!;
		expect(p.livechat.getCustomer(customerId)).toMatchObject({ name: 'Carla', email: 'carla@example.com' });
		expect(chat.users.map((u: any) => u.id).sort()).toEqual([LIVECHAT_AGENT.email, customerId].sort());
		expect(chat.threads).toHaveLength(1);
		expect(chat.threads[0].active).toBe(true);
		expect(chat.threads[0].queue).toBeUndefined();
		const historyLines = history.map(([who, text]) => `${who === 'bot' ? 'Bot' : 'Customer'}: ${text}`);
		expect(chatEvents(p, chatId).map(liveChatView)).toEqual(historyLines);
		expect(chatEvents(p, chatId).map((e) => [e.author_id, carriesLiveChatMarker(e)])).toEqual(historyLines.map(() => [p.relayAgent.id, true]));
		expect(state(cid).customer.custom_fields).toEqual({ [HANDOFF_FIELD]: chatId });
		expect(state(cid).agent_id).toBe(LANDBOT_AGENT_ID);
		expect(state(cid).bot.active).toBe(false);
		// The relay's own routing transfer was delivered, and not announced to the customer.
		await waitUntil('the routing transfer delivered', () =>
			p.livechat.getDeliveries().some((d) => d.action === 'chat_transferred' && d.body.payload.chat_id === chatId && d.status !== null),
		);
		expect(
			p.livechat
				.getDeliveries()
				.filter((d) => d.action === 'chat_transferred' && d.body.payload.chat_id === chatId)
				.map((d) => [d.body.payload.requester_id, d.status]),
		).toEqual([[p.relayAgent.id, 200]]);
		expect(landbotMessages(cid, 'agent').map(landbotView)).toEqual([GREETING]);
		const afterStart = Date.now();

		// ---- 20 messages each way, interleaved, an image each way; each side writes every 200 ms, at
		// n8n's default concurrency: order comes from the triggers' sequencers, not from pacing.
		const customerImage = p.landbot.hostMedia({ name: 'damaged-box.png', contentType: 'image/png', data: TINY_PNG });
		const agentImage = p.livechat.storeFile({ name: 'label.png', contentType: 'image/png', data: TINY_PNG });
		const customerSent: string[] = [];
		const agentSent: string[] = [];
		for (let i = 1; i <= 20; i++) {
			if (i === 7) {
				p.landbot.customerSays(cid, { image: customerImage, caption: 'This is the box' });
				customerSent.push('image damaged-box.png This is the box');
			} else {
				p.landbot.customerSays(cid, `customer message ${i}`);
				customerSent.push(`customer message ${i}`);
			}
			await sleep(100);
			if (i === 12) {
				p.livechat.agentSays(chatId, p.agentId, { file: { url: agentImage, name: 'label.png', content_type: 'image/png' } });
				agentSent.push(`image ${agentImage}`);
			} else {
				p.livechat.agentSays(chatId, p.agentId, `agent message ${i}`);
				agentSent.push(`agent message ${i}`);
			}
			await sleep(100);
		}
		await waitUntil(
			'20 customer messages in LiveChat and 20 agent messages in Landbot',
			() => relayedCustomerEvents(chatId).length >= 20 && relayedAgentMessages(cid).length >= 20,
			{
				timeoutMs: 60_000,
				describe: () => ({ livechat: relayedCustomerEvents(chatId).map(agentView), landbot: relayedAgentMessages(cid).map(landbotView) }),
			},
		);
		const relayed = Date.now();
		// Late duplicates would come from retried deliveries: let every retry window pass.
		await settle();

		expect({ toAgent: relayedCustomerEvents(chatId).map(agentView), toCustomer: relayedAgentMessages(cid).map(landbotView) }).toEqual({
			toAgent: customerSent,
			toCustomer: agentSent,
		});
		// The customer's image was uploaded to LiveChat as an image file, the same bytes.
		const imageEvent = relayedCustomerEvents(chatId).find((e) => e.type === 'file')!;
		expect(imageEvent).toMatchObject({ content_type: 'image/png', size: TINY_PNG.length });
		expect(Buffer.from(await (await fetch(String(imageEvent.url))).arrayBuffer())).toEqual(TINY_PNG);
		// The agent's image reached Landbot as an image.
		expect(relayedAgentMessages(cid).find((m) => m.type === 'image')!.data).toMatchObject({ url: agentImage });

		// ---- the agent sees the bot history first, then the customer's messages; nothing else was written.
		const allEvents = chatEvents(p, chatId);
		expect(allEvents.slice(0, historyLines.length).map(liveChatView)).toEqual(historyLines);
		expect(allEvents.filter((e) => e.author_id === p.relayAgent.id)).toHaveLength(historyLines.length);

		// ---- no echo: the agent messages came back through MessageHooks (to both Landbot triggers) and none
		// went to LiveChat again; the customer's relayed messages never came back to Landbot.
		const agentUuids = new Set(relayedAgentMessages(cid).map((m) => m.uuid));
		const echoDeliveries = p.landbot.getDeliveries().filter((d) => agentUuids.has(d.messageUuid) && d.status === 200);
		expect(echoDeliveries.length).toBe(2 * 20);
		expect(allEvents.filter((e) => e.author_id === customerId)).toHaveLength(20);
		expect(allEvents.filter((e) => e.author_id === customerId).every(carriesLiveChatMarker)).toBe(true);
		expect(landbotMessages(cid, 'agent').map(landbotView)).toEqual([GREETING, ...agentSent]);
		expect(landbotMessages(cid, 'user').map(landbotView)).toEqual([
			...history.filter(([who]) => who === 'customer').map(([, text]) => text),
			...customerSent.map((m) => (m.startsWith('image') ? `image ${customerImage} This is the box` : m)),
		]);

		// ---- the agent ends the chat: field deleted first, unassigned, the bot resumes at the chosen block
		p.livechat.deactivate(chatId, p.agentId);
		await waitUntil('the bot to resume', () => state(cid).bot.active, { timeoutMs: 30_000, describe: () => state(cid) });
		await settle(); // time for a wrong re-assignment by workflow 10 to show up

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
		expect((p.livechat.getChat(chatId) as any).threads[0].active).toBe(false);
		expect(relayedAgentMessages(cid).map(landbotView)).toEqual(agentSent);
		const closedAt = Date.now();

		// ---- Carla asks again: the same LiveChat customer, her chat resumed with a new thread.
		const customersBefore = p.livechat.listCustomers().length;
		await botConversation(cid, [['customer', 'Me again, one more question']]);
		expect(await startHandoff(cid, 2)).toBe(chatId);
		const resumed = p.livechat.getChat(chatId) as any;
		expect(resumed.threads).toHaveLength(2);
		expect(resumed.threads[1].active).toBe(true);
		expect(chatCustomer(p, chatId)).toBe(customerId);
		expect(p.livechat.listCustomers()).toHaveLength(customersBefore);
		p.landbot.customerSays(cid, 'Is my refund on its way?');
		await waitUntil('the second handoff message at the agent', () => relayedCustomerEvents(chatId).length === 21);
		p.livechat.agentSays(chatId, p.agentId, 'Yes, it is');
		await waitUntil('the answer in Landbot', () => relayedAgentMessages(cid).length === 21);
		expect(relayedCustomerEvents(chatId).slice(20).map(agentView)).toEqual(['Is my refund on its way?']);
		expect(relayedAgentMessages(cid).slice(20).map(landbotView)).toEqual(['Yes, it is']);

		console.log(
			`full conversation: bot phase + handoff start ${afterStart - started} ms, 40 messages relayed in ` +
				`${relayed - afterStart} ms, end → bot ${closedAt - relayed} ms (incl. settle waits), second handoff ${Date.now() - closedAt} ms`,
		);
	});

	test('idle unassignment: workflow 10 re-assigns as soon as the next customer message shows it, and that message still reaches the agent', async () => {
		p.landbot.configure({ idleUnassignMs: 30_000 }); // 1.5 s at this time scale
		try {
			const cid = newCustomer('Dora');
			await botConversation(cid, [
				['bot', 'Hello Dora, what can I do for you?'],
				['customer', 'I want a human'],
			]);
			const chatId = await startHandoff(cid);
			p.livechat.agentSays(chatId, p.agentId, 'Hi Dora, I am here');
			await waitUntil('the agent message in Landbot', () => relayedAgentMessages(cid).length === 1);

			await waitUntil('Landbot to unassign the idle conversation', () => state(cid).events.some((e) => e.type === 'idle_unassign'), {
				timeoutMs: 20_000,
				describe: () => state(cid).events,
			});
			p.landbot.configure({ idleUnassignMs: 0 });
			expect(state(cid).agent_id).toBeNull();
			expect(state(cid).customer.custom_fields).toMatchObject({ [HANDOFF_FIELD]: chatId });

			p.landbot.customerSays(cid, 'Hello? Are you still there?');
			await waitUntil('the conversation to be assigned again', () => state(cid).agent_id === LANDBOT_AGENT_ID, {
				timeoutMs: 20_000,
				describe: () => state(cid).events,
			});
			await waitUntil('the customer message at the agent', () => relayedCustomerEvents(chatId).length === 1, { timeoutMs: 20_000 });
			await settle();

			const events = state(cid).events;
			const idleAt = events.findIndex((e) => e.type === 'idle_unassign');
			expect(events.slice(idleAt).map((e) => [e.type, e.agent_id ?? null])).toEqual([
				['idle_unassign', LANDBOT_AGENT_ID],
				['assign', LANDBOT_AGENT_ID],
			]);
			expect(relayedCustomerEvents(chatId).map(agentView)).toEqual(['Hello? Are you still there?']);
			expect(state(cid).bot.active).toBe(false);
		} finally {
			p.landbot.configure({ idleUnassignMs: 0 });
		}
	});

	test('transfers are told to the customer: to another agent, then into a queue; the relay goes on with the new agent', async () => {
		const cid = newCustomer('Tom');
		await botConversation(cid, [['customer', 'I have a billing question']]);
		const chatId = await startHandoff(cid);
		// Bob is not in the Support group (so he does not take the other tests' chats); Billing has nobody.
		const bob = p.livechat.createAgent({ email: 'bob@livechat.e2e', name: 'Bob Billing' }).agent.id;
		const billing = p.livechat.createGroup({ name: 'Billing' }).id;

		p.livechat.agentSays(chatId, p.agentId, 'Let me get you my colleague from billing');
		await waitUntil('the first agent message', () => relayedAgentMessages(cid).length === 1);
		p.livechat.transfer(chatId, { agentId: bob, requesterId: p.agentId });
		await waitUntil('the transfer notice', () => landbotMessages(cid, 'agent').some((m) => m.message === TRANSFERRED), {
			describe: () => landbotMessages(cid, 'agent').map(landbotView),
		});
		p.livechat.agentSays(chatId, bob, 'Hi Tom, Bob from billing here');
		await waitUntil('Bob in Landbot', () => relayedAgentMessages(cid).length === 2);
		p.landbot.customerSays(cid, 'Hi Bob, I was charged twice');
		await waitUntil('the customer message at Bob', () => relayedCustomerEvents(chatId).length === 1);

		p.livechat.transfer(chatId, { groupId: billing, requesterId: bob });
		await waitUntil('the queue notice', () => landbotMessages(cid, 'agent').some((m) => m.message === queued(1)), {
			describe: () => landbotMessages(cid, 'agent').map(landbotView),
		});
		await settle();

		expect(landbotMessages(cid, 'agent').map(landbotView)).toEqual([
			GREETING,
			'Let me get you my colleague from billing',
			TRANSFERRED,
			'Hi Tom, Bob from billing here',
			queued(1),
		]);
		// What Tom told the bot is in the history; what he wrote in the handoff reached the chat once.
		expect(relayedCustomerEvents(chatId).map(agentView)).toEqual(['Hi Bob, I was charged twice']);
		expect(chatEvents(p, chatId).map(liveChatView)[0]).toBe('Customer: I have a billing question');
		const transfers = p.livechat.getDeliveries().filter((d) => d.action === 'chat_transferred' && d.body.payload.chat_id === chatId);
		expect(transfers.map((d) => [d.body.payload.requester_id, d.status])).toEqual([
			[p.relayAgent.id, 200], // the relay's own routing at the start: not announced
			[p.agentId, 200],
			[bob, 200],
		]);
		expect((p.livechat.getChat(chatId) as any).threads[0].queue).toMatchObject({ position: 1 });
		// Still in the handoff: nothing of the handback ran.
		expect(state(cid).customer.custom_fields).toEqual({ [HANDOFF_FIELD]: chatId });
		expect(state(cid).agent_id).toBe(LANDBOT_AGENT_ID);
	});

	test("an outage longer than LiveChat's retries: what the agent wrote meanwhile reaches the customer once and in order, with the chat's next message", async () => {
		const cid = newCustomer('Olga');
		await botConversation(cid, [
			['bot', 'Hello Olga, what can I do for you?'],
			['customer', 'Agent, please'],
		]);
		const chatId = await startHandoff(cid);
		p.livechat.agentSays(chatId, p.agentId, 'before the outage');
		await waitUntil('the first agent message in Landbot', () => relayedAgentMessages(cid).length === 1, { timeoutMs: 30_000 });
		await settle();

		await n8n.kill9();
		const during = ['while n8n is down 1', 'while n8n is down 2', 'while n8n is down 3'];
		const downSince = Date.now();
		for (const text of during) {
			p.livechat.agentSays(chatId, p.agentId, text);
			await sleep(200);
		}
		// LiveChat's three retries (3 s at this time scale, a minute in production) all fail: it gives up.
		await p.livechat.idle(60_000);
		const given = p.livechat.getDeliveries().filter((d) => d.gaveUp && d.at >= downSince && d.body?.payload?.chat_id === chatId);
		expect(given.map((d) => d.body.payload.event.text)).toEqual(during);
		await n8n.restart();
		await waitForLiveChatTrigger(n8n, p, webhookPath(t.liveChatToLandbot, LIVECHAT_NODES.agentMessage), ['incoming_event']);

		p.livechat.agentSays(chatId, p.agentId, 'after the outage');
		await waitUntil('every agent message in Landbot', () => relayedAgentMessages(cid).length >= 5, {
			timeoutMs: 60_000,
			describe: () => relayedAgentMessages(cid).map((m) => m.message),
		});
		await settle();
		expect(relayedAgentMessages(cid).map((m) => m.message)).toEqual(['before the outage', ...during, 'after the outage']);
	});

	test('a wrong secret gets 401 and starts no execution', async () => {
		const cid = newCustomer('Mallory');
		await sleep(500);
		const before = await executionCount(n8n);
		const chatsBefore = p.livechat.listChats().length;

		// Deliveries the relays would act on if they were genuine: a customer message in a handoff…
		const landbotDelivery = {
			messages: [
				{
					type: 'text',
					timestamp: Date.now() / 1000,
					data: { body: 'forged' },
					sender: { id: cid, name: 'Mallory', type: 'customer' },
					customer: { id: cid, agent_id: null, name: 'Mallory', [HANDOFF_FIELD]: 'FORGEDCHAT' },
					channel: { id: p.channelId, name: 'Web bot', type: 'landbot' },
					_raw: { uuid: 'forged-1', message: 'forged' },
				},
			],
		};
		for (const node of [LIVECHAT_NODES.customerMessage, LIVECHAT_NODES.handoffInterrupted]) {
			const template = node === LIVECHAT_NODES.customerMessage ? t.landbotToLiveChat : t.timeoutReassign;
			const url = n8n.webhookUrl(webhookPath(template, node));
			for (const headers of [{ authorization: 'Token wrong-token' }, {}] as Array<Record<string, string>>) {
				const res = await request(url, { method: 'POST', headers, body: landbotDelivery });
				expect([node, res.status]).toEqual([node, 401]);
			}
		}
		// …an agent message, a deactivated chat and a transfer, each for Mallory's Landbot conversation.
		const properties = { [p.clientId]: { external_id: String(cid), external_platform: 'landbot', customer_external_id: `landbot-${cid}` } };
		const delivery = (action: string, payload: Record<string, unknown>) => ({
			webhook_id: 'forged',
			action,
			organization_id: p.organizationId,
			payload,
			additional_data: { chat_properties: properties },
		});
		const agentMessage = delivery('incoming_event', {
			chat_id: 'FORGEDCHAT',
			thread_id: 'T1',
			event: { id: 'T1_1', type: 'message', text: 'forged', author_id: LIVECHAT_AGENT.email, visibility: 'all', created_at: new Date().toISOString() },
		});
		const deactivated = delivery('chat_deactivated', { chat_id: 'FORGEDCHAT', thread_id: 'T1', user_id: LIVECHAT_AGENT.email });
		const transferred = delivery('chat_transferred', {
			chat_id: 'FORGEDCHAT',
			thread_id: 'T1',
			requester_id: LIVECHAT_AGENT.email,
			reason: 'manual',
			transferred_to: { agent_ids: ['bob@livechat.e2e'] },
		});
		for (const [template, node, body] of [
			[t.liveChatToLandbot, LIVECHAT_NODES.agentMessage, agentMessage],
			[t.handback, LIVECHAT_NODES.chatEnded, deactivated],
			[t.handback, LIVECHAT_NODES.chatEnded, transferred],
		] as const) {
			const url = n8n.webhookUrl(webhookPath(template, node));
			// A wrong secret, none, an empty one, the secret of a webhook registered for another URL, or
			// of this URL's webhook for another action; this action's own secret with a forged webhook_id.
			const webhooks = p.livechat.getWebhooks();
			const otherSecret = webhooks.find((w) => w.url !== url)!.secret_key;
			const own = webhooks.find((w) => w.url === url && w.action === body.action)!;
			const otherAction = webhooks.find((w) => w.url === url && w.action !== body.action);
			const cases: Array<[string, Record<string, unknown>]> = [
				['wrong', { ...body, secret_key: 'wrong-secret' }],
				['none', body],
				['empty', { ...body, secret_key: '' }],
				['another webhook\'s', { ...body, secret_key: otherSecret }],
				['its own, forged webhook_id', { ...body, secret_key: own.secret_key }],
			];
			if (otherAction) cases.push(['another action\'s', { ...body, webhook_id: otherAction.id, secret_key: otherAction.secret_key }]);
			for (const [label, forged] of cases) {
				const res = await request(url, { method: 'POST', body: forged });
				expect([node, body.action, label, res.status]).toEqual([node, body.action, label, 401]);
			}
		}
		const start = n8n.webhookUrl(webhookPath(t.handoffStart, LIVECHAT_NODES.handoffRequested));
		for (const headers of [{ [HEADER_SECRET_NAME]: 'wrong' }, {}] as Array<Record<string, string>>) {
			const res = await request(start, { method: 'POST', headers, body: { customer_id: cid, name: 'Mallory' } });
			expect(res.status).toBe(401);
		}

		await sleep(1_500);
		expect(await executionCount(n8n)).toBe(before);
		expect(p.livechat.listChats()).toHaveLength(chatsBefore);
		expect(state(cid).events).toEqual([]);
		expect(state(cid).messages).toEqual([]);
	});

	test('every execution the relays started succeeded', async () => {
		const executions = await n8n.executions({ includeData: true });
		const failed = executions
			.filter((e) => e.status !== 'success')
			.map((e) => ({ id: e.id, workflowId: e.workflowId, status: e.status, error: e.data?.resultData?.error?.message }));
		expect(failed).toEqual([]);
		const retried = (attempts: Array<{ attempt: number }>) => attempts.filter((a) => a.attempt > 1).length;
		console.log(
			`landbot-livechat: ${executions.length} executions, all successful; delivery retries ` +
				`(dropped as duplicates when the first attempt got through): LiveChat ${retried(p.livechat.getDeliveries())}, ` +
				`Landbot ${retried(p.landbot.getDeliveries())}; customer tokens issued: ` +
				`${p.livechat.getCalls().filter((c) => c.action === 'customer_token').length} for ${p.livechat.listCustomers().length} customers`,
		);
	});

	// Last: after every relay above ran, with every secret the run used.
	test('no secret the run used is in any execution (run data, workflow snapshot) or in n8n\'s log', async () => {
		const { leaks, control, scanned } = await findLeaks(
			n8n,
			{
				'Webhook block secret (X-Handoff-Secret)': [blockSecret],
				'Landbot API token': [LANDBOT_TOKEN],
				'Landbot MessageHook token': p.landbot.listHooks().map((h) => h.token),
				'LiveChat personal access token': [p.relayAgent.pat],
				'LiveChat webhook secret_key': p.livechat.getWebhooks().map((w) => w.secret_key),
				'another Landbot secret (simulator)': p.landbot.secrets(),
				'another LiveChat secret (customer token, __lc_cst cookie, Basic credential; simulator)': p.livechat.secrets(),
			},
			// Every chat the handoffs opened: in the run data of the executions that relayed it.
			{ control: p.livechat.listChats().map((chat) => String(chat.id)) },
		);
		console.log(
			`landbot-livechat: ${scanned.secrets} secrets looked for in ${scanned.executions} executions (REST API), ` +
				`${scanned.rows} database rows and ${Math.round(scanned.logBytes / 1024)} KB of n8n's log: ${leaks.length} found`,
		);
		expect(leaks).toEqual([]);
		// The scan read what it should: the chat IDs are in the run data, through the API and in the database.
		expect(control.some((where) => where.endsWith(': run data'))).toBe(true);
		expect(control.some((where) => where.startsWith('database execution_data'))).toBe(true);
		expect(scanned.logBytes).toBeGreaterThan(0);
	});
});
