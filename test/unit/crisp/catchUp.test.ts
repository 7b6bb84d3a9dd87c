import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import { CrispApi } from '../../../credentials/CrispApi.credentials';
import { CrispTrigger } from '../../../nodes/Crisp/CrispTrigger.node';
import { rememberOwnMessage } from '../../../nodes/Crisp/marker';
import { expectHandoffEvent } from '../../helpers/contract';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';
import { API, BASIC, credentials, HOOK_URL, messageHook, ok, OPERATOR, signed, WEBSITE } from './fixtures';

// Catch-up after an outage: Crisp tries a hook a few times and gives up (docs/delivery-guarantees.md,
// point 6; docs/platforms/crisp.md). The mark: meta.data.n8n_handoff_relayed, "<timestamp> <fingerprint>…".

const harness = createHarness({ credentialTypes: [new CrispApi()] });
const node = new CrispTrigger();
const crisp = () => nock(API, { reqheaders: { authorization: BASIC, 'x-crisp-tier': 'plugin' } });
const BASE = Date.parse('2026-12-06T10:00:00.000Z');
const MARK = 'n8n_handoff_relayed';
const OTHER_DATA = { external_id: 'landbot-4735', order: 'A-17' };

/** The workflow's static data: what the harness tells one workflow (and its sequencer) from another by. */
let workflow: IDataObject = {};
let sessions = 0;
/** Every test its own conversation: the trigger's sequencer remembers which it has read back. */
const newSession = () => `session_00000000-0000-4000-8000-${String(++sessions).padStart(12, '0')}`;
const site = (session: string) => `/v1/website/${WEBSITE}/conversation/${session}`;

/** A message as GET …/messages lists it (the simulator's shape): fingerprint n, written at BASE + n ms unless told. */
function listed(session: string, fingerprint: number, extra: IDataObject = {}): IDataObject {
	return {
		website_id: WEBSITE,
		session_id: session,
		inbox_id: null,
		type: 'text',
		from: 'operator',
		origin: 'chat',
		content: `message ${fingerprint}`,
		fingerprint,
		timestamp: BASE + fingerprint,
		user: { user_id: OPERATOR, nickname: 'Maria Rossi' },
		mentions: [],
		stamped: true,
		automated: false,
		read: '',
		delivered: 'chat',
		edited: false,
		...extra,
	};
}

