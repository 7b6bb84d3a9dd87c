import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import { TiledeskApi } from '../../../credentials/TiledeskApi.credentials';
import { TiledeskTrigger } from '../../../nodes/Tiledesk/TiledeskTrigger.node';
import { expectHandoffEvent } from '../../helpers/contract';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';
import messageAgent from '../../fixtures/tiledesk/message-create-agent.json';

// Catch-up after an outage longer than Tiledesk's retries (docs/delivery-guarantees.md, point 6).

const API = 'https://api.tiledesk.com';
const PROJECT = '65c5f3599faf2d04cd7da528';
const EMAIL = 'admin@example.com';
const PASSWORD = 's3cret';
const BASIC = `Basic ${Buffer.from(`${EMAIL}:${PASSWORD}`).toString('base64')}`;
const SUBSCRIPTION = { id: '65c7a0b19faf2d04cd7dc101', secret: 'a1'.repeat(32) };
const HOOK_URL = 'https://n8n.example.com/webhook/catch-up/webhook';
const AGENT = '65c5f2e19faf2d04cd7da4f0';
const LEAD = 'landbot-473548616';
const credentials = {
	tiledeskApi: { baseUrl: 'https://api.tiledesk.com/v3', projectId: PROJECT, authType: 'password', email: EMAIL, password: PASSWORD },
};
const harness = createHarness({ credentialTypes: [new TiledeskApi()] });
const node = new TiledeskTrigger();
const tiledesk = () => nock(API, { reqheaders: { authorization: BASIC } });
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

let workflow: IDataObject = {};
let conversations = 0;
const newConversation = () => `support-group-${PROJECT}-catchup${++conversations}`;

/** A stored message of the conversation, as GET …/messages lists it (no populated request). */
function message(requestId: string, n: number, sender = AGENT, extra: IDataObject = {}): IDataObject {
	return {
		_id: `65c7a3d19faf2d04cd${String(conversations).padStart(2, '0')}${String(n).padStart(4, '0')}`,
		sender,
		senderFullname: sender === AGENT ? 'Maria Rossi' : 'Ada Lovelace',
		recipient: requestId,
		type: 'text',
		text: `message ${n}`,
		id_project: PROJECT,
		createdAt: `2026-12-02T10:00:${String(n).padStart(2, '0')}.000Z`,
		// Tiledesk lists by updatedAt: the reverse here, to show the trigger orders by createdAt.
		updatedAt: `2026-12-02T11:00:${String(60 - n).padStart(2, '0')}.000Z`,
		attributes: {},
		...extra,
	};
}

/** The delivery of one message, with the request populated as Tiledesk sends it. */
function delivery(requestId: string, stored: IDataObject): IDataObject {
	const body = clone(messageAgent) as IDataObject;
	const payload = body.payload as IDataObject;
	const request = { ...(payload.request as IDataObject), request_id: requestId };
	body.payload = { ...stored, request };
	return body;
}

async function deliver(body: IDataObject, options: IDataObject = {}, execution: 'success' | 'error' = 'success', headers: Record<string, string> = {}) {
	const result = await harness.webhook(node, {
		parameters: { events: ['message.create'], authors: ['agent'], options } as never,
		credentials,
		staticData: workflow,
		webhookUrl: HOOK_URL,
		request: { headers: { 'content-type': 'application/json', 'x-hook-secret': SUBSCRIPTION.secret, ...headers }, body },
		execution,
	});
	const items = (result.response.workflowData?.[0] ?? []).map((item) => item.json);
	items.forEach(expectHandoffEvent);
	return { ...result, items };
}

const texts = (items: IDataObject[]) => items.map((item) => (item.message as IDataObject).text);
const path = (requestId: string, rest = '') => `/v3/${PROJECT}/requests/${requestId}${rest}`;

/** The conversation as Tiledesk answers it now, with the mark when given. */
function conversationIs(requestId: string, messages: IDataObject[], relayed?: string) {
	const attributes: IDataObject = relayed === undefined ? {} : { n8nHandoffRelayed: relayed };
	tiledesk().get(path(requestId)).reply(200, { request_id: requestId, id_project: PROJECT, attributes });
	if (relayed !== undefined) tiledesk().get(path(requestId, '/messages')).reply(200, [...messages].reverse());
}

useNock();
beforeEach(() => {
	workflow = { subscriptions: [{ ...SUBSCRIPTION, event: 'message.create', target: HOOK_URL, secretSource: 'own' }] };
});

