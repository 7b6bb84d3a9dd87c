import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, Workflow } from 'n8n-workflow';

import { LiveChatApi } from '../../../credentials/LiveChatApi.credentials';
import { identityKey, sealIdentity } from '../../../nodes/LiveChat/identity';
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
const REDIRECT = 'https://n8n.example.com/';
/** The customer's cookies at the accounts server (the docs' sample values). */
const COOKIES = { cid: '3aa138c1-c137-41c6-6b26-cface5857378', cst: '87b9d0222e63e349da85535d07c81e1e1fb938de41f4e16e1d9ba5965f25db4aeea46b39d0fb' };
const COOKIE = `__lc_cid=${COOKIES.cid}; __lc_cst=${COOKIES.cst}`;
const setCookies = (cookies = COOKIES) => ({
	'Set-Cookie': [
		`__lc_cid=${cookies.cid}; Path=/v2/customer; Domain=accounts.livechat.com; Max-Age=63072000; HttpOnly; Secure; SameSite=None`,
		`__lc_cst=${cookies.cst}; Path=/v2/customer; Domain=accounts.livechat.com; Max-Age=63072000; HttpOnly; Secure; SameSite=None`,
	],
});
const COOKIE_GRANT = { grant_type: 'cookie', client_id: CLIENT, response_type: 'token', organization_id: ORG, redirect_uri: REDIRECT };

const baseCredentials = {
	authType: 'pat',
	accountId: ACCOUNT,
	personalAccessToken: PAT,
	organizationId: ORG,
	clientId: CLIENT,
	customerRedirectUri: REDIRECT,
};
const bearerCredentials = { authType: 'bearer', accessToken: 'dal:oauth-agent', organizationId: ORG, clientId: CLIENT };

/** A customer's cookies as "Start" keeps them in the chat, sealed for this credential. */
const sealedFor = (customerId: string, cookies = COOKIES, secret = `${ACCOUNT}:${PAT}`) =>
	sealIdentity(identityKey(secret, ORG, CLIENT), customerId, cookies);
const chatWithIdentity = (customerId = CUSTOMER, sealed: string | null = sealedFor(customerId)) => ({
	id: CHAT,
	users: [{ id: 'smith@example.com', type: 'agent' }, { id: customerId, type: 'customer' }],
	properties: { [CLIENT]: { external_id: '473548616', ...(sealed ? { customer_identity: sealed } : {}) } },
});
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
function propertiesReady(authorization = BASIC) {
	const published = { type: 'string', public_access: ['read', 'write'] };
	livechat(authorization)
		.post(path('configuration', 'list_properties'), { owner_client_id: CLIENT })
		.reply(200, { external_id: published, external_platform: published, customer_external_id: published, customer_identity: published, relayed: published });
}

/** The cookie grant, without any agent token: LiveChat's accounts server. */
const accounts = () => nock(ACCOUNTS, { badheaders: ['authorization'] });

/** The accounts server issues `token` for CUSTOMER (8 hours) against the customer's cookies, once. */
function tokenGranted(token = 'dal:cached-customer-token', expiresIn = 28800) {
	accounts()
		.matchHeader('cookie', COOKIE)
		.post('/v2/customer/token', COOKIE_GRANT)
		.reply(200, { access_token: token, entity_id: CUSTOMER, expires_in: expiresIn, token_type: 'Bearer', organization_id: ORG }, setCookies());
}

