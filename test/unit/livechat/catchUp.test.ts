import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import { LiveChatApi } from '../../../credentials/LiveChatApi.credentials';
import { LiveChatTrigger } from '../../../nodes/LiveChat/LiveChatTrigger.node';
import { clearLiveChatCaches } from '../../../nodes/LiveChat/transport';
import { expectHandoffEvent } from '../../helpers/contract';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';

// Catch-up after an outage longer than LiveChat's retries (docs/delivery-guarantees.md, "Catch-up").

const API = 'https://api.livechatinc.com';
const ACCOUNT = 'd24fa41e-bc16-41b8-a15b-9ca45ff7e0cf';
const PAT = 'dal:pAt-sEcret_0123456789';
const BASIC = `Basic ${Buffer.from(`${ACCOUNT}:${PAT}`).toString('base64')}`;
const ORG = '390e44e6-f1e6-0368c-z6ddb-74g14508c2ex';
const CLIENT = '0805e283233042b37f460ed8fbf22160';
const THREAD = 'K600PKZON8';
const SECRET = 'e'.repeat(64);
const WEBHOOK_ID = 'pqi8oasdjahuakndw9nsad9na';
const AGENT = 'smith@example.com';
const CUSTOMER = 'b7eff798-f8df-4364-8059-649c35c9ed0c';
const credentials = {
	liveChatApi: { authType: 'pat', accountId: ACCOUNT, personalAccessToken: PAT, organizationId: ORG, clientId: CLIENT },
};
const harness = createHarness({ credentialTypes: [new LiveChatApi()] });
const node = new LiveChatTrigger();
const agentApi = (action: string) => `/v3.6/agent/action/${action}`;
const livechat = () => nock(API, { reqheaders: { authorization: BASIC } });

// The harness runs deliveries with the same static data as the same workflow (one sequencer).
let workflow: IDataObject = {};
// Each test its own chat: the trigger's memory of what it relayed lives as long as the process.
let chatCount = 0;
const newChat = () => `CATCHUP${String(++chatCount).padStart(3, '0')}`;

function event(id: number, author = AGENT, extra: IDataObject = {}): IDataObject {
	return {
		id: `${THREAD}_${id}`,
		type: 'message',
		author_id: author,
		created_at: `2026-12-02T10:00:${String(id).padStart(2, '0')}.000000Z`,
		visibility: 'all',
		text: `message ${id}`,
		...extra,
	};
}

function delivery(chatId: string, lcEvent: IDataObject): IDataObject {
	return {
		webhook_id: WEBHOOK_ID,
		secret_key: SECRET,
		action: 'incoming_event',
		organization_id: ORG,
		payload: { chat_id: chatId, thread_id: THREAD, event: lcEvent },
		additional_data: { chat_properties: { [CLIENT]: { external_id: '473548616' } } },
	};
}

/** The chat as get_chat answers it: its properties (with the mark, when given) and the thread's events. */
function chatWith(chatId: string, events: IDataObject[], relayed?: string): IDataObject {
	const ours: IDataObject = { external_id: '473548616' };
	if (relayed !== undefined) ours.relayed = relayed;
	return { id: chatId, properties: { [CLIENT]: ours }, thread: { id: THREAD, events } };
}

async function deliver(body: IDataObject, options: IDataObject = {}, execution: 'success' | 'error' | 'pending' = 'success') {
	const result = await harness.webhook(node, {
		parameters: { events: ['agentMessage'], options } as never,
		credentials: credentials as never,
		staticData: workflow,
		webhookUrl: 'https://n8n.example.com/webhook/catch-up/webhook',
		request: { headers: { 'content-type': 'application/json' }, body },
		execution,
	});
	const items = (result.response.workflowData?.[0] ?? []).map((item) => item.json);
	items.forEach(expectHandoffEvent);
	return { ...result, items };
}

const texts = (items: IDataObject[]) => items.map((item) => (item.message as IDataObject).text);

useNock();
beforeEach(() => {
	clearLiveChatCaches();
	workflow = { webhooks: [{ id: WEBHOOK_ID, action: 'incoming_event', secret: SECRET }] };
});

