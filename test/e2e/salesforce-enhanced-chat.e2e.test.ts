/**
 * Landbot ↔ Salesforce Enhanced Chat (Messaging for In-App and Web) handoff, end to end: templates
 * 19 (handoff start), 20 (customer messages → Send Message) and 21 (Salesforce Enhanced Chat Trigger
 * → the customer, and the end of the chat) imported unchanged (only their placeholders filled) into
 * a real n8n with the packed package, at its default concurrency, published, and driven through the
 * Landbot and Enhanced Chat simulators. Assertions read what the customer sees (the Landbot
 * conversation) and what the agent sees (the simulator's transcript and routing attributes), plus the
 * event streams n8n opened.
 *
 * The trigger follows the conversations the action node starts in the same n8n process (regular
 * mode), one event stream per conversation; it relays one conversation's events one execution at a
 * time, in order, and catches up from the entries list when a stream drops.
 */
import * as os from 'os';

import type { LandbotMessage, LandbotSimulator, SalesforceEnhancedChatSimulator } from '../fakes';
import { startCpuLoad } from './lib/load';
import { N8nInstance, packPackage } from './lib/n8n';
import {
	HEADER_SECRET_NAME,
	LANDBOT_AGENT_ID,
	headerSecretCredential,
	landbotCredential,
	landbotView,
	sleep,
	startLandbot,
	waitForLandbotTrigger,
	waitUntil,
} from './lib/relay';
import {
	CONVERSATION_FIELD,
	ENHANCED_CHAT_NODES,
	ENHANCED_CHAT_TEMPLATE_FILES,
	type SavedConversation,
	conversationCallsOf,
	endUserMessages,
	enhancedChatCredential,
	messagesIn,
	startEnhancedChat,
	streamCallsOf,
} from './lib/salesforceEnhancedChat';
import { PLACEHOLDERS, TEMPLATE_CREDENTIALS, type Template, loadTemplate, webhookPath } from './lib/templates';

/** Landbot's hook retries run 20× faster. */
const TIME_SCALE = 0.05;
/** Salesforce routes a new session after this long (RoutingResult); an agent then accepts. */
const ROUTING_DELAY_MS = 300;
const BOT_ID = '777';
const RESUME_BLOCK = 'Nresume42';
const GREETING = 'An agent will be with you shortly.';
const NO_AGENT = 'Sorry, no agent is available right now. The bot will help you again.';
const AGENT_NAME = 'Sam Agent';
const JOINED = `${AGENT_NAME} joined the chat`;
/** Messages per direction, and how far apart each side writes them. */
const N = 20;
const GAP_MS = 200;

