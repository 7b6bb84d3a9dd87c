import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, Workflow } from 'n8n-workflow';

import { LiveChatApi } from '../../../credentials/LiveChatApi.credentials';
import { transcriptLine } from '../../../nodes/shared';
import { LiveChat } from '../../../nodes/LiveChat/LiveChat.node';
import { botApiVersion, clearLiveChatCaches, liveChatErrorText } from '../../../nodes/LiveChat/transport';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';

const API = 'https://api.livechatinc.com';
const ACCOUNTS = 'https://accounts.livechat.com';
const V = '/v3.6';
const ACCOUNT = 'd24fa41e-bc16-41b8-a15b-9ca45ff7e0cf';
const PAT = 'dal:pAt-sEcret_0123456789';
const BASIC = `Basic ${Buffer.from(`${ACCOUNT}:${PAT}`).toString('base64')}`;
const ORG = '390e44e6-f1e6-0368c-z6ddb-74g14508c2ex';
const CLIENT = '0805e283233042b37f460ed8fbf22160';
const CHAT = 'PJ0MRSHTDG';
const THREAD = 'K600PKZON8';
const CUSTOMER = 'bf18d1a8-1afe-4a3e-4cc0-a3148f1143db';
const BOT = '2c1b8da190222160e8f9e077af4c625b';
const CUSTOM_ID = expect.stringMatching(/^n8n-handoff:[0-9a-f]{24}$/);

const baseCredentials = {
	authType: 'pat',
	accountId: ACCOUNT,
	personalAccessToken: PAT,
	organizationId: ORG,
	clientId: CLIENT,
};
const harness = createHarness({ credentialTypes: [new LiveChatApi()] });
const node = new LiveChat();

const livechat = (authorization = BASIC) => nock(API, { reqheaders: { authorization } });
const path = (api: string, action: string, version = V) => `${version}/${api}/action/${action}`;
const customerPath = (action: string) => `${path('customer', action)}?organization_id=${encodeURIComponent(ORG)}`;

async function run(
	parameters: IDataObject,
	extra: { continueOnFail?: boolean; credentials?: IDataObject; items?: number; staticData?: IDataObject } = {},
) {
	const items = Array.from({ length: extra.items ?? 1 }, (_, i) => ({ json: { i } }));
	const [output] = await harness.execute(node, {
		parameters: parameters as never,
		credentials: { liveChatApi: { ...baseCredentials, ...extra.credentials } as never },
		items,
		continueOnFail: extra.continueOnFail,
		staticData: extra.staticData,
	});
	return output;
}

function capture(bodies: IDataObject[]) {
	return (body: IDataObject) => {
		bodies.push(body);
		return true;
	};
}

/** nock hands over a binary body hex-encoded, a text one as it is. */
function rawBody(body: unknown): Buffer {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	return /^([0-9a-f]{2})+$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'utf8');
}

/** LiveChat finds this package's chat properties registered and published: nothing to register. */
function propertiesReady() {
	const published = { type: 'string', public_access: ['read', 'write'] };
	livechat()
		.post(path('configuration', 'list_properties'), { owner_client_id: CLIENT })
		.reply(200, { external_id: published, external_platform: published, customer_external_id: published });
}

/** The accounts server issues `token` for CUSTOMER (8 hours), once. */
function tokenGranted(token = 'dal:cached-customer-token', expiresIn = 28800) {
	nock(ACCOUNTS, { reqheaders: { authorization: BASIC } })
		.post('/v2/customer/token', {
			grant_type: 'agent_token',
			client_id: CLIENT,
			response_type: 'token',
			entity_id: CUSTOMER,
			organization_id: ORG,
		})
		.reply(200, { access_token: token, entity_id: CUSTOMER, expires_in: expiresIn, token_type: 'Bearer' });
}

useNock();
// Customer tokens and checked Client IDs are cached in the process: each test starts without them.
beforeEach(() => clearLiveChatCaches());

