import type { IDataObject, INode, INodeTypes } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { BotpressHitlApi } from '../../../credentials/BotpressHitlApi.credentials';
import { BotpressHitlTrigger } from '../../../nodes/BotpressHitl/BotpressHitlTrigger.node';
import { legacyMessage, normalizeMessage } from '../../../nodes/BotpressHitl/trigger/delivery';
import { rememberTicket, takeTicket, TICKETS_KEY } from '../../../nodes/BotpressHitl/trigger/tickets';
import { parseRequestId } from '../../../nodes/shared/tiledeskRequestId';
import { expectHandoffEvent } from '../../helpers/contract';
import { createHarness } from '../../helpers/harness';
import botCard from '../../fixtures/botpress/bot-sends-message-bot-card.json';
import pluginMessage from '../../fixtures/botpress/bot-sends-message-plugin.json';
import textMessage from '../../fixtures/botpress/bot-sends-message-text.json';
import closeTicket from '../../fixtures/botpress/close-remote-ticket.json';
import createConversation from '../../fixtures/botpress/create-remote-conversation.json';
import createUser from '../../fixtures/botpress/create-remote-user.json';
import ping from '../../fixtures/botpress/ping.json';

const harness = createHarness({ credentialTypes: [new BotpressHitlApi()] });
const node = new BotpressHitlTrigger();
const WEBHOOK_ID = 'harness-webhook-id';
const BOTPRESS_CONVERSATION = 'conv_01J0Q8XK2ZC7V9R4T6M3HB5WNA';
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

interface CallOptions {
	parameters?: IDataObject;
	staticData?: IDataObject;
	headers?: Record<string, string>;
	credentials?: IDataObject;
	path?: string;
	/** The node's typeVersion; the default version (2) when not set. */
	typeVersion?: number;
}

async function call(endpoint: string, body: unknown, options: CallOptions = {}) {
	const staticData = options.staticData ?? {};
	const result = await harness.webhook(node, {
		parameters: (options.parameters ?? {}) as never,
		credentials: options.credentials ? ({ botpressHitlApi: options.credentials } as never) : undefined,
		staticData,
		typeVersion: options.typeVersion,
		request: {
			path: options.path ?? `/webhook/${WEBHOOK_ID}/${endpoint}`,
			headers: { 'content-type': 'application/json', 'user-agent': 'axios/1.7.7', ...(options.headers ?? {}) },
			body,
		},
	});
	const items = (result.response.workflowData?.[0] ?? []).map((item) => item.json);
	// Version 2 (the default) is held to the package's event contract; version 1 predates it.
	if ((options.typeVersion ?? 2) >= 2) items.forEach(expectHandoffEvent);
	return { ...result, items, staticData };
}

