import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import { ChatwootApi } from '../../../credentials/ChatwootApi.credentials';
import { Chatwoot } from '../../../nodes/Chatwoot/Chatwoot.node';
import { ChatwootTrigger } from '../../../nodes/Chatwoot/ChatwootTrigger.node';
import { expectHandoffEvent } from '../../helpers/contract';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';
import { API, BASE, BOT, CONTACT, conversation, credentials, HOOK_URL, messageCreated, published, SECRET, signed, statusChanged, TOKEN } from './fixtures';

const harness = createHarness({ credentialTypes: [new ChatwootApi()] });
const node = new ChatwootTrigger();
const chatwoot = () => nock(BASE, { reqheaders: { api_access_token: TOKEN } });
const ALL_EVENTS = ['message', 'conversationCreated', 'conversationUpdated', 'agentAssigned', 'conversationClosed'];

async function deliver(
	body: unknown,
	{ headers = signed(body), parameters = {}, staticData = published(), query }: { headers?: Record<string, string>; parameters?: IDataObject; staticData?: IDataObject; query?: Record<string, string> } = {},
) {
	const result = await harness.webhook(node, {
		// Catch-up (reading the conversation back) has its own suite, catchUp.test.ts.
		parameters: { events: ALL_EVENTS, authors: ['agent'], ...parameters, options: { catchUp: false, ...(parameters.options as IDataObject) } } as never,
		credentials,
		staticData,
		webhookUrl: HOOK_URL,
		request: { headers, body, query },
	});
	const items = (result.response.workflowData?.[0] ?? []).map((item) => item.json);
	items.forEach(expectHandoffEvent);
	return { ...result, items };
}

const ACK = { webhookResponse: { received: true } };
let nextId = 5000;
const fresh = () => ++nextId;

useNock();

describe('Chatwoot Trigger: only signed deliveries of our registration are read', () => {
	it('a delivery signed with the webhook\'s secret starts the workflow and is answered when the relay has ended', async () => {
		const { items, http } = await deliver(messageCreated(fresh()));
		expect(items).toHaveLength(1);
		expect(http).toMatchObject({ statusCode: 200, ended: true });
	});

	it('a wrong, missing or replayed signature is 401 before the body is read (a malformed body included)', async () => {
		const malformed = { not: 'a chatwoot delivery' };
		for (const headers of [
			signed(malformed, 'another-secret'),
			{ 'content-type': 'application/json' },
			signed(malformed, SECRET, Math.floor(Date.now() / 1000) - 6 * 60),
			signed(malformed, SECRET, Math.floor(Date.now() / 1000) + 6 * 60),
			{ ...signed(malformed), 'x-chatwoot-timestamp': 'soon' },
		]) {
			const { http, response } = await deliver(malformed, { headers });
			expect([http.statusCode, http.body]).toEqual([401, { error: 'Unauthorized' }]);
			expect(response.workflowData).toBeUndefined();
		}
		// A signature over other bytes than those delivered.
		const body = messageCreated(fresh());
		const { http } = await deliver(body, { headers: signed({ ...body, content: 'changed' }) });
		expect(http.statusCode).toBe(401);
		// Nothing registered (unpublished, static data lost): nothing is ours.
		expect((await deliver(body, { staticData: {} })).http.statusCode).toBe(401);
	});

	it('with "Older Chatwoot (No Signatures)", an unsigned delivery needs the secret of the registered URL', async () => {
		const staticData = { chatwootRegistrations: [{ id: '9', secret: 'url-secret-' + 'cd'.repeat(16), mode: 'url', kind: 'accountWebhook:url:message_created' }] };
		const body = messageCreated(fresh());
		const headers = { 'content-type': 'application/json' };
		const parameters = { options: { unsigned: true } };
		expect((await deliver(body, { headers, staticData, parameters })).http.statusCode).toBe(401);
		expect((await deliver(body, { headers, staticData, parameters, query: { secret: 'wrong' } })).http.statusCode).toBe(401);
		const { items } = await deliver(body, { headers, staticData, parameters, query: { secret: 'url-secret-' + 'cd'.repeat(16) } });
		expect(items).toHaveLength(1);
		// A server that gave a signing secret all the same is held to it when it signs.
		const both = { chatwootRegistrations: [{ ...staticData.chatwootRegistrations[0], signingSecret: SECRET }] };
		const query = { secret: 'url-secret-' + 'cd'.repeat(16) };
		const forged = await deliver(messageCreated(fresh()), { headers: signed({}, 'other'), staticData: both, parameters, query });
		expect(forged.http.statusCode).toBe(401);
	});

	it('a signed body that is no delivery is 400 naming what is missing; events the trigger does not read are 200 without a run', async () => {
		for (const [body, reason] of [
			[{ id: 1 }, 'event is missing'],
			[{ event: 'message_created', conversation: { id: 42 } }, 'id (the message) is missing'],
			[{ event: 'message_created', id: 9, conversation: { id: true } }, 'conversation.id is missing'],
			[{ event: 'conversation_status_changed', status: 'open' }, 'id (the conversation) is missing'],
		] as const) {
			const { http } = await deliver(body);
			expect([http.statusCode, (http.body as IDataObject).reason]).toEqual([400, reason]);
		}
		for (const event of ['message_updated', 'conversation_typing_on', 'contact_created', 'webwidget_triggered']) {
			expect((await deliver({ event, id: 1 })).response).toEqual(ACK);
		}
	});
});

