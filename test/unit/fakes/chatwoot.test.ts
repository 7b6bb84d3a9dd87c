/**
 * The Chatwoot simulator behaves as docs/platforms/chatwoot.md (from the project's Chatwoot fact
 * sheet and chatwoot/chatwoot's source) describes: what a client of the Application API, the client
 * API and the webhooks would see.
 */
import * as crypto from 'crypto';
import { ChatwootSimulator } from '../../fakes/chatwoot';
import type { ChatwootSeed } from '../../fakes/chatwoot';
import { WebhookReceiver } from '../../fakes/receiver';
import type { ReceivedRequest } from '../../fakes/receiver';
import { httpRequest } from '../../fakes/http';

/** Independent of the simulator: how a receiver checks X-Chatwoot-Signature. */
function verifies(request: ReceivedRequest, secret: string): boolean {
	const timestamp = String(request.headers['x-chatwoot-timestamp'] ?? '');
	const given = String(request.headers['x-chatwoot-signature'] ?? '');
	const expected = `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${request.rawBody}`).digest('hex')}`;
	return given.length === expected.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

describe('ChatwootSimulator', () => {
	let sim: ChatwootSimulator;
	let receiver: WebhookReceiver;
	let seed: ChatwootSeed;
	let A: string;

	const api = (method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}) =>
		httpRequest(`${sim.baseUrl}${path}`, { method, headers: { ...(token ? { api_access_token: token } : {}), ...headers }, body });

	const byPath = (path: string) => (r: ReceivedRequest) => r.path === path;
	/** Deliveries run concurrently (Sidekiq): their arrival order is not promised, so compare sorted. */
	const events = (path: string) => receiver.requests.filter(byPath(path)).map((r) => String(r.body.event)).sort();

	async function start(options: ConstructorParameters<typeof ChatwootSimulator>[0] = {}, botUrl?: string) {
		sim = await new ChatwootSimulator({ timeScale: 0.001, ...options }).start();
		seed = sim.seedAccount({ webhookUrl: receiver.url('/inbox'), botUrl });
		A = `/api/v1/accounts/${seed.accountId}`;
	}

	async function subscribe(subscriptions: string[], path = '/account') {
		const res = await api('POST', `${A}/webhooks`, seed.userToken, { url: receiver.url(path), name: 'relay', subscriptions });
		expect(res.status).toBe(200);
		return res.body.payload.webhook;
	}

	async function newApiConversation(body: Record<string, unknown> = {}) {
		const contact = await api('POST', `${A}/contacts`, seed.userToken, { inbox_id: seed.apiInbox.id, name: 'Carla', identifier: `ext-${crypto.randomUUID()}` });
		const sourceId = contact.body.payload.contact_inbox.source_id;
		const conv = await api('POST', `${A}/conversations`, seed.userToken, { source_id: sourceId, inbox_id: seed.apiInbox.id, ...body });
		expect(conv.status).toBe(200);
		return { contactId: contact.body.payload.contact.id as number, sourceId: sourceId as string, conversationId: conv.body.id as number };
	}

	beforeEach(async () => {
		receiver = await new WebhookReceiver().start();
	});

	afterEach(async () => {
		await sim.stop();
		await receiver.stop();
	});

	describe('authentication', () => {
		beforeEach(() => start({}, receiver.url('/bot')));

		test('a user token reads /api/v1/profile with its accounts; a wrong or missing token is 401', async () => {
			const profile = await api('GET', '/api/v1/profile', seed.userToken);
			expect(profile.status).toBe(200);
			expect(profile.body).toMatchObject({ id: seed.admin.id, email: 'ada@example.com', accounts: [{ id: seed.accountId, role: 'administrator' }] });
			expect(await api('GET', '/api/v1/profile', 'nope')).toMatchObject({ status: 401, body: { error: 'Invalid Access Token' } });
			expect((await api('GET', `${A}/agents`, null)).status).toBe(401);
			expect((await api('GET', `/api/v1/accounts/${seed.accountId}/profile`, seed.userToken)).status).toBe(404);
		});

		test('an agent-bot token may post messages and change status, not read history or the profile', async () => {
			const { conversationId } = await newApiConversation();
			const bot = seed.bot!.accessToken;
			const posted = await api('POST', `${A}/conversations/${conversationId}/messages`, bot, { content: 'Hi, I am the bot' });
			expect(posted.status).toBe(200);
			expect(posted.body).toMatchObject({ message_type: 1, sender: { id: seed.bot!.id, type: 'agent_bot' } });
			expect((await api('POST', `${A}/conversations/${conversationId}/toggle_status`, bot, { status: 'open' })).body.payload.current_status).toBe('open');
			const forbidden = { status: 401, body: { error: 'Access to this endpoint is not authorized for bots' } };
			expect(await api('GET', `${A}/conversations/${conversationId}/messages`, bot)).toMatchObject(forbidden);
			expect(await api('GET', '/api/v1/profile', bot)).toMatchObject(forbidden);
			expect(await api('GET', `${A}/contacts/search?q=x`, bot)).toMatchObject(forbidden);
		});

		test('another account is refused; agents are not administrators', async () => {
			const other = sim.createAccount({ name: 'Other' });
			expect((await api('GET', `/api/v1/accounts/${other.id}/agents`, seed.userToken)).status).toBe(401);
			const agent = seed.agents[0].accessToken;
			expect((await api('GET', `${A}/agents`, agent)).status).toBe(200);
			expect(await api('GET', `${A}/webhooks`, agent)).toMatchObject({ status: 401, body: { error: 'You are not authorized to do this action' } });
		});
	});

	describe('contacts, conversations, dropdowns', () => {
		beforeEach(() => start());

		test('a contact made with inbox_id, identifier and custom attributes has a source id; search and get find it', async () => {
			const res = await api('POST', `${A}/contacts`, seed.userToken, {
				inbox_id: seed.apiInbox.id,
				name: 'Carla Customer',
				email: 'Carla@Example.com',
				identifier: 'crm-42',
				custom_attributes: { plan: 'gold' },
			});
			expect(res.status).toBe(200);
			const { contact, contact_inbox } = res.body.payload;
			expect(contact).toMatchObject({ name: 'Carla Customer', email: 'carla@example.com', identifier: 'crm-42', custom_attributes: { plan: 'gold' } });
			expect(contact_inbox.source_id).toEqual(expect.any(String));
			expect(contact.contact_inboxes).toEqual([expect.objectContaining({ source_id: contact_inbox.source_id, inbox: expect.objectContaining({ id: seed.apiInbox.id }) })]);

			const search = await api('GET', `${A}/contacts/search?q=crm-42`, seed.userToken);
			expect(search.body.meta.count).toBe(1);
			expect(search.body.payload[0].id).toBe(contact.id);
			expect((await api('GET', `${A}/contacts/search?q=nobody`, seed.userToken)).body.payload).toEqual([]);
			expect((await api('GET', `${A}/contacts/${contact.id}`, seed.userToken)).body.payload.id).toBe(contact.id);
			expect((await api('GET', `${A}/contacts/999`, seed.userToken))).toMatchObject({ status: 404, body: { error: 'Resource could not be found' } });

			const again = await api('POST', `${A}/contacts`, seed.userToken, { inbox_id: seed.apiInbox.id, identifier: 'crm-42' });
			expect(again).toMatchObject({ status: 422, body: { attributes: ['identifier'] } });

			const web = await api('POST', `${A}/contacts/${contact.id}/contact_inboxes`, seed.userToken, { inbox_id: seed.webInbox.id });
			expect(web.body).toMatchObject({ source_id: expect.any(String), inbox: { id: seed.webInbox.id } });
		});

		test('a conversation is created with status, assignee, team, custom attributes and a first message; its id is the display id', async () => {
			const { contactId, sourceId } = await newApiConversation();
			const res = await api('POST', `${A}/conversations`, seed.userToken, {
				source_id: sourceId,
				inbox_id: seed.apiInbox.id,
				contact_id: contactId,
				status: 'pending',
				assignee_id: seed.agents[0].id,
				team_id: seed.team.id,
				custom_attributes: { ticket: 'T-1' },
				message: { content: 'Handing you over' },
			});
			expect(res.status).toBe(200);
			expect(res.body).toMatchObject({
				id: 2,
				status: 'pending',
				inbox_id: seed.apiInbox.id,
				custom_attributes: { ticket: 'T-1' },
				meta: { sender: { id: contactId, type: 'contact' }, assignee: { id: seed.agents[0].id }, team: { id: seed.team.id } },
			});
			const messages = sim.getMessages(res.body.id);
			expect(messages.map((m) => [m.content, m.message_type, m.sender?.type])).toEqual([['Handing you over', 1, 'user']]);
			expect((await api('GET', `${A}/conversations/${res.body.id}`, seed.userToken)).body.status).toBe('pending');
			const listed = await api('GET', `${A}/contacts/${contactId}/conversations`, seed.userToken);
			expect(listed.body.payload.map((c: { id: number }) => c.id).sort()).toEqual([1, 2]);
		});

		test('custom attributes change through POST …/custom_attributes; PATCH only takes the priority', async () => {
			const { conversationId } = await newApiConversation({ custom_attributes: { a: 1 } });
			await api('PATCH', `${A}/conversations/${conversationId}`, seed.userToken, { custom_attributes: { b: 2 }, priority: 'high' });
			expect(sim.getConversation(conversationId)).toMatchObject({ custom_attributes: { a: 1 }, priority: 'high' });
			const merged = await api('POST', `${A}/conversations/${conversationId}/custom_attributes`, seed.userToken, { custom_attributes: { b: 2 }, merge: true });
			expect(merged.body.custom_attributes).toEqual({ a: 1, b: 2 });
			await api('POST', `${A}/conversations/${conversationId}/custom_attributes`, seed.userToken, { custom_attributes: { c: 3 } });
			expect(sim.getConversation(conversationId)!.custom_attributes).toEqual({ c: 3 });
		});

		test('agents, teams and inboxes (with channel type; the API inbox with its identifier and webhook_url)', async () => {
			const agents = await api('GET', `${A}/agents`, seed.userToken);
			expect(agents.body.map((a: { email: string }) => a.email).sort()).toEqual(['ada@example.com', 'alice@example.com', 'bob@example.com']);
			expect((await api('GET', `${A}/teams`, seed.userToken)).body).toEqual([expect.objectContaining({ id: seed.team.id, name: 'Support' })]);
			const inboxes = (await api('GET', `${A}/inboxes`, seed.userToken)).body.payload;
			expect(inboxes).toEqual([
				expect.objectContaining({ id: seed.apiInbox.id, channel_type: 'Channel::Api', inbox_identifier: seed.apiInbox.identifier, webhook_url: receiver.url('/inbox') }),
				expect.objectContaining({ id: seed.webInbox.id, channel_type: 'Channel::WebWidget' }),
			]);
		});

		test('toggle_status: without a status open ↔ resolved; open, pending, snoozed as asked; anything else 422', async () => {
			const { conversationId } = await newApiConversation();
			const toggle = (body: unknown) => api('POST', `${A}/conversations/${conversationId}/toggle_status`, seed.userToken, body);
			expect((await toggle({})).body).toEqual({ meta: {}, payload: { success: true, conversation_id: conversationId, current_status: 'resolved', snoozed_until: null } });
			expect((await toggle({})).body.payload.current_status).toBe('open');
			expect((await toggle({ status: 'pending' })).body.payload.current_status).toBe('pending');
			expect((await toggle({ status: 'snoozed' })).body.payload.current_status).toBe('snoozed');
			expect((await toggle({ status: 'closed' })).status).toBe(422);
			expect(sim.getConversation(conversationId)!.status).toBe('snoozed');
		});

		test('assignments take an agent or a team; the history shows activity messages for them', async () => {
			const { conversationId } = await newApiConversation();
			const agent = await api('POST', `${A}/conversations/${conversationId}/assignments`, seed.userToken, { assignee_id: seed.agents[1].id });
			expect(agent.body).toMatchObject({ id: seed.agents[1].id, name: 'Bob Agent', role: 'agent' });
			const team = await api('POST', `${A}/conversations/${conversationId}/assignments`, seed.userToken, { team_id: seed.team.id });
			expect(team.body).toMatchObject({ id: seed.team.id, name: 'Support' });
			expect(sim.getConversation(conversationId)!.meta).toMatchObject({ assignee: { id: seed.agents[1].id }, team: { id: seed.team.id } });
			const history = (await api('GET', `${A}/conversations/${conversationId}/messages`, seed.userToken)).body.payload;
			expect(history.filter((m: { message_type: number }) => m.message_type === 2).map((m: { content: string }) => m.content)).toEqual([
				'Assigned to Bob Agent by Ada Admin',
				'Assigned to Support team by Ada Admin',
			]);
		});
	});

	describe('messages', () => {
		beforeEach(() => start());

		test('incoming is allowed only in API-channel inboxes; outgoing is the token owner; notes are private', async () => {
			const { conversationId, contactId } = await newApiConversation();
			const incoming = await api('POST', `${A}/conversations/${conversationId}/messages`, seed.userToken, { content: 'from the customer', message_type: 'incoming' });
			expect(incoming.body).toMatchObject({ message_type: 0, sender: { id: contactId, type: 'contact' } });
			const note = await api('POST', `${A}/conversations/${conversationId}/messages`, seed.userToken, { content: 'internal', private: true });
			expect(note.body).toMatchObject({ message_type: 1, private: true, sender: { id: seed.admin.id, type: 'user' } });

			const web = sim.customerWrites(seed.accountId, { inboxId: seed.webInbox.id, name: 'Wendy', content: 'Hi from the widget' });
			const refused = await api('POST', `${A}/conversations/${web.conversationId}/messages`, seed.userToken, { content: 'x', message_type: 'incoming' });
			expect(refused).toMatchObject({ status: 422, body: { error: 'Incoming messages are only allowed in Api inboxes' } });
			expect((await api('POST', `${A}/conversations/${web.conversationId}/messages`, seed.userToken, { content: 'reply' })).status).toBe(200);
			// A conversation whose first message is refused is not created (one transaction).
			const before = (await api('GET', `${A}/contacts/${web.contactId}/conversations`, seed.userToken)).body.payload.length;
			const conv = await api('POST', `${A}/conversations`, seed.userToken, {
				inbox_id: seed.webInbox.id,
				contact_id: web.contactId,
				message: { content: 'x', message_type: 'incoming' },
			});
			expect(conv.status).toBe(422);
			expect((await api('GET', `${A}/contacts/${web.contactId}/conversations`, seed.userToken)).body.payload).toHaveLength(before);
		});

		test('history: latest 20; before= the 20 older; after= at most 100 newer; filter_internal_messages drops notes and activity', async () => {
			const { conversationId } = await newApiConversation();
			const ids: number[] = [];
			for (let i = 1; i <= 130; i++) {
				const res = await api('POST', `${A}/conversations/${conversationId}/messages`, seed.userToken, { content: `m${i}`, private: i === 130 });
				ids.push(res.body.id);
			}
			const list = (q = '') => api('GET', `${A}/conversations/${conversationId}/messages${q}`, seed.userToken).then((r) => r.body.payload.map((m: { content: string }) => m.content));
			const latest = await list();
			expect(latest).toHaveLength(20);
			expect(latest[0]).toBe('m111');
			expect(latest[19]).toBe('m130');
			expect(await list(`?before=${ids[110]}`)).toEqual(Array.from({ length: 20 }, (_, i) => `m${91 + i}`));
			const newer = await list(`?after=${ids[4]}`);
			expect(newer).toHaveLength(100);
			expect(newer[0]).toBe('m6');
			expect((await list('?filter_internal_messages=true')).pop()).toBe('m129');
			const meta = (await api('GET', `${A}/conversations/${conversationId}/messages`, seed.userToken)).body.meta;
			expect(meta.contact).toMatchObject({ name: 'Carla' });
		});

		test('a multipart post with attachments[] stores files that can be downloaded from data_url', async () => {
			const { conversationId } = await newApiConversation();
			const boundary = 'XBOUNDARY';
			const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
			const body = Buffer.concat([
				Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="content"\r\n\r\nthe label\r\n`),
				Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="private"\r\n\r\nfalse\r\n`),
				Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="attachments[]"; filename="label.png"\r\nContent-Type: image/png\r\n\r\n`),
				png,
				Buffer.from(`\r\n--${boundary}--\r\n`),
			]);
			const res = await api('POST', `${A}/conversations/${conversationId}/messages`, seed.userToken, body.toString('latin1'), {
				'Content-Type': `multipart/form-data; boundary=${boundary}`,
			});
			expect(res.status).toBe(200);
			expect(res.body).toMatchObject({ content: 'the label', private: false, attachments: [{ file_type: 'image', extension: 'png' }] });
			const file = await httpRequest(res.body.attachments[0].data_url);
			expect(file.status).toBe(200);
			expect(file.headers['content-type']).toBe('image/png');
		});
	});

	describe('client API (the customer writing)', () => {
		beforeEach(() => start());

		test('contact → conversation → message: an incoming message from the contact, visible to agents and to webhooks', async () => {
			await subscribe(['message_created']);
			const base = `/public/api/v1/inboxes/${seed.apiInbox.identifier}`;
			const contact = await api('POST', `${base}/contacts`, null, { name: 'Pat', identifier: 'crm-7' });
			expect(contact.body).toMatchObject({ source_id: expect.any(String), pubsub_token: expect.any(String), name: 'Pat' });
			const conv = await api('POST', `${base}/contacts/${contact.body.source_id}/conversations`, null, {});
			expect(conv.body).toMatchObject({ id: expect.any(Number), status: 'open', inbox_id: seed.apiInbox.id });
			const msg = await api('POST', `${base}/contacts/${contact.body.source_id}/conversations/${conv.body.id}/messages`, null, { content: 'Where is my parcel?' });
			expect(msg.body).toMatchObject({ content: 'Where is my parcel?', message_type: 0, conversation_id: conv.body.id });
			expect(sim.getMessages(conv.body.id).map((m) => m.content)).toEqual(['Where is my parcel?']);
			const [delivery] = await receiver.waitFor(1, 2000, byPath('/account'));
			expect(delivery.body).toMatchObject({ id: msg.body.id, message_type: 'incoming', sender: { id: contact.body.id, type: 'contact' } });
			expect((await api('POST', `/public/api/v1/inboxes/unknown/contacts`, null, {})).status).toBe(404);
			expect((await api('GET', `${base}/contacts/nope`, null)).status).toBe(404);
		});
	});

	describe('webhooks', () => {
		test('CRUD: url, name, subscriptions; the secret is answered from 4.11.2; unknown events are 422', async () => {
			await start();
			const created = await subscribe(['message_created', 'conversation_status_changed']);
			expect(created).toMatchObject({ url: receiver.url('/account'), name: 'relay', subscriptions: ['message_created', 'conversation_status_changed'], secret: expect.any(String) });
			const list = await api('GET', `${A}/webhooks`, seed.userToken);
			expect(list.body.payload.webhooks).toHaveLength(1);
			const patched = await api('PATCH', `${A}/webhooks/${created.id}`, seed.userToken, { subscriptions: ['message_created'] });
			expect(patched.body.payload.webhook.subscriptions).toEqual(['message_created']);
			expect((await api('POST', `${A}/webhooks`, seed.userToken, { url: receiver.url('/x'), subscriptions: ['message_exploded'] })).status).toBe(422);
			expect((await api('DELETE', `${A}/webhooks/${created.id}`, seed.userToken)).status).toBe(200);
			expect((await api('GET', `${A}/webhooks`, seed.userToken)).body.payload.webhooks).toEqual([]);
		});

		test('account webhook: the subscribed events, Message#webhook_data, signed with the webhook secret (verified independently)', async () => {
			await start();
			const webhook = await subscribe(['message_created']);
			const written = sim.customerWrites(seed.accountId, { name: 'Carla', content: 'I need a human' });
			await sim.idle();
			const [delivery] = await receiver.waitFor(1, 2000, byPath('/account'));
			expect(delivery.body).toMatchObject({
				event: 'message_created',
				id: written.messageId,
				content: 'I need a human',
				message_type: 'incoming',
				private: false,
				sender: { id: written.contactId, name: 'Carla', type: 'contact' },
				inbox: { id: seed.apiInbox.id, name: 'Bot channel' },
				account: { id: seed.accountId, name: 'Acme Support' },
				conversation: { id: written.conversationId, inbox_id: seed.apiInbox.id, status: 'open', contact_inbox: { source_id: written.sourceId }, meta: { sender: { id: written.contactId } } },
			});
			expect(typeof delivery.body.created_at).toBe('string');
			expect(verifies(delivery, webhook.secret)).toBe(true);
			expect(verifies(delivery, 'another secret')).toBe(false);
			expect(Math.abs(Number(delivery.headers['x-chatwoot-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
			expect(delivery.headers['x-chatwoot-delivery']).toMatch(/^[0-9a-f-]{36}$/);
			// Not subscribed: conversation_created went to the API inbox only.
			expect(events('/account')).toEqual(['message_created']);
			expect(events('/inbox')).toEqual(['conversation_created', 'conversation_updated', 'message_created']);
		});

		test('the API inbox signs with its own secret from 4.13.0; 4.11.2 signs account webhooks only; older servers nothing', async () => {
			await start({ version: '4.11.2' });
			const webhook = await subscribe(['message_created']);
			sim.customerWrites(seed.accountId, { content: 'hello' });
			await sim.idle();
			expect(verifies(receiver.requests.find(byPath('/account'))!, webhook.secret)).toBe(true);
			const inboxDelivery = receiver.requests.find((r) => r.path === '/inbox' && r.body.event === 'message_created')!;
			expect(inboxDelivery.headers['x-chatwoot-signature']).toBeUndefined();
			await sim.stop();

			receiver.requests.length = 0;
			await start({ version: '4.10.0' });
			const old = await subscribe(['message_created']);
			expect(old.secret).toBeUndefined();
			sim.customerWrites(seed.accountId, { content: 'hello' });
			await sim.idle();
			expect(receiver.requests.every((r) => r.headers['x-chatwoot-signature'] === undefined && r.headers['x-chatwoot-timestamp'] === undefined)).toBe(true);
			await sim.stop();

			receiver.requests.length = 0;
			await start({ version: '4.13.0' });
			sim.customerWrites(seed.accountId, { content: 'hello' });
			await sim.idle();
			const signed = receiver.requests.find((r) => r.path === '/inbox' && r.body.event === 'message_created')!;
			expect(verifies(signed, seed.apiInbox.secret)).toBe(true);
		});

		test('our own messages come back as message_created, private notes too; activity messages never', async () => {
			await start();
			await subscribe(['message_created', 'conversation_status_changed']);
			const { conversationId } = await newApiConversation();
			const reply = await api('POST', `${A}/conversations/${conversationId}/messages`, seed.userToken, { content: 'We are on it' });
			const note = await api('POST', `${A}/conversations/${conversationId}/messages`, seed.userToken, { content: 'internal note', private: true });
			await api('POST', `${A}/conversations/${conversationId}/toggle_status`, seed.userToken, { status: 'resolved' });
			await sim.idle();
			const created = receiver.requests.filter((r) => r.path === '/account' && r.body.event === 'message_created')
				.map((r) => r.body)
				.sort((a, b) => a.id - b.id);
			expect(created.map((b) => [b.id, b.content, b.message_type, b.private, b.sender.type])).toEqual([
				[reply.body.id, 'We are on it', 'outgoing', false, 'user'],
				[note.body.id, 'internal note', 'outgoing', true, 'user'],
			]);
			expect(sim.getMessages(conversationId).some((m) => m.message_type === 2 && /resolved/.test(m.content))).toBe(true);
			const statusChange = receiver.requests.find((r) => r.path === '/account' && r.body.event === 'conversation_status_changed')!;
			expect(statusChange.body).toMatchObject({ id: conversationId, status: 'resolved', changed_attributes: [{ status: { previous_value: 'open', current_value: 'resolved' } }] });
			// Sent after the save: the conversation as it is now, its updated_at the changed one.
			expect(statusChange.body.updated_at).toBe(sim.getConversation(conversationId)!.updated_at);
		});

		test('account and API-inbox webhooks get one attempt; a refused API-inbox delivery marks the message failed', async () => {
			await start();
			await subscribe(['message_created', 'message_updated']);
			receiver.responder = (r) => (r.path === '/inbox' || r.body?.event === 'message_created' ? 500 : 200);
			const written = sim.customerWrites(seed.accountId, { content: 'anyone?' });
			await sim.idle();
			const attempts = sim.getDeliveries().filter((d) => d.event === 'message_created');
			expect(attempts.map((d) => [d.kind, d.attempt, d.status])).toEqual(
				expect.arrayContaining([
					['account_webhook', 1, 500],
					['api_inbox_webhook', 1, 500],
				]),
			);
			expect(attempts).toHaveLength(2);
			const stored = sim.getMessages(written.conversationId).find((m) => m.id === written.messageId)!;
			expect(stored).toMatchObject({ status: 'failed', content_attributes: { external_error: '500 Internal Server Error' } });
			const updated = receiver.requests.find((r) => r.path === '/account' && r.body.event === 'message_updated')!;
			expect(updated.body).toMatchObject({ id: written.messageId, content_attributes: { external_error: '500 Internal Server Error' } });
		});
	});

	describe('agent bot', () => {
		test('with a bot on the inbox, conversations start pending; the bot gets its five events only, signed with its secret', async () => {
			await start({}, receiver.url('/bot'));
			const written = sim.customerWrites(seed.accountId, { content: 'Hello bot' });
			expect(sim.getConversation(written.conversationId)!.status).toBe('pending');
			await sim.idle();
			const [first] = await receiver.waitFor(1, 2000, byPath('/bot'));
			expect(first.body).toMatchObject({ event: 'message_created', content: 'Hello bot', message_type: 'incoming', conversation: { status: 'pending' } });
			expect(verifies(first, seed.bot!.secret)).toBe(true);

			// The bot hands off: pending → open (conversation_opened to the bot); the agent hands back: open → pending.
			const toggle = await api('POST', `${A}/conversations/${written.conversationId}/toggle_status`, seed.bot!.accessToken, { status: 'open' });
			expect(toggle.body.payload.current_status).toBe('open');
			sim.setStatus(written.conversationId, 'pending', { agentId: seed.agents[0].id });
			sim.resolve(written.conversationId, { agentId: seed.agents[0].id });
			await sim.idle();
			expect(events('/bot')).toEqual(['conversation_opened', 'conversation_resolved', 'message_created']);
			expect(sim.getConversation(written.conversationId)!.status).toBe('resolved');

			// A resolved conversation in a bot inbox reopens pending when the customer writes again.
			sim.customerWrites(seed.accountId, { sourceId: written.sourceId, conversationId: written.conversationId, content: 'me again' });
			expect(sim.getConversation(written.conversationId)!.status).toBe('pending');
		});

		test('429/500 are tried 3 times with the same X-Chatwoot-Delivery; then the pending conversation opens with an activity message', async () => {
			await start({}, receiver.url('/bot'));
			receiver.responder = (r) => (r.path === '/bot' ? 500 : 200);
			const written = sim.customerWrites(seed.accountId, { content: 'Hello bot' });
			await sim.idle();
			const bot = sim.getDeliveries().filter((d) => d.kind === 'agent_bot_webhook' && d.event === 'message_created');
			expect(bot.map((d) => d.attempt)).toEqual([1, 2, 3]);
			expect(new Set(bot.map((d) => d.deliveryId)).size).toBe(1);
			expect(bot[2].gaveUp).toBe(true);
			expect(sim.getConversation(written.conversationId)!.status).toBe('open');
			const activity = sim.getMessages(written.conversationId).filter((m) => m.message_type === 2);
			expect(activity.map((m) => m.content)).toEqual(['Conversation was transferred to open because of an error with the agent bot']);
		});

		test('other failures (502) are not retried; keep_pending_on_bot_failure keeps the conversation pending', async () => {
			await start({}, receiver.url('/bot'));
			sim.setKeepPendingOnBotFailure(seed.accountId, true);
			receiver.responder = (r) => (r.path === '/bot' ? 502 : 200);
			const written = sim.customerWrites(seed.accountId, { content: 'Hello bot' });
			await sim.idle();
			const bot = sim.getDeliveries().filter((d) => d.kind === 'agent_bot_webhook');
			expect(bot.map((d) => [d.attempt, d.status])).toEqual([[1, 502]]);
			expect(sim.getConversation(written.conversationId)!.status).toBe('pending');
		});
	});

	describe('limits and faults', () => {
		test('contact search is throttled per account (429 "Retry later"); injected faults are recorded as such', async () => {
			await start({ contactSearchPerMinute: 2 });
			const search = () => api('GET', `${A}/contacts/search?q=a`, seed.userToken);
			expect((await search()).status).toBe(200);
			expect((await search()).status).toBe(200);
			expect(await search()).toMatchObject({ status: 429, text: 'Retry later\n' });
			expect((await api('GET', `${A}/agents`, seed.userToken)).status).toBe(200);

			sim.setFaults({ rate: 1, statuses: [503] });
			expect((await api('GET', `${A}/agents`, seed.userToken)).status).toBe(503);
			sim.setFaults({ rate: 0 });
			const calls = sim.getCalls();
			expect(calls[calls.length - 1]).toMatchObject({ status: 503, injected: true, path: `${A}/agents` });
			expect(calls[0]).toMatchObject({ caller: `user:${seed.admin.id}` });
		});
	});
});