describe('Botpress HITL Trigger: the node description', () => {
	const { webhooks } = node.description;

	it('serves the five endpoints as POST webhooks under the node\'s webhook ID', () => {
		expect(webhooks?.map((webhook) => [webhook.name, webhook.httpMethod, webhook.path])).toEqual([
			['default', 'POST', 'ping'],
			['default', 'POST', 'createRemoteUser'],
			['default', 'POST', 'createRemoteConversation'],
			['default', 'POST', 'botSendsMessage'],
			['default', 'POST', 'closeRemoteTicket'],
		]);
		// How n8n builds a production URL for a node with a webhookId: {base}/{webhookId}/{path}.
		const trigger = { name: 'Botpress HITL Trigger', webhookId: 'f3a1' } as INode;
		const urls = webhooks!.map((webhook) =>
			NodeHelpers.getNodeWebhookUrl('https://n8n.example.com/webhook', 'wf1', trigger, webhook.path),
		);
		expect(urls[0]).toBe('https://n8n.example.com/webhook/f3a1/ping');
		// Botpress's endpointBaseUrl is the part every URL shares.
		expect(new Set(urls.map((url) => url.slice(0, url.lastIndexOf('/'))))).toEqual(
			new Set(['https://n8n.example.com/webhook/f3a1']),
		);
	});

	it('makes the create endpoints wait for the workflow when the user chooses so; messages and closes are answered once relayed', () => {
		const modes = (parameters: IDataObject) => {
			const trigger: INode = {
				id: 'n1',
				name: 'Botpress HITL Trigger',
				type: 'n8n-nodes-handoff.botpressHitlTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: 'f3a1',
				parameters: parameters as never,
			};
			const nodeTypes: INodeTypes = {
				getByName: () => node,
				getByNameAndVersion: () => node,
				getKnownTypes: () => ({}),
			};
			const workflow = new Workflow({ nodes: [trigger], connections: {}, active: true, nodeTypes });
			// What n8n's webhook server evaluates before running webhook().
			return webhooks!.map((webhook) =>
				workflow.expression.getSimpleParameterValue(
					workflow.nodes[trigger.name],
					webhook.responseMode,
					'webhook',
					{},
					undefined,
					'onReceived',
				),
			);
		};
		expect(modes({})).toEqual(['onReceived', 'onReceived', 'onReceived', 'lastNode', 'lastNode']);
		expect(modes({ idSource: 'generated' })).toEqual(['onReceived', 'onReceived', 'onReceived', 'lastNode', 'lastNode']);
		expect(modes({ idSource: 'workflow' })).toEqual(['onReceived', 'lastNode', 'lastNode', 'lastNode', 'lastNode']);
	});

	it('has nothing to register at Botpress; publishing checks the Tiledesk project ID and keeps open tickets', async () => {
		expect((await harness.hook(node, 'checkExists', { parameters: {} })).result).toBe(false);
		expect((await harness.hook(node, 'create', { parameters: { options: { tiledeskProjectId: '65c5f3599faf2d04cd7da528' } } })).result).toBe(true);
		await expect(harness.hook(node, 'create', { parameters: { options: { tiledeskProjectId: 'not a project' } } })).rejects.toThrow(
			'The Tiledesk project ID "not a project" is not valid',
		);
		const staticData = { [TICKETS_KEY]: [[BOTPRESS_CONVERSATION, 'bp-1', Date.now()]] } as IDataObject;
		expect((await harness.hook(node, 'delete', { parameters: {}, staticData })).result).toBe(true);
		expect(staticData[TICKETS_KEY]).toHaveLength(1);
	});
});

describe('Botpress HITL Trigger: /ping', () => {
	it('answers 200 without starting the workflow', async () => {
		const { response, http, items } = await call('ping', clone(ping));
		expect(items).toEqual([]);
		expect(response.workflowData).toBeUndefined();
		// n8n answers 200 with this body.
		expect(response.webhookResponse).toEqual({ received: true });
		expect(http.ended).toBe(false);
	});

	it('answers whatever the events chosen, even in "ID returned by the workflow" mode', async () => {
		const { response } = await call('ping', clone(ping), { parameters: { idSource: 'workflow', events: [] } });
		expect(response).toEqual({ webhookResponse: { received: true } });
	});
});

