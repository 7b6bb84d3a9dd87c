import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { ChatwootApi } from '../../../credentials/ChatwootApi.credentials';
import { Chatwoot } from '../../../nodes/Chatwoot/Chatwoot.node';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';

// Request and response shapes: docs/platforms/chatwoot.md and Chatwoot's swagger (api-reference).
const BASE = 'https://chat.example.com';
const ACCOUNT = '3';
const TOKEN = 'user-token-9f8e7d';
const API = `/api/v1/accounts/${ACCOUNT}`;
const MARKER = { n8n_handoff: true };
const credentials = { chatwootApi: { baseUrl: `${BASE}/`, accountId: ACCOUNT, apiAccessToken: TOKEN } };
const harness = createHarness({ credentialTypes: [new ChatwootApi()] });
const node = new Chatwoot();
const chatwoot = () => nock(BASE, { reqheaders: { api_access_token: TOKEN } });

async function run(parameters: IDataObject, extra: { continueOnFail?: boolean; items?: number } = {}) {
	const items = Array.from({ length: extra.items ?? 1 }, (_, i) => ({ json: { i } }));
	const [output] = await harness.execute(node, { parameters: parameters as never, credentials, items, continueOnFail: extra.continueOnFail });
	return output;
}

function capture(bodies: IDataObject[]) {
	return (body: IDataObject) => bodies.push(body) > 0;
}

const rl = (value: string) => ({ __rl: true, mode: 'id', value });

/** A message as POST …/messages answers it (message_type an integer there). */
const created = (id: number, extra: IDataObject = {}) => ({
	id,
	content: 'hello',
	inbox_id: 5,
	conversation_id: 42,
	message_type: 1,
	content_type: 'text',
	content_attributes: MARKER,
	created_at: 1796205605,
	private: false,
	source_id: null,
	sender: { id: 7, name: 'Maria Rossi', type: 'user' },
	...extra,
});

/** A contact as the search and show routes list it. */
const contact = (id: number, identifier: string, inboxes: Array<{ inbox: number; source: string }> = []) => ({
	id,
	name: 'Ada Lovelace',
	email: 'ada@example.com',
	phone_number: null,
	identifier,
	custom_attributes: {},
	contact_inboxes: inboxes.map(({ inbox, source }) => ({ source_id: source, inbox: { id: inbox, name: 'Bot handoff', channel_type: 'Channel::Api' } })),
});

useNock();