describe('Chatwoot Trigger: events in the package\'s contract', () => {
	it('message_created: author by sender type, the customer by the conversation\'s contact, extras beside', async () => {
		const parameters = { authors: ['agent', 'customer', 'bot', 'system'] };
		const agent = (await deliver(messageCreated(fresh(), { content: 'Your parcel left today' }), { parameters })).items[0];
		expect(agent).toMatchObject({
			event: 'message',
			platform: 'chatwoot',
			conversationId: '42',
			customerId: '128',
			// The contact's identifier (Get or Create's), which a relay finds the customer on the other side by.
			contactIdentifier: 'landbot-473548616',
			author: { role: 'agent', id: '7', name: 'Maria Rossi' },
			message: { type: 'text', text: 'Your parcel left today' },
			messageType: 'outgoing',
			private: false,
			conversationStatus: 'open',
			assignedAgentId: '7',
			inbox: { id: '5', name: 'Bot handoff' },
			chatwootEvent: 'message_created',
			raw: { event: 'message_created' },
		});
		expect(agent.message).toMatchObject({ sourceKey: expect.stringMatching(/^message_created:\d+$/) });
		const customer = (await deliver(messageCreated(fresh(), { message_type: 'incoming', sender: CONTACT }), { parameters })).items[0];
		expect(customer.author).toEqual({ role: 'customer', id: '128', name: 'Ada Lovelace' });
		// A recorded contact sender without its type: read by message_type.
		const untyped = (await deliver(messageCreated(fresh(), { message_type: 'incoming', sender: { id: 128, name: 'Ada Lovelace' } }), { parameters })).items[0];
		expect(untyped.author).toMatchObject({ role: 'customer' });
		const bot = (await deliver(messageCreated(fresh(), { sender: BOT }), { parameters })).items[0];
		expect(bot.author).toEqual({ role: 'bot', id: '4', name: 'Handoff bot' });
		const system = (await deliver(messageCreated(fresh(), { message_type: 'template', sender: null }), { parameters })).items[0];
		expect(system.author).toEqual({ role: 'system', id: null, name: null });
		expect(system.timestamp).toMatch(/^2026-12-02T/);
	});

	it('attachments: an image with its URL and file name (its text the URL when it has no words); a file with its caption', async () => {
		const image = messageCreated(fresh(), { content: null, attachments: [{ id: 1, file_type: 'image', data_url: 'https://chat.example.com/rails/active_storage/blobs/x/receipt.png', file_size: 120 }] });
		expect((await deliver(image)).items[0].message).toMatchObject({ type: 'image', text: 'https://chat.example.com/rails/active_storage/blobs/x/receipt.png', url: 'https://chat.example.com/rails/active_storage/blobs/x/receipt.png', fileName: 'receipt.png' });
		const file = messageCreated(fresh(), { content: 'The invoice', attachments: [{ id: 2, file_type: 'file', data_url: 'https://chat.example.com/blobs/invoice.pdf' }] });
		expect((await deliver(file)).items[0].message).toMatchObject({ type: 'file', text: 'The invoice', fileName: 'invoice.pdf' });
	});

	it('status changes: to humans (pending → open), back to the bot (open → pending), assigned, resolved; created', async () => {
		const toHumans = (await deliver(statusChanged('open', 'pending', { meta: { sender: CONTACT, assignee: null, team: null } }))).items[0];
		expect(toHumans).toMatchObject({ event: 'conversationUpdated', conversationId: '42', customerId: '128', contactIdentifier: 'landbot-473548616', conversationStatus: 'open', previousStatus: 'pending', handoff: 'toHumans', assignedAgentId: null, author: { role: 'system' }, message: null });
		const toBot = (await deliver(statusChanged('pending', 'open', { meta: { sender: CONTACT, assignee: null, team: null }, updated_at: 1796205700.5 }))).items[0];
		expect(toBot).toMatchObject({ event: 'conversationUpdated', handoff: 'toBot', conversationStatus: 'pending' });
		const assigned = (await deliver(statusChanged('open', 'pending', { updated_at: 1796205800.5 }))).items[0];
		expect(assigned).toMatchObject({ event: 'agentAssigned', handoff: 'toHumans', assignedAgentId: '7', assignee: { id: '7', name: 'Maria Rossi' } });
		const closed = (await deliver(statusChanged('resolved', 'open'))).items[0];
		expect(closed).toMatchObject({ event: 'conversationClosed', conversationStatus: 'resolved', handoff: null });
		const created = (await deliver({ event: 'conversation_created', ...conversation(43, { status: 'pending', meta: { sender: CONTACT, assignee: null } }) })).items[0];
		expect(created).toMatchObject({ event: 'conversationCreated', conversationId: '43', conversationStatus: 'pending', timestamp: new Date(1796205605250).toISOString() });
	});

	it('conversation_updated is an assignment when an agent was assigned, else nothing; agent bots\' opened and resolved map the same', async () => {
		const assignedBody = { event: 'conversation_updated', ...conversation(44), changed_attributes: [{ assignee_id: { previous_value: null, current_value: 7 } }] };
		expect((await deliver(assignedBody)).items[0]).toMatchObject({ event: 'agentAssigned', conversationId: '44', assignedAgentId: '7' });
		const labels = { event: 'conversation_updated', ...conversation(44), changed_attributes: [{ label_list: { previous_value: [], current_value: ['vip'] } }] };
		expect((await deliver(labels)).response).toEqual(ACK);
		const staticData = { chatwootRegistrations: [{ id: '4', secret: SECRET, mode: 'signed', kind: 'agentBot:signed:4', previousUrl: '' }] };
		const parameters = { source: 'agentBot', agentBotId: { __rl: true, mode: 'id', value: '4' } };
		const opened = { event: 'conversation_opened', ...conversation(45, { status: 'open', meta: { sender: CONTACT, assignee: null } }) };
		expect((await deliver(opened, { staticData, parameters })).items[0]).toMatchObject({ event: 'conversationUpdated', conversationId: '45', chatwootEvent: 'conversation_opened' });
		const resolved = { event: 'conversation_resolved', ...conversation(45, { status: 'resolved' }) };
		expect((await deliver(resolved, { staticData, parameters })).items[0]).toMatchObject({ event: 'conversationClosed' });
		// An event not chosen is answered without a run.
		expect((await deliver(resolved, { staticData, parameters: { ...parameters, events: ['message'] } })).response).toEqual(ACK);
	});
});