describe('Botpress HITL Trigger: the create endpoints answer string IDs', () => {
	it('/createRemoteUser answers a generated user ID at once and emits userCreated (version 1)', async () => {
		const { http, response, items } = await call('createRemoteUser', clone(createUser), {
			parameters: { events: ['userCreated'] },
			typeVersion: 1,
		});
		expect(http.statusCode).toBe(200);
		const { id } = http.body as { id: unknown };
		expect(typeof id).toBe('string');
		expect(id).toMatch(/^bpu-[0-9a-f]{16}$/);
		expect(response.noWebhookResponse).toBe(true);
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({
			event: 'userCreated',
			platform: 'botpress',
			conversationId: '',
			customerId: id,
			remoteUserId: id,
			idSource: 'generated',
			author: { role: 'customer', id, name: 'Ada Lovelace' },
			message: null,
			user: { name: 'Ada Lovelace', email: 'ada@example.com', pictureUrl: 'https://example.com/ada.png', role: 'end-user' },
		});
		expect(items[0].raw).toEqual(createUser);
	});

	it('answers /createRemoteUser without running the workflow when User Created is not chosen (the default)', async () => {
		const { http, response } = await call('createRemoteUser', clone(createUser));
		expect((http.body as IDataObject).id).toMatch(/^bpu-/);
		expect(response).toEqual({ noWebhookResponse: true });
	});

	it('two users never get the same ID', async () => {
		const a = (await call('createRemoteUser', clone(createUser))).http.body as IDataObject;
		const b = (await call('createRemoteUser', clone(createUser))).http.body as IDataObject;
		expect(a.id).not.toBe(b.id);
	});

	it('/createRemoteConversation answers a fresh conversation ID and emits conversationStarted with the history (version 1)', async () => {
		const { http, items } = await call('createRemoteConversation', clone(createConversation), { typeVersion: 1 });
		const { id } = http.body as { id: string };
		expect(id).toMatch(/^bp-[0-9a-f]{24}$/);
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({
			event: 'conversationStarted',
			platform: 'botpress',
			conversationId: id,
			remoteConversationId: id,
			idSource: 'generated',
			customerId: null,
			message: null,
			title: 'Order #1042 never arrived',
			description: `Escalated by the bot for conversation ${BOTPRESS_CONVERSATION}`,
			botpressConversationId: BOTPRESS_CONVERSATION,
		});
		expect(items[0].history).toEqual([
			{ role: 'customer', name: null, type: 'text', text: 'Hi, my order #1042 never arrived', timestamp: '2025-05-22T19:45:10.512Z' },
			{ role: 'bot', name: null, type: 'text', text: 'Sorry to hear that! Let me check.', timestamp: '2025-05-22T19:45:11.002Z' },
			{ role: 'customer', name: 'Ada Lovelace', type: 'text', text: 'I want to talk to a human', timestamp: null },
			{ role: 'customer', name: null, type: 'text', text: 'Connecting you…', timestamp: null },
		]);
		expect(typeof items[0].timestamp).toBe('string');
	});

	it('a handoff without title, description or history is fine', async () => {
		const v1 = await call('createRemoteConversation', { type: 'createRemoteConversation', payload: {} }, { typeVersion: 1 });
		expect((v1.http.body as IDataObject).id).toMatch(/^bp-/);
		expect(v1.items[0]).toMatchObject({ title: null, description: null, history: [], botpressConversationId: null });
		const v2 = await call('createRemoteConversation', { type: 'createRemoteConversation', payload: {} });
		expect(v2.items[0]).toMatchObject({ title: null, description: null, transcript: [], botpressConversationId: null });
		expect(v2.items[0]).not.toHaveProperty('history');
	});

	it('with a Tiledesk project ID, answers the deterministic Tiledesk request ID of a fresh bp- ID', async () => {
		const project = '65c5f3599faf2d04cd7da528';
		const { http, items } = await call('createRemoteConversation', clone(createConversation), {
			parameters: { options: { tiledeskProjectId: project } },
		});
		const { id } = http.body as { id: string };
		expect(id).toMatch(new RegExp(`^support-group-${project}-bp-[0-9a-f]{24}$`));
		expect(parseRequestId(id, project)?.externalId).toMatch(/^bp-[0-9a-f]{24}$/);
		expect(items[0].conversationId).toBe(id);
	});

	it('"ID returned by the workflow": leaves the answer to n8n (last node) and emits the event with a suggested ID', async () => {
		const parameters = { idSource: 'workflow', events: ['userCreated', 'conversationCreated'] };
		const user = await call('createRemoteUser', clone(createUser), { parameters });
		expect(user.http.ended).toBe(false);
		expect(user.response.noWebhookResponse).toBeUndefined();
		expect(user.response.webhookResponse).toBeUndefined();
		expect(user.items[0]).toMatchObject({ event: 'userCreated', idSource: 'workflow' });
		expect(user.items[0].remoteUserId).toMatch(/^bpu-/);

		const conversation = await call('createRemoteConversation', clone(createConversation), { parameters });
		expect(conversation.http.ended).toBe(false);
		expect(conversation.response.noWebhookResponse).toBeUndefined();
		expect(conversation.items[0]).toMatchObject({ event: 'conversationCreated', idSource: 'workflow' });
		expect(conversation.items[0].conversationId).toMatch(/^bp-/);
		// The answered ID is the workflow's: nothing can be mapped for the close.
		expect(conversation.staticData[TICKETS_KEY]).toBeUndefined();
	});

	it('"ID returned by the workflow" with the event not chosen: answers a generated ID itself', async () => {
		const { http, response } = await call('createRemoteConversation', clone(createConversation), {
			parameters: { idSource: 'workflow', events: ['message'] },
		});
		expect((http.body as IDataObject).id).toMatch(/^bp-/);
		expect(response).toEqual({ noWebhookResponse: true });
	});
});

