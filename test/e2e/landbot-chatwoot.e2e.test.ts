/**
 * Landbot ↔ Chatwoot handoff, end to end: templates 30–32 (with template 4, re-assign after Landbot's
 * idle unassignment) imported unchanged (only their placeholders filled) into a real n8n 2.40.7 with
 * the packed package, published, and driven through the Landbot simulator and the Chatwoot simulator
 * (v4.13.0: account webhooks signed). The Chatwoot Trigger registers its account webhook at the
 * simulator when published. One customer's whole handoff runs through the tests below, in order.
 * Assertions read what the customer (Landbot) and the agents (the Chatwoot conversation) would see.
 */
import * as crypto from 'crypto';
import * as os from 'os';

import type { LandbotMessage } from '../fakes';
import { ChatwootSimulator } from '../fakes/chatwoot';
import type { ChatwootSeed } from '../fakes/chatwoot';
import { findLeaks } from './lib/leaks';
import { startCpuLoad } from './lib/load';
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
	startLandbot,
	waitForLandbotTrigger,
	waitUntil,
} from './lib/relay';
import { PLACEHOLDERS, TEMPLATE_CREDENTIALS, type Template, loadTemplate, webhookPath } from './lib/templates';

/** Landbot's hook retries (5, 10, 15 s…) run 20× faster. Chatwoot does not retry account webhooks. */
const TIME_SCALE = 0.05;
const BOT_ID = '777';
const RESUME_BLOCK = 'Nresume42';
const GREETING = 'An agent will be with you shortly.';
const HANDOFF_FIELD = 'handoff_conversation';
const RELAYED_ATTRIBUTE = 'handoff_relayed_message';
const CHATWOOT_CREDENTIAL = { id: 'chatwoot-credential', name: 'Chatwoot account', type: 'chatwootApi' } as const;
const CHATWOOT_PLACEHOLDERS = { inboxId: 'YOUR_CHATWOOT_INBOX_ID', teamId: 'YOUR_CHATWOOT_TEAM_ID' } as const;
const FILES = {
	handoffStart: '30-landbot-chatwoot-handoff-start.json',
	landbotToChatwoot: '31-landbot-to-chatwoot.json',
	chatwootToLandbot: '32-chatwoot-to-landbot.json',
	timeoutReassign: '4-landbot-timeout-reassign.json',
} as const;
/** Messages each way in the burst, and the gap between two of one side (faster than one relay takes). */
const BURST = 20;
const GAP_MS = 200;
/** Chatwoot's message types as its API answers them. */
const INCOMING = 0;
const OUTGOING = 1;

const sign = (secret: string, timestamp: string, raw: string) => `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`;