describe('Landbot ↔ Salesforce Enhanced Chat through templates 19–21 in a real n8n', () => {
	let landbot: LandbotSimulator;
	let channelId: number;
	let sf: SalesforceEnhancedChatSimulator;
	let n8n: N8nInstance;
	let blockSecret: string;
	const t: Record<keyof typeof ENHANCED_CHAT_TEMPLATE_FILES, Template> = {} as never;
	const figures: string[] = [];
	const t0 = Date.now();

	/** The chat the tests share: Carla's, from the handoff to the end of the session. */
	let cid: number;
	let conversation: SavedConversation;
	const customerSent: string[] = [];
	const agentSent: string[] = [];

	beforeAll(async () => {
		landbot = await startLandbot(TIME_SCALE);
		channelId = landbot.createChannel({ name: 'Web bot', type: 'landbot' }).id;
		sf = await startEnhancedChat({ routingDelayMs: ROUTING_DELAY_MS, orgId: '00D5e000000E2Ee', deploymentName: 'Landbot_Handoff' });
		const backToBot = { [PLACEHOLDERS.landbotBotId]: BOT_ID, [PLACEHOLDERS.landbotBlockId]: RESUME_BLOCK };
		t.handoff = loadTemplate(ENHANCED_CHAT_TEMPLATE_FILES.handoff);
		t.customerToAgent = loadTemplate(ENHANCED_CHAT_TEMPLATE_FILES.customerToAgent, {
			[PLACEHOLDERS.landbotChannelId]: String(channelId),
			...backToBot,
		});
		t.agentToCustomer = loadTemplate(ENHANCED_CHAT_TEMPLATE_FILES.agentToCustomer, backToBot);
		const block = headerSecretCredential(TEMPLATE_CREDENTIALS.landbotWebhookBlock);
		blockSecret = block.value;

		n8n = await N8nInstance.start({
			tarball: await packPackage(),
			credentials: [landbotCredential({ landbot }), enhancedChatCredential(sf), block.credential],
			workflows: [t.handoff, t.customerToAgent, t.agentToCustomer],
		});
		await Promise.all([
			n8n.waitForWebhook(webhookPath(t.handoff, ENHANCED_CHAT_NODES.handoffRequested)),
			waitForLandbotTrigger(n8n, { landbot }, webhookPath(t.customerToAgent, ENHANCED_CHAT_NODES.customerMessage)),
		]);
		console.log(`salesforce-enhanced-chat: n8n up with templates 19–21 published, triggers live after ${Date.now() - t0} ms`);
	}, 240_000);

	afterAll(async () => {
		await n8n?.stop();
		await Promise.all([landbot?.stop(), sf?.stop()]);
		if (figures.length) console.log(`salesforce-enhanced-chat:\n${figures.join('\n')}`);
		console.log(`salesforce-enhanced-chat: whole file ${Date.now() - t0} ms`);
	}, 60_000);

	// ------------------------------------------------------------ helpers

	const state = (id: number) => landbot.getCustomerState(id);
	const fields = (id: number) => state(id).customer.custom_fields as Record<string, unknown>;
	const landbotMessages = (id: number, author?: LandbotMessage['author_type']) =>
		state(id).messages.filter((m) => author === undefined || m.author_type === author);
	/** What the agent's side wrote, as the customer sees it (the greeting and the join notice excluded). */
	const relayedAgentMessages = (id: number) =>
		landbotMessages(id, 'agent')
			.filter((m) => m.message !== GREETING && !m.message.endsWith(' joined the chat'))
			.map(landbotView);
	/** What the customer wrote in the handoff, as the agent sees it (the transcript, the first message, excluded). */
	const relayedCustomerMessages = (conversationId: string) => endUserMessages(sf, conversationId).slice(1);
	/** The agent's messages in the conversation. */
	const agentLines = (conversationId: string) =>
		messagesIn(sf, conversationId)
			.filter((line) => line.role === 'Agent')
			.map((line) => line.text);

	function newCustomer(name: string) {
		return landbot.createCustomer({ channel_id: channelId, name, email: `${name.toLowerCase()}@example.com` }).id as number;
	}

	/** A bot conversation, one message a second (Landbot's transcript times have one-second resolution). */
	async function botConversation(id: number, lines: Array<['bot' | 'customer', string]>) {
		for (const [who, text] of lines) {
			if (who === 'bot') landbot.botSays(id, text);
			else landbot.customerSays(id, text);
			await sleep(1_050);
		}
	}

	/** The bot's Webhook block calls template 19; resolves with the saved conversation once the customer has the greeting. */
	async function startHandoff(id: number): Promise<SavedConversation> {
		const call = await landbot.webhookBlock(id, {
			url: n8n.webhookUrl(webhookPath(t.handoff, ENHANCED_CHAT_NODES.handoffRequested)),
			headers: { [HEADER_SECRET_NAME]: blockSecret },
			body: { customer_id: '@id', name: '@name' },
		});
		expect(call.status).toBe(200);
		await waitUntil(`the handoff greeting for customer ${id}`, () => landbotMessages(id, 'agent').some((m) => m.message === GREETING), {
			timeoutMs: 60_000,
			describe: () => state(id),
		});
		return fields(id)[CONVERSATION_FIELD] as SavedConversation;
	}

	/** The trigger of template 21 has the conversation's event stream open. */
	async function waitForStream(saved: SavedConversation, count = 1) {
		await waitUntil(`the event stream of conversation ${saved.id}`, () => sf.openStreams(saved.subject) === count, {
			describe: () => ({ open: sf.openStreamsBySubject(), calls: streamCallsOf(sf, saved).map((c) => [c.status, c.headers['last-event-id']]) }),
		});
	}

	async function waitForBackToBot(id: number) {
		await waitUntil('the bot to resume', () => state(id).bot.active, { timeoutMs: 30_000, describe: () => state(id) });
		await landbot.idle(30_000);
	}

	/** Late duplicates would come from retried deliveries or a second stream: let them show up. */
	async function settle() {
		await landbot.idle(30_000);
		await sleep(1_500);
	}

	/** The customer's calls at Landbot since `since`, as `METHOD path` below the customer. */
	const customerCallsSince = (id: number, since: number) =>
		landbot
			.getCalls()
			.filter((c) => c.path.startsWith(`/v1/customers/${id}/`) && c.at >= since && c.status !== 429)
			.map((c) => `${c.method} ${c.path.replace(`/v1/customers/${id}/`, '')}`);

	const backAtTheBlock = { id: Number(BOT_ID), node: RESUME_BLOCK, active: true, launched: true };

	// ------------------------------------------------------------ tests

	test('the handoff: the agent gets the bot transcript and the customer\'s name, the customer waits for the agent; the agent joining is announced', async () => {
		const started = Date.now();
		cid = newCustomer('Carla');
		const history: Array<['bot' | 'customer', string]> = [
			['bot', 'Hi! I am the shop bot. How can I help?'],
			['customer', 'My parcel never arrived'],
			['bot', 'Sorry to hear that. Shall I get you a person?'],
		];
		await botConversation(cid, history);
		conversation = await startHandoff(cid);
		const handedOff = Date.now();

		// ---- the conversation object is kept in the customer field, with the Landbot customer as its context
		expect(fields(cid)).toEqual({
			[CONVERSATION_FIELD]: {
				id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
				accessToken: expect.any(String),
				subject: expect.any(String),
				lastEventId: expect.any(String),
				expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
				context: { landbotCustomerId: cid },
			},
		});
		// ---- what the agent sees: the customer's name as the pre-chat field, the bot transcript first
		const view = sf.conversation(conversation.id)!;
		expect(view).toMatchObject({ esDeveloperName: 'Landbot_Handoff', sessionStatus: 'Active', closed: false, sessions: 1 });
		expect(view.routingAttributes).toEqual({ _firstName: 'Carla' });
		expect(messagesIn(sf, conversation.id).map((line) => [line.role, line.text])).toEqual([
			['EndUser', history.map(([who, text]) => `${who === 'bot' ? 'Bot' : 'Customer'}: ${text}`).join('\n')],
		]);
		// ---- the customer is with the credential's agent, the bot stopped, told to wait
		expect(state(cid).agent_id).toBe(LANDBOT_AGENT_ID);
		expect(state(cid).bot.active).toBe(false);
		expect(landbotMessages(cid, 'agent').map(landbotView)).toEqual([GREETING]);
		// ---- template 21's trigger follows the conversation: one stream for its token
		await waitForStream(conversation);
		await sf.idle();
		expect(sf.conversation(conversation.id)!.routingStatus).toBe('NEEDS_ROUTING');

		// ---- an agent accepts: the customer reads who joined
		sf.agentAccepts(conversation.id, { name: AGENT_NAME });
		const accepted = Date.now();
		await waitUntil('the join notice at the customer', () => landbotMessages(cid, 'agent').some((m) => m.message === JOINED), {
			describe: () => landbotMessages(cid, 'agent').map(landbotView),
		});
		const joinedAt = Date.now();
		await settle();
		expect(landbotMessages(cid, 'agent').map(landbotView)).toEqual([GREETING, JOINED]);
		expect(sf.conversation(conversation.id)!.participants.map((p) => [p.role, p.displayName])).toEqual([
			['EndUser', 'Guest'],
			['Agent', AGENT_NAME],
		]);
		figures.push(`handoff: Webhook block → greeting ${handedOff - started - 3 * 1_050} ms; agent accepts → "${JOINED}" ${joinedAt - accepted} ms`);
	});

	test(`customer → agent: ${N} messages ${GAP_MS / 2} ms apart (one an image) reach the agent once each, in order; nothing comes back to the customer`, async () => {
		const image = landbot.hostMedia({ name: 'damaged-box.png', contentType: 'image/png', data: 'not really a png' });
		const started = Date.now();
		for (let i = 1; i <= N; i++) {
			if (i === 7) {
				landbot.customerSays(cid, { image, caption: 'This is the box' });
				customerSent.push('This is the box');
			} else {
				landbot.customerSays(cid, `customer message ${i}`);
				customerSent.push(`customer message ${i}`);
			}
			await sleep(GAP_MS / 2);
		}
		await waitUntil(`${N} customer messages at the agent`, () => relayedCustomerMessages(conversation.id).length >= customerSent.length, {
			timeoutMs: 60_000,
			describe: () => relayedCustomerMessages(conversation.id),
		});
		const relayed = Date.now();
		await settle();

		expect(relayedCustomerMessages(conversation.id)).toEqual(customerSent);
		// The relay's own messages come back on the stream (as the end user's): not relayed to Landbot.
		expect(landbotMessages(cid, 'agent').map(landbotView)).toEqual([GREETING, JOINED]);
		// The image went as a file (uploaded from Landbot's URL), its caption as the text.
		const box = messagesIn(sf, conversation.id).find((line) => line.role === 'EndUser' && line.text === 'This is the box');
		expect(box?.attachments?.map((a) => [a.name, a.mimeType])).toEqual([['damaged-box.png', 'image/png']]);
		// Each message was sent once: one POST …/message (…/file for the image) per message and the transcript, none refused.
		const posts = conversationCallsOf(sf, conversation).filter((c) => c.method === 'POST' && /\/(message|file)$/.test(c.path));
		expect(posts.map((c) => c.status)).toEqual(Array.from({ length: N + 1 }, () => 202));
		figures.push(`customer → agent: ${N} messages written in ${N * (GAP_MS / 2)} ms, all at the agent ${relayed - started} ms after the first`);
	});

	test(`agent → customer: ${N} messages ${GAP_MS} ms apart, under a competing CPU load, reach the customer once each, in order`, async () => {
		const load = startCpuLoad({ processes: os.cpus().length, duty: 0.7, maxMs: 120_000 });
		const sentAt: number[] = [];
		let relayed = 0;
		try {
			await sleep(500); // the load is running
			for (let i = 1; i <= N; i++) {
				sf.agentSays(conversation.id, `agent message ${i}`);
				agentSent.push(`agent message ${i}`);
				sentAt.push(Date.now());
				await sleep(GAP_MS);
			}
			await waitUntil(`${N} agent messages at the customer`, () => relayedAgentMessages(cid).length >= agentSent.length, {
				timeoutMs: 90_000,
				describe: () => relayedAgentMessages(cid),
			});
			relayed = Date.now();
		} finally {
			await load.stop();
		}
		await settle();

		expect(relayedAgentMessages(cid)).toEqual(agentSent);
		expect(relayedCustomerMessages(conversation.id)).toEqual(customerSent);
		// Still one stream; one execution at a time, so a backlog went out in fewer executions.
		expect(sf.openStreams(conversation.subject)).toBe(1);
		const arrivals = landbotMessages(cid, 'agent')
			.filter((m) => /^agent message \d+$/.test(m.message))
			.map((m) => Math.round(Number(m.timestamp) * 1000));
		const lags = arrivals.map((at, i) => at - sentAt[i]);
		figures.push(
			`agent → customer under CPU load (${os.cpus().length} busy loops at 70%): ${N} messages ${GAP_MS} ms apart, all at the customer ` +
				`${relayed - sentAt[N - 1]} ms after the last was written; per-message lag median ${median(lags)} ms, max ${Math.max(...lags)} ms`,
		);
	});

	test('the stream drops twice in the middle of the chat while the agent keeps writing: after each reconnect every message arrives once, in order', async () => {
		const before = relayedAgentMessages(cid).length;
		const streamsBefore = streamCallsOf(sf, conversation).length;
		const sent: string[] = [];
		const drops: number[] = [];
		for (let i = 1; i <= 15; i++) {
			if (i === 5 || i === 11) {
				// The second drop once the trigger is connected again (it waits 1 s before reconnecting).
				if (i === 11) await waitForStream(conversation);
				expect(sf.dropStreams(conversation.subject)).toBe(1);
				drops.push(Date.now());
			}
			sf.agentSays(conversation.id, `agent message after drop ${i}`);
			sent.push(`agent message after drop ${i}`);
			agentSent.push(`agent message after drop ${i}`);
			await sleep(150);
		}
		// A customer message in the middle of it goes out as well (the stream is only the agent's side).
		landbot.customerSays(cid, 'Are you still there?');
		customerSent.push('Are you still there?');
		await waitUntil('every message after the drops at the customer', () => relayedAgentMessages(cid).length >= before + sent.length, {
			timeoutMs: 60_000,
			describe: () => ({ got: relayedAgentMessages(cid).slice(before), streams: streamCallsOf(sf, conversation).map((c) => [c.status, c.headers['last-event-id']]) }),
		});
		const relayed = Date.now();
		await waitUntil('the customer message at the agent', () => relayedCustomerMessages(conversation.id).length >= customerSent.length);
		await waitForStream(conversation);
		await settle();

		expect(relayedAgentMessages(cid)).toEqual(agentSent);
		expect(relayedCustomerMessages(conversation.id)).toEqual(customerSent);
		// Two reconnections, each with the last event id seen (the simulator replays what came after it;
		// the second drop can come before the replay of the first reconnection was read: the same id again).
		const reconnects = streamCallsOf(sf, conversation).slice(streamsBefore);
		expect(reconnects.map((c) => c.status)).toEqual([200, 200]);
		expect(reconnects.every((c) => /^\d+$/.test(String(c.headers['last-event-id'])))).toBe(true);
		expect(Number(reconnects[0].headers['last-event-id'])).toBeGreaterThan(0);
		expect(Number(reconnects[1].headers['last-event-id'])).toBeGreaterThanOrEqual(Number(reconnects[0].headers['last-event-id']));
		expect(sf.openStreams(conversation.subject)).toBe(1);
		figures.push(`stream drops: ${sent.length} agent messages around 2 drops, all at the customer ${relayed - drops[0]} ms after the first drop`);
	});

	test('the agent ends the session: the conversation field is deleted, the customer unassigned and back with the bot at the block; the stream is closed', async () => {
		const endedAt = Date.now();
		sf.agentEndsSession(conversation.id);
		await waitForBackToBot(cid);
		const backAt = Date.now();
		await waitUntil('the stream to be closed', () => sf.openStreams(conversation.subject) === 0);
		await sleep(1_000);

		const after = state(cid);
		expect(after.agent_id).toBeNull();
		expect(after.customer.custom_fields).toEqual({});
		expect(after.bot).toEqual(backAtTheBlock);
		expect(landbotView(after.messages[after.messages.length - 1])).toBe(`Bot ${BOT_ID} started at ${RESUME_BLOCK}`);
		expect(customerCallsSince(cid, endedAt)).toEqual([`DELETE fields/${CONVERSATION_FIELD}/`, 'PUT unassign/', `PUT assign_bot/${BOT_ID}/`]);
		expect(sf.conversation(conversation.id)).toMatchObject({ sessionStatus: 'Ended', closed: false });
		// Nothing else reached either side.
		expect(relayedAgentMessages(cid)).toEqual(agentSent);
		expect(relayedCustomerMessages(conversation.id)).toEqual(customerSent);
		expect(agentLines(conversation.id)).toEqual(agentSent);
		// The stream was not opened again after the end.
		expect(streamCallsOf(sf, conversation).filter((c) => c.at > endedAt)).toEqual([]);
		figures.push(`end: agent ends the session → customer back with the bot ${backAt - endedAt} ms`);
	});

	test('a customer message after the session ended (the field left behind) is not sent; template 20 hands the customer back to the bot', async () => {
		// Carla's ended conversation, as a field that outlived it (e.g. workflow 21 was off).
		const id = landbot.createCustomer({
			channel_id: channelId,
			name: 'Olga',
			agent_id: LANDBOT_AGENT_ID,
			fields: { [CONVERSATION_FIELD]: { type: 'object', value: conversation } },
		}).id as number;
		const entriesBefore = sf.transcript(conversation.id).length;
		const since = Date.now();
		landbot.customerSays(id, 'Hello again?');
		await waitForBackToBot(id);

		expect(state(id).customer.custom_fields).toEqual({});
		expect(state(id).agent_id).toBeNull();
		expect(state(id).bot).toEqual(backAtTheBlock);
		expect(customerCallsSince(id, since)).toEqual([`DELETE fields/${CONVERSATION_FIELD}/`, 'PUT unassign/', `PUT assign_bot/${BOT_ID}/`]);
		// Salesforce refused it (417, no session), and nothing was added to the conversation.
		const sends = conversationCallsOf(sf, conversation).filter((c) => c.method === 'POST' && c.at >= since);
		expect(sends.map((c) => c.status)).toEqual([417]);
		expect(sf.transcript(conversation.id)).toHaveLength(entriesBefore);
	});

	test('no agent available: the customer is told, the Salesforce session is ended, and the customer goes back to the bot', async () => {
		// Routing fails after the handoff has been set up (workflow 19 takes a moment).
		sf.configure({ agentsAvailable: false, routingDelayMs: 2_000 });
		try {
			const id = newCustomer('Nina');
			const saved = await startHandoff(id);
			await waitForBackToBot(id);
			await waitUntil('the stream to be closed', () => sf.openStreams(saved.subject) === 0);

			expect(landbotMessages(id, 'agent').map(landbotView)).toEqual([GREETING, NO_AGENT]);
			expect(state(id).customer.custom_fields).toEqual({});
			expect(state(id).agent_id).toBeNull();
			expect(state(id).bot).toEqual(backAtTheBlock);
			expect(sf.conversation(saved.id)).toMatchObject({
				routingAttributes: { _firstName: 'Nina' },
				sessionStatus: 'Ended',
				sessionHistory: [expect.objectContaining({ endedByRole: 'EndUser' })],
			});
			// No transcript (Nina said nothing to the bot): no message at all.
			expect(messagesIn(sf, saved.id)).toEqual([]);
		} finally {
			sf.configure({ agentsAvailable: true, routingDelayMs: ROUTING_DELAY_MS });
		}
	});

	test('every execution succeeded', async () => {
		await sleep(500);
		const executions = await n8n.executions({ includeData: true });
		const failed = executions
			.filter((e) => e.status !== 'success')
			.map((e) => ({ id: e.id, workflowId: e.workflowId, mode: e.mode, status: e.status, error: e.data?.resultData?.error?.message }));
		expect(failed).toEqual([]);
		const byWorkflow = n8n.workflowIds.map((wid) => executions.filter((e) => e.workflowId === wid).length);
		figures.push(`executions: ${executions.length}, all successful (templates 19, 20, 21: ${byWorkflow.join(', ')})`);
	});
});

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
}