/** The chat is read for the identity it keeps (when a token has to be issued). */
function identityRead(times = 1) {
	livechat().post(path('agent', 'get_chat'), { chat_id: CHAT }).times(times).reply(200, chatWithIdentity());
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

	it('sends no token of its own with the cookie grant, whatever the format', async () => {
		for (const credentials of [baseCredentials, bearerCredentials]) {
			const options = await type.authenticate(credentials, { url: 'x', body: { grant_type: 'cookie' }, headers: { Cookie: COOKIE } });
			expect(options.headers).toEqual({ Cookie: COOKIE });
		}
		const agentGrant = await type.authenticate(bearerCredentials, { url: 'x', body: { grant_type: 'agent_token' } });
		expect(agentGrant.headers).toEqual({ Authorization: 'Bearer dal:oauth-agent' });
	});

	it('tests a personal access token credential with the cookie grant: Client ID, Organization ID and redirect URI', async () => {
		accounts().post('/v2/customer/token', COOKIE_GRANT).reply(200, { access_token: 'dal:t', entity_id: CUSTOMER, expires_in: 28800 }, setCookies());
		expect(await harness.testCredential('liveChatApi', { ...baseCredentials, clientId: ` ${CLIENT} ` })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});

		// n8n sends a request refused with 401 once more (its credential refresh), hence twice.
		accounts()
			.post('/v2/customer/token', { ...COOKIE_GRANT, redirect_uri: 'https://elsewhere.example.com/' })
			.times(2)
			.reply(401, { oauth_exception: 'unauthorized_client', exception_description: 'The client is not authorized to request a token using this method.' });
		const refused = await harness.testCredential('liveChatApi', { ...baseCredentials, customerRedirectUri: 'https://elsewhere.example.com/' });
		expect(refused.status).toBe('Error');
		expect(refused.message).toMatch(/check Organization ID, Client ID and Customer Redirect URI/);
	});

	it('tests a Bearer credential with the agent-token grant, which checks the token as well', async () => {
		nock('http://127.0.0.1:4503', { reqheaders: { authorization: 'Bearer dal:oauth-agent' } })
			.post('/v2/customer/token', { grant_type: 'agent_token', client_id: CLIENT, response_type: 'token' })
			.reply(200, { access_token: 'dal:t', client_id: CLIENT, entity_id: CUSTOMER, expires_in: 28800 });
		expect((await harness.testCredential('liveChatApi', { ...bearerCredentials, accountsUrl: 'http://127.0.0.1:4503/' })).status).toBe('OK');
		nock(ACCOUNTS).post('/v2/customer/token').times(2).reply(401, { oauth_exception: 'invalid_grant', exception_description: 'expired' });
		const expired = await harness.testCredential('liveChatApi', bearerCredentials);
		expect(expired).toEqual({ status: 'Error', message: expect.stringMatching(/Bearer token: check the token \(it expires after 8 hours\)/) });
	});
});