describe('Botpress HITL Trigger: /botSendsMessage', () => {
	it('turns a user\'s message into the package event and answers 200 at once', async () => {
		const { http, response, items } = await call('botSendsMessage', clone(textMessage));
		// Answered when the relay's execution has ended (n8n's lastNode mode).
		expect(response.noWebhookResponse).toBeUndefined();
		expect(http.statusCode).toBe(200);
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({
			event: 'message',
			platform: 'botpress',
			conversationId: 'bp-6f1c2a9e0b7d4c3a5e8f9a1b',
			customerId: 'bpu-0a1b2c3d4e5f6071',
			author: { role: 'customer', id: 'bpu-0a1b2c3d4e5f6071', name: null },
			message: { type: 'text', text: 'Is anyone there?', botpressType: 'text' },
			remoteConversationId: 'bp-6f1c2a9e0b7d4c3a5e8f9a1b',
			remoteUserId: 'bpu-0a1b2c3d4e5f6071',
		});
		expect(items[0].raw).toEqual(textMessage);
	});

	it('reads the bot\'s messages (remoteUserId "BOT") as author bot, cards as readable text', async () => {
		const { items } = await call('botSendsMessage', clone(botCard));
		expect(items[0]).toMatchObject({
			customerId: null,
			author: { role: 'bot', id: 'BOT', name: null },
			message: {
				type: 'other',
				botpressType: 'card',
				url: 'https://example.com/plans.png',
				text: 'Our plans\nPick the one that fits\n- Basic\n- Compare (https://example.com/compare)\n- Talk to sales',
			},
		});
	});

	it('tolerates what the HITL plugin adds to payloads (type, userId)', async () => {
		const { items } = await call('botSendsMessage', clone(pluginMessage));
		expect(items[0].message).toEqual({
			type: 'image',
			text: 'https://files.bpcontent.cloud/receipt.png',
			url: 'https://files.bpcontent.cloud/receipt.png',
			botpressType: 'image',
		});
	});

	it('filters by author and by event, still answering 200', async () => {
		const botOnly = await call('botSendsMessage', clone(botCard), { parameters: { messageAuthors: ['customer'] } });
		expect(botOnly.response).toEqual({ noWebhookResponse: true });
		expect(botOnly.http.statusCode).toBe(200);
		const noMessages = await call('botSendsMessage', clone(textMessage), { parameters: { events: ['conversationCreated'] } });
		expect(noMessages.items).toEqual([]);
		expect(noMessages.http.body).toEqual({ received: true });
	});

	it.each([
		['text', { text: 'Hello' }, { type: 'text', text: 'Hello', botpressType: 'text' }],
		['markdown', { markdown: '**Hello**' }, { type: 'text', text: '**Hello**', botpressType: 'markdown' }],
		[
			'image',
			{ imageUrl: 'https://x.io/a.png' },
			{ type: 'image', text: 'https://x.io/a.png', url: 'https://x.io/a.png', botpressType: 'image' },
		],
		[
			'image with title',
			{ imageUrl: 'https://x.io/a.png', title: 'Receipt' },
			{ type: 'image', text: 'Receipt', url: 'https://x.io/a.png', botpressType: 'image' },
		],
		[
			'audio',
			{ audioUrl: 'https://x.io/a.mp3' },
			{ type: 'file', text: 'https://x.io/a.mp3', url: 'https://x.io/a.mp3', botpressType: 'audio' },
		],
		[
			'video',
			{ videoUrl: 'https://x.io/a.mp4' },
			{ type: 'file', text: 'https://x.io/a.mp4', url: 'https://x.io/a.mp4', botpressType: 'video' },
		],
		[
			'file with title',
			{ fileUrl: 'https://x.io/invoice.pdf', title: 'invoice.pdf' },
			{ type: 'file', text: 'invoice.pdf', url: 'https://x.io/invoice.pdf', name: 'invoice.pdf', botpressType: 'file' },
		],
		[
			'location',
			{ latitude: 48.8584, longitude: 2.2945, address: 'Champ de Mars, Paris', title: 'Eiffel Tower' },
			{
				type: 'location',
				text: 'Eiffel Tower, Champ de Mars, Paris',
				latitude: 48.8584,
				longitude: 2.2945,
				address: 'Champ de Mars, Paris',
				title: 'Eiffel Tower',
				botpressType: 'location',
			},
		],
		[
			'bare location',
			{ latitude: '48.8584', longitude: '2.2945' },
			{ type: 'location', text: 'Location: 48.8584, 2.2945', latitude: 48.8584, longitude: 2.2945, botpressType: 'location' },
		],
		[
			'choice',
			{ text: 'Which plan?', options: [{ label: 'Basic', value: 'b' }, { label: 'Pro', value: 'p' }] },
			{ type: 'other', text: 'Which plan?\n- Basic\n- Pro', botpressType: 'choice' },
		],
		[
			'dropdown',
			{ type: 'dropdown', text: 'Country?', options: [{ label: 'France', value: 'fr' }] },
			{ type: 'other', text: 'Country?\n- France', botpressType: 'dropdown' },
		],
		[
			'carousel',
			{
				items: [
					{ title: 'Basic', subtitle: '5 €', imageUrl: 'https://x.io/b.png', actions: [{ action: 'postback', label: 'Choose', value: 'b' }] },
					{ title: 'Pro', actions: [{ action: 'url', label: 'Details', value: 'https://x.io/pro' }] },
				],
			},
			{
				type: 'other',
				text: 'Basic\n5 €\n- Choose\n\nPro\n- Details (https://x.io/pro)',
				url: 'https://x.io/b.png',
				botpressType: 'carousel',
			},
		],
		[
			'bloc',
			{
				items: [
					{ type: 'text', payload: { text: 'Here is your receipt' } },
					{ type: 'image', payload: { imageUrl: 'https://x.io/r.png' } },
				],
			},
			{ type: 'other', text: 'Here is your receipt\nhttps://x.io/r.png', url: 'https://x.io/r.png', botpressType: 'bloc' },
		],
		['something unknown', { foo: 'bar' }, { type: 'other', text: '', botpressType: 'unknown' }],
	])('infers the message type from the keys: %s', (_, payload, expected) => {
		// Version 1 as it always was: a file's name is `name`, the text may be empty.
		expect(legacyMessage(payload as IDataObject)).toEqual(expected);
		// Version 2: the name is `fileName` and the text is never empty.
		const { name, ...rest } = expected as IDataObject;
		expect(normalizeMessage(payload as IDataObject)).toEqual({
			...rest,
			...(name ? { fileName: name } : {}),
			text: rest.text || '[message]',
		});
	});

	it.each([
		['empty text', { text: '' }, { type: 'text', text: '[text]', botpressType: 'text' }],
		['empty markdown', { markdown: '' }, { type: 'text', text: '[text]', botpressType: 'markdown' }],
		['choice without words', { options: [] }, { type: 'other', text: '[message]', botpressType: 'choice' }],
		['carousel without cards', { items: [] }, { type: 'other', text: '[message]', botpressType: 'carousel' }],
		['bloc of nothing readable', { type: 'bloc', items: [{ type: 'x', payload: {} }] }, { type: 'other', text: '[message]', botpressType: 'bloc' }],
	])('version 2 gives a message without words a stand-in text: %s', (_, payload, expected) => {
		expect(normalizeMessage(payload as IDataObject)).toEqual(expected);
		expect(legacyMessage(payload as IDataObject).text).toBe('');
	});
});