async function deliver(session: string, fingerprint: number, { options = {}, data = {}, event = 'message:received', authors = ['agent'], execution = 'success' }: { options?: IDataObject; data?: IDataObject; event?: 'message:send' | 'message:received'; authors?: string[]; execution?: 'success' | 'error' } = {}) {
	const body = messageHook(event, fingerprint, { session_id: session, ...data });
	const result = await harness.webhook(node, {
		parameters: { source: 'pluginHooks', events: ['message'], authors, options } as never,
		credentials: credentials as never,
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

/** The conversation's meta as Crisp answers it now: the other data keys, and the mark when given. */
function metaIs(session: string, mark?: string) {
	crisp()
		.get(`${site(session)}/meta`)
		.reply(200, ok({ nickname: 'Ada', data: { ...OTHER_DATA, ...(mark === undefined ? {} : { [MARK]: mark }) } }));
}

/** GET …/messages as Crisp pages it: the newest `size` strictly before timestamp_before, oldest first; `calls` answers. */
function messagesAre(session: string, messages: IDataObject[], calls: number, size = 40, asked: number[] = []) {
	crisp()
		.get(`${site(session)}/messages`)
		.query(true)
		.times(calls)
		.reply(200, (uri) => {
			const before = Number(new URL(uri, API).searchParams.get('timestamp_before'));
			asked.push(before - BASE);
			return ok(messages.filter((message) => Number(message.timestamp) < before).slice(-size));
		});
	return asked;
}

/** The mark write: the meta read (data as given), then PATCH …/meta with the data sent recorded. */
function markWritten(session: string, sent: IDataObject[], current: IDataObject = OTHER_DATA) {
	crisp().get(`${site(session)}/meta`).reply(200, ok({ nickname: 'Ada', data: current }));
	crisp()
		.patch(`${site(session)}/meta`, (body: IDataObject) => sent.push(body) > 0)
		.reply(200, ok({}));
}

useNock();
beforeEach(() => {
	workflow = {};
});

describe('Crisp Trigger: catching up after an outage', () => {
	it('relays first, once and in order, the operator messages after the mark that Crisp gave up on; marks the last before answering, the other data kept', async () => {
		const session = newSession();
		metaIs(session, `${BASE + 10} 10`);
		messagesAre(session, [9, 10, 11, 12, 13, 14, 15, 16, 17].map((n) => listed(session, n)), 1);
		const sent: IDataObject[] = [];
		markWritten(session, sent);
		const { items, http } = await deliver(session, 17);
		expect(texts(items)).toEqual(['message 11', 'message 12', 'message 13', 'message 14', 'message 15', 'message 16', 'message 17']);
		expect(items[0]).toMatchObject({ event: 'message', conversationId: session, websiteId: WEBSITE, messageId: '11', author: { role: 'agent', id: OPERATOR }, crispEvent: 'message:received', raw: { read_back: true } });
		expect(items[0].timestamp).toBe(new Date(BASE + 11).toISOString());
		expect(items[0].message).toMatchObject({ maybeRelayed: true, sourceKey: `message:received:${WEBSITE}:${session}:11` });
		// Crisp may replace `data` on PATCH (UNCONFIRMED): it is sent whole, the mark changed.
		expect(sent).toEqual([{ data: { ...OTHER_DATA, [MARK]: `${BASE + 17} 17` } }]);
		expect(http).toMatchObject({ statusCode: 200, ended: true });

		// The conversation's next message reads nothing back: this process knows it now.
		markWritten(session, sent, { ...OTHER_DATA, [MARK]: `${BASE + 17} 17` });
		expect(texts((await deliver(session, 18)).items)).toEqual(['message 18']);
		expect(sent[1]).toEqual({ data: { ...OTHER_DATA, [MARK]: `${BASE + 18} 18` } });
	});

	it("applies the trigger's own filters to what it reads back: echoes (origin, fingerprint sent), notes, the customer's, events", async () => {
		const session = newSession();
		metaIs(session, `${BASE + 20} 20`);
		rememberOwnMessage(WEBSITE, 9023);
		messagesAre(
			session,
			[
				listed(session, 19),
				listed(session, 20),
				listed(session, 21, { origin: 'urn:n8n-handoff:relay:0' }),
				listed(session, 22, { type: 'note', content: 'VIP customer' }),
				listed(session, 9023, { timestamp: BASE + 23 }),
				listed(session, 24, { from: 'user', user: { user_id: session, nickname: 'Ada' } }),
				listed(session, 25, { type: 'event', content: { namespace: 'state:resolved' } }),
				listed(session, 26, { automated: true }),
				listed(session, 27, { from: 'nobody' }),
				listed(session, 28),
				listed(session, 29),
			],
			1,
		);
		markWritten(session, []);
		// 21: our origin; 22: a note; 9023: a fingerprint this process sent; 24: the customer's; 25: an event; 26: the bot's; 27: no author.
		expect(texts((await deliver(session, 29)).items)).toEqual(['message 28', 'message 29']);

		// A trigger on the customer's messages (message:send) reads back the customer's.
		const customer = newSession();
		metaIs(customer, '');
		messagesAre(
			customer,
			[
				listed(customer, 30, { type: 'note', content: 'private' }),
				listed(customer, 31, { from: 'user', user: { user_id: customer, nickname: 'Ada' } }),
				listed(customer, 32),
				listed(customer, 33, { from: 'user', origin: 'urn:n8n-handoff:relay:0' }),
			],
			// Read to the conversation's start: the oldest again (+1), then strictly before it, empty.
			3,
		);
		markWritten(customer, []);
		const { items } = await deliver(customer, 34, { event: 'message:send', authors: ['customer'], data: { from: 'user', user: { user_id: customer, nickname: 'Ada' } } });
		expect(texts(items)).toEqual(['message 31', 'message 34']);
		expect(items[0]).toMatchObject({ crispEvent: 'message:send', author: { role: 'customer', id: customer }, message: { sourceKey: `message:send:${WEBSITE}:${customer}:31` } });
	});

	it('messages tied on one millisecond: the mark holds every fingerprint relayed at it, so the others are caught up and the relayed ones not', async () => {
		const session = newSession();
		const T = BASE + 1_000;
		metaIs(session, `${T} 20 21`);
		const messages = [listed(session, 19, { timestamp: T - 1 }), listed(session, 20, { timestamp: T }), listed(session, 21, { timestamp: T }), listed(session, 22, { timestamp: T }), listed(session, 23, { timestamp: T + 1 })];
		// 23 and 24 tie with the delivery: caught up in front of it (their own deliveries, should Crisp retry them, are dropped).
		messagesAre(session, [...messages, listed(session, 24, { timestamp: T + 1 }), listed(session, 25, { timestamp: T + 1 })], 1);
		const sent: IDataObject[] = [];
		markWritten(session, sent, { ...OTHER_DATA, [MARK]: `${T} 20 21` });
		const { items } = await deliver(session, 25, { data: { timestamp: T + 1 } });
		expect(texts(items)).toEqual(['message 22', 'message 23', 'message 24', 'message 25']);
		expect(sent).toEqual([{ data: { ...OTHER_DATA, [MARK]: `${T + 1} 23 24 25` } }]);

		// A retry of 21 (relayed at the mark's millisecond) is dropped; 26 at that millisecond is not.
		const tied = newSession();
		metaIs(tied, `${T} 20 21`);
		messagesAre(tied, [listed(tied, 19, { timestamp: T - 1 }), listed(tied, 20, { timestamp: T }), listed(tied, 21, { timestamp: T })], 1);
		expect((await deliver(tied, 21, { data: { timestamp: T } })).response).toEqual({ webhookResponse: { received: true } });
		const marks: IDataObject[] = [];
		markWritten(tied, marks, { ...OTHER_DATA, [MARK]: `${T} 20 21` });
		// Known now: no read-back; the mark keeps the fingerprints of its millisecond.
		expect(texts((await deliver(tied, 26, { data: { timestamp: T } })).items)).toEqual(['message 26']);
		expect(marks).toEqual([{ data: { ...OTHER_DATA, [MARK]: `${T} 20 21 26` } }]);
	});

	it('pages back past one batch (ties on a batch edge included) to a conversation opened by Get or Create (mark empty); bounded at 10 batches', async () => {
		const session = newSession();
		metaIs(session, '');
		// 102 messages, then the delivery; 63 and 64 on one millisecond, 64 the oldest of the first batch and 63 not in it.
		const messages = Array.from({ length: 102 }, (_, i) => listed(session, i + 1, i + 1 === 63 ? { timestamp: BASE + 64 } : {}));
		const asked = messagesAre(session, [...messages, listed(session, 103)], 5);
		markWritten(session, []);
		const { items } = await deliver(session, 103);
		expect(items.map((item) => Number(item.messageId))).toEqual(Array.from({ length: 103 }, (_, i) => i + 1));
		// Each batch asked for with its oldest timestamp + 1; one that brings nothing new steps past its tie.
		expect(asked).toEqual([104, 65, 26, 2, 1]);

		// An outage longer than 10 batches: the newest 10 × 40 − 9 (the overlaps) are relayed, no more calls.
		const long = newSession();
		metaIs(long, '');
		messagesAre(long, Array.from({ length: 500 }, (_, i) => listed(long, i + 1)), 10);
		markWritten(long, []);
		const { items: bounded } = await deliver(long, 500);
		expect(bounded.map((item) => Number(item.messageId))).toEqual(Array.from({ length: 391 }, (_, i) => 110 + i));
	});

	it('a retry of what was relayed before a crash is dropped by the mark; without a mark the delivery is relayed alone', async () => {
		const session = newSession();
		metaIs(session, `${BASE + 41} 41`);
		messagesAre(session, [listed(session, 39), listed(session, 40), listed(session, 41)], 1);
		const { response, items } = await deliver(session, 40);
		expect(response).toEqual({ webhookResponse: { received: true } });
		expect(items).toEqual([]);

		// A conversation this package neither opened nor relayed: nothing is read back, the first relay marks it.
		const unmarked = newSession();
		metaIs(unmarked);
		const sent: IDataObject[] = [];
		markWritten(unmarked, sent);
		expect(texts((await deliver(unmarked, 45)).items)).toEqual(['message 45']);
		expect(sent).toEqual([{ data: { ...OTHER_DATA, [MARK]: `${BASE + 45} 45` } }]);
	});

	it('a session ID no URL can carry (a lone surrogate, found by the fuzz suite) is relayed without a read-back or a mark, not a 500', async () => {
		const { response, items } = await deliver('\ud800', 61);
		expect(texts(items)).toEqual(['message 61']);
		expect(response.webhookResponse).toBeUndefined();
		expect(nock.pendingMocks()).toEqual([]);
	});

	it('a relay that failed is a gap: the next delivery brings it even when a later relay moved the mark past it', async () => {
		const session = newSession();
		metaIs(session, `${BASE + 50} 50`);
		messagesAre(session, [listed(session, 49), listed(session, 50), listed(session, 51)], 1);
		markWritten(session, []);
		expect(texts((await deliver(session, 51)).items)).toEqual(['message 51']);

		// 52's relay fails and Crisp gives up on it; meanwhile the mark moved to 53 (another process relayed it).
		expect((await deliver(session, 52, { execution: 'error' })).http.statusCode).toBe(500);
		metaIs(session, `${BASE + 53} 53`);
		messagesAre(session, [49, 50, 51, 52, 53, 54].map((n) => listed(session, n)), 1);
		const sent: IDataObject[] = [];
		markWritten(session, sent, { ...OTHER_DATA, [MARK]: `${BASE + 53} 53` });
		expect(texts((await deliver(session, 54)).items)).toEqual(['message 52', 'message 54']);
		expect(sent).toEqual([{ data: { ...OTHER_DATA, [MARK]: `${BASE + 54} 54` } }]);
	});

	it('Crisp failing: an unreadable conversation is answered 503 (its retry reads again); a mark that cannot be written leaves the relay done; off: no calls', async () => {
		const session = newSession();
		crisp().get(`${site(session)}/meta`).times(2).reply(503, { error: true, reason: 'error' });
		const refused = await deliver(session, 61);
		expect(refused.items).toEqual([]);
		expect([refused.http.statusCode, refused.http.headers['retry-after']]).toEqual([503, '30']);
		// Crisp's next attempt: read, relayed, and the mark write refused twice: still a relay done (200).
		metaIs(session, `${BASE + 60} 60`);
		messagesAre(session, [listed(session, 59), listed(session, 60), listed(session, 61)], 1);
		crisp().get(`${site(session)}/meta`).times(2).reply(500, { error: true, reason: 'error' });
		const relayed = await deliver(session, 61);
		expect(texts(relayed.items)).toEqual(['message 61']);
		expect(relayed.http).toMatchObject({ statusCode: 200, ended: true });

		const off = newSession();
		expect(texts((await deliver(off, 71, { options: { catchUp: false } })).items)).toEqual(['message 71']);
	});
});