describe('Chatwoot Trigger: what a relay must not start on', () => {
	it('drops our own messages, by the marker or by the id this process created, unless told otherwise', async () => {
		expect((await deliver(messageCreated(fresh(), { content_attributes: { n8n_handoff: true } }))).response).toEqual(ACK);
		expect((await deliver(messageCreated(fresh(), { content_attributes: { n8n_handoff: true } }), { parameters: { options: { dropOwnMessages: false } } })).items).toHaveLength(1);

		// An incoming message the Chatwoot node wrote, delivered back without the marker.
		nock(BASE).post(`${API}/conversations/42/messages`).reply(200, { id: 7777, content: 'hi', message_type: 0, content_attributes: {} });
		await harness.execute(new Chatwoot(), { parameters: { resource: 'message', operation: 'send', conversationId: '42', sendAs: 'customer', text: 'hi' } as never, credentials });
		const echo = messageCreated(7777, { message_type: 'incoming', sender: CONTACT });
		expect((await deliver(echo, { parameters: { authors: ['customer'] } })).response).toEqual(ACK);
	});

	it('drops private notes unless they are included; filters by author; a repeated delivery runs once', async () => {
		const note = messageCreated(fresh(), { private: true });
		expect((await deliver(note)).response).toEqual(ACK);
		expect((await deliver(messageCreated(fresh(), { private: true }), { parameters: { options: { includeNotes: true } } })).items[0]).toMatchObject({ private: true });
		expect((await deliver(messageCreated(fresh(), { message_type: 'incoming', sender: CONTACT }))).response).toEqual(ACK);

		// The same workflow (static data) sees the agent bot's retry of a delivery.
		const workflow = published();
		const once = messageCreated(fresh());
		expect((await deliver(once, { staticData: workflow })).items).toHaveLength(1);
		expect((await deliver(once, { staticData: workflow })).response).toEqual(ACK);
	});
});