describe('Botpress HITL Trigger: /closeRemoteTicket and the close mapping', () => {
	it('maps the close back to the ticket when the handoff\'s title or description carried the Botpress conversation ID', async () => {
		const staticData: IDataObject = {};
		const created = await call('createRemoteConversation', clone(createConversation), { staticData, typeVersion: 1 });
		const ticketId = (created.http.body as IDataObject).id;
		expect(staticData[TICKETS_KEY]).toEqual([[BOTPRESS_CONVERSATION, ticketId, expect.any(Number)]]);

		const { http, items } = await call('closeRemoteTicket', clone(closeTicket), { staticData, typeVersion: 1 });
		expect(http.statusCode).toBe(200);
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({
			event: 'conversationClosed',
			platform: 'botpress',
			conversationId: ticketId,
			remoteConversationId: ticketId,
			botpressConversationId: BOTPRESS_CONVERSATION,
			mapped: true,
			author: { role: 'system', id: null, name: null },
			message: null,
		});
		// Forgotten once closed.
		expect(staticData[TICKETS_KEY]).toEqual([]);
		const again = await call('closeRemoteTicket', clone(closeTicket), { staticData, typeVersion: 1 });
		expect(again.items[0]).toMatchObject({ conversationId: '', mapped: false });
		// Version 2 says null, never ''.
		const v2 = await call('closeRemoteTicket', clone(closeTicket), { staticData });
		expect(v2.items[0]).toMatchObject({ conversationId: null, remoteConversationId: null, mapped: false });
	});

	it('a close Botpress never announced still starts the workflow, unmapped, with Botpress\'s ID (version 1)', async () => {
		const { items, http } = await call(
			'closeRemoteTicket',
			{ type: 'closeRemoteTicket', payload: { botpressConversationId: 'conv_01J0QHITLCHANNEL0000000000' } },
			{ typeVersion: 1 },
		);
		expect(http.statusCode).toBe(200);
		expect(items[0]).toMatchObject({
			conversationId: '',
			remoteConversationId: null,
			botpressConversationId: 'conv_01J0QHITLCHANNEL0000000000',
			mapped: false,
		});
	});

	it('forgets the ticket even when Conversation Closed is not chosen', async () => {
		const staticData: IDataObject = {};
		await call('createRemoteConversation', clone(createConversation), { staticData });
		const { response } = await call('closeRemoteTicket', clone(closeTicket), { staticData, parameters: { events: ['message'] } });
		expect(response).toEqual({ noWebhookResponse: true });
		expect(staticData[TICKETS_KEY]).toEqual([]);
	});

	it('keeps the mapping bounded in count and age', () => {
		const store: IDataObject = {};
		for (let i = 0; i < 5; i++) rememberTicket(store, `conv_${i}`, `bp-${i}`, { max: 3, now: 1000 + i });
		expect((store[TICKETS_KEY] as unknown[]).map((entry) => (entry as string[])[0])).toEqual(['conv_2', 'conv_3', 'conv_4']);
		expect(takeTicket(store, 'conv_0', { now: 2000 })).toBeNull();
		expect(takeTicket(store, 'conv_3', { now: 2000 })).toBe('bp-3');
		expect(takeTicket(store, 'conv_4', { ttlMs: 100, now: 5000 })).toBeNull();
		rememberTicket(store, 'conv_9', 'bp-9', { now: 1 });
		rememberTicket(store, 'conv_9', 'bp-10', { now: 2 });
		expect(takeTicket(store, 'conv_9', { now: 3 })).toBe('bp-10');
		// Junk in static data is ignored, not trusted.
		const junk: IDataObject = { [TICKETS_KEY]: [['conv_x', 42, 1], 'nope', null] as never };
		expect(takeTicket(junk, 'conv_x', { now: 2 })).toBeNull();
	});
});

