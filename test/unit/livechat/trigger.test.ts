import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import { LiveChatApi } from '../../../credentials/LiveChatApi.credentials';
import { LiveChatTrigger } from '../../../nodes/LiveChat/LiveChatTrigger.node';
import { roleOfUserId } from '../../../nodes/LiveChat/trigger/delivery';
import { clearLiveChatCaches } from '../../../nodes/LiveChat/transport';
import { expectHandoffEvent } from '../../helpers/contract';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';
import chatDeactivated from '../../fixtures/livechat/chat-deactivated.json';
import chatDeactivatedByRouter from '../../fixtures/livechat/chat-deactivated-by-router.json';
import chatTransferred from '../../fixtures/livechat/chat-transferred.json';
import chatTransferredQueued from '../../fixtures/livechat/chat-transferred-queued.json';
import incomingChat from '../../fixtures/livechat/incoming-chat.json';
import agentFile from '../../fixtures/livechat/incoming-event-agent-file.json';
import agentImage from '../../fixtures/livechat/incoming-event-agent-image.json';
import agentMessage from '../../fixtures/livechat/incoming-event-agent-message.json';
import botCard from '../../fixtures/livechat/incoming-event-bot-card.json';
import echo from '../../fixtures/livechat/incoming-event-echo.json';
import internalNote from '../../fixtures/livechat/incoming-event-internal-note.json';
import systemMessage from '../../fixtures/livechat/incoming-event-system-message.json';

const API = 'https://api.livechatinc.com';
const ACCOUNT = 'd24fa41e-bc16-41b8-a15b-9ca45ff7e0cf';
const PAT = 'dal:pAt-sEcret_0123456789';
const BASIC = `Basic ${Buffer.from(`${ACCOUNT}:${PAT}`).toString('base64')}`;
const ORG = '390e44e6-f1e6-0368c-z6ddb-74g14508c2ex';
const CLIENT = '0805e283233042b37f460ed8fbf22160';
const CHAT = 'PJ0MRSHTDG';
const THREAD = 'K600PKZON8';
const HOOK_URL = 'https://n8n.example.com/webhook/0c1e8c4a-7b0d-4c61-a5a4-1f0d3b8a9e21/webhook';
const SECRETS = {
	incoming_event: 'e'.repeat(64),
	chat_deactivated: 'd'.repeat(64),
	chat_transferred: 't'.repeat(64),
	incoming_chat: 'c'.repeat(64),
};
const IDS = {
	incoming_event: 'pqi8oasdjahuakndw9nsad9na',
	chat_deactivated: 'a8c2e0d51b7f4c93b6e1d0f2c',
	chat_transferred: 't3kq9xw2m8p4z7v1c6b5n0r2s',
	incoming_chat: 'c7w1m5q9z3x8v2b6n4k0p1r7s',
};
const ALL_EVENTS = ['agentMessage', 'chatDeactivated', 'chatTransferred', 'incomingChat'];
const credentials = {
	liveChatApi: { authType: 'pat', accountId: ACCOUNT, personalAccessToken: PAT, organizationId: ORG, clientId: CLIENT },
};
const harness = createHarness({ credentialTypes: [new LiveChatApi()] });
const node = new LiveChatTrigger();

const livechat = () => nock(API, { reqheaders: { authorization: BASIC } });
const configuration = (action: string) => `/v3.6/configuration/action/${action}`;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function published(): IDataObject {
	return {
		webhooks: (Object.keys(SECRETS) as Array<keyof typeof SECRETS>).map((action) => ({
			id: IDS[action],
			action,
			secret: SECRETS[action],
		})),
	};
}

/** A recorded delivery, carrying the secret of its webhook unless told otherwise. */
function signed(fixture: unknown, secret?: string | null): IDataObject {
	const body = clone(fixture) as IDataObject;
	const action = body.action as keyof typeof SECRETS;
	if (secret === null) delete body.secret_key;
	else body.secret_key = secret ?? SECRETS[action];
	return body;
}