describe('Chatwoot Trigger: publishing registers, unpublishing removes', () => {
	const hook = (method: 'checkExists' | 'create' | 'delete', staticData: IDataObject, parameters: IDataObject = {}) =>
		harness.hook(node, method, { parameters: { events: ['message', 'conversationClosed'], ...parameters } as never, credentials, staticData, webhookUrl: HOOK_URL });

	it('an account webhook: created with the subscriptions the events need and kept with its secret; found again; deleted', async () => {
		const bodies: IDataObject[] = [];
		chatwoot()
			.post(`${API}/webhooks`, (body: IDataObject) => bodies.push(body) > 0)
			.reply(200, { payload: { webhook: { id: 9, url: HOOK_URL, name: 'n8n', subscriptions: ['conversation_status_changed', 'message_created'], secret: SECRET } } });
		const staticData: IDataObject = {};
		expect((await hook('create', staticData)).result).toBe(true);
		expect(bodies).toEqual([{ url: HOOK_URL, name: expect.stringMatching(/^n8n-nodes-handoff/), subscriptions: ['conversation_status_changed', 'message_created'] }]);
		expect(staticData.chatwootRegistrations).toEqual([{ id: '9', secret: SECRET, mode: 'signed', kind: 'accountWebhook:signed:conversation_status_changed,message_created' }]);

		chatwoot().get(`${API}/webhooks`).reply(200, { payload: { webhooks: [{ id: 2, url: 'https://elsewhere.example.com/hook', subscriptions: ['message_created'] }, { id: 9, url: HOOK_URL, subscriptions: ['message_created', 'conversation_status_changed'] }] } });
		expect((await hook('checkExists', staticData)).result).toBe(true);

		chatwoot().delete(`${API}/webhooks/9`).reply(200, {});
		expect((await hook('delete', staticData)).result).toBe(true);
		expect(staticData.chatwootRegistrations).toBeUndefined();
	});

	it('checkExists re-creates a missing webhook and replaces one for other events; a server without secrets needs the unsigned option', async () => {
		const staticData = published('conversation_status_changed,message_created');
		chatwoot().get(`${API}/webhooks`).reply(200, { payload: { webhooks: [] } });
		expect((await hook('checkExists', staticData)).result).toBe(false);

		chatwoot().get(`${API}/webhooks`).reply(200, { payload: { webhooks: [{ id: 9, url: HOOK_URL, subscriptions: ['message_created'] }] } });
		chatwoot().delete(`${API}/webhooks/9`).reply(200, {});
		expect((await hook('checkExists', published('conversation_status_changed,message_created'))).result).toBe(false);

		// Chatwoot before v4.11.2 answers without a secret: publishing fails, and what it made is removed at unpublish.
		chatwoot().post(`${API}/webhooks`).reply(200, { payload: { webhook: { id: 10, url: HOOK_URL, subscriptions: ['message_created'] } } });
		const old: IDataObject = {};
		await expect(hook('create', old, { events: ['message'] })).rejects.toThrow(/Older Chatwoot \(No Signatures\)/);
		chatwoot().delete(`${API}/webhooks/10`).reply(404, { error: 'not found' });
		await hook('delete', old);

		// With the option, the URL carries a secret of the trigger's own.
		const urls: string[] = [];
		chatwoot()
			.post(`${API}/webhooks`, (body: IDataObject) => urls.push(String(body.url)) > 0)
			.reply(200, { payload: { webhook: { id: 11, subscriptions: ['message_created'] } } });
		const unsigned: IDataObject = {};
		await hook('create', unsigned, { events: ['message'], options: { unsigned: true } });
		const [registration] = unsigned.chatwootRegistrations as IDataObject[];
		expect(urls).toEqual([`${HOOK_URL}?secret=${String(registration.secret)}`]);
		expect(registration).toMatchObject({ id: '11', mode: 'url', secret: expect.stringMatching(/^[0-9a-f]{64}$/) });
	});

	it('an agent bot: its webhook URL is set at publish (the old one kept) and put back at unpublish', async () => {
		const parameters = { source: 'agentBot', agentBotId: { __rl: true, mode: 'list', value: '4' } };
		chatwoot().get(`${API}/agent_bots/4`).reply(200, { id: 4, name: 'Handoff bot', outgoing_url: 'https://old-bot.example.com/hook' });
		chatwoot().patch(`${API}/agent_bots/4`, { outgoing_url: HOOK_URL }).reply(200, { id: 4, name: 'Handoff bot', outgoing_url: HOOK_URL, secret: SECRET });
		const staticData: IDataObject = {};
		await hook('create', staticData, parameters);
		expect(staticData.chatwootRegistrations).toEqual([{ id: '4', secret: SECRET, mode: 'signed', kind: 'agentBot:signed:4', previousUrl: 'https://old-bot.example.com/hook' }]);

		chatwoot().get(`${API}/agent_bots/4`).reply(200, { id: 4, outgoing_url: HOOK_URL });
		expect((await hook('checkExists', staticData, parameters)).result).toBe(true);
		chatwoot().get(`${API}/agent_bots/4`).reply(200, { id: 4, outgoing_url: 'https://someone-changed-it.example.com' });
		expect((await hook('checkExists', { ...staticData }, parameters)).result).toBe(false);

		chatwoot().patch(`${API}/agent_bots/4`, { outgoing_url: 'https://old-bot.example.com/hook' }).reply(200, { id: 4 });
		await hook('delete', staticData, parameters);
		expect(staticData.chatwootRegistrations).toBeUndefined();
	});
});