describe('Botpress HITL Trigger: versions 1 and 2', () => {
	it('is versioned: 2 is the default, 1 stays for saved workflows', () => {
		expect(node.description.version).toEqual([1, 2]);
		expect(node.description.defaultVersion).toBe(2);
		const events = node.description.properties.filter((property) => property.name === 'events');
		expect(events.map((property) => [property.displayOptions?.show?.['@version'], property.default])).toEqual([
			[[1], ['conversationStarted', 'message', 'conversationClosed']],
			[[{ _cnd: { gte: 2 } }], ['conversationCreated', 'message', 'conversationClosed']],
		]);
	});

	it('version 2: /createRemoteUser emits userCreated with conversationId null', async () => {
		const { http, items } = await call('createRemoteUser', clone(createUser), { parameters: { events: ['userCreated'] } });
		const { id } = http.body as { id: string };
		expect(items[0]).toMatchObject({ event: 'userCreated', platform: 'botpress', conversationId: null, customerId: id, remoteUserId: id });
	});

	it('version 2: /createRemoteConversation emits conversationCreated with the bot history as a transcript', async () => {
		const { http, items } = await call('createRemoteConversation', clone(createConversation));
		const { id } = http.body as { id: string };
		expect(items[0]).toMatchObject({
			event: 'conversationCreated',
			platform: 'botpress',
			conversationId: id,
			remoteConversationId: id,
			idSource: 'generated',
			title: 'Order #1042 never arrived',
			botpressConversationId: BOTPRESS_CONVERSATION,
		});
		expect(items[0]).not.toHaveProperty('history');
		// The item shape of the LiveChat and Tiledesk triggers' transcript.
		expect(items[0].transcript).toEqual([
			{
				id: null,
				author: { role: 'customer', id: null, name: null },
				message: { type: 'text', text: 'Hi, my order #1042 never arrived' },
				timestamp: '2025-05-22T19:45:10.512Z',
				own: false,
			},
			{
				id: null,
				author: { role: 'bot', id: null, name: null },
				message: { type: 'text', text: 'Sorry to hear that! Let me check.' },
				timestamp: '2025-05-22T19:45:11.002Z',
				own: false,
			},
			{
				id: null,
				author: { role: 'customer', id: null, name: 'Ada Lovelace' },
				message: { type: 'text', text: 'I want to talk to a human' },
				timestamp: null,
				own: false,
			},
			{
				id: null,
				author: { role: 'customer', id: null, name: null },
				message: { type: 'text', text: 'Connecting you…' },
				timestamp: null,
				own: false,
			},
		]);
	});

	it('version 2: an empty history text gets a stand-in, version 1 keeps it empty', async () => {
		const body = { type: 'createRemoteConversation', payload: { messages: [{ text: '', author: 'bot' }] } };
		const v2 = await call('createRemoteConversation', clone(body));
		expect((v2.items[0].transcript as IDataObject[])[0].message).toEqual({ type: 'text', text: '[text]' });
		const v1 = await call('createRemoteConversation', clone(body), { typeVersion: 1 });
		expect((v1.items[0].history as IDataObject[])[0]).toEqual({ role: 'bot', name: null, type: 'text', text: '', timestamp: null });
	});

	it('version 1 keeps "Conversation Started" as the event to choose; version 2 does not know it', async () => {
		const v1 = await call('createRemoteConversation', clone(createConversation), {
			parameters: { events: ['conversationStarted'] },
			typeVersion: 1,
		});
		expect(v1.items[0].event).toBe('conversationStarted');
		const v2 = await call('createRemoteConversation', clone(createConversation), { parameters: { events: ['conversationStarted'] } });
		expect(v2.items).toEqual([]);
		expect((v2.http.body as IDataObject).id).toMatch(/^bp-/);
	});

	it('version 2: a file\'s name is message.fileName and a message without words has a stand-in; version 1 as before', async () => {
		const file = { ...clone(textMessage), payload: { fileUrl: 'https://x.io/invoice.pdf', title: 'invoice.pdf' } };
		const v2 = await call('botSendsMessage', clone(file));
		expect(v2.items[0].message).toEqual({ type: 'file', text: 'invoice.pdf', url: 'https://x.io/invoice.pdf', fileName: 'invoice.pdf', botpressType: 'file' });
		const v1 = await call('botSendsMessage', clone(file), { typeVersion: 1 });
		expect(v1.items[0].message).toEqual({ type: 'file', text: 'invoice.pdf', url: 'https://x.io/invoice.pdf', name: 'invoice.pdf', botpressType: 'file' });

		const empty = { ...clone(textMessage), payload: { text: '' } };
		expect((await call('botSendsMessage', clone(empty))).items[0].message).toEqual({ type: 'text', text: '[text]', botpressType: 'text' });
		expect((await call('botSendsMessage', clone(empty), { typeVersion: 1 })).items[0].message).toEqual({ type: 'text', text: '', botpressType: 'text' });
		// Only spaces are no words either (fuzz, seed 20261202).
		const blank = { ...clone(textMessage), payload: { text: ' \n\t' } };
		expect((await call('botSendsMessage', clone(blank))).items[0].message).toEqual({ type: 'text', text: '[text]', botpressType: 'text' });
	});

	it('both versions emit the same item for a text message and a mapped close, but for what changed', async () => {
		const strip = (item: IDataObject) => ({ ...item, timestamp: 'T' });
		const v1 = await call('botSendsMessage', clone(textMessage), { typeVersion: 1 });
		const v2 = await call('botSendsMessage', clone(textMessage));
		expect(strip(v1.items[0])).toEqual(strip(v2.items[0]));

		const staticData: IDataObject = {};
		const created = await call('createRemoteConversation', clone(createConversation), { staticData });
		const ticketId = (created.http.body as IDataObject).id;
		const closed = await call('closeRemoteTicket', clone(closeTicket), { staticData, typeVersion: 1 });
		expect(closed.items[0]).toMatchObject({ event: 'conversationClosed', conversationId: ticketId, mapped: true });
	});
});