async function deliver(
	body: unknown,
	{ parameters = {}, staticData = published() }: { parameters?: IDataObject; staticData?: IDataObject } = {},
) {
	const result = await harness.webhook(node, {
		// Catch-up (reading the conversation back) has its own suite, catchUp.test.ts.
		parameters: { events: ALL_EVENTS, ...parameters, options: { catchUp: false, ...(parameters.options as IDataObject) } } as never,
		credentials: credentials as never,
		staticData,
		webhookUrl: HOOK_URL,
		request: { headers: { 'content-type': 'application/json' }, body },
	});
	const items = (result.response.workflowData?.[0] ?? []).map((item) => item.json);
	items.forEach(expectHandoffEvent);
	return { ...result, items, staticData };
}

function hook(method: 'checkExists' | 'create' | 'delete', staticData: IDataObject, events = ['agentMessage', 'chatDeactivated']) {
	return harness.hook(node, method, {
		parameters: { events } as never,
		credentials: credentials as never,
		staticData,
		webhookUrl: HOOK_URL,
	});
}

const ACK = { webhookResponse: { received: true } };

useNock();
// The chat properties check is remembered in the process: each test starts without it.
beforeEach(() => clearLiveChatCaches());

describe('LiveChat Trigger: publishing registers webhooks, unpublishing unregisters them', () => {
	it('create registers the properties, one webhook per event with a fresh secret and chat properties, then enables license webhooks', async () => {
		livechat()
			.post(configuration('list_properties'), { owner_client_id: CLIENT })
			.reply(200, {
				external_id: { type: 'string', public_access: ['read', 'write'] },
				external_platform: { type: 'string', public_access: ['read', 'write'] },
				customer_external_id: { type: 'string', public_access: ['read', 'write'] },
				customer_identity: { type: 'string', public_access: ['read', 'write'] },
				relayed: { type: 'string', public_access: ['read', 'write'] },
			});
		const registered: IDataObject[] = [];
		livechat()
			.post(configuration('register_webhook'), (body) => {
				registered.push(body);
				return true;
			})
			.times(2)
			.reply(200, (_uri, body) => ({ id: `wh-${(body as IDataObject).action as string}` }));
		livechat().post(configuration('enable_license_webhooks'), { owner_client_id: CLIENT }).reply(200);

		const staticData: IDataObject = {};
		const { result } = await hook('create', staticData);
		expect(result).toBe(true);
		expect(registered).toEqual([
			{
				action: 'incoming_event',
				secret_key: expect.stringMatching(/^[0-9a-f]{64}$/),
				url: HOOK_URL,
				type: 'license',
				owner_client_id: CLIENT,
				description: 'n8n: Harness workflow',
				additional_data: ['chat_properties'],
				filters: { author_type: 'agent' },
			},
			{
				action: 'chat_deactivated',
				secret_key: expect.stringMatching(/^[0-9a-f]{64}$/),
				url: HOOK_URL,
				type: 'license',
				owner_client_id: CLIENT,
				description: 'n8n: Harness workflow',
				additional_data: ['chat_properties'],
			},
		]);
		expect(registered[0].secret_key).not.toBe(registered[1].secret_key);
		expect(staticData).toEqual({
			webhooks: [
				{ id: 'wh-incoming_event', action: 'incoming_event', secret: registered[0].secret_key },
				{ id: 'wh-chat_deactivated', action: 'chat_deactivated', secret: registered[1].secret_key },
			],
		});
	});

	it('create still publishes when the token may not register properties (the node\'s "Start" reports that)', async () => {
		livechat()
			.post(configuration('list_properties'))
			.reply(403, { error: { type: 'authorization', message: 'Authorization error' } });
		livechat().post(configuration('register_webhook')).reply(200, { id: 'wh-2' });
		livechat().post(configuration('enable_license_webhooks')).reply(200);
		const staticData: IDataObject = {};
		// Tells why, without any secret, through n8n's logger.
		const warn = jest.spyOn(Container.get(Logger), 'warn').mockImplementation(() => undefined);
		try {
			expect((await hook('create', staticData, ['chatTransferred'])).result).toBe(true);
			expect(warn.mock.calls.map((call) => String(call[0]))).toEqual([
				'LiveChat Trigger: chat properties not registered: LiveChat refused "list chat properties" (403): Authorization error (authorization)',
			]);
		} finally {
			warn.mockRestore();
		}
		expect(staticData).toEqual({ webhooks: [{ id: 'wh-2', action: 'chat_transferred', secret: expect.stringMatching(/^[0-9a-f]{64}$/) }] });
	});

	it('create keeps what it registered when LiveChat refuses one (limit of 3 per action), so delete can remove it', async () => {
		const staticData: IDataObject = {};
		const published = { type: 'string', public_access: ['read', 'write'] };
		livechat()
			.post(configuration('list_properties'))
			.reply(200, { external_id: published, external_platform: published, customer_external_id: published, customer_identity: published, relayed: published });
		livechat().post(configuration('register_webhook')).reply(200, { id: 'wh-1' });
		livechat()
			.post(configuration('register_webhook'))
			.reply(400, { error: { type: 'limit_reached', message: 'Limit reached' } });
		await expect(hook('create', staticData)).rejects.toThrow(
			'LiveChat refused "register chat_deactivated webhook" (400): Limit reached (limit_reached)',
		);
		expect((staticData.webhooks as IDataObject[]).map((entry) => entry.id)).toEqual(['wh-1']);

		await expect(hook('create', {}, [])).rejects.toThrow(/Choose at least one of "Events"/);
	});

	it('checkExists is true when every chosen event has a webhook for this URL whose secret we hold', async () => {
		livechat()
			.post(configuration('list_webhooks'), { owner_client_id: CLIENT })
			.reply(200, [
				{ id: IDS.incoming_event, action: 'incoming_event', url: HOOK_URL, type: 'license', owner_client_id: CLIENT },
				{ id: IDS.chat_deactivated, action: 'chat_deactivated', url: HOOK_URL, type: 'license', owner_client_id: CLIENT },
				{ id: 'zapier', action: 'incoming_event', url: 'https://hooks.zapier.com/1', type: 'license', owner_client_id: CLIENT },
			]);
		const staticData = published();
		expect((await hook('checkExists', staticData)).result).toBe(true);
		expect(staticData).toEqual(published());
	});

	it('checkExists unregisters webhooks for this URL it cannot verify, or for events no longer chosen', async () => {
		livechat()
			.post(configuration('list_webhooks'))
			.reply(200, [
				{ id: IDS.incoming_event, action: 'incoming_event', url: HOOK_URL },
				{ id: 'stranger', action: 'chat_deactivated', url: HOOK_URL },
			]);
		livechat().post(configuration('unregister_webhook'), { id: IDS.incoming_event, owner_client_id: CLIENT }).reply(200);
		livechat()
			.post(configuration('unregister_webhook'), { id: 'stranger', owner_client_id: CLIENT })
			.reply(404, { error: { type: 'not_found', message: 'Webhook not found' } });
		const staticData = published();
		expect((await hook('checkExists', staticData)).result).toBe(false);
		expect(staticData).toEqual({});

		livechat().post(configuration('list_webhooks')).reply(200, []);
		expect((await hook('checkExists', {})).result).toBe(false);
	});

	it('delete unregisters every stored webhook (404 included) and forgets the secrets', async () => {
		for (const id of Object.values(IDS)) {
			livechat()
				.post(configuration('unregister_webhook'), { id, owner_client_id: CLIENT })
				.reply(id === IDS.incoming_chat ? 404 : 200, id === IDS.incoming_chat ? { error: { type: 'not_found' } } : undefined);
		}
		const staticData = { ...published(), recentDeliveries: [], chatPropertiesReady: CLIENT };
		expect((await hook('delete', staticData)).result).toBe(true);
		expect(staticData).toEqual({ recentDeliveries: [], chatPropertiesReady: CLIENT });
	});
});