describe('Tiledesk Trigger: catching up after an outage', () => {
	it('relays first, in order, the agent messages after the mark that Tiledesk gave up on; marks the last one before answering', async () => {
		const id = newConversation();
		const stored = [
			message(id, 1),
			message(id, 2, LEAD),
			message(id, 3),
			message(id, 4, AGENT, { attributes: { n8nHandoff: true } }),
			message(id, 5, AGENT, { attributes: { subtype: 'info' } }),
			message(id, 6),
			message(id, 7),
		];
		conversationIs(id, stored, stored[0]._id as string);
		const marks: IDataObject[] = [];
		tiledesk()
			.patch(path(id, '/attributes'), (body) => marks.push(body) > 0)
			.reply(200, {});

		const { items, http } = await deliver(delivery(id, stored[6]));
		// 2: the end user's; 4: written by this package; 5: an info line.
		expect(texts(items)).toEqual(['message 3', 'message 6', 'message 7']);
		expect(items[0]).toMatchObject({ event: 'message', conversationId: id, messageId: stored[2]._id, author: { role: 'agent' }, raw: { read_back: true } });
		expect(marks).toEqual([{ n8nHandoffRelayed: stored[6]._id }]);
		expect(http).toMatchObject({ statusCode: 200, ended: true });

		// A late retry of a message relayed in the catch-up is dropped; no read needed now.
		expect((await deliver(delivery(id, stored[5]))).response).toEqual({ webhookResponse: { received: true } });
	});

	it('a straggler whose relay failed after a later message moved the mark past it is relayed on its retry, not taken as relayed', async () => {
		const id = newConversation();
		// Written after this process first reads the conversation back: what it relayed since, it knows.
		const at = (seconds: number) => ({ createdAt: new Date(Date.now() + seconds * 1000).toISOString() });
		const [m1, m2, m3] = [message(id, 1, AGENT, at(10)), message(id, 2, AGENT, at(20)), message(id, 3, AGENT, at(30))];
		conversationIs(id, [m1], '');
		tiledesk().patch(path(id, '/attributes')).times(3).reply(200, {});
		expect(texts((await deliver(delivery(id, m1))).items)).toEqual(['message 1']);
		// m3 reaches n8n before m2 (a straggler beyond the hold-back) and is relayed: the mark is m3.
		expect(texts((await deliver(delivery(id, m3))).items)).toEqual(['message 3']);
		// m2's relay fails; Tiledesk retries it, and the trigger reads back: the mark is past m2.
		const failed = await deliver(delivery(id, m2), {}, 'error');
		expect(failed.http.statusCode).toBe(500);
		conversationIs(id, [m1, m2, m3], m3._id as string);
		const retry = await deliver(delivery(id, m2));
		expect(texts(retry.items)).toEqual(['message 2']);
		expect(retry.http).toMatchObject({ statusCode: 200, ended: true });
	});

	it('a conversation without a mark still gets back what this process pushed back: its failed first message comes with the next', async () => {
		const id = newConversation();
		const [m1, m2] = [message(id, 1), message(id, 2)];
		conversationIs(id, [m1]);
		const failed = await deliver(delivery(id, m1), {}, 'error');
		expect(failed.http.statusCode).toBe(500);
		// Tiledesk gave up on m1; m2 comes: no mark to go by, but m1 is a gap this process knows of.
		conversationIs(id, [m1, m2]);
		tiledesk().get(path(id, '/messages')).reply(200, [m2, m1]);
		tiledesk().patch(path(id, '/attributes')).reply(200, {});
		const next = await deliver(delivery(id, m2));
		expect(texts(next.items)).toEqual(['message 1', 'message 2']);
		expect(next.http).toMatchObject({ statusCode: 200, ended: true });
	});

	it('a retry of what was relayed before a crash is dropped by the mark; a conversation opened by Send History (mark empty) catches up from its start', async () => {
		const relayed = newConversation();
		const stored = [message(relayed, 1), message(relayed, 2)];
		conversationIs(relayed, stored, stored[1]._id as string);
		const { response, items } = await deliver(delivery(relayed, stored[0]));
		expect(response).toEqual({ webhookResponse: { received: true } });
		expect(items).toEqual([]);

		const opened = newConversation();
		const history = [message(opened, 1, LEAD), message(opened, 2), message(opened, 3)];
		conversationIs(opened, history, '');
		tiledesk().patch(path(opened, '/attributes')).reply(200, {});
		expect(texts((await deliver(delivery(opened, history[2]))).items)).toEqual(['message 2', 'message 3']);
	});

	it('without a mark relays the delivery alone; when Tiledesk cannot be read, asks for a retry and reads again then; off, makes no calls', async () => {
		const unmarked = newConversation();
		conversationIs(unmarked, []);
		tiledesk().patch(path(unmarked, '/attributes')).reply(200, {});
		expect(texts((await deliver(delivery(unmarked, message(unmarked, 2)))).items)).toEqual(['message 2']);

		// Relaying message 2 alone would mark it relayed and message 1, which Tiledesk gave up on, never.
		const unreadable = newConversation();
		tiledesk().get(path(unreadable)).times(2).reply(503, {});
		const refused = await deliver(delivery(unreadable, message(unreadable, 2)));
		expect(refused.items).toEqual([]);
		expect([refused.http.statusCode, refused.http.headers['retry-after']]).toEqual([503, '30']);
		conversationIs(unreadable, [message(unreadable, 1), message(unreadable, 2)], '');
		tiledesk().patch(path(unreadable, '/attributes')).reply(200, {});
		expect(texts((await deliver(delivery(unreadable, message(unreadable, 2)))).items)).toEqual(['message 1', 'message 2']);

		const off = newConversation();
		expect(texts((await deliver(delivery(off, message(off, 5)), { catchUp: false })).items)).toEqual(['message 5']);
	});

	it('queue mode: a delivery handed over after an unanswered hand-over reads the conversation back, though this process relayed it since', async () => {
		const id = newConversation();
		const stored = [message(id, 1), message(id, 2), message(id, 3)];
		conversationIs(id, [stored[0]], '');
		tiledesk().patch(path(id, '/attributes')).times(2).reply(200, {});
		expect(texts((await deliver(delivery(id, stored[0]))).items)).toEqual(['message 1']);
		// Message 2's hand-over got no answer, and Tiledesk gave up on it; message 3 comes flagged.
		conversationIs(id, stored, stored[0]._id as string);
		const flagged = await deliver(delivery(id, stored[2]), {}, 'success', { 'x-handoff-handed-over-by': 'webhook-2', 'x-handoff-may-have-missed': '1' });
		expect(texts(flagged.items)).toEqual(['message 2', 'message 3']);
		// Not flagged (the hand-over was answered): no read, the process knows this conversation.
		tiledesk().patch(path(id, '/attributes')).reply(200, {});
		expect(texts((await deliver(delivery(id, message(id, 4)), {}, 'success', { 'x-handoff-handed-over-by': 'webhook-2' })).items)).toEqual(['message 4']);
	});
});
