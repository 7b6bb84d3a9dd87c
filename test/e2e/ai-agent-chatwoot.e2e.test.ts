/**
 * An n8n AI Agent hands the conversation to a human in Chatwoot, stays quiet, takes it back: templates
 * 36 (your own app as the channel) and 37 (Telegram, on n8n's own Telegram nodes) imported unchanged
 * (only their placeholders filled) into one real n8n 2.40.7 with the packed package, published, and
 * driven through a stand-in app (posts its customers' messages to n8n, records what n8n posts back), a
 * local Telegram Bot API server (the Telegram credential's Base URL), the Chatwoot simulator (v4.13.0:
 * account webhooks signed) and an OpenAI-compatible simulator with a scripted model behind n8n's
 * OpenAI Chat Model node. The model decides from what n8n sends it alone: it calls the handoff tool
 * when the customer asks for a human. One customer's whole conversation per channel runs through the
 * tests below, in order. Assertions read what the customer (the app, the Telegram chat), the agents
 * (the Chatwoot conversation) and the model (the requests it got) would see.
 */
import * as crypto from 'crypto';
import * as os from 'os';

import { WebhookReceiver } from '../fakes';
import { ChatwootSimulator } from '../fakes/chatwoot';
import type { ChatwootSeed } from '../fakes/chatwoot';
import { AFTER_HANDOFF, OpenAiSimulator, handoffScript, textOf } from '../fakes/openai';
import type { RecordedCompletion } from '../fakes/openai';
import { findLeaks } from './lib/leaks';
import { startCpuLoad } from './lib/load';
import { N8nInstance, packPackage, request } from './lib/n8n';
import { HEADER_SECRET_NAME, headerSecretCredential, sleep, waitUntil } from './lib/relay';
import { TelegramBotApi } from './lib/telegram';
import { PLACEHOLDERS, TEMPLATE_CREDENTIALS, type Template, loadTemplate, nodeByName, webhookPath } from './lib/templates';

const FILE = '36-own-app-ai-agent-chatwoot.json';
const TELEGRAM_FILE = '37-telegram-ai-agent-chatwoot.json';
const TELEGRAM_CREDENTIAL = { id: 'telegram-credential', name: 'Telegram account', type: 'telegramApi' } as const;
const TELEGRAM_TOKEN = '7000000001:AAE2e-simulated-bot-token-for-template-37';
const APP_PATH = '/handoff/agent-message';
const CHATWOOT_CREDENTIAL = { id: 'chatwoot-credential', name: 'Chatwoot account', type: 'chatwootApi' } as const;
const OPENAI_CREDENTIAL = { id: 'openai-credential', name: 'OpenAI account', type: 'openAiApi' } as const;
const INBOX_PLACEHOLDER = 'YOUR_CHATWOOT_INBOX_ID';
/** The tool's name as n8n gives it to the model: the node's name, non-word characters as `_`. */
const TOOL_NAME = 'Hand_to_a_human';
/** Customer messages while the human has the conversation, and agent replies among them. */
const BURST = 12;
/** Chatwoot's message types as its API answers them. */
const INCOMING = 0;
const OUTGOING = 1;

const sign = (secret: string, timestamp: string, raw: string) => `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`;