describe('LiveChat Trigger: each delivery', () => {
	it('answers 401 without starting the workflow when secret_key is missing, wrong, or nothing is published', async () => {
		for (const secret of [null, '', 'wrong', SECRETS.incoming_event.toUpperCase(), `${SECRETS.incoming_event}x`]) {
			const { response, http } = await deliver(signed(agentMessage, secret));
			expect(response).toEqual({ noWebhookResponse: true });
			expect(http).toMatchObject({ statusCode: 401, ended: true, body: { error: 'Unauthorized' } });
			expect(JSON.stringify(http.body)).not.toContain(SECRETS.incoming_event);
		}
		expect((await deliver(signed(agentMessage), { staticData: {} })).http.statusCode).toBe(401);
		expect((await deliver({ ...signed(agentMessage), secret_key: 123 })).http.statusCode).toBe(401);
	});

	it('takes a secret only for the action and webhook it was registered for', async () => {
		const refused = [
			// incoming_chat's secret on an agent message
			signed(agentMessage, SECRETS.incoming_chat),
			// the right secret, another action than its webhook's (one the trigger has no webhook for, too)
			{ ...signed(agentMessage), action: 'chat_deactivated' },
			{ ...signed(agentMessage), action: 'thread_tagged', payload: { chat_id: CHAT, tag: 'x' } },
			// the right secret and action, a webhook that is not ours, or none
			{ ...signed(agentMessage), webhook_id: IDS.chat_deactivated },
			{ ...signed(agentMessage), webhook_id: 'someone-elses' },
			{ ...signed(agentMessage), webhook_id: undefined },
		];
		for (const body of refused) {
			const { response, http, items } = await deliver(body);
			expect(http.statusCode).toBe(401);
			expect(response).toEqual({ noWebhookResponse: true });
			expect(items).toEqual([]);
		}
		expect((await deliver(signed(agentMessage))).items).toHaveLength(1);
	});

	it('answers 401 before looking at the rest of a body it cannot authenticate, malformed or not', async () => {
		for (const body of ['not json', [signed(agentMessage)], null, { ...signed(agentMessage, 'wrong'), payload: 'x' }, { secret_key: 'wrong' }]) {
			const { http, items } = await deliver(body);
			expect(http.statusCode).toBe(401);
			expect(items).toEqual([]);
		}
	});

	it('answers 400, without an execution, to an authenticated body it cannot read', async () => {
		const noEventId = signed(agentMessage);
		delete ((noEventId.payload as IDataObject).event as IDataObject).id;
		const cases: Array<[unknown, RegExp]> = [
			[{ ...signed(agentMessage), payload: 'x' }, /payload must be an object/],
			[{ ...signed(agentMessage), payload: undefined }, /payload must be an object/],
			[noEventId, /payload.event.id/],
			[{ ...signed(chatDeactivated), payload: { thread_id: THREAD } }, /payload.chat_id/],
			[{ ...signed(chatTransferred), payload: { chat_id: CHAT, queue: 'soon' } }, /payload.queue/],
			[{ ...signed(incomingChat), payload: { chat: {} } }, /payload.chat.id/],
		];
		for (const [body, reason] of cases) {
			const { response, http, items } = await deliver(body);
			expect(response).toEqual({ noWebhookResponse: true });
			expect(http.statusCode).toBe(400);
			expect((http.body as IDataObject).reason).toMatch(reason);
			expect(items).toEqual([]);
		}
	});

	it('emits an agent\'s message in the normalized shape, with the external IDs and without the secret', async () => {
		const { items, http, response } = await deliver(signed(agentMessage));
		// n8n answers once the relay's execution has ended (lastNode): a crash leaves it to LiveChat's retry.
		expect(response.noWebhookResponse).toBeUndefined();
		expect(http).toMatchObject({ statusCode: 200, ended: true });
		expect(items).toHaveLength(1);
		expect(items[0]).toEqual({
			event: 'message',
			platform: 'livechat',
			conversationId: CHAT,
			threadId: THREAD,
			customerId: null,
			author: { role: 'agent', id: 'smith@example.com', name: null },
			message: {
				type: 'text',
				text: "Hello Ada, I'm Agent Smith. Let me look at your order.",
				livechatType: 'message',
				eventId: 'K600PKZON8_7',
				visibility: 'all',
				sourceKey: 'event:PJ0MRSHTDG:K600PKZON8_7',
				// Written in 2024, before this process started: it may have been relayed before.
				maybeRelayed: true,
			},
			timestamp: '2024-02-10T16:13:05.420Z',
			messageId: 'K600PKZON8_7',
			customId: null,
			externalId: '473548616',
			externalPlatform: 'landbot',
			customerExternalId: 'landbot-473548616',
			chatProperties: expect.objectContaining({ [CLIENT]: expect.any(Object) }),
			livechatAction: 'incoming_event',
			organizationId: ORG,
			raw: expect.objectContaining({ action: 'incoming_event', webhook_id: IDS.incoming_event }),
		});
		expect(items[0].raw).not.toHaveProperty('secret_key');
		expect(JSON.stringify(items[0])).not.toContain(SECRETS.incoming_event);
	});

	it('tells images from files by content type, and reads cards of bots', async () => {
		const image = (await deliver(signed(agentImage))).items[0];
		expect(image.message).toMatchObject({
			type: 'image',
			text: 'Your return label',
			url: 'https://cdn.livechat-files.com/api/file/lc/att/8948324/45a3581b59a7295145c3825c86ec7ab3/label.png',
			fileName: 'label.png',
			mimeType: 'image/png',
			thumbnailUrl: expect.stringContaining('thumbnail.png'),
		});
		const file = (await deliver(signed(agentFile))).items[0];
		expect(file.message).toMatchObject({ type: 'file', text: 'invoice-8812.pdf', mimeType: 'application/pdf' });
		const card = (await deliver(signed(botCard))).items[0];
		expect(card.author).toEqual({ role: 'bot', id: '2c1b8da190222160e8f9e077af4c625b', name: null });
		expect(card.message).toMatchObject({
			type: 'other',
			text: 'Was this helpful?\n[Yes] [No]',
			url: 'https://example.com/smile.png',
			livechatType: 'rich_message',
		});
	});

	it('drops this package\'s own messages (custom_id n8n-handoff:…) unless told not to', async () => {
		const dropped = await deliver(signed(echo));
		expect(dropped.items).toEqual([]);
		expect(dropped.response).toEqual(ACK);
		const kept = await deliver(signed(echo), { parameters: { options: { dropOwnMessages: false } } });
		expect(kept.items[0]).toMatchObject({ customId: 'n8n-handoff:4f1c2a9e8b7d6c5e4f3a2b1c', message: { text: 'Transferring you to a human agent…' } });
	});

	it('keeps internal notes, system messages and customers\' events out unless asked', async () => {
		expect((await deliver(signed(internalNote))).items).toEqual([]);
		expect((await deliver(signed(internalNote), { parameters: { options: { includeAgentsOnly: true } } })).items[0]).toMatchObject({
			message: { visibility: 'agents' },
		});
		expect((await deliver(signed(systemMessage))).response).toEqual(ACK);
		const system = await deliver(signed(systemMessage), { parameters: { options: { includeOtherEvents: true } } });
		expect(system.items[0]).toMatchObject({ author: { role: 'system', id: null }, message: { type: 'other', livechatType: 'system_message' } });
		const fromCustomer = signed(agentMessage);
		((fromCustomer.payload as IDataObject).event as IDataObject).author_id = 'b7eff798-f8df-4364-8059-649c35c9ed0c';
		expect((await deliver(fromCustomer)).items).toEqual([]);
	});

	it('drops a repeated delivery of the same event (LiveChat retries up to 3 times), unless told not to', async () => {
		const staticData = published();
		expect((await deliver(signed(agentMessage), { staticData })).items).toHaveLength(1);
		const again = await deliver(signed(agentMessage), { staticData });
		expect(again.items).toEqual([]);
		expect(again.response).toEqual(ACK);
		const other = signed(agentMessage);
		((other.payload as IDataObject).event as IDataObject).id = 'K600PKZON8_99';
		expect((await deliver(other, { staticData })).items).toHaveLength(1);

		const fresh = published();
		const keep = { options: { dropDuplicates: false } };
		expect((await deliver(signed(agentMessage), { staticData: fresh, parameters: keep })).items).toHaveLength(1);
		expect((await deliver(signed(agentMessage), { staticData: fresh, parameters: keep })).items).toHaveLength(1);
	});

	it('acknowledges actions whose event was not chosen', async () => {
		const { items, response } = await deliver(signed(chatTransferred), { parameters: { events: ['agentMessage'] } });
		expect(items).toEqual([]);
		expect(response).toEqual(ACK);
	});

	it('emits chat deactivated, by an agent or by LiveChat\'s router', async () => {
		const closed = (await deliver(signed(chatDeactivated))).items[0];
		expect(closed).toMatchObject({
			event: 'conversationClosed',
			platform: 'livechat',
			conversationId: CHAT,
			threadId: THREAD,
			author: { role: 'agent', id: 'smith@example.com' },
			message: null,
			externalId: '473548616',
			livechatAction: 'chat_deactivated',
		});
		const byRouter = (await deliver(signed(chatDeactivatedByRouter))).items[0];
		expect(byRouter.author).toEqual({ role: 'system', id: null, name: null });
		// The same thread closed twice is a retry.
		const staticData = published();
		expect((await deliver(signed(chatDeactivated), { staticData })).items).toHaveLength(1);
		expect((await deliver(signed(chatDeactivated), { staticData })).items).toEqual([]);
	});

	it('emits chat transferred, and accepts payloads that carry a queue (Botpress\'s schema rejects them)', async () => {
		const transferred = (await deliver(signed(chatTransferred))).items[0];
		expect(transferred).toMatchObject({
			event: 'conversationTransferred',
			conversationId: CHAT,
			author: { role: 'agent', id: 'jones@example.com' },
			transfer: {
				reason: 'manual',
				requesterId: 'jones@example.com',
				groupIds: [19],
				agentIds: ['smith@example.com'],
				queued: false,
				queue: null,
			},
			externalId: null,
		});
		const queued = (await deliver(signed(chatTransferredQueued))).items[0];
		expect(queued).toMatchObject({
			transfer: {
				groupIds: [19],
				agentIds: [],
				queued: true,
				queue: { position: 42, waitTime: 1337, queuedAt: '2019-12-09T12:01:18.909000Z' },
			},
			timestamp: '2019-12-09T12:01:18.909Z',
		});
		// A transfer has no id: the same payload again within minutes is a retry.
		const staticData = published();
		expect((await deliver(signed(chatTransferredQueued), { staticData })).items).toHaveLength(1);
		expect((await deliver(signed(chatTransferredQueued), { staticData })).items).toEqual([]);
		// Kept in process (atomic there), never in static data, which n8n saves last-write-wins.
		expect(Object.keys(staticData).sort()).toEqual(Object.keys(published()).sort());
	});

	it('emits an incoming chat with its customer, first message and transcript; drops chats this package started', async () => {
		const chat = (await deliver(signed(incomingChat))).items[0];
		expect(chat).toMatchObject({
			event: 'conversationCreated',
			conversationId: CHAT,
			threadId: THREAD,
			customerId: 'b7eff798-f8df-4364-8059-649c35c9ed0c',
			author: { role: 'customer', id: 'b7eff798-f8df-4364-8059-649c35c9ed0c' },
			message: { type: 'text', text: 'Hi, my parcel never arrived' },
			timestamp: '2024-02-10T16:12:01.512Z',
			customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
			groupIds: [19],
			transcript: [expect.objectContaining({ id: 'K600PKZON8_1', own: false, author: expect.objectContaining({ role: 'customer' }) })],
			externalId: null,
		});

		const ours = signed(incomingChat);
		const payloadChat = (ours.payload as IDataObject).chat as IDataObject;
		payloadChat.properties = { [CLIENT]: { external_id: 'conv-7' } };
		((payloadChat.thread as IDataObject).events as IDataObject[])[0].custom_id = 'n8n-handoff:abc';
		expect((await deliver(ours)).items).toEqual([]);
		const kept = await deliver(ours, { parameters: { options: { dropOwnMessages: false } } });
		expect(kept.items[0]).toMatchObject({ externalId: 'conv-7', transcript: [expect.objectContaining({ own: true })] });
	});

	it('tells agents, bots and customers apart by the form of their ID', () => {
		expect(roleOfUserId('smith@example.com')).toBe('agent');
		expect(roleOfUserId('2c1b8da190222160e8f9e077af4c625b')).toBe('bot');
		expect(roleOfUserId('b7eff798-f8df-4364-8059-649c35c9ed0c')).toBe('customer');
		expect(roleOfUserId(undefined)).toBe('system');
	});
});