describe('LiveChat Trigger: catching up after an outage', () => {
	it('relays first, in order, the agent messages after the mark that LiveChat gave up on; marks the last one before answering', async () => {
		const chat = newChat();
		const thread = [event(1), event(2, CUSTOMER), event(3), event(4, AGENT, { custom_id: 'n8n-handoff:abc' }), event(5, AGENT, { visibility: 'agents' }), event(6), event(7)];
		livechat().post(agentApi('get_chat'), { chat_id: chat, thread_id: THREAD }).reply(200, chatWith(chat, thread, `${THREAD} ${THREAD}_1`));
		const marks: IDataObject[] = [];
		livechat()
			.post(agentApi('update_chat_properties'), (body) => marks.push(body) > 0)
			.reply(200, {});

		const { items, http } = await deliver(delivery(chat, event(7)));
		// 2: the customer's; 4: written by this package; 5: an internal note. Each as a delivery would have made it.
		expect(texts(items)).toEqual(['message 3', 'message 6', 'message 7']);
		expect(items[0]).toMatchObject({ event: 'message', conversationId: chat, messageId: `${THREAD}_3`, raw: { read_back: true } });
		expect(items[2].raw).not.toHaveProperty('read_back');
		expect(marks).toEqual([{ id: chat, properties: { [CLIENT]: { relayed: `${THREAD} ${THREAD}_7` } } }]);
		expect(http).toMatchObject({ statusCode: 200, ended: true });

		// A late retry of a message relayed in the catch-up is dropped; the chat needs no read now.
		const late = await deliver(delivery(chat, event(6)));
		expect(late.response).toEqual({ webhookResponse: { received: true } });
		// The next one relays alone, and moves the mark on.
		livechat().post(agentApi('update_chat_properties')).reply(200, {});
		expect(texts((await deliver(delivery(chat, event(8)))).items)).toEqual(['message 8']);
	});

	it('a message whose relay failed is brought back even from before the mark a later message moved, and from a chat without a mark', async () => {
		const chat = newChat();
		// Written after this process first reads the chat back: what it relayed since, it knows.
		const later = (id: number) => event(id, AGENT, { created_at: new Date(Date.now() + id * 1000).toISOString() });
		livechat().post(agentApi('get_chat')).reply(200, chatWith(chat, [later(1)], ''));
		livechat().post(agentApi('update_chat_properties')).times(3).reply(200, {});
		expect(texts((await deliver(delivery(chat, later(1)))).items)).toEqual(['message 1']);
		expect(texts((await deliver(delivery(chat, later(3)))).items)).toEqual(['message 3']);
		// Message 2, a straggler, fails; LiveChat gives up on it; message 4 comes: the mark is at 3.
		expect((await deliver(delivery(chat, later(2)), {}, 'error')).http.statusCode).toBe(500);
		livechat().post(agentApi('get_chat')).reply(200, chatWith(chat, [later(1), later(2), later(3), later(4)], `${THREAD} ${THREAD}_3`));
		expect(texts((await deliver(delivery(chat, later(4)))).items)).toEqual(['message 2', 'message 4']);

		const unmarked = newChat();
		livechat().post(agentApi('get_chat')).reply(200, chatWith(unmarked, [event(1)]));
		expect((await deliver(delivery(unmarked, event(1)), {}, 'error')).http.statusCode).toBe(500);
		livechat().post(agentApi('get_chat')).reply(200, chatWith(unmarked, [event(1), event(2)]));
		livechat().post(agentApi('update_chat_properties')).reply(200, {});
		expect(texts((await deliver(delivery(unmarked, event(2)))).items)).toEqual(['message 1', 'message 2']);
	});

	it('a retry of what was relayed before a crash is dropped by the mark', async () => {
		const chat = newChat();
		livechat().post(agentApi('get_chat')).reply(200, chatWith(chat, [event(1), event(2), event(3)], `${THREAD} ${THREAD}_2`));
		const { response, items } = await deliver(delivery(chat, event(2)));
		expect(response).toEqual({ webhookResponse: { received: true } });
		expect(items).toEqual([]);
	});

	it('a chat started by this package (mark empty) catches up from its first agent message', async () => {
		const chat = newChat();
		livechat().post(agentApi('get_chat')).reply(200, chatWith(chat, [event(1, CUSTOMER), event(2), event(3)], ''));
		livechat().post(agentApi('update_chat_properties')).reply(200, {});
		expect(texts((await deliver(delivery(chat, event(3)))).items)).toEqual(['message 2', 'message 3']);
	});

	it('reads nothing back for a chat without a mark (relays the delivery alone); when LiveChat cannot be read, asks for a retry', async () => {
		const unmarked = newChat();
		livechat().post(agentApi('get_chat')).reply(200, chatWith(unmarked, [event(1), event(2)]));
		livechat().post(agentApi('update_chat_properties')).reply(200, {});
		expect(texts((await deliver(delivery(unmarked, event(2)))).items)).toEqual(['message 2']);

		// Relaying message 2 alone would move the mark past message 1, which LiveChat may have given up on.
		const unreadable = newChat();
		livechat().post(agentApi('get_chat')).times(2).reply(503, { error: { type: 'service_unavailable' } });
		const refused = await deliver(delivery(unreadable, event(2)));
		expect(refused.items).toEqual([]);
		expect([refused.http.statusCode, refused.http.headers['retry-after']]).toEqual([503, '30']);
		// Not read back yet: the retry, or the next delivery, reads again and relays what is missing first.
		livechat().post(agentApi('get_chat')).reply(200, chatWith(unreadable, [event(1), event(2), event(3), event(4)], `${THREAD} ${THREAD}_1`));
		livechat().post(agentApi('update_chat_properties')).reply(200, {});
		expect(texts((await deliver(delivery(unreadable, event(4)))).items)).toEqual(['message 2', 'message 3', 'message 4']);
	});

	it('a failed relay writes no mark, and a mark that cannot be written does not fail the relay', async () => {
		const chat = newChat();
		livechat().post(agentApi('get_chat')).reply(200, chatWith(chat, [event(1)], ''));
		const failed = await deliver(delivery(chat, event(1)), {}, 'error');
		expect(failed.http.statusCode).toBe(500);
		// The platform may give up on a failed relay: its retry reads the chat back again.
		livechat().post(agentApi('get_chat')).reply(200, chatWith(chat, [event(1)], ''));
		// update_chat_properties refused: the answer is still 200 (the message was relayed).
		livechat().post(agentApi('update_chat_properties')).times(2).reply(500, {});
		const retried = await deliver(delivery(chat, event(1)));
		expect(texts(retried.items)).toEqual(['message 1']);
		expect(retried.http).toMatchObject({ statusCode: 200, ended: true });
	});

	it('two deliveries of a chat arriving together read it back once, and nothing goes out twice', async () => {
		const chat = newChat();
		const thread = [event(1), event(2), event(3), event(4)];
		let reads = 0;
		livechat()
			.persist()
			.post(agentApi('get_chat'), () => ++reads > 0)
			.reply(200, chatWith(chat, thread, `${THREAD} ${THREAD}_1`));
		livechat().post(agentApi('update_chat_properties')).times(2).reply(200, {});
		// 3 arrives first (its retry after the outage), 4 at the same moment; 2 was given up by LiveChat.
		const [first, second] = await Promise.all([deliver(delivery(chat, event(3))), deliver(delivery(chat, event(4)))]);
		expect([...texts(first.items), ...texts(second.items)]).toEqual(['message 2', 'message 3', 'message 4']);
		expect(reads).toBe(1);
		nock.cleanAll();
	});

	it('an execution carrying several chats (batching across conversations) marks each chat with its own last event', async () => {
		const [a, b, c] = [newChat(), newChat(), newChat()];
		const options = { catchUp: true, maxBatch: 4, batchAcross: true, maxRunning: 1, holdBackMs: 0 };
		for (const chat of [a, b, c]) livechat().post(agentApi('get_chat'), { chat_id: chat, thread_id: THREAD }).reply(200, chatWith(chat, [event(1), event(2)], ''));
		const marks: IDataObject[] = [];
		livechat()
			.post(agentApi('update_chat_properties'), (body) => marks.push(body) > 0)
			.times(3)
			.reply(200, {});
		// a's relay holds the only execution; b and c wait for it, then go out together.
		const first = await deliver(delivery(a, event(1)), options, 'pending');
		const waiting = Promise.all([deliver(delivery(b, event(2)), options), deliver(delivery(c, event(2)), options)]);
		await new Promise((resolve) => setTimeout(resolve, 100));
		await first.endExecution(true);
		const [lead, follower] = await waiting;
		expect(texts(lead.items)).toEqual(['message 1', 'message 2', 'message 1', 'message 2']);
		expect(follower.items).toEqual([]);
		expect(follower.http).toMatchObject({ statusCode: 200, ended: true });
		const relayed = (chat: string) => marks.filter((m) => m.id === chat).map((m) => ((m.properties as IDataObject)[CLIENT] as IDataObject).relayed);
		expect([relayed(a), relayed(b), relayed(c)]).toEqual([[`${THREAD} ${THREAD}_1`], [`${THREAD} ${THREAD}_2`], [`${THREAD} ${THREAD}_2`]]);
	});

	it('a delivery arriving while the chat is read back waits for it, even with no hold-back: order holds', async () => {
		const chat = newChat();
		livechat()
			.post(agentApi('get_chat'))
			.delay(300)
			.reply(200, chatWith(chat, [event(1), event(2)], ''));
		livechat().post(agentApi('update_chat_properties')).times(2).reply(200, {});
		const order: string[] = [];
		const record = async (body: IDataObject) => {
			const out = await deliver(body, { holdBackMs: 0 });
			order.push(...texts(out.items).map(String));
		};
		const first = record(delivery(chat, event(1)));
		await new Promise((resolve) => setTimeout(resolve, 100));
		await Promise.all([first, record(delivery(chat, event(2)))]);
		expect(order).toEqual(['message 1', 'message 2']);
	});

	it('when that read fails, the delivery that waited for it is asked for a retry too: nothing overtakes what may be missing', async () => {
		const chat = newChat();
		livechat().post(agentApi('get_chat')).delay(300).times(2).reply(503, { error: { type: 'service_unavailable' } });
		const first = deliver(delivery(chat, event(1)), { holdBackMs: 0 });
		await new Promise((resolve) => setTimeout(resolve, 100));
		const second = await deliver(delivery(chat, event(2)), { holdBackMs: 0 });
		for (const refused of [await first, second]) {
			expect(refused.items).toEqual([]);
			expect(refused.http.statusCode).toBe(503);
		}
	}, 15_000);

	it('makes no calls with Catch Up After Outages off', async () => {
		const chat = newChat();
		const { items } = await deliver(delivery(chat, event(5)), { catchUp: false });
		expect(texts(items)).toEqual(['message 5']);
	});
});