describe('transport helpers', () => {
	it('words LiveChat\'s error body, and picks the API version bots can use', () => {
		expect(liveChatErrorText({ error: { type: 'chat_inactive', message: 'Chat is inactive' } })).toBe('Chat is inactive (chat_inactive)');
		expect(liveChatErrorText({ error: 'invalid_client', error_description: 'client_id not found' })).toBe('client_id not found');
		expect(liveChatErrorText({ oauth_exception: 'unauthorized_client', exception_description: 'Not authorized.' })).toBe(
			'Not authorized. (unauthorized_client)',
		);
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
	const ours = { external_id: '473548616', external_platform: 'landbot', customer_external_id: 'landbot-473548616', relayed: '' };
	const lookup = {
		filters: { properties: { [CLIENT]: { customer_external_id: { values: ['landbot-473548616'] } } } },
		limit: 10,
		sort_order: 'desc',
	};

	it('registers the chat properties, creates the customer identity, starts the chat with the history and routes it', async () => {
		const registered: IDataObject[] = [];
		const published: IDataObject[] = [];
		livechat().post(path('configuration', 'list_properties'), { owner_client_id: CLIENT }).reply(200, {});
		livechat().post(path('configuration', 'register_property'), capture(registered)).times(5).reply(200);
		livechat().post(path('configuration', 'publish_property'), capture(published)).times(5).reply(200);
		livechat().post(path('agent', 'list_chats'), lookup).reply(200, { chats_summary: [], found_chats: 0 });
		// A new identity: the cookie grant without cookies and without the personal access token.
		accounts()
			.matchHeader('cookie', (value) => value === undefined)
			.post('/v2/customer/token', COOKIE_GRANT)
			.reply(
				200,
				{ access_token: 'dal:new-customer-token', entity_id: CUSTOMER, expires_in: 28800, token_type: 'Bearer', organization_id: ORG },
				setCookies(),
			);
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
		expect(registered.map((body) => body.name)).toEqual(['external_id', 'external_platform', 'customer_external_id', 'customer_identity', 'relayed']);
		expect(registered[0]).toEqual({
			name: 'external_id',
			owner_client_id: CLIENT,
			type: 'string',
			access: { chat: { agent: ['read', 'write'], customer: ['read'] } },
			description: expect.any(String),
		});
		// The customer must not read their own cookies back.
		expect(registered[3].access).toEqual({ chat: { agent: ['read', 'write'] } });
		expect(published[0]).toEqual({ name: 'external_id', owner_client_id: CLIENT, access_type: ['read', 'write'] });
		const identity = ((started[0]?.chat as IDataObject)?.properties as IDataObject)?.[CLIENT] as IDataObject;
		expect(identity.customer_identity).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
		expect(String(identity.customer_identity)).not.toContain(COOKIES.cst);
		expect(started).toEqual([
			{
				chat: {
					access: { group_ids: [19] },
					properties: { [CLIENT]: { ...ours, customer_identity: identity.customer_identity } },
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
						properties: { [CLIENT]: { ...ours, external_id: '111', customer_identity: sealedFor(CUSTOMER) } },
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
						properties: { [CLIENT]: { ...ours, external_id: 'older-conversation', customer_identity: sealedFor(CUSTOMER) } },
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
					{
						id: CHAT,
						users: [{ id: CUSTOMER, type: 'customer' }],
						last_thread_summary: { id: THREAD, active: true },
						properties: { [CLIENT]: { ...ours, customer_identity: sealedFor(CUSTOMER) } },
					},
				],
			});
		expect((await run(start))[0].json.alreadyActive).toBe(true);
	});

	it('gives a returning customer a new identity and chat when their last chat keeps none this credential can read', async () => {
		const older = (sealed?: string) => ({
			id: 'OLDCHAT001',
			users: [{ id: CUSTOMER, type: 'customer' }],
			last_thread_summary: { id: 'OLDTHREAD1', active: false },
			properties: { [CLIENT]: { ...ours, ...(sealed ? { customer_identity: sealed } : {}) } },
		});
		const NEW_CUSTOMER = 'c0ffee00-1afe-4a3e-4cc0-a3148f1143db';
		// Started before identities were kept; sealed with the token the credential had before; altered.
		const unreadable = [undefined, sealedFor(CUSTOMER, COOKIES, `${ACCOUNT}:dal:old-token`), `${sealedFor(CUSTOMER).slice(0, -2)}AA`];
		propertiesReady();
		for (const sealed of unreadable) {
			livechat().post(path('agent', 'list_chats'), lookup).reply(200, { chats_summary: [older(sealed)] });
			accounts()
				.post('/v2/customer/token', COOKIE_GRANT)
				.reply(200, { access_token: 'dal:fresh', entity_id: NEW_CUSTOMER, expires_in: 28800 }, setCookies());
			livechat('Bearer dal:fresh').post(customerPath('update_customer')).reply(200, {});
			livechat()
				.post(path('agent', 'start_chat'), (body) => body.chat.users[0].id === NEW_CUSTOMER && body.chat.id === undefined)
				.reply(200, { chat_id: CHAT, thread_id: THREAD });
			livechat().post(path('agent', 'transfer_chat')).reply(200, {});
			const out = await run(start);
			expect(out[0].json).toMatchObject({ chatId: CHAT, customerId: NEW_CUSTOMER, customerCreated: true, resumed: false });
		}
	});

	it('with a Bearer token: the agent-token grant creates the customer, and any earlier chat of theirs is reused', async () => {
		const oauth = 'Bearer dal:oauth-agent';
		propertiesReady(oauth);
		livechat(oauth).post(path('agent', 'list_chats'), lookup).reply(200, { chats_summary: [] });
		nock(ACCOUNTS, { reqheaders: { authorization: oauth } })
			.post('/v2/customer/token', { grant_type: 'agent_token', client_id: CLIENT, response_type: 'token' })
			.reply(200, { access_token: 'dal:new', client_id: CLIENT, entity_id: CUSTOMER, expires_in: 28800, token_type: 'Bearer' });
		livechat('Bearer dal:new').post(customerPath('update_customer')).reply(200, {});
		const started: IDataObject[] = [];
		livechat(oauth).post(path('agent', 'start_chat'), capture(started)).reply(200, { chat_id: CHAT, thread_id: THREAD });
		livechat(oauth).post(path('agent', 'transfer_chat')).reply(200, {});
		const out = await run(start, { credentials: bearerCredentials });
		expect(out[0].json).toMatchObject({ customerId: CUSTOMER, customerCreated: true });
		// Nothing to keep: LiveChat issues this customer's tokens to the agent token by entity_id.
		expect(((started[0].chat as IDataObject).properties as IDataObject)[CLIENT]).toEqual(ours);

		livechat(oauth)
			.post(path('agent', 'list_chats'), lookup)
			.reply(200, {
				chats_summary: [{ id: 'OLDCHAT001', users: [{ id: CUSTOMER, type: 'customer' }], last_thread_summary: { active: false }, properties: { [CLIENT]: ours } }],
			});
		livechat(oauth).post(path('agent', 'resume_chat')).reply(200, { thread_id: 'NEWTHREAD1' });
		livechat(oauth).post(path('agent', 'transfer_chat')).reply(200, {});
		expect((await run(start, { credentials: bearerCredentials }))[0].json).toMatchObject({ chatId: 'OLDCHAT001', resumed: true, customerCreated: false });
	});

	it('goes on when another workflow registered a chat property a moment earlier (409)', async () => {
		livechat().post(path('configuration', 'list_properties'), { owner_client_id: CLIENT }).reply(200, {});
		livechat()
			.post(path('configuration', 'register_property'))
			.times(5)
			.reply(409, { error: { type: 'already_exists', message: 'Property already exists' } });
		livechat().post(path('configuration', 'publish_property')).times(5).reply(200);
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
					properties: { routing: { pinned: true }, [CLIENT]: { note: 'x', external_id: 'conv-9', relayed: '' } },
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
		// The token comes from the cookies the chat keeps for its customer.
		identityRead();
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

		// The second message reuses the token: no chat read, no new grant (nock would refuse them).
		await run(sendText);
		expect(bodies).toHaveLength(2);
		expect((bodies[1].event as IDataObject).custom_id).not.toBe((bodies[0].event as IDataObject).custom_id);
	});

	it('finds the chat\'s customer when no customer ID is given, reading the chat once', async () => {
		identityRead();
		tokenGranted();
		livechat('Bearer dal:cached-customer-token').post(customerPath('send_event')).reply(200, { event_id: 'e1' });
		const out = await run({ ...sendText, customerId: '' });
		expect(out[0].json.customerId).toBe(CUSTOMER);

		livechat().post(path('agent', 'get_chat')).reply(200, { id: CHAT, users: [{ id: 'smith@example.com', type: 'agent' }] });
		await expect(run({ ...sendText, customerId: '' })).rejects.toThrow(/has no customer to write as/);
	});

	it('says what to do when the chat keeps no identity of its customer that the credential can open', async () => {
		const cases = [
			chatWithIdentity(CUSTOMER, null),
			chatWithIdentity(CUSTOMER, sealedFor(CUSTOMER, COOKIES, `${ACCOUNT}:dal:another-token`)),
			// Another customer's identity copied into this chat does not open for this customer.
			chatWithIdentity(CUSTOMER, sealedFor('b7eff798-f8df-4364-8059-649c35c9ed0c')),
		];
		for (const chat of cases) {
			livechat().post(path('agent', 'get_chat'), { chat_id: CHAT }).reply(200, chat);
			const error = await run(sendText).catch((e) => e);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toBe(`No LiveChat identity of customer "${CUSTOMER}" that this credential can read`);
			expect(error.description).toMatch(/Run "Start" again for this customer .* send as an agent or a bot, or use a credential with a Bearer agent token/);
		}
	});

	it('says what to check when LiveChat refuses the cookie grant, and when the credential has no redirect URI', async () => {
		identityRead();
		accounts()
			.post('/v2/customer/token')
			.reply(401, {
				oauth_exception: 'unauthorized_client',
				exception_description: 'The client is not authorized to request a token using this method.',
			});
		const error = await run(sendText).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(
			'LiveChat refused "issue customer token" (401): The client is not authorized to request a token using this method. (unauthorized_client)',
		);
		expect(error.description).toMatch(/one of the URLs in that app's Authorization block .*trailing slash included/);

		const missing = await run(sendText, { credentials: { customerRedirectUri: ' ' } }).catch((e) => e);
		expect(missing.message).toBe('The LiveChat credential has no Customer Redirect URI: LiveChat needs one to issue customer tokens');
	});

	it('writes renewed cookies back into the chat, so the next process has them', async () => {
		identityRead();
		const renewed = { cid: COOKIES.cid, cst: 'f'.repeat(72) };
		accounts()
			.matchHeader('cookie', COOKIE)
			.post('/v2/customer/token', COOKIE_GRANT)
			.reply(200, { access_token: 'dal:t', entity_id: CUSTOMER, expires_in: 28800 }, setCookies(renewed));
		const stored: IDataObject[] = [];
		livechat().post(path('agent', 'update_chat_properties'), capture(stored)).reply(200, {});
		livechat('Bearer dal:t').post(customerPath('send_event')).reply(200, { event_id: 'e1' });
		await run(sendText);
		const sealed = ((stored[0].properties as IDataObject)[CLIENT] as IDataObject).customer_identity;
		expect(stored[0].id).toBe(CHAT);

		// Another process reads the chat: the renewed pair goes out.
		clearLiveChatCaches();
		livechat().post(path('agent', 'get_chat')).reply(200, chatWithIdentity(CUSTOMER, String(sealed)));
		accounts()
			.matchHeader('cookie', `__lc_cid=${renewed.cid}; __lc_cst=${renewed.cst}`)
			.post('/v2/customer/token')
			.reply(200, { access_token: 'dal:t2', entity_id: CUSTOMER, expires_in: 28800 }, setCookies(renewed));
		livechat('Bearer dal:t2').post(customerPath('send_event')).reply(200, { event_id: 'e2' });
		expect((await run(sendText))[0].json.eventId).toBe('e2');
	});

	it('refuses a token LiveChat issued for another customer than the one the chat names', async () => {
		identityRead();
		accounts().post('/v2/customer/token').reply(200, { access_token: 'dal:x', entity_id: 'someone-else', expires_in: 28800 }, setCookies());
		await expect(run(sendText)).rejects.toThrow(`LiveChat took the stored identity of customer "${CUSTOMER}" for customer "someone-else"`);
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

		// Template 13: Send As is an expression and the bot a By ID locator (n8n then finds the
		// version-1 dropdown of the same name first and hands the locator over whole).
		livechat().matchHeader('x-author-id', BOT).post(path('agent', 'send_event', '/v3.5')).reply(200, { event_id: 'e7' });
		const fromExpression = await run({
			...sendText,
			sendAs: "={{ 'bot' }}",
			botId: { __rl: true, mode: 'id', value: BOT },
			options: { addBotToChat: false },
		});
		expect(fromExpression[0].json).toMatchObject({ sentAs: 'bot', botId: BOT, eventId: 'e7' });
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
		identityRead();
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

	it('relays a trigger event\'s message as it is: its text, or its image as a card with the caption', async () => {
		const bodies: IDataObject[] = [];
		livechat().post(path('agent', 'send_event'), capture(bodies)).times(2).reply(200, { event_id: 'e10' });
		const fromEvent = { ...sendText, sendAs: 'agent', messageType: 'event', options: { upload: false } };
		await run({ ...fromEvent, message: { type: 'text', text: 'Hello from Landbot', url: null } });
		await run({ ...fromEvent, message: { type: 'image', text: 'The box', url: 'https://files.example.com/a/box.png', fileName: 'box.png' } });
		expect(bodies.map((body) => body.event)).toEqual([
			{ type: 'message', text: 'Hello from Landbot', visibility: 'all', custom_id: CUSTOM_ID },
			{
				type: 'rich_message',
				template_id: 'cards',
				visibility: 'all',
				custom_id: CUSTOM_ID,
				elements: [{ title: 'The box', image: { url: 'https://files.example.com/a/box.png', name: 'box.png', alternative_text: 'The box' } }],
			},
		]);
	});

	it('gives a relayed message a custom_id from its source key, and does not send again what a retry finds in the chat', async () => {
		const bodies: IDataObject[] = [];
		const fromEvent = { ...sendText, sendAs: 'agent', messageType: 'event', options: { upload: false } };
		livechat().post(path('agent', 'send_event'), capture(bodies)).reply(200, { event_id: 'e11' });
		await run({ ...fromEvent, message: { type: 'text', text: 'Hello', sourceKey: 'sentry-trace:abc' } });
		const customId = (bodies[0].event as IDataObject).custom_id as string;
		expect(customId).toMatch(/^n8n-handoff:[0-9a-f]{24}$/);

		// A retry flagged maybeRelayed: the chat is read, the event is there, nothing is sent.
		livechat()
			.post(path('agent', 'get_chat'))
			.reply(200, { id: CHAT, thread: { id: 'T1', events: [{ id: 'e0', type: 'message', custom_id: 'n8n-handoff:other' }, { id: 'e11', type: 'message', custom_id: customId }] } });
		const repeat = await run({ ...fromEvent, message: { type: 'text', text: 'Hello', sourceKey: 'sentry-trace:abc', maybeRelayed: true } });
		expect(repeat[0].json).toMatchObject({ alreadySent: true, eventId: 'e11', customId });
		expect(bodies).toHaveLength(1);

		// Another message flagged the same way, not in the chat: sent, with its own custom_id.
		livechat().post(path('agent', 'get_chat')).reply(200, { id: CHAT, thread: { id: 'T1', events: [{ id: 'e11', type: 'message', custom_id: customId }] } });
		livechat().post(path('agent', 'send_event'), capture(bodies)).reply(200, { event_id: 'e12' });
		const sent = await run({ ...fromEvent, message: { type: 'text', text: 'Still there?', sourceKey: 'sentry-trace:def', maybeRelayed: true } });
		expect(sent[0].json).toMatchObject({ eventId: 'e12' });
		expect((bodies[1].event as IDataObject).custom_id).not.toBe(customId);
		expect(nock.isDone()).toBe(true);
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
		identityRead();
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
		identityRead();
		tokenGranted('dal:first', 28800);
		sent('dal:first', 2);
		await run(send);
		now += 28800 * 1000 - 10 * 60 * 1000 - 1000; // 7 h 49 min 59 s later: still the same token
		await run(send);

		now += 1000; // 10 minutes before it expires: renewed
		identityRead();
		tokenGranted('dal:second', 28800);
		sent('dal:second', 2);
		await run(send);
		await run(send);
	});

	it('renews a token LiveChat refuses (401) and sends once more; a second refusal is reported', async () => {
		identityRead();
		tokenGranted('dal:revoked');
		livechat('Bearer dal:revoked')
			.post(customerPath('send_event'))
			.reply(401, { error: { type: 'authentication', message: 'Invalid access token' } });
		tokenGranted('dal:fresh');
		sent('dal:fresh', 2);
		expect((await run(send))[0].json.eventId).toBe('e1');
		await run(send); // the renewed token is the one kept

		now += 8 * 3600 * 1000;
		identityRead();
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
		// The agent-token grant names the customer in its body: one grant per customer to count.
		const oauth = { credentials: bearerCredentials };
		const customers = Array.from({ length: 201 }, (_, i) => `customer-${i}`);
		for (const customerId of customers) await run({ ...send, customerId }, oauth);
		expect(granted).toHaveLength(201);

		await run({ ...send, customerId: customers[1] }, oauth); // still cached
		await run({ ...send, customerId: customers[0] }, oauth); // evicted by the 201st: asked again
		await run({ ...send, customerId: customers[1] }, { credentials: { ...bearerCredentials, clientId: 'another-app' } }); // another app's token
		expect(granted.slice(201)).toEqual([`${CLIENT}/customer-0`, 'another-app/customer-1']);
	}, 30_000); // 204 node runs: seconds on a busy machine

	it('a restart or another worker writes as the customer Start created, with what the chat keeps', async () => {
		propertiesReady();
		livechat().post(path('agent', 'list_chats')).reply(200, { chats_summary: [] });
		accounts().post('/v2/customer/token', COOKIE_GRANT).reply(200, { access_token: 'dal:new', entity_id: CUSTOMER, expires_in: 28800 }, setCookies());
		const started: IDataObject[] = [];
		livechat().post(path('agent', 'start_chat'), capture(started)).reply(200, { chat_id: CHAT, thread_id: THREAD });
		await run({
			resource: 'chat',
			operation: 'start',
			groupId: '19',
			customerBy: 'externalId',
			customerExternalId: 'c-1',
			options: { routeToGroup: false },
		});

		clearLiveChatCaches(); // the process that started the chat is gone
		const chat = started[0].chat as IDataObject;
		livechat().post(path('agent', 'get_chat'), { chat_id: CHAT }).reply(200, { id: CHAT, users: chat.users, properties: chat.properties });
		tokenGranted('dal:elsewhere'); // the same cookies, hence the same customer
		sent('dal:elsewhere');
		const out = await run({ ...send, customerId: '' });
		expect(out[0].json).toMatchObject({ customerId: CUSTOMER, sentAs: 'customer' });
	});

	it('Start and Send Message leave the workflow\'s static data untouched', async () => {
		const getStaticData = jest.spyOn(Workflow.prototype, 'getStaticData');
		livechat().post(path('configuration', 'list_properties')).reply(200, {});
		livechat().post(path('configuration', 'register_property')).times(5).reply(200);
		livechat().post(path('configuration', 'publish_property')).times(5).reply(200);
		accounts()
			.post('/v2/customer/token', COOKIE_GRANT)
			.reply(200, { access_token: 'dal:new', entity_id: CUSTOMER, expires_in: 28800 }, setCookies());
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

describe('LiveChat node: resource locators (version 1.1)', () => {
	const credentials = { liveChatApi: baseCredentials as never };
	const rl = (value: string, mode = 'list') => ({ __rl: true, mode, value });
	const at = (typeVersion: number, parameters: IDataObject) =>
		harness.execute(node, { parameters: parameters as never, credentials, items: [{ json: {} }], typeVersion });

	it('group, agent and bot are locators from 1.1 on and dropdowns in version 1; both run the same', async () => {
		const byName = (name: string) => node.description.properties.filter((p) => p.name === name).map((p) => p.type);
		for (const name of ['groupId', 'agentId', 'botId']) expect(new Set(byName(name))).toEqual(new Set(['options', 'resourceLocator']));

		for (const [typeVersion, groupId, agentId] of [
			[1.1, rl('19'), rl('smith@example.com', 'id')],
			[1, '19', 'smith@example.com'],
		] as const) {
			livechat().post(path('agent', 'transfer_chat'), (body) => body.target.type === 'group' && body.target.ids[0] === 19).reply(200, {});
			await at(typeVersion, { resource: 'chat', operation: 'transfer', chatId: CHAT, targetType: 'group', groupId });
			livechat().post(path('agent', 'transfer_chat'), (body) => body.target.type === 'agent' && body.target.ids[0] === 'smith@example.com').reply(200, {});
			await at(typeVersion, { resource: 'chat', operation: 'transfer', chatId: CHAT, targetType: 'agent', agentId });
		}
		await expect(at(1.1, { resource: 'chat', operation: 'transfer', chatId: CHAT, targetType: 'group', groupId: rl('general', 'id') })).rejects.toThrow(
			'"Group" must be a LiveChat group ID (an integer), got "general"',
		);
	});

	it('the lists search by name or ID', async () => {
		livechat()
			.post(path('configuration', 'list_groups'), { fields: ['routing_status'] })
			.reply(200, [
				{ id: 19, name: 'Sport shoes', routing_status: 'offline' },
				{ id: 0, name: 'General', routing_status: 'accepting_chats' },
			]);
		expect(await harness.listSearch(node, 'searchGroups', { parameters: {}, credentials, filter: 'sport' })).toEqual({
			results: [{ name: 'Sport shoes (19)', value: '19' }],
		});
		livechat().post(path('configuration', 'list_bots'), { all: true }).reply(200, [{ id: BOT, name: 'Relay bot' }]);
		expect((await harness.listSearch(node, 'searchBots', { parameters: {}, credentials })).results).toEqual([{ name: 'Relay bot', value: BOT }]);
	});
});