describe('Chatwoot API credential', () => {
	it('sends the token in api_access_token; the test reads the account\'s inboxes and explains a 401', async () => {
		chatwoot().get(`${API}/inboxes`).reply(200, { payload: [] });
		expect(await harness.testCredential('chatwootApi', credentials.chatwootApi)).toEqual({ status: 'OK', message: 'Connection successful!' });
		// n8n's request helper asks a second time after a 401.
		nock(BASE).get(`${API}/inboxes`).times(2).reply(401, { error: 'Access to this endpoint is not authorized for bots' });
		const refused = await harness.testCredential('chatwootApi', { ...credentials.chatwootApi, apiAccessToken: 'bot-token' });
		expect(refused.status).toBe('Error');
		expect(refused.message).toMatch(/agent bot's token/);
	});
});

describe('Chatwoot node: Contact', () => {
	const getOrCreate = { resource: 'contact', operation: 'getOrCreate', identifier: 'landbot-4735', inboxId: rl('5'), name: 'Ada Lovelace', email: 'ada@example.com' };

	it('Get or Create finds the contact whose identifier is exactly it among the search\'s substring matches, with its source_id in the inbox', async () => {
		chatwoot()
			.get(`${API}/contacts/search`)
			.query({ q: 'landbot-4735', page: 1 })
			.reply(200, { meta: { count: 2, current_page: 1 }, payload: [contact(127, 'landbot-47351'), contact(128, 'landbot-4735', [{ inbox: 2, source: 'web-1' }, { inbox: 5, source: 'api-128' }])] });
		const [item] = await run(getOrCreate);
		expect(item.json).toMatchObject({ contactId: '128', sourceId: 'api-128', inboxId: '5', created: false });
	});

	it('creates a missing contact in the inbox and returns the source_id Chatwoot made there', async () => {
		chatwoot().get(`${API}/contacts/search`).query({ q: 'landbot-4735', page: 1 }).reply(200, { meta: { count: 0 }, payload: [] });
		const bodies: IDataObject[] = [];
		chatwoot()
			.post(`${API}/contacts`, capture(bodies))
			.reply(200, { payload: { contact: contact(130, 'landbot-4735'), contact_inbox: { inbox: { id: 5, name: 'Bot handoff' }, source_id: 'api-130' } } });
		const [item] = await run({ ...getOrCreate, options: { phoneNumber: '+4915112345678', customAttributes: '{"plan": "pro"}' } });
		expect(bodies).toEqual([
			{ inbox_id: 5, identifier: 'landbot-4735', name: 'Ada Lovelace', email: 'ada@example.com', phone_number: '+4915112345678', custom_attributes: { plan: 'pro' } },
		]);
		expect(item.json).toMatchObject({ contactId: '130', sourceId: 'api-130', created: true });
	});

	it('adds a known contact to an inbox it is not in yet; a contact created meanwhile (422) is found again', async () => {
		chatwoot().get(`${API}/contacts/search`).query({ q: 'landbot-4735', page: 1 }).reply(200, { payload: [contact(128, 'landbot-4735', [{ inbox: 2, source: 'web-1' }])] });
		chatwoot().post(`${API}/contacts/128/contact_inboxes`, { inbox_id: 5 }).reply(200, { source_id: 'api-128', inbox: { id: 5 } });
		expect((await run(getOrCreate))[0].json).toMatchObject({ contactId: '128', sourceId: 'api-128', created: false });

		chatwoot().get(`${API}/contacts/search`).query({ q: 'landbot-4735', page: 1 }).reply(200, { payload: [] });
		chatwoot().post(`${API}/contacts`).reply(422, { message: 'Identifier has already been taken' });
		chatwoot().get(`${API}/contacts/search`).query({ q: 'landbot-4735', page: 1 }).reply(200, { payload: [contact(131, 'landbot-4735', [{ inbox: 5, source: 'api-131' }])] });
		expect((await run(getOrCreate))[0].json).toMatchObject({ contactId: '131', sourceId: 'api-131', created: false });
	});

	it('names the parameter that is wrong', async () => {
		await expect(run({ ...getOrCreate, identifier: ' ' })).rejects.toThrow(/"Identifier" is empty/);
		await expect(run({ ...getOrCreate, inboxId: rl('support') })).rejects.toThrow(/"Inbox" must be a Chatwoot ID/);
		await expect(run({ resource: 'contact', operation: 'get', contactId: '' })).rejects.toThrow(/"Contact ID" is empty/);
	});
});

describe('Chatwoot node: Conversation', () => {
	it('Create opens it pending for the contact with the trigger\'s mark, then writes the bot history as a private note and the first message', async () => {
		const bodies: IDataObject[] = [];
		chatwoot().post(`${API}/conversations`, capture(bodies)).reply(200, { id: 42, account_id: 3, inbox_id: 5, status: 'pending', custom_attributes: {} });
		const messages: IDataObject[] = [];
		chatwoot().post(`${API}/conversations/42/messages`, capture(messages)).reply(200, created(900)).post(`${API}/conversations/42/messages`, capture(messages)).reply(200, created(901));
		const history = [
			{ role: 'customer', name: 'Ada', text: 'My parcel never arrived' },
			// A trigger event, as it is.
			{ event: 'message', author: { role: 'bot', name: null }, message: { type: 'text', text: 'Let me get you a human' } },
		];
		const [item] = await run({
			resource: 'conversation',
			operation: 'create',
			contactId: '128',
			inboxId: rl('5'),
			teamId: rl('2'),
			options: { customAttributes: '{"order": "A-17"}', history: JSON.stringify(history), firstMessage: 'Parcel A-17 missing', firstMessageAs: 'customer', sourceId: 'api-128' },
		});
		expect(bodies).toEqual([
			{ inbox_id: 5, contact_id: 128, status: 'pending', custom_attributes: { order: 'A-17', handoff_relayed_message: '' }, source_id: 'api-128', team_id: 2 },
		]);
		expect(messages).toEqual([
			{ content: 'Ada (customer): My parcel never arrived\nBot: Let me get you a human', message_type: 'outgoing', private: true, content_attributes: MARKER },
			{ content: 'Parcel A-17 missing', message_type: 'incoming', private: false, content_attributes: MARKER },
		]);
		expect(item.json).toMatchObject({ conversationId: '42', status: 'pending', messageIds: ['900', '901'] });
	});

	it('Hand to Humans assigns the team and the agent, then sets it open; Back to the Bot unassigns and sets it pending', async () => {
		const assignments: IDataObject[] = [];
		chatwoot()
			.post(`${API}/conversations/42/assignments`, capture(assignments))
			.reply(200, { id: 2, name: 'Billing' })
			.post(`${API}/conversations/42/assignments`, capture(assignments))
			.reply(200, { id: 7, name: 'Maria Rossi', role: 'agent' });
		chatwoot().post(`${API}/conversations/42/toggle_status`, { status: 'open' }).reply(200, { meta: {}, payload: { success: true, conversation_id: 42, current_status: 'open' } });
		const [handed] = await run({ resource: 'conversation', operation: 'handToHumans', conversationId: '42', teamId: rl('2'), agentId: rl('7') });
		expect(assignments).toEqual([{ team_id: 2 }, { assignee_id: 7 }]);
		expect(handed.json).toMatchObject({ conversationId: '42', status: 'open', team: { id: 2 }, assignee: { id: 7 } });

		chatwoot().post(`${API}/conversations/42/assignments`, { assignee_id: null }).reply(200, 'null', { 'content-type': 'application/json' });
		chatwoot().post(`${API}/conversations/42/toggle_status`, { status: 'pending' }).reply(200, { meta: {}, payload: { success: true, current_status: 'pending' } });
		expect((await run({ resource: 'conversation', operation: 'backToBot', conversationId: '42' }))[0].json).toEqual({ conversationId: '42', status: 'pending', unassigned: true });
	});

	it('Resolve, Reopen (pending) and Assign (nobody, team) make the one call each', async () => {
		chatwoot().post(`${API}/conversations/42/toggle_status`, { status: 'resolved' }).reply(200, { payload: { success: true, current_status: 'resolved' } });
		expect((await run({ resource: 'conversation', operation: 'resolve', conversationId: '42' }))[0].json).toEqual({ conversationId: '42', status: 'resolved' });
		chatwoot().post(`${API}/conversations/42/toggle_status`, { status: 'pending' }).reply(200, { payload: { success: true, current_status: 'pending' } });
		expect((await run({ resource: 'conversation', operation: 'reopen', conversationId: '42', status: 'pending' }))[0].json).toEqual({ conversationId: '42', status: 'pending' });
		chatwoot().post(`${API}/conversations/42/assignments`, { assignee_id: null }).reply(200, 'null', { 'content-type': 'application/json' });
		expect((await run({ resource: 'conversation', operation: 'assign', conversationId: '42', assignTo: 'nobody' }))[0].json).toEqual({ conversationId: '42', assignee: null });
		chatwoot().post(`${API}/conversations/42/assignments`, { team_id: 2 }).reply(200, { id: 2, name: 'Billing' });
		expect((await run({ resource: 'conversation', operation: 'assign', conversationId: '42', assignTo: 'team', teamId: rl('2') }))[0].json).toMatchObject({ team: { name: 'Billing' } });
		await expect(run({ resource: 'conversation', operation: 'assign', conversationId: '42', assignTo: 'agent', agentId: rl('') })).rejects.toThrow(/"Agent" is empty/);
	});

	it('Update Custom Attributes keeps the others (read, then merged) or replaces them all', async () => {
		chatwoot().get(`${API}/conversations/42`).reply(200, { id: 42, custom_attributes: { order: 'A-17', handoff_relayed_message: '2001' } });
		const bodies: IDataObject[] = [];
		chatwoot().post(`${API}/conversations/42/custom_attributes`, capture(bodies)).reply(200, {});
		await run({ resource: 'conversation', operation: 'updateAttributes', conversationId: '42', customAttributes: '{"priority_reason": "vip"}' });
		expect(bodies).toEqual([{ custom_attributes: { order: 'A-17', handoff_relayed_message: '2001', priority_reason: 'vip' }, merge: true }]);

		chatwoot().post(`${API}/conversations/42/custom_attributes`, { custom_attributes: { a: 1 } }).reply(200, {});
		await run({ resource: 'conversation', operation: 'updateAttributes', conversationId: '42', customAttributes: '{"a": 1}', merge: false });
		await expect(run({ resource: 'conversation', operation: 'updateAttributes', conversationId: '42', customAttributes: '[]' })).rejects.toThrow(/"Custom Attributes" must be a JSON object/);
	});

	it('Get Many lists the contact\'s conversations of a status, up to the limit; Chatwoot\'s refusals carry its words', async () => {
		chatwoot()
			.get(`${API}/contacts/128/conversations`)
			.reply(200, { payload: [{ id: 44, status: 'open' }, { id: 43, status: 'resolved' }, { id: 42, status: 'open' }] });
		const out = await run({ resource: 'conversation', operation: 'getMany', contactId: '128', status: 'open', limit: 1 });
		expect(out.map((item) => item.json.id)).toEqual([44]);

		chatwoot().get(`${API}/conversations/77`).reply(404, { error: 'Resource could not be found' });
		const failure = run({ resource: 'conversation', operation: 'get', conversationId: '77' });
		await expect(failure).rejects.toThrow(NodeApiError);
		await expect(run({ resource: 'conversation', operation: 'get', conversationId: 'abc' })).rejects.toThrow(/"Conversation ID" must be a Chatwoot ID/);
		chatwoot().get(`${API}/conversations/77`).reply(404, { error: 'Resource could not be found' });
		await failure.catch(() => undefined);
		await expect(run({ resource: 'conversation', operation: 'get', conversationId: '77' })).rejects.toThrow('Chatwoot refused "get conversation" (404): Resource could not be found');
	});
});

describe('Chatwoot node: Message', () => {
	const send = { resource: 'message', operation: 'send', conversationId: '42', text: 'On my way' };

	it('sends as agent (outgoing), as the customer (incoming) or as a private note, each with the echo marker', async () => {
		const bodies: IDataObject[] = [];
		chatwoot().post(`${API}/conversations/42/messages`, capture(bodies)).times(3).reply(200, created(1001));
		await run({ ...send, sendAs: 'agent' });
		await run({ ...send, sendAs: 'customer' });
		const [note] = await run({ ...send, sendAs: 'note' });
		expect(bodies).toEqual([
			{ content: 'On my way', message_type: 'outgoing', private: false, content_attributes: MARKER },
			{ content: 'On my way', message_type: 'incoming', private: false, content_attributes: MARKER },
			{ content: 'On my way', message_type: 'outgoing', private: true, content_attributes: MARKER },
		]);
		expect(note.json).toMatchObject({ conversationId: '42', messageId: '1001', alreadySent: false, sentAs: 'note' });
	});

	it('says which parameter to change when Chatwoot refuses an incoming message outside an API inbox', async () => {
		chatwoot().post(`${API}/conversations/42/messages`).reply(422, { error: 'Incoming messages are only allowed in Api inboxes' });
		const attempt = run({ ...send, sendAs: 'customer' });
		await expect(attempt).rejects.toThrow(NodeOperationError);
		chatwoot().post(`${API}/conversations/42/messages`).reply(422, { error: 'Incoming messages are only allowed in Api inboxes' });
		await expect(run({ ...send, sendAs: 'customer' })).rejects.toThrow(/"Send As" is Customer/);
		await attempt.catch(() => undefined);
	});

	it('relays a trigger event\'s message with its source key; a maybe-relayed one already in the conversation is not sent again', async () => {
		const event = { type: 'text', text: 'Where is it?', sourceKey: 'landbot:msg-9' };
		const bodies: IDataObject[] = [];
		chatwoot().post(`${API}/conversations/42/messages`, capture(bodies)).reply(200, created(1002));
		await run({ ...send, sendAs: 'customer', messageType: 'event', message: JSON.stringify(event) });
		expect(bodies[0]).toEqual({ content: 'Where is it?', message_type: 'incoming', private: false, content_attributes: { n8n_handoff: true, n8n_handoff_source: 'landbot:msg-9' } });

		// The retry after a crash: found in the conversation's latest messages, nothing is posted.
		chatwoot()
			.get(`${API}/conversations/42/messages`)
			.reply(200, { meta: {}, payload: [created(1001), created(1002, { content_attributes: { n8n_handoff: true, n8n_handoff_source: 'landbot:msg-9' } })] });
		const [again] = await run({ ...send, sendAs: 'customer', messageType: 'event', message: JSON.stringify({ ...event, maybeRelayed: true }) });
		expect(again.json).toMatchObject({ alreadySent: true, messageId: '1002' });

		// Not there (a page shorter than Chatwoot's 20 is the conversation's start: no read before it): sent.
		chatwoot().get(`${API}/conversations/42/messages`).reply(200, { payload: [created(1001)] });
		chatwoot().post(`${API}/conversations/42/messages`).reply(200, created(1003));
		const [sent] = await run({ ...send, sendAs: 'customer', messageType: 'event', message: JSON.stringify({ ...event, maybeRelayed: true }) });
		expect(sent.json).toMatchObject({ alreadySent: false, messageId: '1003' });

		// A full page without it: the 20 before it are read too.
		chatwoot().get(`${API}/conversations/42/messages`).reply(200, { payload: Array.from({ length: 20 }, (_, i) => created(1100 + i)) });
		chatwoot()
			.get(`${API}/conversations/42/messages`)
			.query({ before: '1100' })
			.reply(200, { payload: [created(1003, { content_attributes: { n8n_handoff: true, n8n_handoff_source: 'landbot:msg-9' } })] });
		const [older] = await run({ ...send, sendAs: 'customer', messageType: 'event', message: JSON.stringify({ ...event, maybeRelayed: true }) });
		expect(older.json).toMatchObject({ alreadySent: true, messageId: '1003' });
	});

	it('downloads a file and sends it as multipart attachments[] with the caption; without upload, as a link', async () => {
		const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 7, 7]);
		nock('https://files.example.com').get('/receipts/8812.png').reply(200, png, { 'Content-Type': 'image/png' });
		let contentType = '';
		let raw = Buffer.alloc(0);
		chatwoot()
			.post(`${API}/conversations/42/messages`)
			.reply(function (_uri, body) {
				contentType = String(this.req.headers['content-type']);
				const text = typeof body === 'string' ? body : JSON.stringify(body);
				raw = /^([0-9a-f]{2})+$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'utf8');
				return [200, created(1004, { attachments: [{ id: 1, file_type: 'image', data_url: 'https://chat.example.com/rails/8812.png' }] })];
			});
		const event = { type: 'image', text: 'Your receipt', url: 'https://files.example.com/receipts/8812.png', sourceKey: 'k-1' };
		const [out] = await run({ ...send, sendAs: 'agent', messageType: 'event', message: JSON.stringify(event) });
		expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
		const text = raw.toString('latin1');
		expect(text).toContain('name="content"\r\n\r\nYour receipt\r\n');
		expect(text).toContain('name="message_type"\r\n\r\noutgoing\r\n');
		expect(text).toContain('name="content_attributes"\r\n\r\n{"n8n_handoff":true,"n8n_handoff_source":"k-1"}\r\n');
		expect(text).toContain('name="attachments[]"; filename="8812.png"\r\nContent-Type: image/png\r\n\r\n');
		expect(raw.includes(png)).toBe(true);
		expect(out.json).toMatchObject({ messageId: '1004', attachments: 1 });

		const bodies: IDataObject[] = [];
		chatwoot().post(`${API}/conversations/42/messages`, capture(bodies)).reply(200, created(1005));
		await run({ ...send, sendAs: 'agent', messageType: 'file', url: 'https://files.example.com/a.pdf', caption: 'The invoice', options: { upload: false } });
		expect(bodies[0]).toMatchObject({ content: 'The invoice\nhttps://files.example.com/a.pdf' });
	});

	it('names the parameter that is wrong', async () => {
		await expect(run({ ...send, text: '  ' })).rejects.toThrow(/"Text" is empty/);
		await expect(run({ ...send, conversationId: '' })).rejects.toThrow(/"Conversation ID" is empty/);
		await expect(run({ ...send, messageType: 'file', url: 'file:///etc/passwd' })).rejects.toThrow(/"URL" must be an http\(s\) URL/);
		await expect(run({ ...send, messageType: 'event', message: '{"type": "text", "text": ""}' })).rejects.toThrow(/"Message" holds nothing to send/);
		const out = await run({ ...send, conversationId: 'x' }, { continueOnFail: true, items: 2 });
		expect(out.map((item) => item.json.error)).toEqual([expect.stringMatching(/"Conversation ID" must be/), expect.stringMatching(/"Conversation ID" must be/)]);
	});

	it('Get Many pages back through the history (20 a call) oldest first, or forwards after an id; notes can be left out', async () => {
		const page = (from: number, to: number) => ({ payload: Array.from({ length: to - from + 1 }, (_, i) => created(from + i)) });
		chatwoot().get(`${API}/conversations/42/messages`).reply(200, page(121, 140));
		chatwoot().get(`${API}/conversations/42/messages`).query({ before: '121' }).reply(200, page(101, 120));
		const latest = await run({ resource: 'message', operation: 'getMany', conversationId: '42', limit: 25 });
		expect(latest.map((item) => item.json.id)).toEqual(Array.from({ length: 25 }, (_, i) => 116 + i));

		chatwoot().get(`${API}/conversations/42/messages`).query({ filter_internal_messages: 'true', after: '100' }).reply(200, page(101, 103));
		chatwoot().get(`${API}/conversations/42/messages`).query({ filter_internal_messages: 'true', after: '103' }).reply(200, { payload: [] });
		const after = await run({ resource: 'message', operation: 'getMany', conversationId: '42', returnAll: true, options: { after: '100', excludeNotes: true } });
		expect(after.map((item) => item.json.id)).toEqual([101, 102, 103]);
	});
});

describe('Chatwoot node: lists', () => {
	it('searches inboxes, teams and agents by name or id', async () => {
		chatwoot().get(`${API}/inboxes`).reply(200, { payload: [{ id: 5, name: 'Bot handoff', channel_type: 'Channel::Api' }, { id: 2, name: 'Website', channel_type: 'Channel::WebWidget' }] });
		expect(await harness.listSearch(node, 'searchInboxes', { parameters: {} as never, credentials, filter: 'bot' })).toEqual({ results: [{ name: 'Bot handoff (5)', value: '5' }] });
		chatwoot().get(`${API}/agents`).reply(200, [{ id: 7, name: 'Maria Rossi', available_name: 'Maria', role: 'agent', email: 'maria@example.com' }]);
		expect((await harness.listSearch(node, 'searchAgents', { parameters: {} as never, credentials })).results).toEqual([{ name: 'Maria (7)', value: '7' }]);
	});
});