describe('an AI Agent hands over to Chatwoot and takes back: templates 36 (own app) and 37 (Telegram) in a real n8n', () => {
	let chatwoot: ChatwootSimulator;
	let seed: ChatwootSeed;
	let openai: OpenAiSimulator;
	let app: WebhookReceiver;
	let n8n: N8nInstance;
	let template: Template;
	let telegramTemplate: Template;
	let telegram: TelegramBotApi;
	let toN8nSecret: string;
	let toAppSecret: string;
	const t0 = Date.now();
	const figures: string[] = [];
	/** Telegram updates the workflow could not handle (on purpose): their executions fail. */
	const notHandled: number[] = [];

	const userId = 'u-4711';
	/** The Chatwoot conversation the model opened, once it has. */
	let conversationId: number;
	/** What the agents wrote, in order: what the app must get. */
	const agentSent: string[] = [];
	/** What the customer wrote during the handoff, in order: what Chatwoot must get. */
	const customerSent: string[] = [];

	/** A template's Chatwoot Trigger is live: its account webhook is registered and n8n takes a delivery signed with its secret. */
	async function waitForChatwootTrigger(workflow: Template): Promise<void> {
		const path = webhookPath(workflow, 'Chatwoot event');
		const url = n8n.webhookUrl(path);
		await n8n.waitForWebhook(path);
		await waitUntil(`the Chatwoot account webhook for ${url}`, () => chatwoot.listWebhooks(seed.accountId).find((w) => w.url === url), { timeoutMs: 60_000 });
		await waitUntil('n8n to accept a delivery signed with the webhook secret', async () => {
			const webhook = chatwoot.listWebhooks(seed.accountId).find((w) => w.url === url);
			if (!webhook) return false;
			const raw = JSON.stringify({ event: 'conversation_typing_on', id: 0 });
			const timestamp = String(Math.floor(Date.now() / 1000));
			const res = await request(url, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'x-chatwoot-timestamp': timestamp, 'x-chatwoot-signature': sign(String(webhook.secret), timestamp, raw) },
				body: raw,
			}).catch(() => undefined);
			return res?.status === 200;
		});
	}

	/** n8n's Telegram Trigger set its webhook at the Bot API (on publish: getWebhookInfo, then setWebhook with a secret token). */
	async function waitForTelegramTrigger(): Promise<void> {
		const url = n8n.webhookUrl(webhookPath(telegramTemplate, 'Telegram message'));
		await waitUntil(`the Telegram webhook ${url}`, () => telegram.webhookInfo?.url === url, { timeoutMs: 90_000, describe: () => telegram.calls });
		await n8n.waitForWebhook(webhookPath(telegramTemplate, 'Telegram message'));
	}

	beforeAll(async () => {
		chatwoot = await new ChatwootSimulator({ version: '4.13.0' }).start();
		// An API inbox with no agent bot: conversations start as asked (open for the handoff).
		seed = chatwoot.seedAccount({ name: 'Acme Support' });
		openai = await new OpenAiSimulator({ script: handoffScript({ toolName: TOOL_NAME }) }).start();
		const inbound = headerSecretCredential(TEMPLATE_CREDENTIALS.ownAppToN8n);
		const outbound = headerSecretCredential(TEMPLATE_CREDENTIALS.n8nToOwnApp);
		toN8nSecret = inbound.value;
		toAppSecret = outbound.value;
		app = await new WebhookReceiver().start();
		app.responder = (req) => (req.headers[HEADER_SECRET_NAME.toLowerCase()] === toAppSecret ? 200 : 401);
		template = loadTemplate(FILE, { [INBOX_PLACEHOLDER]: String(seed.apiInbox.id), [PLACEHOLDERS.ownAppUrl]: app.url(APP_PATH) });
		telegramTemplate = loadTemplate(TELEGRAM_FILE, { [INBOX_PLACEHOLDER]: String(seed.apiInbox.id) });
		telegram = await new TelegramBotApi(TELEGRAM_TOKEN, { timeScale: 0.1 }).start();

		n8n = await N8nInstance.start({
			tarball: await packPackage(),
			credentials: [
				{ ...CHATWOOT_CREDENTIAL, data: { baseUrl: chatwoot.baseUrl, accountId: String(seed.accountId), apiAccessToken: seed.userToken } },
				{ ...OPENAI_CREDENTIAL, data: { apiKey: openai.apiKey, url: openai.baseUrl } },
				{ ...TELEGRAM_CREDENTIAL, data: { accessToken: TELEGRAM_TOKEN, baseUrl: telegram.baseUrl } },
				inbound.credential,
				outbound.credential,
			],
			workflows: [template, telegramTemplate],
			// n8n offers community nodes as an AI Agent's tools only with this set.
			env: { N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE: 'true' },
		});
		await Promise.all([
			n8n.waitForWebhook(webhookPath(template, 'App message')),
			waitForChatwootTrigger(template),
			waitForChatwootTrigger(telegramTemplate),
			waitForTelegramTrigger(),
		]);
		console.log(`ai-agent-chatwoot: n8n up with templates 36 and 37 published, triggers live after ${Date.now() - t0} ms`);
	}, 240_000);

	afterAll(async () => {
		await n8n?.stop();
		await chatwoot?.stop();
		await openai?.stop();
		await app?.stop();
		await telegram?.stop();
		console.log(`ai-agent-chatwoot: figures\n  ${figures.join('\n  ')}\nai-agent-chatwoot: whole file ${Date.now() - t0} ms`);
	}, 60_000);

	// ------------------------------------------------------------ helpers

	/** The app posts its customer's message and waits for n8n's answer, as template 36 asks. */
	async function customerSays(text: string, secret = toN8nSecret) {
		return request(n8n.webhookUrl(webhookPath(template, 'App message')), {
			method: 'POST',
			headers: { [HEADER_SECRET_NAME]: secret },
			body: { userId, name: 'Ada', text },
			timeoutMs: 60_000,
		});
	}

	/** What the app took, first of each messageId (n8n sends a POST again when it missed the answer). */
	const atApp = () =>
		app.requests
			.filter((r) => r.path === APP_PATH && r.status === 200)
			.map((r) => r.body as { userId: string; from: string; text: string; url: string | null; messageId: string })
			.filter((body, i, all) => all.findIndex((other) => other.messageId === body.messageId) === i);
	const fromBot = () => atApp().filter((m) => m.from === 'bot').map((m) => m.text);
	const fromAgents = () => atApp().filter((m) => m.from === 'agent').map((m) => m.text);

	/** A contact's conversations in Chatwoot, as the Application API lists them. */
	async function conversationsOf(identifier: string): Promise<Array<Record<string, any>>> {
		const res = await request(`${chatwoot.baseUrl}/api/v1/accounts/${seed.accountId}/conversations?status=all`, { headers: { api_access_token: seed.userToken } });
		const body = res.json<{ data: { payload: Array<Record<string, any>> } }>();
		return body.data.payload.filter((c) => c.meta?.sender?.identifier === identifier);
	}
	const conversations = () => conversationsOf(`app-${userId}`);
	const messages = () => chatwoot.getMessages(conversationId);
	const customerMessagesInChatwoot = () => messages().filter((m) => m.message_type === INCOMING).map((m) => String(m.content));
	const modelCalls = () => openai.requests.length;
	const lastCall = (): RecordedCompletion => openai.requests[openai.requests.length - 1];

	async function agentReplyArrives(text: string) {
		chatwoot.agentReplies(conversationId, seed.agents[0].id, text);
		agentSent.push(text);
		await waitUntil(`"${text}" at the app`, () => fromAgents().length >= agentSent.length, { timeoutMs: 60_000, describe: atApp });
	}

	// ------------------------------------------------------------ tests

	test('the model answers the customer; it sees the handoff tool with the name, description and parameters the template gives it', async () => {
		const started = Date.now();
		expect((await customerSays('Hi, where is my order 1234?')).status).toBe(200);
		figures.push(`bot turn (app → model → app): ${Date.now() - started} ms`);
		expect(fromBot()).toEqual(['Bot: you said "Hi, where is my order 1234?".']);
		expect(await conversations()).toEqual([]); // nobody in Chatwoot is bothered while the bot copes

		const [first] = openai.requests;
		expect(first.model).toBe('gpt-4.1-mini');
		expect(first.stream).toBe(false);
		const system = first.messages.find((m) => m.role === 'system');
		expect(textOf(system)).toMatch(/call the tool Hand_to_a_human once/);
		expect(first.messages[first.messages.length - 1]).toMatchObject({ role: 'user', content: 'Hi, where is my order 1234?' });
		// The tool as n8n describes it to the model: the node's name, the template's description, a schema from its $fromAI() parameters.
		expect(first.tools.map((t) => t.function.name)).toEqual([TOOL_NAME]);
		const [tool] = first.tools;
		expect(tool.type).toBe('function');
		expect(tool.function.description).toBe(nodeByName(template, 'Hand to a human').parameters.toolDescription);
		expect(tool.function.description).toMatch(/^Hands this conversation to a human support agent in Chatwoot\. Use it when the customer asks for a human/);
		expect(tool.function.description).toMatch(/Returns the Chatwoot conversation opened for the agents/);
		const parameters = tool.function.parameters!;
		expect(parameters.type).toBe('object');
		expect(Object.keys(parameters.properties).sort()).toEqual(['reason', 'summary']);
		expect(parameters.required?.slice().sort()).toEqual(['reason', 'summary']);
		expect(parameters.properties.reason).toMatchObject({ type: 'string', description: 'Why the customer needs a human, in one sentence' });
		expect(parameters.properties.summary).toMatchObject({ type: 'string', description: expect.stringMatching(/for the human agent who takes over/) });
	});

	test('the customer asks for a human: the model calls the tool, Chatwoot opens a conversation with its reason and summary, the customer is told', async () => {
		const before = modelCalls();
		const started = Date.now();
		expect((await customerSays('Can I talk to a human please?')).status).toBe(200);
		figures.push(`handoff turn (model → tool → Chatwoot → model → app): ${Date.now() - started} ms`);

		// Two model calls: the tool call, then the answer after the tool's result.
		const calls = openai.requests.slice(before);
		expect(calls.map((c) => ('toolCall' in c.turn ? `tool ${c.turn.toolCall.name}` : 'text'))).toEqual([`tool ${TOOL_NAME}`, 'text']);
		const [, afterTool] = calls;
		const toolResult = afterTool.messages.find((m) => m.role === 'tool');
		expect(textOf(toolResult)).toMatch(/"status":\s*"open"/);
		expect(fromBot()).toEqual(['Bot: you said "Hi, where is my order 1234?".', AFTER_HANDOFF]);

		const [conversation] = await conversations();
		expect(conversation).toMatchObject({ inbox_id: seed.apiInbox.id, status: 'open' });
		conversationId = Number(conversation.id);
		expect(conversation.meta.sender).toMatchObject({ identifier: `app-${userId}`, name: 'Ada' });
		// The model's reason and summary, for the agents only.
		const [note] = messages();
		expect(note).toMatchObject({ message_type: OUTGOING, private: true });
		expect(String(note.content)).toBe(
			[
				'Handed over by the AI agent.',
				'Reason: The customer asked to talk to a human.',
				'',
				'Customer: Hi, where is my order 1234?',
				'Bot: Bot: you said "Hi, where is my order 1234?".',
				'Customer: Can I talk to a human please?',
			].join('\n'),
		);
	});

	test(`${BURST} customer messages during the handoff, under a CPU load: each reaches Chatwoot once and in order, agent replies reach the app once and in order, the model is never called`, async () => {
		const calls = modelCalls();
		const load = startCpuLoad({ processes: os.cpus().length, duty: 0.7, maxMs: 120_000 });
		const started = Date.now();
		try {
			for (let i = 1; i <= BURST; i++) {
				const text = `customer message ${i}`;
				// The app sends one customer's messages one after the other, each once n8n has answered.
				expect((await customerSays(text)).status).toBe(200);
				customerSent.push(text);
				if (i % 3 === 0) {
					chatwoot.agentReplies(conversationId, seed.agents[i % 2].id, `agent reply ${i / 3}`);
					agentSent.push(`agent reply ${i / 3}`);
				}
			}
			await waitUntil(`${agentSent.length} agent replies at the app`, () => fromAgents().length >= agentSent.length, { timeoutMs: 60_000, describe: atApp });
			figures.push(`handoff burst under CPU load (${os.cpus().length} busy loops at 70%): ${BURST} customer messages + ${agentSent.length} agent replies in ${Date.now() - started} ms`);
		} finally {
			await load.stop();
		}
		await chatwoot.idle(30_000);
		await sleep(1_500); // room for a late copy

		expect(customerMessagesInChatwoot()).toEqual(customerSent);
		expect(messages().filter((m) => m.message_type === INCOMING).every((m) => m.sender?.type === 'contact' && m.content_attributes?.n8n_handoff === true)).toBe(true);
		expect(fromAgents()).toEqual(agentSent);
		expect(atApp().every((m) => m.userId === userId)).toBe(true);
		// Silent: not one model call while the human had the conversation.
		expect(modelCalls()).toBe(calls);
		expect(fromBot()).toHaveLength(2);
	});

	test('a private note stays in Chatwoot; the next reply reaches the app', async () => {
		chatwoot.agentReplies(conversationId, seed.agents[0].id, 'Internal: the parcel was returned to the depot', { private: true });
		await agentReplyArrives('Your parcel is at the depot, it will be delivered tomorrow.');
		await sleep(1_000);
		expect(fromAgents()).toEqual(agentSent);
		expect(atApp().some((m) => /Internal/.test(m.text))).toBe(false);
	});

	test('the agent resolves the conversation: a summary of what the human did goes into the agent\'s memory, and the model answers again with it', async () => {
		const calls = modelCalls();
		const executionsBefore = (await n8n.executions({ includeData: false })).length;
		const resolved = Date.now();
		chatwoot.resolve(conversationId, { agentId: seed.agents[0].id });
		// The handback's execution: Chatwoot event → … → Into the agent's memory.
		await waitUntil(
			'the handback execution',
			async () => {
				const executions = await n8n.executions({ includeData: true });
				return executions.length > executionsBefore && executions.some((e) => e.data?.resultData?.runData?.["Into the agent's memory"] && e.status === 'success');
			},
			{ timeoutMs: 60_000 },
		);
		figures.push(`handback: resolve → summary in memory in ${Date.now() - resolved} ms`);
		expect(modelCalls()).toBe(calls); // the handback itself asks the model nothing

		expect((await customerSays('Thanks! Will I get a tracking link?')).status).toBe(200);
		expect(modelCalls()).toBe(calls + 1);
		const call = lastCall();
		const summary = call.messages.find((m) => m.role === 'system' && textOf(m).startsWith('Handoff summary:'));
		expect(summary).toBeDefined();
		const text = textOf(summary);
		expect(text).toMatch(/^Handoff summary: a human colleague \(.+\) had this conversation in Chatwoot and resolved it\. What was written meanwhile:/);
		for (const line of agentSent) expect(text).toContain(`Agent: ${line}`);
		for (const line of customerSent) expect(text).toContain(`Customer: ${line}`);
		expect(text).not.toContain('Internal:'); // private notes stay with the agents
		// The memory kept the conversation before the handoff too, and the summary comes after it.
		const history = call.messages.map((m) => `${m.role}: ${textOf(m).slice(0, 40)}`);
		const at = (prefix: string) => history.findIndex((line) => line.startsWith(prefix));
		expect(at('user: Hi, where is my order 1234?')).toBeGreaterThan(-1);
		expect(at('system: Handoff summary:')).toBeGreaterThan(at('user: Can I talk to a human please?'));
		expect(call.messages[call.messages.length - 1]).toMatchObject({ role: 'user', content: 'Thanks! Will I get a tracking link?' });
		expect(fromBot()[fromBot().length - 1]).toBe('Bot: you said "Thanks! Will I get a tracking link?".');
		// Nothing of the bot's turn went to the resolved conversation.
		expect(customerMessagesInChatwoot()).toEqual(customerSent);
		expect((await conversations()).map((c) => c.status)).toEqual(['resolved']);
	});

	test('a second handoff opens a new conversation; the agent hands it back (pending): the model resumes with that summary', async () => {
		const first = conversationId;
		expect((await customerSays('Sorry, I need a person again: the link does not work')).status).toBe(200);
		const open = (await conversations()).filter((c) => c.status === 'open');
		expect(open).toHaveLength(1);
		conversationId = Number(open[0].id);
		expect(conversationId).not.toBe(first);
		expect(fromBot()[fromBot().length - 1]).toBe(AFTER_HANDOFF);

		const calls = modelCalls();
		expect((await customerSays('Hello?')).status).toBe(200);
		expect(customerMessagesInChatwoot()).toEqual(['Hello?']);
		await agentReplyArrives('Here is a new link: https://track.example.com/1234');
		expect(modelCalls()).toBe(calls);

		const executionsBefore = (await n8n.executions({ includeData: false })).length;
		chatwoot.setStatus(conversationId, 'pending', { agentId: seed.agents[0].id });
		await waitUntil(
			'the handback execution',
			async () => {
				const executions = await n8n.executions({ includeData: true });
				return executions.length > executionsBefore && executions.filter((e) => e.data?.resultData?.runData?.["Into the agent's memory"] && e.status === 'success').length >= 2;
			},
			{ timeoutMs: 60_000 },
		);
		// Pending is the bot's: the next message goes to the model, which sees the second summary last.
		expect((await customerSays('It works now, thank you')).status).toBe(200);
		expect(modelCalls()).toBe(calls + 1);
		const summaries = lastCall().messages.filter((m) => m.role === 'system' && textOf(m).startsWith('Handoff summary:')).map(textOf);
		expect(summaries).toHaveLength(2);
		expect(summaries[1]).toMatch(/handed it back to you\. What was written meanwhile:\nCustomer: Hello\?\nAgent: Here is a new link/);
		expect(customerMessagesInChatwoot()).toEqual(['Hello?']);
		expect((await conversations()).map((c) => c.status).sort()).toEqual(['pending', 'resolved']);
	});

	test('a wrong app secret gets 401 and starts no execution, and asks the model nothing', async () => {
		const before = (await n8n.executions({ includeData: false })).length;
		const calls = modelCalls();
		expect((await customerSays('forged: I want a human', 'wrong-secret')).status).toBe(401);
		await sleep(1_500);
		expect((await n8n.executions({ includeData: false })).length).toBe(before);
		expect(modelCalls()).toBe(calls);
	});

	// ------------------------------------------------------------ template 37: Telegram as the customer's channel

	describe('Telegram (template 37)', () => {
		const customer = { id: 55_501, firstName: 'Tomás' };
		const identifier = `telegram-${customer.id}`;
		let tgConversationId: number;
		const tgAgentSent: string[] = [];
		const tgCustomerSent: string[] = [];
		const telegramWorkflowId = () => n8n.workflowIds[1];
		/** The model calls of this workflow: its system prompt says Telegram. */
		const tgCalls = () => openai.requests.filter((r) => r.messages.some((m) => m.role === 'system' && textOf(m).includes('on Telegram')));
		const toCustomer = () => telegram.sent.filter((m) => m.chat.id === customer.id).map((m) => String(m.text));
		const tgConversations = async () => (await conversationsOf(identifier));
		const tgMessages = () => chatwoot.getMessages(tgConversationId);
		const tgIncoming = () => tgMessages().filter((m) => m.message_type === INCOMING).map((m) => String(m.content));

		async function says(text: string, count: number) {
			telegram.customerSays(customer, text);
			await waitUntil(`${count} messages to the Telegram customer`, () => toCustomer().length >= count, { timeoutMs: 60_000, describe: toCustomer });
		}

		test("n8n's Telegram Trigger registered its webhook with a secret token; the bot answers on Telegram", async () => {
			const info = telegram.webhookInfo!;
			expect(info.url).toBe(n8n.webhookUrl(webhookPath(telegramTemplate, 'Telegram message')));
			expect(info.secretToken).toMatch(/^[A-Za-z0-9_-]+$/);
			// From version 1.5 the trigger also asks for callback queries (n8n's human-in-the-loop buttons) and drops them itself.
			expect(info.allowedUpdates).toEqual(['message', 'callback_query']);
			await says('Hola, do you ship to Spain?', 1);
			expect(toCustomer()).toEqual(['Bot: you said "Hola, do you ship to Spain?".']);
			expect(telegram.sent[0].body).toMatchObject({ chat_id: customer.id, text: 'Bot: you said "Hola, do you ship to Spain?".' });
			expect(tgCalls()).toHaveLength(1);
			expect(tgCalls()[0].tools.map((t) => t.function.name)).toEqual([TOOL_NAME]);
		});

		test('the customer asks for a person: the model hands over, Chatwoot opens a conversation for the contact telegram-<chat id>', async () => {
			await says('I want to talk to a person', 2);
			expect(toCustomer()[1]).toBe(AFTER_HANDOFF);
			expect(tgCalls().map((c) => ('toolCall' in c.turn ? 'tool' : 'text'))).toEqual(['text', 'tool', 'text']);
			const open = (await tgConversations()).filter((c) => c.status === 'open');
			expect(open).toHaveLength(1);
			tgConversationId = Number(open[0].id);
			expect(open[0].meta.sender).toMatchObject({ identifier, name: 'Tomás' });
			expect(String(tgMessages()[0].content)).toMatch(/^Handed over by the AI agent\.\nReason: The customer asked to talk to a human\.\n\nCustomer: Hola, do you ship to Spain\?/);
		});

		test(`${BURST} messages sent at once (Telegram delivers them in parallel) under a CPU load: once each and in order in Chatwoot, agent replies in order on Telegram, no model call`, async () => {
			const calls = tgCalls().length;
			const load = startCpuLoad({ processes: os.cpus().length, duty: 0.7, maxMs: 120_000 });
			const started = Date.now();
			try {
				for (let i = 1; i <= BURST; i++) {
					const text = `telegram message ${i}`;
					telegram.customerSays(customer, text);
					tgCustomerSent.push(text);
					if (i % 4 === 0) {
						chatwoot.agentReplies(tgConversationId, seed.agents[0].id, `telegram agent reply ${i / 4}`);
						tgAgentSent.push(`telegram agent reply ${i / 4}`);
					}
				}
				await waitUntil(
					`${BURST} messages in Chatwoot and ${tgAgentSent.length} replies on Telegram`,
					() => tgIncoming().length >= BURST && toCustomer().length >= 2 + tgAgentSent.length,
					{ timeoutMs: 90_000, describe: () => ({ chatwoot: tgIncoming(), telegram: toCustomer() }) },
				);
				figures.push(`Telegram burst under CPU load: ${BURST} customer messages at once + ${tgAgentSent.length} agent replies in ${Date.now() - started} ms`);
			} finally {
				await load.stop();
			}
			await Promise.all([telegram.idle(30_000), chatwoot.idle(30_000)]);
			await sleep(1_500);
			expect(tgIncoming()).toEqual(tgCustomerSent);
			expect(toCustomer().slice(2)).toEqual(tgAgentSent);
			expect(tgCalls()).toHaveLength(calls);
			// Every update was answered 2xx the first time: no copies were needed.
			expect(telegram.deliveries.filter((d) => d.status !== 200)).toEqual([]);
			figures.push(`Telegram: up to ${telegram.maxInFlight} updates on their way to n8n at once (the trigger answers each at once; the Relay Guard orders them)`);
			expect(telegram.maxInFlight).toBeGreaterThan(1);
		});

		test('resolved: the summary goes into the memory of this chat, and the model answers on Telegram with it', async () => {
			const calls = tgCalls().length;
			chatwoot.resolve(tgConversationId, { agentId: seed.agents[0].id });
			await waitUntil(
				'the Telegram handback execution',
				async () => (await n8n.executions({ workflowId: telegramWorkflowId(), includeData: true })).some((e) => e.data?.resultData?.runData?.["Into the agent's memory"] && e.status === 'success'),
				{ timeoutMs: 60_000 },
			);
			await says('Gracias!', 2 + tgAgentSent.length + 1);
			expect(tgCalls()).toHaveLength(calls + 1);
			const summary = tgCalls()[calls].messages.find((m) => m.role === 'system' && textOf(m).startsWith('Handoff summary:'));
			for (const line of tgAgentSent) expect(textOf(summary)).toContain(`Agent: ${line}`);
			for (const line of tgCustomerSent) expect(textOf(summary)).toContain(`Customer: ${line}`);
			// The other channel's customer is another memory: nothing of it here.
			expect(tgCalls()[calls].messages.some((m) => textOf(m).includes('order 1234'))).toBe(false);
			expect(toCustomer()[toCustomer().length - 1]).toBe('Bot: you said "Gracias!".');
		});

		test('Chatwoot refusing: the message is not handled, its execution fails naming it, the turn is freed for the next one', async () => {
			const failedBefore = (await n8n.executions({ workflowId: telegramWorkflowId(), includeData: false })).filter((e) => e.status !== 'success').length;
			const answered = toCustomer().length;
			chatwoot.configure({ faults: { rate: 1, statuses: [404] } });
			let update: number;
			try {
				update = telegram.customerSays(customer, 'is anybody there?').update_id;
				await waitUntil(
					'the failed execution',
					async () => (await n8n.executions({ workflowId: telegramWorkflowId(), includeData: false })).filter((e) => e.status !== 'success').length > failedBefore,
					{ timeoutMs: 60_000 },
				);
			} finally {
				chatwoot.configure({ faults: { rate: 0 } });
			}
			const failed = (await n8n.executions({ workflowId: telegramWorkflowId(), includeData: true })).filter((e) => e.status !== 'success');
			const messages = failed.map((e) => String(e.data?.resultData?.error?.message));
			const ours = messages.find((m) => m.startsWith(`Telegram message ${update} of chat ${customer.id} was not handled: `));
			expect({ ours, messages }).toEqual({ ours: expect.stringMatching(/Chatwoot/), messages });
			expect(telegram.deliveries.filter((d) => d.updateId === update).map((d) => d.status)).toEqual([200]);
			// The chat is not held: the next message goes through at once (not after the turn timeout).
			const started = Date.now();
			await says('Hello again', answered + 1);
			expect(Date.now() - started).toBeLessThan(30_000);
			expect(toCustomer()[toCustomer().length - 1]).toBe('Bot: you said "Hello again".');
			notHandled.push(update);
		});

		test('an update without the secret token is refused 403 and starts no execution', async () => {
			const before = (await n8n.executions({ includeData: false })).length;
			const res = await request(n8n.webhookUrl(webhookPath(telegramTemplate, 'Telegram message')), {
				method: 'POST',
				body: { update_id: 1, message: { message_id: 1, chat: { id: customer.id, type: 'private' }, date: 0, text: 'forged: I want a human' } },
			});
			expect(res.status).toBe(403);
			await sleep(1_500);
			expect((await n8n.executions({ includeData: false })).length).toBe(before);
		});
	});

	test('every execution succeeded; the model saw only valid requests with the right key', async () => {
		const executions = await n8n.executions({ includeData: true });
		const failed = executions
			.filter((e) => e.status !== 'success')
			.filter((e) => !notHandled.some((update) => String(e.data?.resultData?.error?.message).startsWith(`Telegram message ${update} `)))
			.map((e) => ({ id: e.id, status: e.status, error: e.data?.resultData?.error?.message, description: e.data?.resultData?.error?.description, node: e.data?.resultData?.lastNodeExecuted }));
		expect(failed).toEqual([]);
		expect(openai.refused).toEqual([]);
		console.log(`ai-agent-chatwoot: ${executions.length} executions, all successful; ${openai.requests.length} model calls`);
	});

	// Last: after everything above, with every secret the run used.
	test("no secret the run used is in any execution (run data, workflow snapshot) or in n8n's log", async () => {
		const { leaks, control, scanned } = await findLeaks(
			n8n,
			{
				'OpenAI API key': [openai.apiKey],
				'App → n8n secret (X-Handoff-Secret)': [toN8nSecret],
				'n8n → app secret (X-Handoff-Secret)': [toAppSecret],
				'a Chatwoot token or webhook secret (simulator)': chatwoot.secrets(),
				'the Telegram bot token or webhook secret token': telegram.secrets(),
			},
			{ control: [`app-${userId}`] },
		);
		console.log(
			`ai-agent-chatwoot: ${scanned.secrets} secrets looked for in ${scanned.executions} executions, ${scanned.rows} database rows and ${Math.round(scanned.logBytes / 1024)} KB of n8n's log: ${leaks.length} found`,
		);
		expect(leaks).toEqual([]);
		expect(control.some((where) => where.endsWith(': run data'))).toBe(true);
	});
});
