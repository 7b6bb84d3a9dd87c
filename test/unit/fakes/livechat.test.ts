/**
 * The LiveChat simulator behaves as docs/platforms/livechat.md (and, where silent, LiveChat's
 * public docs) describes.
 */
import { LiveChatSimulator, parseMultipartFile } from '../../fakes/livechat';
import { WebhookReceiver } from '../../fakes/receiver';
import { httpRequest } from '../../fakes/http';

describe('LiveChatSimulator', () => {
	let sim: LiveChatSimulator;
	let receiver: WebhookReceiver;
	let clientId: string;
	let groupId: number;
	let basic: string;
	let agentId: string;
	/** An agent access token from an OAuth flow: what the agent-token grant takes. */
	let bearer: string;
	const REDIRECT = 'https://n8n.example.com/';

	const api = (path: string, body: unknown = {}, auth: string | null = basic, headers: Record<string, string> = {}) =>
		httpRequest(`${sim.baseUrl}${path}`, {
			method: 'POST',
			headers: { ...(auth ? { Authorization: auth } : {}), ...headers },
			body,
		});
	const agentAction = (action: string, body: unknown = {}, version = 'v3.6', headers: Record<string, string> = {}) =>
		api(`/${version}/agent/action/${action}`, body, basic, headers);
	const config = (action: string, body: unknown = {}) => api(`/v3.6/configuration/action/${action}`, { owner_client_id: clientId, ...(body as object) });
	const customerToken = async (entityId?: string) =>
		(
			await api(
				'/v2/customer/token',
				{ grant_type: 'agent_token', client_id: clientId, response_type: 'token', ...(entityId ? { entity_id: entityId } : {}) },
				`Bearer ${bearer}`,
			)
		).body;
	const cookieGrant = (body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
		api(
			'/v2/customer/token',
			{ grant_type: 'cookie', client_id: clientId, response_type: 'token', organization_id: sim.organizationId, redirect_uri: REDIRECT, ...body },
			null,
			headers,
		);
	/** The `name=value` part of each Set-Cookie header. */
	const setCookies = (headers: Record<string, unknown>) => ([] as string[]).concat(headers['set-cookie'] as string[]).map((c) => c.split(';')[0]);
	const customerAction = (action: string, token: string, body: unknown = {}, org = sim.organizationId) =>
		api(`/v3.6/customer/action/${action}?organization_id=${encodeURIComponent(org)}`, body, `Bearer ${token}`);

	async function hook(action: string, extra: Record<string, unknown> = {}) {
		const res = await config('register_webhook', {
			action,
			secret_key: `secret-${action}`,
			url: receiver.url(`/${action}`),
			type: 'license',
			additional_data: ['chat_properties'],
			...extra,
		});
		expect(res.status).toBe(200);
		return res.body.id as string;
	}

	async function startChat(body: Record<string, unknown> = {}) {
		const res = await agentAction('start_chat', { chat: { access: { group_ids: [groupId] }, ...body } });
		expect(res.status).toBe(200);
		return res.body as { chat_id: string; thread_id: string; event_ids?: string[] };
	}

	beforeEach(async () => {
		receiver = await new WebhookReceiver().start();
		sim = await new LiveChatSimulator({ timeScale: 0.0001 }).start();
		clientId = sim.createClient({ name: 'Relay', redirectUris: [REDIRECT], installed: true }).id;
		groupId = sim.createGroup({ name: 'Support' }).id;
		const created = sim.createAgent({ email: 'smith@example.com', name: 'Agent Smith', groupIds: [groupId] });
		basic = `Basic ${created.basic}`;
		agentId = created.agent.id;
		bearer = sim.issueAgentToken(agentId);
	});

	afterEach(async () => {
		await sim.stop();
		await receiver.stop();
	});

	test('secrets() lists every credential issued or registered: PAT (and its Basic form), agent and customer tokens, __lc_cst, webhook secret_key', async () => {
		await hook('incoming_event');
		const issued = await customerToken();
		const cookie = await cookieGrant();
		const cst = setCookies(cookie.headers).find((c) => c.startsWith('__lc_cst='))!.slice('__lc_cst='.length);
		const secrets = sim.secrets();
		for (const value of [basic.slice('Basic '.length), bearer, issued.access_token, cookie.body.access_token, cst, 'secret-incoming_event']) {
			expect(secrets).toContain(value);
		}
		const decoded = Buffer.from(basic.slice('Basic '.length), 'base64').toString('utf8');
		const pat = decoded.slice(decoded.indexOf(':') + 1);
		expect(secrets).toContain(pat);
	});

	describe('authentication', () => {
		test('personal access tokens as Basic and agent tokens as Bearer; LiveChat\'s 401 body otherwise', async () => {
			expect((await agentAction('list_chats')).status).toBe(200);
			expect((await api('/v3.6/agent/action/list_chats', {}, `Bearer ${bearer}`)).status).toBe(200);
			for (const auth of [null, 'Basic eDp5', `Bearer nope`, basic.replace(/.$/, 'A')]) {
				const res = await api('/v3.6/agent/action/list_chats', {}, auth);
				expect(res).toMatchObject({ status: 401, body: { error: { type: 'authentication', message: 'Invalid access token' } } });
			}
			expect((await agentAction('list_chats', {}, 'v3.1')).body).toEqual({
				error: { type: 'unsupported_version', message: 'Cannot call unsupported API versions.' },
			});
		});

		test('customer tokens from the agent-token grant: a new identity, or a new token for an existing one', async () => {
			const first = await customerToken();
			expect(first).toMatchObject({
				access_token: expect.stringMatching(/^dal:/),
				client_id: clientId,
				entity_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
				expires_in: 28800,
				token_type: 'Bearer',
				organization_id: sim.organizationId,
			});
			const again = await customerToken(first.entity_id);
			expect(again.entity_id).toBe(first.entity_id);
			expect(again.access_token).not.toBe(first.access_token);
			expect(sim.listCustomers()).toHaveLength(1);

			const grant = { grant_type: 'agent_token', client_id: clientId, response_type: 'token' };
			const unknownClient = await api('/v2/customer/token', { ...grant, client_id: 'x' }, `Bearer ${bearer}`);
			expect(unknownClient).toMatchObject({
				status: 401,
				body: { oauth_exception: 'unauthorized_client', exception_description: 'The client is not authorized to request a token using this method.' },
			});
			expect((await api('/v2/customer/token', grant, null)).status).toBe(401);
			expect((await api('/v2/customer/token', grant, 'Bearer dal:not-issued')).body.oauth_exception).toBe('invalid_grant');
			expect((await customerToken('not-a-customer')).oauth_exception).toBe('invalid_request');
			expect((await api('/v2/customer/token', { ...grant, grant_type: 'password' }, `Bearer ${bearer}`)).body.oauth_exception).toBe(
				'unsupported_grant_type',
			);
		});

		test('the agent-token grant refuses a personal access token (docs: every agent flow but PATs)', async () => {
			const res = await api('/v2/customer/token', { grant_type: 'agent_token', client_id: clientId, response_type: 'token' }, basic);
			expect(res).toMatchObject({ status: 401, body: { oauth_exception: 'invalid_request', exception_description: expect.stringMatching(/missing a required parameter/) } });
			expect(sim.listCustomers()).toEqual([]);
		});

		test('cookie grant: a new identity with its cookies, the same customer when they come back', async () => {
			const first = await cookieGrant();
			expect(first.status).toBe(200);
			expect(first.body).toEqual({
				access_token: expect.stringMatching(/^dal:/),
				entity_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
				expires_in: 28800,
				token_type: 'Bearer',
				organization_id: sim.organizationId,
			});
			const raw = ([] as string[]).concat(first.headers['set-cookie'] as string[]);
			expect(raw).toEqual([
				expect.stringMatching(/^__lc_cid=[0-9a-f-]{36}; Path=\/v2\/customer; Domain=accounts\.livechat\.com; Expires=.+; Max-Age=63072000; HttpOnly; Secure; SameSite=None$/),
				expect.stringMatching(/^__lc_cst=[0-9a-f]+; .*Max-Age=63072000; HttpOnly; Secure; SameSite=None$/),
			]);
			const cookie = setCookies(first.headers).join('; ');

			const again = await cookieGrant({}, { Cookie: cookie });
			expect(again.body.entity_id).toBe(first.body.entity_id);
			expect(again.body.access_token).not.toBe(first.body.access_token);
			expect(setCookies(again.headers).join('; ')).toBe(cookie);
			expect((await customerAction('get_customer', again.body.access_token)).body.id).toBe(first.body.entity_id);

			// Without the cookies (or with a forged secret cookie), another customer.
			expect((await cookieGrant()).body.entity_id).not.toBe(first.body.entity_id);
			const forged = cookie.replace(/__lc_cst=[0-9a-f]+/, '__lc_cst=00');
			expect((await cookieGrant({}, { Cookie: forged })).body.entity_id).not.toBe(first.body.entity_id);
			expect(sim.listCustomers()).toHaveLength(3);
		});

		test('cookie grant: organization_id required, redirect_uri one of the app\'s (the Origin header by default)', async () => {
			expect((await cookieGrant({ organization_id: undefined })).body.oauth_exception).toBe('invalid_request');
			expect((await cookieGrant({ organization_id: 'another-org' })).status).toBe(401);
			const wrong = await cookieGrant({ redirect_uri: 'https://n8n.example.com' });
			expect(wrong).toMatchObject({ status: 401, body: { oauth_exception: 'unauthorized_client', exception_details: 'invalid_redirect_uri' } });
			expect((await cookieGrant({ redirect_uri: undefined })).body.exception_details).toBe('invalid_redirect_uri');
			expect((await cookieGrant({ redirect_uri: undefined }, { Origin: REDIRECT })).status).toBe(200);
			const bare = sim.createClient({ name: 'No redirect URIs' }).id;
			expect((await cookieGrant({ client_id: bare })).body).toMatchObject({ oauth_exception: 'unauthorized_client', exception_details: 'redirect_uri_not_set' });
			expect((await cookieGrant({ client_id: 'nope' })).body.exception_details).toBe('client_id_not_found');
			expect((await cookieGrant({ response_type: 'code' })).body.oauth_exception).toBe('unsupported_response_type');
		});

		test('the Customer Chat API wants a customer token and the organization ID', async () => {
			const { access_token: token } = await customerToken();
			expect((await customerAction('get_customer', token)).status).toBe(200);
			expect((await customerAction('get_customer', token, {}, '')).body.error.message).toBe('organization_id is required');
			expect((await customerAction('get_customer', 'dal:agent-token')).status).toBe(401);
			expect((await api(`/v3.6/customer/action/get_customer?organization_id=${sim.organizationId}`, {}, basic)).status).toBe(401);
			const shortLived = await new LiveChatSimulator({ customerTokenTtlSec: 0 }).start();
			try {
				const cid = shortLived.createClient().id;
				const agent = shortLived.createAgent({ email: 'a@example.com' });
				const issued = await httpRequest(`${shortLived.accountsUrl}/v2/customer/token`, {
					method: 'POST',
					headers: { Authorization: `Bearer ${shortLived.issueAgentToken(agent.agent.id)}` },
					body: { grant_type: 'agent_token', client_id: cid, response_type: 'token' },
				});
				const expired = await httpRequest(
					`${shortLived.baseUrl}/v3.6/customer/action/get_customer?organization_id=${shortLived.organizationId}`,
					{ method: 'POST', headers: { Authorization: `Bearer ${issued.body.access_token}` }, body: {} },
				);
				expect(expired.status).toBe(401);
			} finally {
				await shortLived.stop();
			}
		});

		test('a rate limit answers 429 too_many_requests', async () => {
			const limited = await new LiveChatSimulator({ rateLimit: { requests: 2, windowMs: 60_000 } }).start();
			try {
				const agent = limited.createAgent({ email: 'a@example.com' });
				const call = () =>
					httpRequest(`${limited.baseUrl}/v3.6/agent/action/list_chats`, {
						method: 'POST',
						headers: { Authorization: `Basic ${agent.basic}` },
						body: {},
					});
				expect((await call()).status).toBe(200);
				expect((await call()).status).toBe(200);
				const third = await call();
				expect(third).toMatchObject({ status: 429, body: { error: { type: 'too_many_requests', message: 'Too many requests' } } });
				expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
			} finally {
				await limited.stop();
			}
		});
	});

	describe('chats', () => {
		test('start_chat: events by the requester, a customer among the users, registered properties only', async () => {
			const customer = sim.createCustomer({ name: 'Ada' });
			const unregistered = await agentAction('start_chat', { chat: { properties: { [clientId]: { external_id: '1' } } } });
			expect(unregistered).toMatchObject({ status: 400, body: { error: { type: 'validation', message: `Property ${clientId}.external_id is not registered` } } });
			expect((await config('register_property', { name: 'external_id', type: 'string', access: { chat: { agent: ['read', 'write'] } } })).status).toBe(200);
			const twice = await config('register_property', { name: 'external_id', type: 'string', access: { chat: { agent: ['read'] } } });
			expect(twice.body.error.type).toBe('already_exists');
			expect((await agentAction('start_chat', { chat: { properties: { [clientId]: { external_id: 1 } } } })).body.error.message).toMatch(
				/must be of type string/,
			);

			const started = await startChat({
				properties: { [clientId]: { external_id: 'conv-1' } },
				users: [{ id: customer.id, type: 'customer' }],
				thread: { events: [{ type: 'message', text: 'Bot: hi', custom_id: 'n8n-handoff:1' }] },
			});
			expect(started.chat_id).toMatch(/^[A-Z0-9]{10}$/);
			expect(started.event_ids).toEqual([`${started.thread_id}_1`]);
			const chat = (await agentAction('get_chat', { chat_id: started.chat_id })).body;
			expect(chat).toMatchObject({
				id: started.chat_id,
				properties: { [clientId]: { external_id: 'conv-1' } },
				access: { group_ids: [groupId] },
				thread: {
					id: started.thread_id,
					active: true,
					events: [{ type: 'message', text: 'Bot: hi', author_id: agentId, custom_id: 'n8n-handoff:1', visibility: 'all' }],
				},
			});
			expect(chat.thread.events[0].created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
			expect(chat.users.map((u: { id: string; type: string }) => [u.id, u.type])).toEqual([
				[agentId, 'agent'],
				[customer.id, 'customer'],
			]);
			const two = await agentAction('start_chat', {
				chat: { users: [{ id: customer.id, type: 'customer' }, { id: sim.createCustomer().id, type: 'customer' }] },
			});
			expect(two.body.error.message).toBe('Only 1 customer allowed');
		});

		test('list_chats filters by state, group and property, and pages with page_id alone', async () => {
			await config('register_property', { name: 'external_id', type: 'string', access: { chat: { agent: ['read', 'write'] } } });
			const a = await startChat({ properties: { [clientId]: { external_id: 'a' } } });
			const b = await startChat({ properties: { [clientId]: { external_id: 'b' } } });
			await startChat();
			await agentAction('deactivate_chat', { id: b.chat_id });
			const byProperty = await agentAction('list_chats', {
				filters: { properties: { [clientId]: { external_id: { values: ['a', 'b'] } } }, active: true },
			});
			expect(byProperty.body.chats_summary.map((c: { id: string }) => c.id)).toEqual([a.chat_id]);
			expect(byProperty.body.chats_summary[0].last_thread_summary).toMatchObject({ active: true });

			const first = await agentAction('list_chats', { limit: 2, sort_order: 'asc' });
			expect(first.body).toMatchObject({ found_chats: 3, next_page_id: expect.any(String) });
			expect(first.body.chats_summary).toHaveLength(2);
			const second = await agentAction('list_chats', { page_id: first.body.next_page_id });
			expect(second.body.chats_summary).toHaveLength(1);
			expect(second.body.next_page_id).toBeUndefined();
			const mixed = await agentAction('list_chats', { page_id: first.body.next_page_id, limit: 5 });
			expect(mixed.body.error.type).toBe('validation');
			expect((await agentAction('list_chats', { limit: 101 })).status).toBe(400);
		});

		test('send_event: the author must be in the chat, the thread active, files on the CDN, texts up to 16 KB', async () => {
			const { chat_id } = await startChat();
			expect((await agentAction('send_event', { chat_id, event: { type: 'message', text: 'hi' } })).body).toEqual({
				event_id: expect.stringMatching(/_2$|_1$/),
			});
			const long = await agentAction('send_event', { chat_id, event: { type: 'message', text: 'x'.repeat(16 * 1024 + 1) } });
			expect(long.body.error.type).toBe('validation');
			const elsewhere = await agentAction('send_event', { chat_id, event: { type: 'file', url: 'https://example.com/a.png' } });
			expect(elsewhere.body.error.message).toBe('event.url has to point to the LiveChat CDN');
			const card = await agentAction('send_event', {
				chat_id,
				event: { type: 'rich_message', template_id: 'cards', elements: [{ title: 'T', image: { url: 'https://example.com/a.png' } }] },
			});
			expect(card.status).toBe(200);

			const other = sim.createAgent({ email: 'jones@example.com' });
			const notIn = await api('/v3.6/agent/action/send_event', { chat_id, event: { type: 'message', text: 'x' } }, `Basic ${other.basic}`);
			expect(notIn.body).toEqual({ error: { type: 'validation', message: 'Author is not present in the chat' } });

			await agentAction('deactivate_chat', { id: chat_id });
			const inactive = await agentAction('send_event', { chat_id, event: { type: 'message', text: 'x' } });
			expect(inactive).toMatchObject({ status: 400, body: { error: { type: 'chat_inactive', message: 'Chat is inactive' } } });
			expect((await agentAction('get_chat', { chat_id: 'NOPE' })).status).toBe(404);
		});

		test('upload_file stores a file on the CDN that a file event can point to', async () => {
			const { chat_id } = await startChat();
			const boundary = '----sim';
			const body = Buffer.concat([
				Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="label.png"\r\nContent-Type: image/png\r\n\r\n`),
				Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]),
				Buffer.from(`\r\n--${boundary}--\r\n`),
			]);
			expect(parseMultipartFile(body, `multipart/form-data; boundary=${boundary}`)).toMatchObject({ name: 'label.png', contentType: 'image/png' });
			const uploaded = await httpRequest(`${sim.baseUrl}/v3.6/agent/action/upload_file`, {
				method: 'POST',
				headers: { Authorization: basic, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
				body: body.toString('latin1'),
			});
			expect(uploaded.body.url).toMatch(new RegExp(`^${sim.baseUrl}/cdn/[a-z0-9]{16}/label.png$`));
			const sent = await agentAction('send_event', { chat_id, event: { type: 'file', url: uploaded.body.url, alternative_text: 'Label' } });
			expect(sent.status).toBe(200);
			const event = (await agentAction('get_chat', { chat_id })).body.thread.events.pop();
			expect(event).toMatchObject({ type: 'file', name: 'label.png', content_type: 'image/png', alternative_text: 'Label', url: uploaded.body.url });
			const json = await agentAction('upload_file', {});
			expect(json.body.error.message).toBe('upload_file needs multipart/form-data');
		});

		test('bots write through X-Author-Id on v3.5 only (v3.6 removed it), once they are in the chat', async () => {
			const bot = sim.createBot({ name: 'Relay bot', clientId });
			const { chat_id } = await startChat();
			const headers = { 'X-Author-Id': bot.id };
			const v36 = await agentAction('send_event', { chat_id, event: { type: 'message', text: 'x' } }, 'v3.6', headers);
			expect(v36.body.error.message).toBe('X-Author-Id header is not supported in this API version');
			const notIn = await agentAction('send_event', { chat_id, event: { type: 'message', text: 'x' } }, 'v3.5', headers);
			expect(notIn.body.error.message).toBe('Author is not present in the chat');
			const added = await agentAction(
				'add_user_to_chat',
				{ chat_id, user_id: bot.id, user_type: 'agent', visibility: 'all', ignore_requester_presence: true },
				'v3.5',
				headers,
			);
			expect(added.status).toBe(200);
			const sent = await agentAction('send_event', { chat_id, event: { type: 'message', text: 'beep' } }, 'v3.5', headers);
			expect(sent.status).toBe(200);
			const last = (await agentAction('get_chat', { chat_id })).body.thread.events.pop();
			expect(last).toMatchObject({ author_id: bot.id, text: 'beep' });
			expect((await agentAction('send_event', { chat_id, event: { type: 'message', text: 'x' } }, 'v3.5', { 'X-Author-Id': 'nobody' })).status).toBe(404);
		});

		test('customers write through the Customer Chat API, only in their chats, and send no cards', async () => {
			const { access_token: token, entity_id: customerId } = await customerToken();
			await customerAction('update_customer', token, { name: 'Ada Lovelace', email: 'ada@example.com' });
			expect(sim.getCustomer(customerId)).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com' });
			const { chat_id } = await startChat({ users: [{ id: customerId, type: 'customer' }] });
			const sent = await customerAction('send_event', token, { chat_id, event: { type: 'message', text: 'From the customer' } });
			expect(sent.status).toBe(200);
			const card = await customerAction('send_event', token, { chat_id, event: { type: 'rich_message', template_id: 'cards' } });
			expect(card.body.error.type).toBe('validation');
			const other = await customerToken();
			expect((await customerAction('send_event', other.access_token, { chat_id, event: { type: 'message', text: 'x' } })).body.error.message).toBe(
				'Author is not present in the chat',
			);
			expect((await customerAction('list_chats', token)).body.chats_summary.map((c: { id: string }) => c.id)).toEqual([chat_id]);
		});

		test('transfer_chat: to an available agent of the group, or the queue when allowed; LiveChat\'s error otherwise', async () => {
			const { chat_id } = await startChat();
			const quiet = sim.createGroup({ name: 'Nights' });
			const refused = await agentAction('transfer_chat', { id: chat_id, target: { type: 'group', ids: [quiet.id] } });
			expect(refused.body).toEqual({ error: { type: 'validation', message: 'Cannot assign any agent from requested groups' } });
			const queued = await agentAction('transfer_chat', {
				id: chat_id,
				target: { type: 'group', ids: [quiet.id] },
				ignore_agents_availability: true,
			});
			expect(queued.status).toBe(200);
			const chat = (await agentAction('get_chat', { chat_id })).body;
			expect(chat.thread.queue).toMatchObject({ position: 1, wait_time: expect.any(Number), queued_at: expect.any(String) });
			expect(chat.access.group_ids).toEqual([quiet.id]);
			// The requester left the chat with the transfer.
			const again = await agentAction('transfer_chat', { id: chat_id, target: { type: 'group', ids: [groupId] } });
			expect(again.body.error.message).toBe('Requester is not present in the chat');
			const back = await agentAction('transfer_chat', { id: chat_id, target: { type: 'group', ids: [groupId] }, ignore_requester_presence: true });
			expect(back.status).toBe(200);
			expect((await agentAction('get_chat', { chat_id })).body.thread.queue).toBeUndefined();
		});

		test('deactivate_chat closes the thread; resume_chat opens a new one', async () => {
			const { chat_id, thread_id } = await startChat();
			expect((await agentAction('resume_chat', { chat: { id: chat_id } })).body.error.message).toBe('Chat is already active');
			expect((await agentAction('deactivate_chat', { id: chat_id })).status).toBe(200);
			expect((await agentAction('deactivate_chat', { id: chat_id })).body.error.type).toBe('chat_inactive');
			const resumed = await agentAction('resume_chat', { chat: { id: chat_id, thread: { events: [{ type: 'message', text: 'again' }] } } });
			expect(resumed.body).toEqual({ thread_id: expect.any(String), event_ids: [expect.any(String)] });
			const chat = sim.getChat(chat_id) as { threads: Array<{ id: string; active: boolean; previous_thread_id?: string }> };
			expect(chat.threads.map((t) => t.active)).toEqual([false, true]);
			expect(chat.threads[1].previous_thread_id).toBe(thread_id);
		});
	});

	describe('webhooks', () => {
		test('register / list (no secrets) / unregister, 3 per action and Client ID, filters checked', async () => {
			const ids = [await hook('incoming_event', { url: receiver.url('/1') }), await hook('incoming_event', { url: receiver.url('/2') }), await hook('incoming_event', { url: receiver.url('/3') })];
			const fourth = await config('register_webhook', { action: 'incoming_event', secret_key: 's', url: receiver.url('/4'), type: 'license' });
			expect(fourth.body.error.type).toBe('limit_reached');
			const listed = (await config('list_webhooks')).body;
			expect(listed.map((w: { id: string }) => w.id)).toEqual(ids);
			expect(listed[0]).not.toHaveProperty('secret_key');
			expect((await config('register_webhook', { action: 'chat_deactivated', secret_key: 's', url: receiver.url(), type: 'license', filters: { author_type: 'agent' } })).body.error.message).toMatch(
				/only for incoming_event/,
			);
			expect((await config('register_webhook', { action: 'nope', secret_key: 's', url: receiver.url(), type: 'license' })).status).toBe(400);
			expect((await api('/v3.6/configuration/action/list_webhooks', { owner_client_id: 'not-ours' })).body.error.message).toMatch(/owned by your organization/);
			expect((await config('unregister_webhook', { id: ids[0] })).status).toBe(200);
			expect((await config('unregister_webhook', { id: ids[0] })).status).toBe(404);
		});

		test('license webhooks fire once the app is installed, not while disabled; deliveries carry secret_key, organization_id and chat properties', async () => {
			clientId = sim.createClient({ name: 'Not installed yet' }).id;
			await config('register_property', { name: 'external_id', type: 'string', access: { chat: { agent: ['read', 'write'] } } });
			const webhookId = await hook('incoming_chat');
			// Enabling does not stand in for the installation.
			await config('enable_license_webhooks');
			await startChat();
			await sim.idle();
			expect(receiver.requests).toHaveLength(0);
			expect((await config('get_license_webhooks_state')).body).toEqual({ license_webhooks_enabled: false });

			expect((await httpRequest(`${sim.controlUrl}/clients/${clientId}/install`, { method: 'POST' })).status).toBe(200);
			expect((await config('get_license_webhooks_state')).body).toEqual({ license_webhooks_enabled: true });
			await config('disable_license_webhooks');
			await startChat();
			await sim.idle();
			expect(receiver.requests).toHaveLength(0);
			await config('enable_license_webhooks');
			expect(sim.licenseWebhooksEnabled(clientId)).toBe(true);
			const { chat_id } = await startChat({ properties: { [clientId]: { external_id: 'conv-2' } } });
			await sim.idle();
			expect(receiver.requests).toHaveLength(1);
			expect(receiver.requests[0].body).toMatchObject({
				webhook_id: webhookId,
				secret_key: 'secret-incoming_chat',
				action: 'incoming_chat',
				organization_id: sim.organizationId,
				payload: { chat: { id: chat_id, thread: { active: true } } },
				additional_data: { chat_properties: { [clientId]: { external_id: 'conv-2' } } },
			});
		});

		test('author_type filters incoming_event; deactivation and transfers carry LiveChat\'s payloads', async () => {
			await hook('incoming_event', { filters: { author_type: 'agent' } });
			await hook('chat_deactivated');
			await hook('chat_transferred');
			const customer = sim.createCustomer();
			const { chat_id, thread_id } = await startChat({ users: [{ id: customer.id, type: 'customer' }] });
			sim.customerSays(chat_id, 'from the customer');
			sim.agentSays(chat_id, agentId, 'from the agent');
			sim.transfer(chat_id, { groupId: sim.createGroup({ name: 'Empty' }).id, requesterId: agentId });
			sim.deactivate(chat_id);
			await sim.idle();
			const byPath = (p: string) => receiver.requests.filter((r) => r.path === p).map((r) => r.body);
			expect(byPath('/incoming_event').map((b) => b.payload.event.text)).toEqual(['from the agent']);
			expect(byPath('/chat_transferred')[0].payload).toEqual({
				chat_id,
				thread_id,
				requester_id: agentId,
				reason: 'manual',
				transferred_to: { group_ids: [expect.any(Number)], agent_ids: [] },
				queue: { position: 1, wait_time: 60, queued_at: expect.any(String) },
			});
			// Closed by the router: no user_id.
			expect(byPath('/chat_deactivated')[0].payload).toEqual({ chat_id, thread_id });
		});

		test('retries a delivery 3 times within about a minute, until a 200 (other 2xx count as failures)', async () => {
			await hook('incoming_event');
			receiver.responder = (_request, index) => (index < 2 ? 500 : 200);
			const { chat_id } = await startChat();
			sim.agentSays(chat_id, agentId, 'retry me');
			await sim.idle();
			const attempts = sim.getDeliveries();
			expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
				[1, 500],
				[2, 500],
				[3, 200],
			]);
			expect(attempts[0].retryInMs).toBeCloseTo(10_000 * 0.0001);
			expect(attempts[1].retryInMs).toBeCloseTo(20_000 * 0.0001);
			expect(new Set(attempts.map((a) => a.deliveryId)).size).toBe(1);

			receiver.responder = () => 204;
			sim.agentSays(chat_id, agentId, 'never delivered');
			await sim.idle(20_000);
			const failed = sim.getDeliveries().filter((a) => a.body.payload.event.text === 'never delivered');
			expect(failed.map((a) => a.status)).toEqual([204, 204, 204, 204]);
			expect(failed[3].gaveUp).toBe(true);
			// The three waits add up to a minute (scaled).
			expect(failed.slice(0, 3).reduce((sum, a) => sum + (a.retryInMs ?? 0), 0)).toBeCloseTo(60_000 * 0.0001);
		});

		test('a receiver slower than the timeout counts as a failed attempt', async () => {
			const slow = await new LiveChatSimulator({ timeScale: 0.0001, hookTimeoutMs: 50, retryScheduleMs: [1000] }).start();
			const http = await import('http');
			const server = http.createServer((_req, res) => setTimeout(() => res.end('late'), 300));
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			try {
				const cid = slow.createClient({ installed: true }).id;
				const agent = slow.createAgent({ email: 'a@example.com' });
				const port = (server.address() as { port: number }).port;
				const call = (action: string, body: unknown) =>
					httpRequest(`${slow.baseUrl}/v3.6/${action}`, { method: 'POST', headers: { Authorization: `Basic ${agent.basic}` }, body });
				await call('configuration/action/register_webhook', {
					action: 'incoming_chat', secret_key: 's', url: `http://127.0.0.1:${port}/`, type: 'license', owner_client_id: cid,
				});
				await call('agent/action/start_chat', {});
				await slow.idle();
				const attempts = slow.getDeliveries();
				expect(attempts).toHaveLength(2);
				expect(attempts[0].error).toMatch(/timeout/);
				expect(attempts[1].gaveUp).toBe(true);
			} finally {
				await slow.stop();
				server.closeAllConnections();
				await new Promise((resolve) => server.close(resolve));
			}
		});
	});

	describe('configuration and control', () => {
		test('groups, agents and bots lists; properties register, publish and list', async () => {
			sim.createBot({ name: 'Relay bot' });
			expect((await config('list_groups')).body).toEqual([
				{ id: 0, name: 'General', language_code: 'en', routing_status: 'accepting_chats' },
				{ id: groupId, name: 'Support', language_code: 'en', routing_status: 'accepting_chats' },
			]);
			expect((await config('list_agents')).body).toEqual([
				expect.objectContaining({ id: agentId, name: 'Agent Smith', login_status: 'accepting chats' }),
			]);
			expect((await config('list_bots', { all: true })).body).toEqual([{ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'Relay bot' }]);
			await config('register_property', { name: 'external_id', type: 'string', access: { chat: { agent: ['read', 'write'] } }, description: 'd' });
			await config('publish_property', { name: 'external_id', access_type: ['read', 'write'] });
			expect((await config('list_properties')).body).toEqual({
				external_id: { type: 'string', description: 'd', access: { chat: { agent: ['read', 'write'] } }, public_access: ['read', 'write'] },
			});
			expect((await config('publish_property', { name: 'nope', access_type: ['read'] })).status).toBe(404);
		});

		test('storeFile() puts a file on the CDN, as an agent attaching a file does; the control route too', async () => {
			const customer = sim.createCustomer({ name: 'Ada' });
			const chat = sim.customerStartsChat(customer.id, { groupId, text: 'Hi' });
			const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 9, 9]);
			const url = sim.storeFile({ name: 'label.png', contentType: 'image/png', data: png });
			expect(url).toMatch(new RegExp(`^${sim.baseUrl}/cdn/[a-z0-9]{16}/label.png$`));
			const got = await fetch(url);
			expect(got.headers.get('content-type')).toBe('image/png');
			expect(Buffer.from(await got.arrayBuffer())).toEqual(png);
			const event = sim.agentSays(String(chat.id), agentId, { file: { url, name: 'label.png', content_type: 'image/png' } });
			expect(event).toMatchObject({ type: 'file', url, content_type: 'image/png', size: png.length, thumbnail_url: url });
			// Elsewhere than on the CDN, LiveChat refuses a file event.
			expect(() => sim.agentSays(String(chat.id), agentId, { file: { url: 'https://example.com/a.png' } })).toThrow(/LiveChat CDN/);

			const stored = await httpRequest(`${sim.controlUrl}/files`, {
				method: 'POST',
				body: { name: 'terms.pdf', content_type: 'application/pdf', base64: Buffer.from('%PDF').toString('base64') },
			});
			expect(stored.status).toBe(201);
			expect(await (await fetch(stored.body.url)).text()).toBe('%PDF');
			expect((await httpRequest(`${sim.controlUrl}/files`, { method: 'POST', body: {} })).status).toBe(400);
		});

		test('the HTTP control API drives the same state', async () => {
			const control = (method: string, path: string, body?: unknown) => httpRequest(`${sim.controlUrl}${path}`, { method, body });
			expect((await control('GET', '')).body.routes).toEqual(LiveChatSimulator.controlRoutes);
			const customer = (await control('POST', '/customers', { name: 'Ada' })).body;
			const chat = (await control('POST', `/customers/${customer.id}/start_chat`, { groupId, text: 'Hi' })).body;
			expect(chat.users.map((u: { type: string }) => u.type).sort()).toEqual(['agent', 'customer']);
			expect((await control('POST', `/chats/${chat.id}/agent_says`, { agentId, text: 'Hello' })).status).toBe(201);
			expect((await control('POST', `/chats/${chat.id}/agent_says`, { agentId, file: { url: 'https://cdn.livechat-files.com/a.png', content_type: 'image/png' } })).status).toBe(201);
			expect((await control('POST', `/chats/${chat.id}/customer_says`, { text: 'Thanks' })).status).toBe(201);
			expect((await control('POST', `/chats/${chat.id}/deactivate`, { agentId })).status).toBe(200);
			const stored = (await control('GET', `/chats/${chat.id}`)).body;
			expect(stored.threads[0].events.map((e: { type: string }) => e.type)).toEqual(['message', 'message', 'file', 'message']);
			expect((await control('GET', '/calls')).body).toEqual([]);
			expect((await control('POST', '/reset')).body).toEqual({ success: true });
			expect((await control('GET', '/chats')).body).toEqual([]);
			expect((await control('GET', '/nope')).status).toBe(404);
		});
	});
});