describe('Landbot ↔ Chatwoot handoff through templates 30–32 (and 4) in a real n8n', () => {
	let chatwoot: ChatwootSimulator;
	let seed: ChatwootSeed;
	let landbot: Awaited<ReturnType<typeof startLandbot>>;
	let channelId: number;
	let n8n: N8nInstance;
	let blockSecret: string;
	const t: Record<keyof typeof FILES, Template> = {} as never;
	const t0 = Date.now();
	const figures: string[] = [];

	// The customer whose handoff the tests walk through, and their Chatwoot conversation.
	let cid: number;
	let conversationId: number;
	const history: Array<['bot' | 'customer', string]> = [
		['bot', 'Hi! I am the shop bot. How can I help?'],
		['customer', 'My parcel never arrived'],
		['bot', 'Sorry to hear that. Shall I get you a person?'],
		['customer', 'Yes please'],
	];
	/** Everything the agent sent that must reach the customer, in order. */
	const agentSent: string[] = [];
	/** Everything the customer wrote in the handoff, in order. */
	const customerSent: string[] = [];

	const agentTriggerPath = () => webhookPath(t.chatwootToLandbot, 'Chatwoot event');

	/** The Chatwoot Trigger is live: its account webhook is registered, and n8n takes a delivery signed with its secret. */
	async function waitForChatwootTrigger(): Promise<void> {
		const url = n8n.webhookUrl(agentTriggerPath());
		await n8n.waitForWebhook(agentTriggerPath());
		await waitUntil(`the Chatwoot account webhook for ${url}`, () => chatwoot.listWebhooks(seed.accountId).find((w) => w.url === url), { timeoutMs: 60_000 });
		await waitUntil('n8n to accept a delivery signed with the webhook secret', async () => {
			// Read again each time: a webhook registered afresh has a new secret.
			const webhook = chatwoot.listWebhooks(seed.accountId).find((w) => w.url === url);
			if (!webhook) return false;
			// An event the trigger does not read: answered 200 once the signature checks out, and nothing runs.
			const res = await signedPost(String(webhook.secret), { event: 'conversation_typing_on', id: 0 }).catch(() => undefined);
			return res?.status === 200;
		});
	}

	function signedPost(secret: string, body: unknown, timestamp = String(Math.floor(Date.now() / 1000))) {
		const raw = JSON.stringify(body);
		return request(n8n.webhookUrl(agentTriggerPath()), {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-chatwoot-timestamp': timestamp, 'x-chatwoot-signature': sign(secret, timestamp, raw) },
			body: raw,
		});
	}

	beforeAll(async () => {
		chatwoot = await new ChatwootSimulator({ version: '4.13.0' }).start();
		// An API inbox with no agent bot, a team of two agents, an administrator whose token the credential holds.
		seed = chatwoot.seedAccount({ name: 'Acme Support' });
		landbot = await startLandbot(TIME_SCALE);
		channelId = landbot.createChannel({ name: 'Web bot', type: 'landbot' }).id;

		const channel = { [PLACEHOLDERS.landbotChannelId]: String(channelId) };
		t.handoffStart = loadTemplate(FILES.handoffStart, {
			[CHATWOOT_PLACEHOLDERS.inboxId]: String(seed.apiInbox.id),
			[CHATWOOT_PLACEHOLDERS.teamId]: String(seed.team.id),
		});
		t.landbotToChatwoot = loadTemplate(FILES.landbotToChatwoot, channel);
		t.chatwootToLandbot = loadTemplate(FILES.chatwootToLandbot, { [PLACEHOLDERS.landbotBotId]: BOT_ID, [PLACEHOLDERS.landbotBlockId]: RESUME_BLOCK });
		t.timeoutReassign = loadTemplate(FILES.timeoutReassign, channel);
		const block = headerSecretCredential(TEMPLATE_CREDENTIALS.landbotWebhookBlock);
		blockSecret = block.value;

		n8n = await N8nInstance.start({
			tarball: await packPackage(),
			credentials: [
				landbotCredential({ landbot }),
				block.credential,
				{ ...CHATWOOT_CREDENTIAL, data: { baseUrl: chatwoot.baseUrl, accountId: String(seed.accountId), apiAccessToken: seed.userToken } },
			],
			workflows: [t.handoffStart, t.landbotToChatwoot, t.chatwootToLandbot, t.timeoutReassign],
		});
		await Promise.all([
			n8n.waitForWebhook(webhookPath(t.handoffStart, 'Handoff requested')),
			waitForLandbotTrigger(n8n, { landbot }, webhookPath(t.landbotToChatwoot, 'Customer message in a handoff')),
			waitForLandbotTrigger(n8n, { landbot }, webhookPath(t.timeoutReassign, 'Handoff interrupted')),
			waitForChatwootTrigger(),
		]);
		console.log(`landbot-chatwoot: n8n up with templates 30–32 and 4 published, triggers live after ${Date.now() - t0} ms`);
	}, 240_000);

	afterAll(async () => {
		await n8n?.stop();
		await landbot?.stop();
		await chatwoot?.stop();
		console.log(`landbot-chatwoot: figures\n  ${figures.join('\n  ')}\nlandbot-chatwoot: whole file ${Date.now() - t0} ms`);
	}, 60_000);

	// ------------------------------------------------------------ helpers

	const state = () => landbot.getCustomerState(cid);
	/** What agents wrote, as the customer sees it in Landbot (the greeting excluded). */
	const agentMessagesAtCustomer = () =>
		state()
			.messages.filter((m: LandbotMessage) => m.author_type === 'agent' && m.message !== GREETING)
			.map(landbotView);
	const messages = () => chatwoot.getMessages(conversationId);
	/** What the customer wrote, as the agent sees it in Chatwoot (incoming messages). */
	const customerMessagesInChatwoot = () => messages().filter((m) => m.message_type === INCOMING).map((m) => String(m.content));
	const agentDeliveries = () =>
		chatwoot.getDeliveries().filter((d) => d.kind === 'account_webhook' && d.event === 'message_created' && d.body.conversation?.id === conversationId);

	const settle = async () => {
		await Promise.all([landbot.idle(30_000), chatwoot.idle(30_000)]);
		await sleep(1_500);
	};

	async function agentReplyArrives(text: string, total = agentSent.length + 1) {
		chatwoot.agentReplies(conversationId, seed.agents[0].id, text);
		agentSent.push(text);
		await waitUntil(`"${text}" at the customer`, () => agentMessagesAtCustomer().length >= total, { timeoutMs: 60_000, describe: agentMessagesAtCustomer });
	}

	// ------------------------------------------------------------ tests

	test('the handoff starts: a contact by the Landbot customer ID, a conversation open with the team, the bot history as a private note', async () => {
		const started = Date.now();
		cid = landbot.createCustomer({ channel_id: channelId, name: 'Carla', email: 'carla@example.com' }).id as number;
		// One message a second: Landbot's transcript times have one-second resolution.
		for (const [who, text] of history) {
			if (who === 'bot') landbot.botSays(cid, text);
			else landbot.customerSays(cid, text);
			await sleep(1_050);
		}
		const call = await landbot.webhookBlock(cid, {
			url: n8n.webhookUrl(webhookPath(t.handoffStart, 'Handoff requested')),
			headers: { [HEADER_SECRET_NAME]: blockSecret },
			body: { customer_id: '@id', name: '@name', email: '@email' },
		});
		expect(call.status).toBe(200);
		await waitUntil('the handoff greeting', () => state().messages.some((m) => m.message === GREETING), { timeoutMs: 60_000, describe: state });
		figures.push(`handoff start (Webhook block → greeting): ${Date.now() - started - history.length * 1_050} ms`);

		conversationId = Number((state().customer.custom_fields as Record<string, unknown>)[HANDOFF_FIELD]);
		const conversation = chatwoot.getConversation(conversationId)!;
		expect(conversation).toMatchObject({
			inbox_id: seed.apiInbox.id,
			status: 'open',
			meta: { sender: { identifier: `landbot-${cid}`, name: 'Carla', email: 'carla@example.com' }, team: { id: seed.team.id } },
			// Nothing relayed back yet: the Chatwoot Trigger's catch-up mark.
			custom_attributes: { [RELAYED_ATTRIBUTE]: '' },
		});
		expect(conversation.meta.assignee).toBeNull();
		// The history is the conversation's first message, a private note of the relay; then what the status changes wrote.
		const [note, ...rest] = messages();
		expect(note).toMatchObject({ message_type: OUTGOING, private: true, sender: { id: seed.admin.id, type: 'user' } });
		expect(String(note.content).split('\n')).toEqual(history.map(([who, text]) => `${who === 'bot' ? 'Bot' : 'Customer'}: ${text}`));
		expect(rest.every((m) => m.message_type === 2)).toBe(true);
		expect(state().customer.custom_fields).toEqual({ [HANDOFF_FIELD]: String(conversationId) });
		expect(state().agent_id).toBe(LANDBOT_AGENT_ID);
		expect(state().bot.active).toBe(false);
		// The note came back as a delivery (private, ours) and was answered, and not relayed to the customer.
		await settle();
		expect(agentDeliveries().map((d) => [d.body.private, d.status])).toEqual([[true, 200]]);
		expect(agentMessagesAtCustomer()).toEqual([]);
	});

	test(`${BURST} customer messages and ${BURST} agent replies, each side ${GAP_MS} ms apart, under a CPU load: once each and in order both ways, no echo`, async () => {
		const load = startCpuLoad({ processes: os.cpus().length, duty: 0.7, maxMs: 120_000 });
		const started = Date.now();
		try {
			for (let i = 1; i <= BURST; i++) {
				landbot.customerSays(cid, `customer message ${i}`);
				customerSent.push(`customer message ${i}`);
				await sleep(GAP_MS / 2);
				chatwoot.agentReplies(conversationId, seed.agents[i % 2].id, `agent reply ${i}`);
				agentSent.push(`agent reply ${i}`);
				await sleep(GAP_MS / 2);
			}
			await waitUntil(
				`${BURST} customer messages in Chatwoot and ${BURST} agent replies in Landbot`,
				() => customerMessagesInChatwoot().length >= BURST && agentMessagesAtCustomer().length >= BURST,
				{ timeoutMs: 90_000, describe: () => ({ chatwoot: customerMessagesInChatwoot(), landbot: agentMessagesAtCustomer() }) },
			);
			figures.push(`burst under CPU load (${os.cpus().length} busy loops at 70%): ${BURST} + ${BURST} messages relayed in ${Date.now() - started} ms`);
		} finally {
			await load.stop();
		}
		await settle();

		expect({ toAgent: customerMessagesInChatwoot(), toCustomer: agentMessagesAtCustomer() }).toEqual({ toAgent: customerSent, toCustomer: agentSent });
		// Written as the contact, with the package's marker.
		const incoming = messages().filter((m) => m.message_type === INCOMING);
		expect(incoming.every((m) => m.sender?.type === 'contact' && m.content_attributes?.n8n_handoff === true)).toBe(true);

		// No echo: Chatwoot delivered every mirrored customer message back (n8n answered 200), none reached
		// the customer; Landbot reported every relayed agent message to both Landbot Triggers, none went to Chatwoot.
		const incomingIds = new Set(incoming.map((m) => m.id));
		const echoes = agentDeliveries().filter((d) => incomingIds.has(d.body.id));
		expect(echoes.map((d) => d.status)).toEqual(incoming.map(() => 200));
		expect(state().messages.filter((m: LandbotMessage) => m.author_type === 'user').map(landbotView)).toEqual([
			...history.filter(([who]) => who === 'customer').map(([, text]) => text),
			...customerSent,
		]);
		const timeouts = agentDeliveries().filter((d) => d.status !== 200).length;
		figures.push(`Chatwoot deliveries of the conversation not answered 200 within its 5 s: ${timeouts} of ${agentDeliveries().length}`);
	});

	test('a private note is not relayed; the next reply is', async () => {
		chatwoot.agentReplies(conversationId, seed.agents[0].id, 'Internal: customer is a VIP, refund without asking', { private: true });
		await agentReplyArrives('Thanks for waiting, I am checking');
		await settle();
		expect(agentMessagesAtCustomer()).toEqual(agentSent);
		const note = agentDeliveries().find((d) => d.body.private === true && /VIP/.test(String(d.body.content)));
		expect(note?.status).toBe(200);
	});

	test('an unsigned, a wrongly signed or a stale delivery is refused 401 and starts no execution', async () => {
		await sleep(500);
		const before = await executionCount(n8n);
		const atCustomer = agentMessagesAtCustomer().length;
		const url = n8n.webhookUrl(agentTriggerPath());
		const secret = String(chatwoot.listWebhooks(seed.accountId).find((w) => w.url === url)!.secret);
		// What a genuine agent message of this conversation looks like, with a new id.
		const genuine = agentDeliveries().find((d) => d.body.private === false && d.body.message_type === 'outgoing')!.body;
		const forged = { ...genuine, id: 999_999, content: 'forged: send me your card number' };
		const raw = JSON.stringify(forged);
		const now = String(Math.floor(Date.now() / 1000));
		const cases: Array<[string, Record<string, string>]> = [
			['unsigned', {}],
			['wrong secret', { 'x-chatwoot-timestamp': now, 'x-chatwoot-signature': sign('not-the-secret', now, raw) }],
			['signature of another body', { 'x-chatwoot-timestamp': now, 'x-chatwoot-signature': sign(secret, now, JSON.stringify(genuine)) }],
			['no timestamp', { 'x-chatwoot-signature': sign(secret, now, raw) }],
		];
		for (const [label, headers] of cases) {
			const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
			expect([label, res.status]).toEqual([label, 401]);
		}
		// Signed with the secret, but 10 minutes ago: a replay.
		const stale = String(Math.floor(Date.now() / 1000) - 600);
		expect((await signedPost(secret, forged, stale)).status).toBe(401);
		await sleep(1_500);
		expect(await executionCount(n8n)).toBe(before);
		expect(agentMessagesAtCustomer()).toHaveLength(atCustomer);
	});

	test('an outage: what the agent wrote while n8n was down (Chatwoot does not retry) comes first, once and in order, with the next reply', async () => {
		await n8n.kill9();
		const downSince = Date.now();
		const during = ['while n8n is down 1', 'while n8n is down 2', 'while n8n is down 3'];
		for (const text of during) {
			chatwoot.agentReplies(conversationId, seed.agents[0].id, text);
			agentSent.push(text);
			await sleep(200);
		}
		await chatwoot.idle(30_000);
		// One attempt each, all failed, none to come.
		const missed = agentDeliveries().filter((d) => d.at >= downSince);
		expect(missed.map((d) => [d.body.content, d.attempt, d.status, d.gaveUp])).toEqual(during.map((text) => [text, 1, null, true]));
		await n8n.restart();
		await waitForChatwootTrigger();
		const back = Date.now();
		figures.push(`outage: n8n restarted and the trigger live ${back - downSince} ms after the kill`);

		await agentReplyArrives('after the outage', agentSent.length + 1);
		figures.push(`catch-up: 3 missed replies and the next one at the customer ${Date.now() - back} ms after the next reply`);
		await settle();
		expect(agentMessagesAtCustomer()).toEqual(agentSent);
		expect(chatwoot.getConversation(conversationId)!.custom_attributes[RELAYED_ATTRIBUTE]).toBe(String(messages().filter((m) => m.content === 'after the outage')[0].id));
	});

	test('the agent hands the conversation back (pending): the handoff field goes first, then unassign, then the bot resumes at the block', async () => {
		const from = Date.now();
		chatwoot.setStatus(conversationId, 'pending', { agentId: seed.agents[0].id });
		await waitUntil('the bot to resume', () => state().bot.active, { timeoutMs: 30_000, describe: state });
		figures.push(`handback: pending → the bot at its block in ${Date.now() - from} ms`);
		await settle(); // time for a wrong re-assignment by workflow 4 to show up
		const after = state();
		expect(after.agent_id).toBeNull();
		expect(after.customer.custom_fields).toEqual({});
		expect(after.bot).toEqual({ id: Number(BOT_ID), node: RESUME_BLOCK, active: true, launched: true });
		const customerCalls = landbot
			.getCalls()
			.filter((c) => c.path.startsWith(`/v1/customers/${cid}/`) && c.at >= from && c.status !== 429)
			.map((c) => `${c.method} ${c.path.replace(`/v1/customers/${cid}/`, '')}`);
		expect(customerCalls).toEqual([`DELETE fields/${HANDOFF_FIELD}/`, 'PUT unassign/', `PUT assign_bot/${BOT_ID}/`]);
		expect(agentMessagesAtCustomer()).toEqual(agentSent);
		expect(chatwoot.getConversation(conversationId)!.status).toBe('pending');

		// Resolved later, while the bot has it (pending): nothing more happens in Landbot.
		const resolvedAt = Date.now();
		chatwoot.resolve(conversationId, { agentId: seed.agents[0].id });
		await settle();
		expect(landbot.getCalls().filter((c) => c.path.startsWith(`/v1/customers/${cid}/`) && c.at >= resolvedAt)).toEqual([]);
		expect(state().bot).toEqual(after.bot);
	});

	test('another customer: the agent resolves the open conversation, and the bot resumes at the block; the same contact next time', async () => {
		const dora = landbot.createCustomer({ channel_id: channelId, name: 'Dora', email: 'dora@example.com' }).id as number;
		landbot.customerSays(dora, 'I want a human');
		await sleep(1_050);
		const start = async (greetings: number) => {
			const call = await landbot.webhookBlock(dora, {
				url: n8n.webhookUrl(webhookPath(t.handoffStart, 'Handoff requested')),
				headers: { [HEADER_SECRET_NAME]: blockSecret },
				body: { customer_id: '@id', name: '@name', email: '@email' },
			});
			expect(call.status).toBe(200);
			await waitUntil('the greeting', () => landbot.getCustomerState(dora).messages.filter((m) => m.message === GREETING).length === greetings, { timeoutMs: 60_000 });
			return Number((landbot.getCustomerState(dora).customer.custom_fields as Record<string, unknown>)[HANDOFF_FIELD]);
		};
		const first = await start(1);
		expect(first).not.toBe(conversationId);
		chatwoot.resolve(first, { agentId: seed.agents[1].id });
		await waitUntil('the bot to resume for Dora', () => landbot.getCustomerState(dora).bot.active, { timeoutMs: 30_000 });
		await settle();
		expect(landbot.getCustomerState(dora)).toMatchObject({ agent_id: null, customer: { custom_fields: {} }, bot: { id: Number(BOT_ID), node: RESUME_BLOCK, active: true } });

		// She asks again: a new conversation of the same contact.
		const second = await start(2);
		expect(second).not.toBe(first);
		expect(chatwoot.getConversation(second)!.meta.sender.id).toBe(chatwoot.getConversation(first)!.meta.sender.id);
		expect(chatwoot.getConversation(second)).toMatchObject({ status: 'open', meta: { sender: { identifier: `landbot-${dora}` } } });
	});

	test('every execution the relays started succeeded', async () => {
		const executions = await n8n.executions({ includeData: true });
		const failed = executions
			.filter((e) => e.status !== 'success')
			.map((e) => ({ id: e.id, workflowId: e.workflowId, status: e.status, error: e.data?.resultData?.error?.message }));
		expect(failed).toEqual([]);
		figures.push(`${executions.length} executions, all successful; Chatwoot API calls ${chatwoot.getCalls().length}`);
	});

	// Last: after every relay above ran, with every secret the run used.
	test("no secret the run used is in any execution (run data, workflow snapshot) or in n8n's log", async () => {
		const { leaks, control, scanned } = await findLeaks(
			n8n,
			{
				'Webhook block secret (X-Handoff-Secret)': [blockSecret],
				'Landbot API token': [LANDBOT_TOKEN],
				'Landbot MessageHook token': landbot.listHooks().map((h) => h.token),
				'Chatwoot access token': [seed.userToken],
				'Chatwoot webhook secret': chatwoot.listWebhooks().map((w) => String(w.secret)),
				'another Landbot secret (simulator)': landbot.secrets(),
				'another Chatwoot secret (users, inboxes; simulator)': chatwoot.secrets(),
			},
			// The contact identifier: in the run data of every relay of this conversation.
			{ control: [`landbot-${cid}`] },
		);
		figures.push(
			`${scanned.secrets} secrets looked for in ${scanned.executions} executions (REST API), ${scanned.rows} database rows and ` +
				`${Math.round(scanned.logBytes / 1024)} KB of n8n's log: ${leaks.length} found`,
		);
		expect(leaks).toEqual([]);
		expect(control.some((where) => where.endsWith(': run data'))).toBe(true);
		expect(control.some((where) => where.startsWith('database execution_data'))).toBe(true);
	});
});
