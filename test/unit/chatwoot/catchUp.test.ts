import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import { ChatwootApi } from '../../../credentials/ChatwootApi.credentials';
import { ChatwootTrigger } from '../../../nodes/Chatwoot/ChatwootTrigger.node';
import { expectHandoffEvent } from '../../helpers/contract';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';
import { API, BASE, CONTACT, credentials, HOOK_URL, messageCreated, published, signed, TOKEN } from './fixtures';

// Catch-up after an outage: Chatwoot tries an account webhook once (docs/delivery-guarantees.md, point 6).

const harness = createHarness({ credentialTypes: [new ChatwootApi()] });
const node = new ChatwootTrigger();
const chatwoot = () => nock(BASE, { reqheaders: { api_access_token: TOKEN } });

let workflow: IDataObject = {};
let conversations = 100;
const newConversation = () => ++conversations;

/** A message as GET …/messages lists it: message_type an integer, created_at unix seconds, no conversation. */
function listed(id: number, extra: IDataObject = {}): IDataObject {
	return {
		id,
		content: `message ${id}`,
		inbox_id: 5,
		message_type: 1,
		content_type: 'text',
		content_attributes: {},
		created_at: 1796205600 + id,
		private: false,
		source_id: null,
		sender: { id: 7, name: 'Maria Rossi', type: 'user' },
		attachments: [],
		...extra,
	};
}

async function deliver(conversationId: number, id: number, options: IDataObject = {}, execution: 'success' | 'error' = 'success') {
	const body = messageCreated(id, {}, conversationId);
	const result = await harness.webhook(node, {
		parameters: { events: ['message'], authors: ['agent'], options } as never,
		credentials,
		staticData: workflow,
		webhookUrl: HOOK_URL,
		request: { headers: signed(body), body },
		execution,
	});
	const items = (result.response.workflowData?.[0] ?? []).map((item) => item.json);
	items.forEach(expectHandoffEvent);
	return { ...result, items };
}

const texts = (items: IDataObject[]) => items.map((item) => (item.message as IDataObject).text);

/** The conversation as Chatwoot answers it now: its custom attributes, the mark among them when given. */
function conversationIs(id: number, mark?: string, times = 1) {
	const custom_attributes: IDataObject = { order: 'A-17', ...(mark === undefined ? {} : { handoff_relayed_message: mark }) };
	chatwoot().get(`${API}/conversations/${id}`).times(times).reply(200, { id, status: 'open', custom_attributes });
}

/** The mark write: the conversation read, then its attributes with the new mark, the others kept. */
function markWritten(id: number, marks: IDataObject[], current: IDataObject = { order: 'A-17' }) {
	chatwoot().get(`${API}/conversations/${id}`).reply(200, { id, custom_attributes: current });
	chatwoot()
		.post(`${API}/conversations/${id}/custom_attributes`, (body: IDataObject) => marks.push(body) > 0)
		.reply(200, {});
}

useNock();
beforeEach(() => {
	workflow = published();
});

describe('Chatwoot Trigger: catching up after an outage', () => {
	it('relays first, once and in order, the agent messages after the mark that Chatwoot never retried; marks the last before answering', async () => {
		const id = newConversation();
		conversationIs(id, '10');
		chatwoot()
			.get(`${API}/conversations/${id}/messages`)
			.query({ after: '10' })
			.reply(200, {
				meta: {},
				payload: [
					listed(14),
					listed(11),
					listed(12, { message_type: 0, sender: { ...CONTACT } }),
					listed(13, { content_attributes: { n8n_handoff: true } }),
					listed(15, { private: true }),
					listed(16, { message_type: 2, sender: null }),
					listed(17),
				],
			});
		const marks: IDataObject[] = [];
		markWritten(id, marks);
		const { items, http } = await deliver(id, 17);
		// 12: the customer's; 13: written by this package; 15: a private note; 16: an activity line.
		expect(texts(items)).toEqual(['message 11', 'message 14', 'message 17']);
		expect(items[0]).toMatchObject({ event: 'message', conversationId: String(id), messageId: '11', author: { role: 'agent' }, messageType: 'outgoing', raw: { read_back: true } });
		expect(items[0].message).toMatchObject({ maybeRelayed: true, sourceKey: 'message_created:11' });
		expect(marks).toEqual([{ custom_attributes: { order: 'A-17', handoff_relayed_message: '17' }, merge: true }]);
		expect(http).toMatchObject({ statusCode: 200, ended: true });

		// The conversation's next message reads nothing back: this process knows it now.
		markWritten(id, marks, { order: 'A-17', handoff_relayed_message: '17' });
		expect(texts((await deliver(id, 18)).items)).toEqual(['message 18']);
		expect(marks[1]).toEqual({ custom_attributes: { order: 'A-17', handoff_relayed_message: '18' }, merge: true });
	});

	it('pages forwards past 100 messages; a conversation opened by Create (mark empty) catches up from its start', async () => {
		const id = newConversation();
		conversationIs(id, '');
		const page = (from: number, to: number) => ({ payload: Array.from({ length: to - from + 1 }, (_, i) => listed(from + i)) });
		chatwoot().get(`${API}/conversations/${id}/messages`).query({ after: '0' }).reply(200, page(1, 100));
		chatwoot().get(`${API}/conversations/${id}/messages`).query({ after: '100' }).reply(200, page(101, 103));
		markWritten(id, []);
		const { items } = await deliver(id, 103);
		expect(items.map((item) => Number(item.messageId))).toEqual(Array.from({ length: 103 }, (_, i) => i + 1));
	});

	it('a retry of what was relayed before a crash is dropped by the mark', async () => {
		const id = newConversation();
		conversationIs(id, '21');
		chatwoot().get(`${API}/conversations/${id}/messages`).query({ after: '21' }).reply(200, { payload: [] });
		const { response, items } = await deliver(id, 20);
		expect(response).toEqual({ webhookResponse: { received: true } });
		expect(items).toEqual([]);
	});

	it('without a mark relays the delivery alone; a failed relay comes back with the next; unreadable: retry later; off: no calls', async () => {
		const id = newConversation();
		conversationIs(id);
		markWritten(id, []);
		expect(texts((await deliver(id, 31)).items)).toEqual(['message 31']);

		// 32's relay fails, and Chatwoot never retries it: 33 reads the conversation back and brings 32 first.
		const failed = await deliver(id, 32, {}, 'error');
		expect(failed.http.statusCode).toBe(500);
		conversationIs(id, '31');
		chatwoot().get(`${API}/conversations/${id}/messages`).query({ after: '31' }).reply(200, { payload: [listed(32), listed(33)] });
		markWritten(id, []);
		expect(texts((await deliver(id, 33)).items)).toEqual(['message 32', 'message 33']);

		const unreadable = newConversation();
		chatwoot().get(`${API}/conversations/${unreadable}`).times(2).reply(503, {});
		const refused = await deliver(unreadable, 41);
		expect(refused.items).toEqual([]);
		expect([refused.http.statusCode, refused.http.headers['retry-after']]).toEqual([503, '30']);

		const off = newConversation();
		expect(texts((await deliver(off, 51, { catchUp: false })).items)).toEqual(['message 51']);
	});
});