describe('LiveChat API credential', () => {
	const type = new LiveChatApi();

	it('sends a personal access token as Basic account ID:token, or the console\'s Base64 string as it is', async () => {
		expect((await type.authenticate(baseCredentials, { url: 'x', headers: { Accept: 'application/json' } })).headers).toEqual({
			Accept: 'application/json',
			Authorization: BASIC,
		});
		const encoded = Buffer.from(`${ACCOUNT}:${PAT}`).toString('base64');
		for (const pasted of [encoded, `Basic ${encoded}`, `  basic ${encoded} `]) {
			const options = await type.authenticate({ ...baseCredentials, authType: 'base64', base64Token: pasted }, { url: 'x' });
			expect(options.headers).toEqual({ Authorization: BASIC });
		}
		const bearer = await type.authenticate({ ...baseCredentials, authType: 'bearer', accessToken: 'Bearer dal:oauth' }, { url: 'x' });
		expect(bearer.headers).toEqual({ Authorization: 'Bearer dal:oauth' });
	});

	it('keeps an Authorization header the request already carries (a customer token)', async () => {
		const options = await type.authenticate(baseCredentials, { url: 'x', headers: { Authorization: 'Bearer dal:customer' } });
		expect(options.headers).toEqual({ Authorization: 'Bearer dal:customer' });
	});

	it('tests with one chat summary of the Agent Chat API', async () => {
		livechat().post(path('agent', 'list_chats'), { limit: 1 }).reply(200, { chats_summary: [], found_chats: 0 });
		expect(await harness.testCredential('liveChatApi', { ...baseCredentials, apiUrl: 'https://api.livechatinc.com/' })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		nock('http://127.0.0.1:4503', { reqheaders: { authorization: 'Bearer dal:oauth' } })
			.post('/v3.5/agent/action/list_chats')
			.reply(200, { chats_summary: [] });
		const local = await harness.testCredential('liveChatApi', {
			...baseCredentials,
			authType: 'bearer',
			accessToken: 'dal:oauth',
			apiUrl: 'http://127.0.0.1:4503',
			apiVersion: 'v3.5',
		});
		expect(local.status).toBe('OK');
		livechat().post(path('agent', 'list_chats')).reply(401, { error: { type: 'authentication', message: 'Invalid access token' } });
		expect((await harness.testCredential('liveChatApi', baseCredentials)).status).toBe('Error');
	});
});

describe('transport helpers', () => {
	it('words LiveChat\'s error body, and picks the API version bots can use', () => {
		expect(liveChatErrorText({ error: { type: 'chat_inactive', message: 'Chat is inactive' } })).toBe('Chat is inactive (chat_inactive)');
		expect(liveChatErrorText({ error: 'invalid_client', error_description: 'client_id not found' })).toBe('client_id not found');
		expect(botApiVersion('v3.6')).toBe('v3.5');
		expect(botApiVersion('v3.7')).toBe('v3.5');
		expect(botApiVersion('v3.4')).toBe('v3.4');
		expect(botApiVersion('3.5')).toBe('v3.5');
	});

	it('turns transcript entries of any trigger into lines the agent reads', () => {
		expect(transcriptLine('plain line')).toBe('plain line');
		expect(transcriptLine({ role: 'bot', text: 'Hi!' })).toBe('Bot: Hi!');
		expect(transcriptLine({ author: { role: 'customer', name: 'Ada' }, message: { text: 'Here', url: 'https://x.io/a.png' } })).toBe(
			'Ada (customer): Here\nhttps://x.io/a.png',
		);
		expect(transcriptLine({ role: 'customer', text: '' })).toBe('');
		expect(transcriptLine(42)).toBe('');
	});
});

describe('Chat → Start', () => {
	const start = {
		resource: 'chat',
		operation: 'start',
		groupId: '19',
		externalId: '473548616',
		externalPlatform: 'landbot',
		customerBy: 'externalId',
		customerExternalId: 'landbot-473548616',
		initialMessages: JSON.stringify([
			{ role: 'bot', text: 'Hi! What can I do for you?' },
			{ author: { role: 'customer', name: 'Ada' }, message: { text: 'My parcel never arrived' } },
		]),
		options: { openingMessage: 'Handoff from Landbot', customerName: 'Ada Lovelace' },
	};
	const ours = { external_id: '473548616', external_platform: 'landbot', customer_external_id: 'landbot-473548616' };
	const lookup = {
		filters: { properties: { [CLIENT]: { customer_external_id: { values: ['landbot-473548616'] } } } },
		limit: 10,
		sort_order: 'desc',
	};

	it('registers the chat properties, creates the customer identity, starts the chat with the history and routes it', async () => {
		const registered: IDataObject[] = [];
		const published: IDataObject[] = [];
		livechat().post(path('configuration', 'list_properties'), { owner_client_id: CLIENT }).reply(200, {});
		livechat().post(path('configuration', 'register_property'), capture(registered)).times(3).reply(200);
		livechat().post(path('configuration', 'publish_property'), capture(published)).times(3).reply(200);
		livechat().post(path('agent', 'list_chats'), lookup).reply(200, { chats_summary: [], found_chats: 0 });
		nock(ACCOUNTS, { reqheaders: { authorization: BASIC } })
			.post('/v2/customer/token', { grant_type: 'agent_token', client_id: CLIENT, response_type: 'token', organization_id: ORG })
			.reply(200, {
				access_token: 'dal:new-customer-token',
				client_id: CLIENT,
				entity_id: CUSTOMER,
				expires_in: 28800,
				token_type: 'Bearer',
				organization_id: ORG,
			});
		livechat('Bearer dal:new-customer-token').post(customerPath('update_customer'), { name: 'Ada Lovelace' }).reply(200, {});
		const started: IDataObject[] = [];
		livechat()
			.post(path('agent', 'start_chat'), capture(started))
			.reply(200, { chat_id: CHAT, thread_id: THREAD, event_ids: [`${THREAD}_1`, `${THREAD}_2`, `${THREAD}_3`] });
		livechat()
			.post(path('agent', 'transfer_chat'), { id: CHAT, target: { type: 'group', ids: [19] }, ignore_agents_availability: true })
			.reply(200, {});

		const staticData: IDataObject = {};
		const out = await run(start, { staticData });
		expect(registered.map((body) => body.name)).toEqual(['external_id', 'external_platform', 'customer_external_id']);
		expect(registered[0]).toEqual({
			name: 'external_id',
			owner_client_id: CLIENT,
			type: 'string',
			access: { chat: { agent: ['read', 'write'], customer: ['read'] } },
			description: expect.any(String),
		});
		expect(published[0]).toEqual({ name: 'external_id', owner_client_id: CLIENT, access_type: ['read', 'write'] });
		expect(started).toEqual([
			{
				chat: {
					access: { group_ids: [19] },
					properties: { [CLIENT]: ours },
					users: [{ id: CUSTOMER, type: 'customer' }],
					thread: {
						events: [
							{ type: 'message', text: 'Handoff from Landbot', visibility: 'all', custom_id: CUSTOM_ID },
							{ type: 'message', text: 'Bot: Hi! What can I do for you?', visibility: 'all', custom_id: CUSTOM_ID },
							{ type: 'message', text: 'Ada (customer): My parcel never arrived', visibility: 'all', custom_id: CUSTOM_ID },
						],
					},
				},
			},
		]);
		expect(out).toHaveLength(1);
		expect(out[0].pairedItem).toEqual({ item: 0 });
		expect(out[0].json).toEqual({
			chatId: CHAT,
			threadId: THREAD,
			eventIds: [`${THREAD}_1`, `${THREAD}_2`, `${THREAD}_3`],
			alreadyActive: false,
			resumed: false,
			routedToGroup: true,
			groupId: 19,
			customerId: CUSTOMER,
			customerCreated: true,
			externalId: '473548616',
			externalPlatform: 'landbot',
			customerExternalId: 'landbot-473548616',
		});
		expect(staticData).toEqual({});
	});

	it('resumes the returning customer\'s inactive chat with the same identity (no new customer)', async () => {
		livechat()
			.post(path('agent', 'list_chats'), lookup)
			.reply(200, {
				chats_summary: [
					{
						id: 'OLDCHAT001',
						users: [{ id: CUSTOMER, type: 'customer' }, { id: 'smith@example.com', type: 'agent' }],
						last_thread_summary: { id: 'OLDTHREAD1', active: false },
						properties: { [CLIENT]: { ...ours, external_id: '111' } },
					},
				],
			});
		const bodies: IDataObject[] = [];
		livechat().post(path('agent', 'resume_chat'), capture(bodies)).reply(200, { thread_id: 'NEWTHREAD1', event_ids: ['NEWTHREAD1_1'] });
		livechat()
			.post(path('agent', 'transfer_chat'), { id: 'OLDCHAT001', target: { type: 'group', ids: [19] }, ignore_agents_availability: false })
			.reply(200, {});
		propertiesReady();
		const out = await run({
			...start,
			initialMessages: '[]',
			options: { openingMessage: 'Back again', allowQueue: false, continuous: true },
		});
		expect(bodies).toEqual([
			{
				chat: {
					id: 'OLDCHAT001',
					access: { group_ids: [19] },
					properties: { [CLIENT]: ours },
					thread: { events: [{ type: 'message', text: 'Back again', visibility: 'all', custom_id: CUSTOM_ID }] },
				},
				continuous: true,
			},
		]);
		expect(out[0].json).toMatchObject({
			chatId: 'OLDCHAT001',
			threadId: 'NEWTHREAD1',
			resumed: true,
			customerId: CUSTOMER,
			customerCreated: false,
		});
	});

	it('keeps the customer\'s chat when it is still active, only moving the new conversation\'s IDs onto it', async () => {
		livechat()
			.post(path('agent', 'list_chats'), lookup)
			.reply(200, {
				chats_summary: [
					{
						id: CHAT,
						users: [{ id: CUSTOMER, type: 'customer' }],
						last_thread_summary: { id: THREAD, active: true },
						properties: { [CLIENT]: { ...ours, external_id: 'older-conversation' } },
					},
				],
			});
		livechat().post(path('agent', 'update_chat_properties'), { id: CHAT, properties: { [CLIENT]: ours } }).reply(200, {});
		propertiesReady();
		const out = await run(start);
		expect(out[0].json).toMatchObject({ chatId: CHAT, threadId: THREAD, alreadyActive: true, routedToGroup: false, customerId: CUSTOMER });

		// Same IDs already: nothing to write. The properties were checked by this process already.
		livechat()
			.post(path('agent', 'list_chats'), lookup)
			.reply(200, {
				chats_summary: [
					{ id: CHAT, users: [{ id: CUSTOMER, type: 'customer' }], last_thread_summary: { id: THREAD, active: true }, properties: { [CLIENT]: ours } },
				],
			});
		expect((await run(start))[0].json.alreadyActive).toBe(true);
	});

	it('goes on when another workflow registered a chat property a moment earlier (409)', async () => {
		livechat().post(path('configuration', 'list_properties'), { owner_client_id: CLIENT }).reply(200, {});
		livechat()
			.post(path('configuration', 'register_property'))
			.times(3)
			.reply(409, { error: { type: 'already_exists', message: 'Property already exists' } });
		livechat().post(path('configuration', 'publish_property')).times(3).reply(200);
		livechat()
			.post(path('agent', 'start_chat'))
			.reply(200, { chat_id: CHAT, thread_id: THREAD });
		const out = await run({
			resource: 'chat',
			operation: 'start',
			groupId: 0,
			customerBy: 'none',
			externalId: '473548616',
			options: { routeToGroup: false },
		});
		expect(out[0].json).toMatchObject({ chatId: CHAT, externalId: '473548616' });
	});

	it('starts a bare chat in group 0 without customer, properties or routing', async () => {
		livechat()
			.post(path('agent', 'start_chat'), { chat: { access: { group_ids: [0] } }, continuous: true })
			.reply(200, { chat_id: CHAT, thread_id: THREAD });
		const out = await run({
			resource: 'chat',
			operation: 'start',
			groupId: 0,
			customerBy: 'none',
			options: { routeToGroup: false, continuous: true },
		});
		expect(out[0].json).toMatchObject({ chatId: CHAT, groupId: 0, customerId: null, routedToGroup: false, eventIds: [] });
	});

	it('puts a given LiveChat customer in the chat and merges extra chat properties', async () => {
		livechat()
			.post(path('agent', 'start_chat'), {
				chat: {
					access: { group_ids: [2] },
					properties: { routing: { pinned: true }, [CLIENT]: { note: 'x', external_id: 'conv-9' } },
					users: [{ id: CUSTOMER, type: 'customer' }],
				},
			})
			.reply(200, { chat_id: CHAT, thread_id: THREAD });
		livechat().post(path('agent', 'transfer_chat')).reply(200, {});
		propertiesReady();
		const out = await run({
			resource: 'chat',
			operation: 'start',
			groupId: '2',
			externalId: 'conv-9',
			customerBy: 'customerId',
			customerId: CUSTOMER,
			options: { chatProperties: JSON.stringify({ routing: { pinned: true }, [CLIENT]: { note: 'x' } }) },
		});
		expect(out[0].json).toMatchObject({ chatId: CHAT, customerId: CUSTOMER, customerCreated: false, externalId: 'conv-9' });
	});

	it('refuses bad parameters before calling LiveChat, and reports LiveChat\'s refusal in its words', async () => {
		await expect(run({ ...start, groupId: 'sales' })).rejects.toThrow(/"Group" must be a LiveChat group ID/);
		await expect(run({ ...start, initialMessages: '{"not": "an array"}' })).rejects.toThrow(/"Initial Messages" must be a JSON array/);
		await expect(run({ ...start, customerExternalId: ' ' })).rejects.toThrow(/"External Customer ID" is empty/);
		await expect(run({ ...start, options: { chatProperties: '[1]' } })).rejects.toThrow(/"Chat Properties" must be a JSON object/);

		livechat()
			.post(path('agent', 'start_chat'))
			.reply(400, { error: { type: 'validation', message: `Property ${CLIENT}.external_id is not registered` } });
		propertiesReady();
		const error = await run({
			resource: 'chat',
			operation: 'start',
			groupId: '19',
			externalId: '1',
			customerBy: 'none',
			options: { routeToGroup: false },
		}).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(
			`LiveChat refused "start chat" (400): Property ${CLIENT}.external_id is not registered (validation)`,
		);
	});
});

describe('Chat → Send Message', () => {
	const sendText = {
		resource: 'chat',
		operation: 'sendMessage',
		chatBy: 'chatId',
		chatId: CHAT,
		sendAs: 'customer',
		customerId: CUSTOMER,
		messageType: 'text',
		text: 'It never arrived',
	};

	it('writes as the customer through the Customer Chat API, with a token kept per customer', async () => {
		tokenGranted('dal:customer-token-1');
		const bodies: IDataObject[] = [];
		livechat('Bearer dal:customer-token-1')
			.post(customerPath('send_event'), capture(bodies))
			.times(2)
			.reply(200, { event_id: `${THREAD}_4` });
		const out = await run(sendText);
		expect(bodies[0]).toEqual({
			chat_id: CHAT,
			event: { type: 'message', text: 'It never arrived', visibility: 'all', custom_id: CUSTOM_ID },
		});
		expect(out[0].json).toEqual({
			chatId: CHAT,
			externalId: null,
			eventId: `${THREAD}_4`,
			eventIds: [`${THREAD}_4`],
			customId: (bodies[0].event as IDataObject).custom_id,
			sentAs: 'customer',
			messageType: 'text',
			eventType: 'message',
			customerId: CUSTOMER,
		});

		// The second message reuses the token: no new grant (nock would refuse a second one).
		await run(sendText);
		expect(bodies).toHaveLength(2);
		expect((bodies[1].event as IDataObject).custom_id).not.toBe((bodies[0].event as IDataObject).custom_id);
	});

	it('finds the chat\'s customer when no customer ID is given', async () => {
		livechat()
			.post(path('agent', 'get_chat'), { chat_id: CHAT })
			.reply(200, { id: CHAT, users: [{ id: 'smith@example.com', type: 'agent' }, { id: CUSTOMER, type: 'customer' }] });
		tokenGranted();
		livechat('Bearer dal:cached-customer-token').post(customerPath('send_event')).reply(200, { event_id: 'e1' });
		const out = await run({ ...sendText, customerId: '' });
		expect(out[0].json.customerId).toBe(CUSTOMER);

		livechat().post(path('agent', 'get_chat')).reply(200, { id: CHAT, users: [{ id: 'smith@example.com', type: 'agent' }] });
		await expect(run({ ...sendText, customerId: '' })).rejects.toThrow(/has no customer to write as/);
	});

	it('finds the chat by external ID (active chats first) and writes as the credential\'s agent', async () => {
		const filter = { properties: { [CLIENT]: { external_id: { values: ['473548616'] } } } };
		livechat()
			.post(path('agent', 'list_chats'), { filters: { ...filter, active: true }, limit: 10, sort_order: 'desc' })
			.reply(200, { chats_summary: [] });
		livechat()
			.post(path('agent', 'list_chats'), { filters: filter, limit: 10, sort_order: 'desc' })
			.reply(200, { chats_summary: [{ id: CHAT }] });
		const bodies: IDataObject[] = [];
		livechat().post(path('agent', 'send_event'), capture(bodies)).reply(200, { event_id: 'e4' });
		const out = await run({
			...sendText,
			chatBy: 'externalId',
			externalId: 473548616,
			sendAs: 'agent',
			options: { agentsOnly: true },
		});
		expect(bodies[0]).toEqual({
			chat_id: CHAT,
			event: { type: 'message', text: 'It never arrived', visibility: 'agents', custom_id: CUSTOM_ID },
		});
		expect(out[0].json).toMatchObject({ chatId: CHAT, externalId: '473548616', sentAs: 'agent' });

		livechat().post(path('agent', 'list_chats')).times(2).reply(200, { chats_summary: [] });
		await expect(run({ ...sendText, chatBy: 'externalId', externalId: 'nope', sendAs: 'agent' })).rejects.toThrow(
			/No LiveChat chat carries the external ID "nope"/,
		);
	});

	it('writes as a bot through X-Author-Id on API v3.5, adding the bot to the chat first', async () => {
		livechat().post(path('agent', 'get_chat'), { chat_id: CHAT }).reply(200, { id: CHAT, users: [{ id: CUSTOMER, type: 'customer' }] });
		livechat()
			.matchHeader('x-author-id', BOT)
			.post(path('agent', 'add_user_to_chat', '/v3.5'), {
				chat_id: CHAT,
				user_id: BOT,
				user_type: 'agent',
				visibility: 'all',
				ignore_requester_presence: true,
			})
			.reply(200, {});
		livechat()
			.matchHeader('x-author-id', BOT)
			.post(path('agent', 'send_event', '/v3.5'), (body) => body.event.text === 'Checking your order…')
			.reply(200, { event_id: 'e5' });
		const out = await run({ ...sendText, sendAs: 'bot', botId: BOT, text: 'Checking your order…' });
		expect(out[0].json).toMatchObject({ sentAs: 'bot', botId: BOT, eventId: 'e5' });

		// Already in the chat: no add. Told not to check: not even a get_chat.
		livechat().post(path('agent', 'get_chat')).reply(200, { id: CHAT, users: [{ id: BOT, type: 'agent' }] });
		livechat().matchHeader('x-author-id', BOT).post(path('agent', 'send_event', '/v3.5')).times(2).reply(200, { event_id: 'e6' });
		await run({ ...sendText, sendAs: 'bot', botId: BOT });
		await run({ ...sendText, sendAs: 'bot', botId: BOT, options: { addBotToChat: false } });
	});

	it('uploads an image to LiveChat and sends it as a file event with its caption as alternative text', async () => {
		const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
		nock('https://files.example.com').get('/receipts/8812.png').reply(200, png, { 'Content-Type': 'image/png; charset=binary' });
		let uploaded: Buffer = Buffer.alloc(0);
		let contentType = '';
		livechat()
			.post(path('agent', 'upload_file'))
			.reply(function (_uri, body) {
				contentType = String(this.req.headers['content-type']);
				uploaded = rawBody(body);
				return [200, { url: 'https://cdn.livechat-files.com/api/file/lc/att/1/8812.png' }];
			});
		const bodies: IDataObject[] = [];
		livechat().post(path('agent', 'send_event'), capture(bodies)).reply(200, { event_id: 'e7' });
		const out = await run({
			...sendText,
			sendAs: 'agent',
			messageType: 'image',
			url: 'https://files.example.com/receipts/8812.png',
			caption: 'Your receipt',
		});
		expect(contentType).toMatch(/^multipart\/form-data; boundary=----n8nHandoff[0-9a-f]{24}$/);
		expect(bodies[0]).toEqual({
			chat_id: CHAT,
			event: {
				type: 'file',
				url: 'https://cdn.livechat-files.com/api/file/lc/att/1/8812.png',
				visibility: 'all',
				custom_id: CUSTOM_ID,
				alternative_text: 'Your receipt',
			},
		});
		expect(out[0].json).toMatchObject({ eventType: 'file', url: 'https://cdn.livechat-files.com/api/file/lc/att/1/8812.png' });
		expect(uploaded.includes(png)).toBe(true);
		expect(uploaded.toString('latin1')).toContain('filename="8812.png"\r\nContent-Type: image/png\r\n\r\n');
	});

	it('uploads a customer\'s file with the customer\'s token and sends the caption after it', async () => {
		nock('https://files.example.com').get('/docs/invoice.pdf').reply(200, Buffer.from('%PDF-1.4'), { 'Content-Type': 'application/pdf' });
		tokenGranted();
		let disposition = '';
		livechat('Bearer dal:cached-customer-token')
			.post(customerPath('upload_file'), (body: string) => {
				disposition = rawBody(body).toString('utf8');
				return true;
			})
			.reply(200, { url: 'https://cdn.livechat-files.com/api/file/lc/att/2/Invoice.pdf' });
		const bodies: IDataObject[] = [];
		livechat('Bearer dal:cached-customer-token').post(customerPath('send_event'), capture(bodies)).times(2).reply(200, { event_id: 'e8' });
		const out = await run({
			...sendText,
			messageType: 'file',
			url: 'https://files.example.com/docs/invoice.pdf',
			caption: 'The invoice',
			options: { fileName: 'Invoice.pdf' },
		});
		expect(disposition).toContain('Content-Disposition: form-data; name="file"; filename="Invoice.pdf"');
		expect(disposition).toContain('Content-Type: application/pdf');
		expect(disposition).toContain('%PDF-1.4');
		expect(bodies.map((body) => (body.event as IDataObject).type)).toEqual(['file', 'message']);
		expect((bodies[1].event as IDataObject).text).toBe('The invoice');
		expect(out[0].json.eventIds).toEqual(['e8', 'e8']);
	});

	it('sends links without uploading: an image card, a text with the link, and CDN files as they are', async () => {
		const bodies: IDataObject[] = [];
		livechat().post(path('agent', 'send_event'), capture(bodies)).times(3).reply(200, { event_id: 'e9' });
		const link = { ...sendText, sendAs: 'agent', url: 'https://files.example.com/a/label.png', options: { upload: false } };
		await run({ ...link, messageType: 'image', caption: 'Label' });
		await run({ ...link, messageType: 'file', caption: '' });
		await run({ ...link, messageType: 'file', url: 'https://cdn.livechat-files.com/api/file/lc/att/3/x.pdf', options: {} });
		expect(bodies.map((body) => body.event)).toEqual([
			{
				type: 'rich_message',
				template_id: 'cards',
				visibility: 'all',
				custom_id: CUSTOM_ID,
				elements: [{ title: 'Label', image: { url: 'https://files.example.com/a/label.png', name: 'label.png', alternative_text: 'Label' } }],
			},
			{ type: 'message', text: 'https://files.example.com/a/label.png', visibility: 'all', custom_id: CUSTOM_ID },
			{ type: 'file', url: 'https://cdn.livechat-files.com/api/file/lc/att/3/x.pdf', visibility: 'all', custom_id: CUSTOM_ID },
		]);

		// Customers cannot send cards: their image link goes as text.
		tokenGranted();
		livechat('Bearer dal:cached-customer-token')
			.post(customerPath('send_event'), (body) => body.event.type === 'message' && body.event.text === 'Look\nhttps://files.example.com/a/label.png')
			.reply(200, { event_id: 'e10' });
		await run({ ...sendText, messageType: 'image', url: link.url, caption: 'Look', options: { upload: false } });
	});

	it('refuses empty texts, non-http URLs and files over 10 MB', async () => {
		await expect(run({ ...sendText, text: '  ' })).rejects.toThrow(/"Text" is empty/);
		const bad = await run({ ...sendText, messageType: 'image', url: 'file:///etc/passwd' }).catch((e) => e);
		expect(bad).toBeInstanceOf(NodeOperationError);
		expect(bad.message).toMatch(/"URL" must be an http\(s\) URL/);
		await expect(run({ ...sendText, chatId: '' })).rejects.toThrow(/"Chat ID" is empty/);

		nock('https://files.example.com').get('/big.bin').reply(200, Buffer.alloc(10 * 1024 * 1024 + 1));
		const big = await run({ ...sendText, sendAs: 'agent', messageType: 'file', url: 'https://files.example.com/big.bin' }).catch(
			(e) => e,
		);
		expect(big.message).toMatch(/LiveChat accepts files up to 10 MB/);
	});

	it('waits out a rate limit longer than its tries allow (429s are bounded by time only); 5xx are not', async () => {
		livechat()
			.post(path('agent', 'send_event'))
			.times(9)
			.reply(429, { error: { type: 'too_many_requests', message: 'Too many requests' } }, { 'Retry-After': '0' });
		livechat().post(path('agent', 'send_event')).reply(200, { event_id: 'after-the-limit' });
		expect((await run({ ...sendText, sendAs: 'agent' }))[0].json.eventId).toBe('after-the-limit');

		livechat().post(path('agent', 'send_event')).times(9).reply(503, 'Service Unavailable', { 'Retry-After': '0' });
		await expect(run({ ...sendText, sendAs: 'agent' })).rejects.toThrow(/503/);
		nock.cleanAll();
	});

	it('retries 429 and 5xx, then reports LiveChat\'s words; continueOnFail per item', async () => {
		livechat().post(path('agent', 'send_event')).reply(429, { error: { type: 'too_many_requests', message: 'Too many requests' } }, { 'Retry-After': '0' });
		livechat().post(path('agent', 'send_event')).reply(503, 'Service Unavailable', { 'Retry-After': '0' });
		livechat().post(path('agent', 'send_event')).reply(200, { event_id: 'e11' });
		expect((await run({ ...sendText, sendAs: 'agent' }))[0].json.eventId).toBe('e11');

		livechat().post(path('agent', 'send_event')).reply(200, { event_id: 'ok' });
		livechat().post(path('agent', 'send_event')).reply(400, { error: { type: 'chat_inactive', message: 'Chat is inactive' } });
		const out = await run({ ...sendText, sendAs: 'agent' }, { continueOnFail: true, items: 2 });
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(out[0].json.eventId).toBe('ok');
		expect(out[1].json).toMatchObject({
			error: 'LiveChat refused "send message" (400): Chat is inactive (chat_inactive)',
			details: { httpCode: '400' },
		});
	});
});

describe('Customer tokens and chat properties: cached in the process, never in static data', () => {
	const send = {
		resource: 'chat',
		operation: 'sendMessage',
		chatBy: 'chatId',
		chatId: CHAT,
		sendAs: 'customer',
		customerId: CUSTOMER,
		messageType: 'text',
		text: 'Still there?',
	};
	const sent = (token: string, times = 1) =>
		livechat(`Bearer ${token}`).post(customerPath('send_event')).times(times).reply(200, { event_id: 'e1' });

	let now = Date.parse('2025-06-02T08:00:00.000Z');
	beforeEach(() => jest.spyOn(Date, 'now').mockImplementation(() => now));
	afterEach(() => jest.restoreAllMocks());

	it('reuses a customer\'s token until ten minutes before it expires, then asks for a new one', async () => {
		tokenGranted('dal:first', 28800);
		sent('dal:first', 2);
		await run(send);
		now += 28800 * 1000 - 10 * 60 * 1000 - 1000; // 7 h 49 min 59 s later: still the same token
		await run(send);

		now += 1000; // 10 minutes before it expires: renewed
		tokenGranted('dal:second', 28800);
		sent('dal:second', 2);
		await run(send);
		await run(send);
	});

	it('renews a token LiveChat refuses (401) and sends once more; a second refusal is reported', async () => {
		tokenGranted('dal:revoked');
		livechat('Bearer dal:revoked')
			.post(customerPath('send_event'))
			.reply(401, { error: { type: 'authentication', message: 'Invalid access token' } });
		tokenGranted('dal:fresh');
		sent('dal:fresh', 2);
		expect((await run(send))[0].json.eventId).toBe('e1');
		await run(send); // the renewed token is the one kept

		now += 8 * 3600 * 1000;
		tokenGranted('dal:a');
		tokenGranted('dal:b');
		for (const token of ['dal:a', 'dal:b']) {
			livechat(`Bearer ${token}`)
				.post(customerPath('send_event'))
				.reply(401, { error: { type: 'authentication', message: 'Invalid access token' } });
		}
		const error = await run(send).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('LiveChat refused "send message" (401): Invalid access token (authentication)');
	});

	it('keeps tokens per customer and per Client ID, at most 200, the oldest evicted first', async () => {
		const granted: string[] = [];
		nock(ACCOUNTS)
			.post('/v2/customer/token')
			.times(203)
			.reply(200, (_uri, body) => {
				const { entity_id: entityId, client_id: clientId } = body as IDataObject;
				granted.push(`${clientId as string}/${entityId as string}`);
				return { access_token: `dal:${entityId as string}`, entity_id: entityId, expires_in: 28800 };
			});
		nock(API).post(customerPath('send_event')).times(204).reply(200, { event_id: 'e1' });
		const customers = Array.from({ length: 201 }, (_, i) => `customer-${i}`);
		for (const customerId of customers) await run({ ...send, customerId });
		expect(granted).toHaveLength(201);

		await run({ ...send, customerId: customers[1] }); // still cached
		await run({ ...send, customerId: customers[0] }); // evicted by the 201st: asked again
		await run({ ...send, customerId: customers[1] }, { credentials: { clientId: 'another-app' } }); // another app's token
		expect(granted.slice(201)).toEqual([`${CLIENT}/customer-0`, 'another-app/customer-1']);
	});

	it('Start and Send Message leave the workflow\'s static data untouched', async () => {
		const getStaticData = jest.spyOn(Workflow.prototype, 'getStaticData');
		livechat().post(path('configuration', 'list_properties')).reply(200, {});
		livechat().post(path('configuration', 'register_property')).times(3).reply(200);
		livechat().post(path('configuration', 'publish_property')).times(3).reply(200);
		nock(ACCOUNTS)
			.post('/v2/customer/token', (body) => body.entity_id === undefined)
			.reply(200, { access_token: 'dal:new', entity_id: CUSTOMER, expires_in: 28800 });
		livechat().post(path('agent', 'start_chat')).times(2).reply(200, { chat_id: CHAT, thread_id: THREAD });
		sent('dal:new', 2);

		const staticData: IDataObject = {};
		const start = { resource: 'chat', operation: 'start', groupId: '19', externalId: 'conv-1', options: { routeToGroup: false } };
		livechat().post(path('agent', 'list_chats')).reply(200, { chats_summary: [] });
		await run({ ...start, customerBy: 'externalId', customerExternalId: 'c-1' }, { staticData });
		await run(send, { staticData });
		await run(send, { staticData });
		// The properties were checked once in this process: no list_properties for the second Start.
		await run({ ...start, customerBy: 'none' }, { staticData });

		expect(staticData).toEqual({});
		expect(getStaticData).not.toHaveBeenCalled();
	});
});

describe('Chat → Transfer, Deactivate, Get, Get Many', () => {
	it('transfers to a group, LiveChat failing when nobody is available unless the queue is allowed', async () => {
		livechat()
			.post(path('agent', 'transfer_chat'), {
				id: CHAT,
				target: { type: 'group', ids: [19] },
				ignore_agents_availability: false,
				ignore_requester_presence: true,
			})
			.reply(200, {});
		const out = await run({ resource: 'chat', operation: 'transfer', chatId: CHAT, targetType: 'group', groupId: '19' });
		expect(out[0].json).toEqual({ chatId: CHAT, externalId: null, transferred: true, target: { type: 'group', ids: [19] } });

		livechat()
			.post(path('agent', 'transfer_chat'))
			.reply(400, { error: { type: 'validation', message: 'Cannot assign any agent from requested groups' } });
		await expect(run({ resource: 'chat', operation: 'transfer', chatId: CHAT, groupId: '19' })).rejects.toThrow(
			'LiveChat refused "transfer chat" (400): Cannot assign any agent from requested groups (validation)',
		);
	});

	it('transfers to an agent, with the queue allowed and the presence check on', async () => {
		livechat()
			.post(path('agent', 'transfer_chat'), {
				id: CHAT,
				target: { type: 'agent', ids: ['smith@example.com'] },
				ignore_agents_availability: true,
				ignore_requester_presence: false,
			})
			.reply(200, {});
		await run({
			resource: 'chat',
			operation: 'transfer',
			chatId: CHAT,
			targetType: 'agent',
			agentId: 'smith@example.com',
			options: { allowQueue: true, requirePresence: true },
		});
		await expect(run({ resource: 'chat', operation: 'transfer', chatId: CHAT, targetType: 'agent', agentId: '' })).rejects.toThrow(
			/"Agent" is empty/,
		);
	});

	it('deactivates with deactivate_chat (the documented action), not close_chat', async () => {
		livechat().post(path('agent', 'deactivate_chat'), { id: CHAT, ignore_requester_presence: true }).reply(200, {});
		const out = await run({ resource: 'chat', operation: 'deactivate', chatId: CHAT });
		expect(out[0].json).toEqual({ chatId: CHAT, externalId: null, deactivated: true });
		livechat().post(path('agent', 'deactivate_chat'), { id: CHAT, ignore_requester_presence: false }).reply(400, {
			error: { type: 'chat_inactive', message: 'Chat is inactive' },
		});
		await expect(
			run({ resource: 'chat', operation: 'deactivate', chatId: CHAT, options: { requirePresence: true } }),
		).rejects.toThrow('LiveChat refused "deactivate chat" (400): Chat is inactive (chat_inactive)');
	});

	it('gets a chat, optionally one thread', async () => {
		const chat = { id: CHAT, thread: { id: THREAD, events: [] }, users: [] };
		livechat().post(path('agent', 'get_chat'), { chat_id: CHAT, thread_id: THREAD }).reply(200, chat);
		expect((await run({ resource: 'chat', operation: 'get', chatId: CHAT, threadId: THREAD }))[0].json).toEqual(chat);
		livechat().post(path('agent', 'get_chat'), { chat_id: CHAT }).reply(404, { error: { type: 'not_found', message: 'Chat not found' } });
		await expect(run({ resource: 'chat', operation: 'get', chatId: CHAT })).rejects.toThrow(/\(404\): Chat not found \(not_found\)/);
	});

	it('lists chats across pages (page_id alone after the first page), with filters and a limit', async () => {
		const filters = {
			active: true,
			group_ids: [0, 19],
			properties: { [CLIENT]: { external_id: { values: ['473548616'] }, customer_external_id: { values: ['c-1'] } } },
		};
		livechat()
			.post(path('agent', 'list_chats'), { filters, limit: 100, sort_order: 'asc' })
			.reply(200, { chats_summary: [{ id: 'A' }, { id: 'B' }], next_page_id: 'cGFnZTI=', found_chats: 3 });
		livechat().post(path('agent', 'list_chats'), { page_id: 'cGFnZTI=' }).reply(200, { chats_summary: [{ id: 'C' }], previous_page_id: 'x' });
		const all = await run({
			resource: 'chat',
			operation: 'getMany',
			returnAll: true,
			sortOrder: 'asc',
			filters: { active: 'active', groupIds: ['0', '19'], externalId: '473548616', customerExternalId: 'c-1' },
		});
		expect(all.map((item) => item.json.id)).toEqual(['A', 'B', 'C']);

		livechat()
			.post(path('agent', 'list_chats'), { filters: { active: false }, limit: 2, sort_order: 'desc' })
			.reply(200, { chats_summary: [{ id: 'A' }, { id: 'B' }], next_page_id: 'more' });
		const limited = await run({ resource: 'chat', operation: 'getMany', limit: 2, filters: { active: 'inactive' } });
		expect(limited.map((item) => item.json.id)).toEqual(['A', 'B']);
	});
});

describe('dropdowns', () => {
	const credentials = { liveChatApi: baseCredentials as never };

	it('lists groups (0 included, by ID), agents and bots', async () => {
		livechat()
			.post(path('configuration', 'list_groups'), { fields: ['routing_status'] })
			.reply(200, [
				{ id: 19, name: 'Sport shoes', language_code: 'en', routing_status: 'offline' },
				{ id: 0, name: 'General', language_code: 'en', routing_status: 'accepting_chats' },
			]);
		expect(await harness.loadOptions(node, 'getGroups', { parameters: {}, credentials })).toEqual([
			{ name: 'General (0)', value: '0', description: 'Routing: accepting_chats' },
			{ name: 'Sport shoes (19)', value: '19', description: 'Routing: offline' },
		]);

		livechat()
			.post(path('configuration', 'list_agents'))
			.reply(200, [
				{ id: 'smith@example.com', name: 'Smith', role: 'owner', login_status: 'not accepting chats' },
				{ id: 'jones@example.com', name: 'Jones', role: 'viceowner', login_status: 'accepting chats' },
				{ id: 'gone@example.com', name: 'Gone', suspended: true },
			]);
		expect(await harness.loadOptions(node, 'getAgents', { parameters: {}, credentials })).toEqual([
			{ name: 'Jones (jones@example.com)', value: 'jones@example.com', description: 'viceowner · accepting chats' },
			{ name: 'Smith (smith@example.com)', value: 'smith@example.com', description: 'owner · not accepting chats' },
		]);

		livechat().post(path('configuration', 'list_bots'), { all: true }).reply(200, [{ id: BOT, name: 'Relay bot' }]);
		expect(await harness.loadOptions(node, 'getBots', { parameters: {}, credentials })).toEqual([{ name: 'Relay bot', value: BOT }]);
	});
});