describe('Botpress HITL Trigger: malformed calls and unknown paths', () => {
	it.each([
		['ping', 'not an object', '"hello"', 'body must be a JSON object'],
		['botSendsMessage', 'a type that does not match the path', { ...textMessage, type: 'ping' }, 'body.type is "ping" but the path is /botSendsMessage'],
		['createRemoteUser', 'no payload', { type: 'createRemoteUser' }, 'body.payload must be an object'],
		['createRemoteUser', 'a numeric name', { type: 'createRemoteUser', payload: { name: 7 } }, 'body.payload.name must be a string'],
		['createRemoteConversation', 'no payload', { type: 'createRemoteConversation' }, 'body.payload must be an object'],
		['createRemoteConversation', 'a numeric title', { type: 'createRemoteConversation', payload: { title: 1 } }, 'body.payload.title must be a string'],
		['createRemoteConversation', 'messages that are not an array', { type: 'createRemoteConversation', payload: { messages: {} } }, 'body.payload.messages must be an array'],
		['createRemoteConversation', 'a message without text', { type: 'createRemoteConversation', payload: { messages: [{ text: 'a' }, { author: 'bot' }] } }, 'body.payload.messages[1].text must be a string'],
		['botSendsMessage', 'no remoteConversationId', { type: 'botSendsMessage', remoteUserId: 'u', payload: { text: 'a' } }, 'body.remoteConversationId must be a non-empty string'],
		['botSendsMessage', 'an empty remoteUserId', { type: 'botSendsMessage', remoteConversationId: 'c', remoteUserId: ' ', payload: { text: 'a' } }, 'body.remoteUserId must be a non-empty string'],
		['botSendsMessage', 'a payload that is not an object', { type: 'botSendsMessage', remoteConversationId: 'c', remoteUserId: 'u', payload: 'hi' }, 'body.payload must be an object'],
		['closeRemoteTicket', 'no botpressConversationId', { type: 'closeRemoteTicket', payload: {} }, 'body.payload.botpressConversationId must be a non-empty string'],
	])('/%s with %s → 400 with a reason, no execution', async (endpoint, _, body, reason) => {
		const staticData: IDataObject = {};
		const { http, response } = await call(endpoint, typeof body === 'string' ? JSON.parse(body) : body, { staticData });
		expect(http.statusCode).toBe(400);
		expect(http.body).toEqual({ error: 'Bad Request', reason });
		expect(response.workflowData).toBeUndefined();
		expect(staticData).toEqual({});
	});

	it('answers 404 for a path that is not one of the endpoints (n8n itself answers 404 before the node for those)', async () => {
		const { http, response } = await call('other', clone(ping), { path: `/webhook/${WEBHOOK_ID}/createRemoteTicket` });
		expect(http.statusCode).toBe(404);
		expect(response.workflowData).toBeUndefined();
	});

	it('routes by the path, also for the test URL and with a trailing slash', async () => {
		const test = await call('', clone(ping), { path: `/webhook-test/${WEBHOOK_ID}/ping/` });
		expect(test.response).toEqual({ webhookResponse: { received: true } });
	});
});

describe('Botpress HITL Trigger: the optional shared secret', () => {
	const withSecret = { webhookUrl: 'https://webhook.botpress.cloud/abc', sharedSecret: 's3cret-from-the-proxy' };

	it('without a credential, or with one without a secret, accepts every call (the webhook ID is the only secret)', async () => {
		expect((await call('ping', clone(ping))).response.webhookResponse).toBeDefined();
		const noSecret = await call('ping', clone(ping), { credentials: { webhookUrl: 'https://webhook.botpress.cloud/abc' } });
		expect(noSecret.response.webhookResponse).toBeDefined();
	});

	it('with a secret, refuses calls without it or with another one: 401, no execution, nothing echoed', async () => {
		for (const headers of [{}, { 'x-handoff-secret': 'wrong' }, { 'x-other': withSecret.sharedSecret }] as Array<Record<string, string>>) {
			const { http, response } = await call('botSendsMessage', clone(textMessage), { credentials: withSecret, headers });
			expect(http.statusCode).toBe(401);
			expect(response.workflowData).toBeUndefined();
			expect(JSON.stringify(http.body)).not.toContain(withSecret.sharedSecret);
		}
		// Checked before anything else: a bad body or path is not revealed either.
		expect((await call('nowhere', 'junk', { credentials: withSecret, path: '/webhook/x/nowhere' })).http.statusCode).toBe(401);
	});

	it('accepts the right secret, in the default header or the one the credential names', async () => {
		const ok = await call('botSendsMessage', clone(textMessage), {
			credentials: withSecret,
			headers: { 'X-Handoff-Secret': withSecret.sharedSecret },
		});
		expect(ok.items).toHaveLength(1);
		const custom = await call('ping', clone(ping), {
			credentials: { ...withSecret, headerName: 'X-Proxy-Token' },
			headers: { 'x-proxy-token': withSecret.sharedSecret },
		});
		expect(custom.response.webhookResponse).toBeDefined();
		const wrongHeader = await call('ping', clone(ping), {
			credentials: { ...withSecret, headerName: 'X-Proxy-Token' },
			headers: { 'x-handoff-secret': withSecret.sharedSecret },
		});
		expect(wrongHeader.http.statusCode).toBe(401);
	});
});
