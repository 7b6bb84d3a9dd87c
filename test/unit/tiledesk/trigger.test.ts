import { createHmac } from 'crypto';
import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import { TiledeskApi } from '../../../credentials/TiledeskApi.credentials';
import { TiledeskTrigger } from '../../../nodes/Tiledesk/TiledeskTrigger.node';
import { expectHandoffEvent } from '../../helpers/contract';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';
import messageAgent from '../../fixtures/tiledesk/message-create-agent.json';
import messageBot from '../../fixtures/tiledesk/message-create-bot.json';
import messageEcho from '../../fixtures/tiledesk/message-create-echo.json';
import messageEndUser from '../../fixtures/tiledesk/message-create-end-user.json';
import messageInfoLine from '../../fixtures/tiledesk/message-create-info-line.json';
import messageSystem from '../../fixtures/tiledesk/message-create-system.json';
import requestClose from '../../fixtures/tiledesk/request-close.json';
import requestCreate from '../../fixtures/tiledesk/request-create.json';
import requestUpdate from '../../fixtures/tiledesk/request-update.json';

const API = 'https://api.tiledesk.com';
const PROJECT = '65c5f3599faf2d04cd7da528';
const OTHER_PROJECT = '65d0000000000000000000aa';
const PATH = `/v3/${PROJECT}`;
const REQUEST_ID = `support-group-${PROJECT}-473548616`;
const EMAIL = 'admin@example.com';
const PASSWORD = 's3cret';
const BASIC = `Basic ${Buffer.from(`${EMAIL}:${PASSWORD}`).toString('base64')}`;
const HOOK_URL = 'https://n8n.example.com/webhook/6d1f0c2e-5a7b-4c1e-9a55-2f1b8f3f7a10/webhook';
/** tiledesk-server's default: one secret for every subscription of a server process. */
const SERVER_SECRET = '8d6d2b4e-1f0a-4c55-9a0e-6f3c2b1d7e90';
/** The fixtures' hook._id per event, and a secret of our own for each. */
const SUBSCRIPTIONS = {
	'message.create': { id: '65c7a0b19faf2d04cd7dc101', secret: 'a1'.repeat(32) },
	'request.create': { id: '65c7a0b19faf2d04cd7dc102', secret: 'b2'.repeat(32) },
	'request.update': { id: '65c7a0b19faf2d04cd7dc103', secret: 'c3'.repeat(32) },
	'request.close': { id: '65c7a0b19faf2d04cd7dc104', secret: 'd4'.repeat(32) },
} as const;
type Event = keyof typeof SUBSCRIPTIONS;
const ALL_EVENTS = Object.keys(SUBSCRIPTIONS) as Event[];
const credentials = {
	tiledeskApi: { baseUrl: 'https://api.tiledesk.com/v3', projectId: PROJECT, authType: 'password', email: EMAIL, password: PASSWORD },
};
const harness = createHarness({ credentialTypes: [new TiledeskApi()] });
const node = new TiledeskTrigger();

const tiledesk = () => nock(API, { reqheaders: { authorization: BASIC } });
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Static data after publishing every event, each subscription with its own secret. */
function published(events: Event[] = ALL_EVENTS): IDataObject {
	return {
		subscriptions: events.map((event) => ({ ...SUBSCRIPTIONS[event], event, target: HOOK_URL, secretSource: 'own' })),
	};
}

/** The same where Tiledesk kept its default: every subscription holds the server's one secret. */
function publishedWithServerSecret(): IDataObject {
	const subscriptions = (published().subscriptions as IDataObject[]).map((s) => ({ ...s, secret: SERVER_SECRET, secretSource: 'server' }));
	return { subscriptions };
}

/** The secret of the subscription a delivery names, as Tiledesk would send it. */
function secretOf(body: unknown): string {
	const event = ((body as IDataObject)?.hook as IDataObject | undefined)?.event as Event;
	return SUBSCRIPTIONS[event]?.secret ?? SUBSCRIPTIONS['message.create'].secret;
}

async function deliver(
	body: unknown,
	{
		parameters = {},
		staticData = published(),
		secret = secretOf(body),
	}: { parameters?: IDataObject; staticData?: IDataObject; secret?: string | null } = {},
) {
	const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'tiledesk-webhooks' };
	if (secret !== null) headers['x-hook-secret'] = secret;
	const result = await harness.webhook(node, {
		// Catch-up (reading the conversation back) has its own suite, catchUp.test.ts.
		parameters: { events: ALL_EVENTS, ...parameters, options: { catchUp: false, ...(parameters.options as IDataObject) } } as never,
		credentials,
		staticData,
		webhookUrl: HOOK_URL,
		request: { headers, body },
	});
	const items = (result.response.workflowData?.[0] ?? []).map((item) => item.json);
	items.forEach(expectHandoffEvent);
	return { ...result, items, staticData };
}

function hook(method: 'checkExists' | 'create' | 'delete', staticData: IDataObject, events: string[] = ['message.create', 'request.close']) {
	return harness.hook(node, method, { parameters: { events } as never, credentials, staticData, webhookUrl: HOOK_URL });
}

/** The claims of a JWT after checking its HS256 signature with `secret`; undefined when it does not verify. */
function verifiedClaims(authorization: unknown, secret: string): IDataObject | undefined {
	const match = /^JWT ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(String(authorization));
	if (!match) return undefined;
	const expected = createHmac('sha256', secret).update(`${match[1]}.${match[2]}`).digest('base64url');
	return match[3] === expected ? (JSON.parse(Buffer.from(match[2], 'base64url').toString()) as IDataObject) : undefined;
}

/**
 * Tiledesk for one subscription: POST answers it with the server's secret; PUT stores the body's
 * secret unless `ignoresPut`; the project route accepts a subscription login signed with the stored
 * secret. Returns the bodies of the PUTs.
 */
function subscriptionServer(event: Event, { ignoresPut = false } = {}) {
	const { id } = SUBSCRIPTIONS[event];
	let stored = SERVER_SECRET;
	const puts: IDataObject[] = [];
	tiledesk()
		.post(`${PATH}/subscriptions`, { event, target: HOOK_URL })
		.reply(200, { _id: id, event, target: HOOK_URL, id_project: PROJECT, secret: SERVER_SECRET, global: false }, { 'x-hook-secret': SERVER_SECRET });
	tiledesk()
		.put(`${PATH}/subscriptions/${id}`, (body: IDataObject) => {
			puts.push(body);
			if (!ignoresPut) stored = String(body.secret);
			return true;
		})
		// One PUT of ours; when it did not take, a second one puts the server's secret back.
		.times(ignoresPut ? 2 : 1)
		// routes/subscription.js answers the document without its secret (select: false).
		.reply(200, { _id: id, event, target: HOOK_URL, id_project: PROJECT });
	nock(API)
		.get(`/v3/projects/${PROJECT}`)
		.reply(function () {
			const claims = verifiedClaims(this.req.headers.authorization, stored);
			const login = claims?.sub === 'subscription' && claims._id === id && claims.aud === `https://tiledesk.com/subscriptions/${id}`;
			return login ? [200, { _id: PROJECT, name: 'Support', status: 100 }] : [401, 'Unauthorized'];
		});
	return puts;
}

useNock();

describe('Tiledesk Trigger: publishing subscribes, unpublishing unsubscribes', () => {
	it('create subscribes once per event and replaces the server\'s secret by one of its own, checked by a login', async () => {
		const messagePuts = subscriptionServer('message.create');
		const closePuts = subscriptionServer('request.close');
		const staticData: IDataObject = {};
		expect((await hook('create', staticData)).result).toBe(true);

		const stored = staticData.subscriptions as IDataObject[];
		expect(stored).toEqual([
			{ id: SUBSCRIPTIONS['message.create'].id, event: 'message.create', target: HOOK_URL, secret: expect.stringMatching(/^[0-9a-f]{64}$/), secretSource: 'own' },
			{ id: SUBSCRIPTIONS['request.close'].id, event: 'request.close', target: HOOK_URL, secret: expect.stringMatching(/^[0-9a-f]{64}$/), secretSource: 'own' },
		]);
		// What was PUT is what is kept: one PUT each, a different secret each, never the server's.
		expect(messagePuts).toEqual([{ secret: stored[0].secret }]);
		expect(closePuts).toEqual([{ secret: stored[1].secret }]);
		expect(stored[0].secret).not.toBe(stored[1].secret);
	});

	it('keeps the server\'s secret, put back, when Tiledesk does not take ours (the login with it is refused)', async () => {
		const puts = subscriptionServer('message.create', { ignoresPut: true });
		const staticData: IDataObject = {};
		await hook('create', staticData, ['message.create']);
		expect(staticData.subscriptions).toEqual([
			{ id: SUBSCRIPTIONS['message.create'].id, event: 'message.create', target: HOOK_URL, secret: SERVER_SECRET, secretSource: 'server' },
		]);
		expect(puts).toEqual([{ secret: expect.stringMatching(/^[0-9a-f]{64}$/) }, { secret: SERVER_SECRET }]);
	});

	it('keeps the server\'s secret when Tiledesk has no PUT for subscriptions', async () => {
		const id = SUBSCRIPTIONS['request.close'].id;
		tiledesk()
			.post(`${PATH}/subscriptions`)
			.reply(200, { _id: id, event: 'request.close', target: HOOK_URL }, { 'x-hook-secret': SERVER_SECRET });
		tiledesk().put(`${PATH}/subscriptions/${id}`).times(2).reply(404, `Cannot PUT ${PATH}/subscriptions/${id}`);
		nock(API).get(`/v3/projects/${PROJECT}`).reply(401, 'Unauthorized');
		const staticData: IDataObject = {};
		await hook('create', staticData, ['request.close']);
		expect(staticData.subscriptions).toEqual([
			{ id, event: 'request.close', target: HOOK_URL, secret: SERVER_SECRET, secretSource: 'server' },
		]);
	});

	it('create fails when Tiledesk returns no secret, or a subscription for another URL', async () => {
		tiledesk().post(`${PATH}/subscriptions`).reply(200, { _id: 'sub-x', event: 'message.create', target: HOOK_URL });
		await expect(hook('create', {}, ['message.create'])).rejects.toThrow(/did not return the ID and secret/);

		tiledesk()
			.post(`${PATH}/subscriptions`)
			.reply(200, { _id: 'sub-y', event: 'message.create', target: 'https://other.example.com/hook', secret: 's' });
		await expect(hook('create', {}, ['message.create'])).rejects.toThrow(/for another URL/);
	});

	it('create keeps what it subscribed before a failure, so that delete() removes it', async () => {
		subscriptionServer('message.create');
		tiledesk().post(`${PATH}/subscriptions`, { event: 'request.close', target: HOOK_URL }).reply(403, { success: false, msg: 'you dont have the required role.' });
		const staticData: IDataObject = {};
		await expect(hook('create', staticData)).rejects.toThrow(/required role/);
		expect(staticData.subscriptions).toEqual([expect.objectContaining({ id: SUBSCRIPTIONS['message.create'].id, secretSource: 'own' })]);
	});

	it('checkExists is true when every chosen event has a subscription for this URL whose secret we hold', async () => {
		tiledesk()
			.get(`${PATH}/subscriptions`)
			.reply(200, [
				{ _id: SUBSCRIPTIONS['message.create'].id, event: 'message.create', target: HOOK_URL },
				{ _id: SUBSCRIPTIONS['request.close'].id, event: 'request.close', target: HOOK_URL },
				{ _id: 'sub-other', event: 'message.create', target: 'https://zapier.example.com/hooks/1' },
			]);
		const staticData = published(['message.create', 'request.close']);
		expect((await hook('checkExists', staticData)).result).toBe(true);
		expect(staticData).toEqual(published(['message.create', 'request.close']));
	});

	it('checkExists replaces subscriptions for this URL whose secret we do not hold', async () => {
		tiledesk()
			.get(`${PATH}/subscriptions`)
			.reply(200, [
				{ _id: SUBSCRIPTIONS['message.create'].id, event: 'message.create', target: HOOK_URL },
				{ _id: 'sub-stranger', event: 'request.close', target: HOOK_URL },
				{ _id: 'sub-other', event: 'request.close', target: 'https://zapier.example.com/hooks/1' },
			]);
		tiledesk().delete(`${PATH}/subscriptions/${SUBSCRIPTIONS['message.create'].id}`).reply(200, {});
		tiledesk().delete(`${PATH}/subscriptions/sub-stranger`).reply(200, {});
		const staticData = published(['message.create']);
		expect((await hook('checkExists', staticData)).result).toBe(false);
		expect(staticData).toEqual({});
	});

	it('checkExists is false when nothing is there, and after the chosen events changed', async () => {
		tiledesk().get(`${PATH}/subscriptions`).reply(200, []);
		expect((await hook('checkExists', {})).result).toBe(false);

		tiledesk()
			.get(`${PATH}/subscriptions`)
			.reply(200, [
				{ _id: SUBSCRIPTIONS['message.create'].id, event: 'message.create', target: HOOK_URL },
				{ _id: SUBSCRIPTIONS['request.close'].id, event: 'request.close', target: HOOK_URL },
			]);
		tiledesk().delete(`${PATH}/subscriptions/${SUBSCRIPTIONS['message.create'].id}`).reply(200, {});
		tiledesk().delete(`${PATH}/subscriptions/${SUBSCRIPTIONS['request.close'].id}`).reply(200, {});
		expect((await hook('checkExists', published(['message.create', 'request.close']), ['message.create'])).result).toBe(false);
	});

	it('delete removes every stored subscription (404 included) and forgets the secrets', async () => {
		tiledesk().delete(`${PATH}/subscriptions/${SUBSCRIPTIONS['message.create'].id}`).reply(200, {});
		tiledesk().delete(`${PATH}/subscriptions/${SUBSCRIPTIONS['request.close'].id}`).reply(404, { success: false, msg: 'Object not found.' });
		const staticData = { ...published(['message.create', 'request.close']), recentDeliveries: [] };
		expect((await hook('delete', staticData)).result).toBe(true);
		expect(staticData).toEqual({ recentDeliveries: [] });
	});
});

describe('Tiledesk Trigger: each delivery', () => {
	it('answers 401 without starting the workflow when x-hook-secret is missing or wrong, before reading the body', async () => {
		const ours = SUBSCRIPTIONS['message.create'].secret;
		for (const secret of [null, '', 'wrong-secret', ours.toUpperCase(), `${ours} `, SERVER_SECRET]) {
			for (const body of [clone(messageAgent), 'not json', { hook: 1 }]) {
				const { response, http } = await deliver(body, { secret });
				expect(response).toEqual({ noWebhookResponse: true });
				expect(http).toMatchObject({ statusCode: 401, ended: true, body: { error: 'Unauthorized' } });
			}
		}
		const unpublished = await deliver(clone(messageAgent), { staticData: {} });
		expect(unpublished.http.statusCode).toBe(401);
	});

	it('takes a delivery only with the secret of the subscription it names, for that subscription\'s event', async () => {
		const closeSecret = SUBSCRIPTIONS['request.close'].secret;
		// A message delivery with the close subscription's secret, and the other way round.
		expect((await deliver(clone(messageAgent), { secret: closeSecret })).http.statusCode).toBe(401);
		expect((await deliver(clone(requestClose), { secret: SUBSCRIPTIONS['message.create'].secret })).http.statusCode).toBe(401);
		// Naming the close subscription, with its secret, but a message event.
		const renamed = clone(messageAgent) as IDataObject;
		(renamed.hook as IDataObject)._id = SUBSCRIPTIONS['request.close'].id;
		const refused = await deliver(renamed, { secret: closeSecret });
		expect(refused).toMatchObject({ items: [], http: { statusCode: 401, body: { error: 'Unauthorized' } } });
		expect(refused.response).toEqual({ noWebhookResponse: true });

		const accepted = await deliver(clone(messageAgent));
		// n8n answers once the relay's execution has ended (lastNode), so a crash leaves it to Tiledesk's retry.
		expect(accepted.response.noWebhookResponse).toBeUndefined();
		expect(accepted.http).toMatchObject({ statusCode: 200, ended: true });
		expect(accepted.items).toHaveLength(1);
	});

	it('answers 401 to a delivery naming another project, or no project, or a subscription that is not ours', async () => {
		const forged = (change: (body: IDataObject) => void) => {
			const body = clone(messageAgent) as IDataObject;
			change(body);
			return body;
		};
		const cases = [
			forged((b) => ((b.payload as IDataObject).id_project = OTHER_PROJECT)),
			// A global subscription of another project: its own hook, our project's event.
			forged((b) => ((b.hook as IDataObject).id_project = OTHER_PROJECT)),
			forged((b) => {
				delete (b.hook as IDataObject).id_project;
				delete (b.payload as IDataObject).id_project;
			}),
			forged((b) => ((b.payload as IDataObject).id_project = { $ne: null })),
			forged((b) => ((b.hook as IDataObject)._id = '65d0000000000000000000ff')),
		];
		for (const body of cases) {
			const { response, http, items } = await deliver(body);
			expect([http.statusCode, items]).toEqual([401, []]);
			expect(response).toEqual({ noWebhookResponse: true });
		}
		// Either project field alone is enough when it is ours.
		const hookOnly = forged((b) => delete (b.payload as IDataObject).id_project);
		expect((await deliver(hookOnly)).items).toHaveLength(1);
	});

	it('with the server\'s shared secret, tells its own deliveries from another subscription\'s by hook._id', async () => {
		const staticData = publishedWithServerSecret();
		expect((await deliver(clone(messageAgent), { staticData, secret: SERVER_SECRET })).items).toHaveLength(1);
		// Another project's subscription to this URL presents the very same secret.
		const foreign = clone(messageAgent) as IDataObject;
		foreign.hook = { ...(foreign.hook as IDataObject), _id: '65d0000000000000000000ff', id_project: OTHER_PROJECT };
		(foreign.payload as IDataObject).id_project = OTHER_PROJECT;
		(foreign.payload as IDataObject)._id = 'another-message';
		const { http, items } = await deliver(foreign, { staticData, secret: SERVER_SECRET });
		expect([http.statusCode, items]).toEqual([401, []]);
	});

	it('answers 400 to a body it cannot read', async () => {
		const noSender = clone(messageAgent) as IDataObject;
		delete (noSender.payload as IDataObject).sender;
		const hookOf = (event: Event) => ({ _id: SUBSCRIPTIONS[event].id, event, id_project: PROJECT });
		const cases: Array<[unknown, RegExp]> = [
			['not json', /JSON object/],
			[{ payload: {} }, /hook.event/],
			[{ hook: { event: 'message.create' }, payload: {} }, /hook._id/],
			[{ hook: { event: 'message.create', _id: { $gt: '' } }, payload: {} }, /hook._id/],
			[{ hook: hookOf('message.create'), payload: [] }, /payload must be an object/],
			[noSender, /payload.sender/],
			[{ hook: hookOf('request.close'), payload: { status: 1000 } }, /request_id/],
		];
		for (const [body, reason] of cases) {
			const { response, http } = await deliver(body);
			expect(response).toEqual({ noWebhookResponse: true });
			expect(http.statusCode).toBe(400);
			expect((http.body as IDataObject).reason).toMatch(reason);
		}
	});

	it('emits a human agent\'s message in the normalized shape, without the delivery token', async () => {
		const { items, response } = await deliver(clone(messageAgent));
		expect(response.workflowData).toBeDefined();
		expect(items).toHaveLength(1);
		const [event] = items;
		expect(event).toMatchObject({
			event: 'message',
			platform: 'tiledesk',
			conversationId: REQUEST_ID,
			externalId: '473548616',
			customerId: 'landbot-473548616',
			author: { role: 'agent', id: '65c5f2e19faf2d04cd7da4f0', name: 'Maria Rossi' },
			message: { type: 'text', text: "Hello Ada, I'm Maria. Let me look at your order.", tiledeskType: 'text', info: false },
			timestamp: '2024-02-10T16:13:05.420Z',
			requestStatus: 200,
			department: { id: '65c5f3599faf2d04cd7da52c', name: 'Default Department' },
			messageId: '65c7a3d19faf2d04cd7dc311',
			tiledeskEvent: 'message.create',
		});
		expect(event.raw).toMatchObject({ payload: { _id: '65c7a3d19faf2d04cd7dc311' }, hook: { event: 'message.create' } });
		expect(event.raw).not.toHaveProperty('token');
	});

	it('tells end user, bot and system apart by the sheet\'s rules', async () => {
		const authors = { authors: ['agent', 'customer', 'bot', 'system'], options: { includeInfo: true } };
		const endUser = (await deliver(clone(messageEndUser), { parameters: authors })).items[0];
		expect(endUser.author).toEqual({ role: 'customer', id: 'landbot-473548616', name: 'Ada Lovelace' });
		expect(endUser.message).toEqual({
			type: 'image',
			text: 'Here is the receipt',
			url: 'https://files.example.com/receipts/8812.png',
			fileName: '8812.png',
			mimeType: 'image/png',
			tiledeskType: 'image',
			info: false,
			// The message's id, on every try; sent long before this process started, so it may have been relayed.
			sourceKey: 'message:65c7a4019faf2d04cd7dc330',
			maybeRelayed: true,
		});

		const bot = (await deliver(clone(messageBot), { parameters: authors })).items[0];
		expect(bot.author).toEqual({ role: 'bot', id: 'bot_65c5f4a89faf2d04cd7da5b1', name: 'Support Bot' });
		expect(bot.requestStatus).toBe(100);

		const system = (await deliver(clone(messageSystem), { parameters: authors })).items[0];
		expect(system.author).toEqual({ role: 'system', id: 'system', name: 'System' });
		expect((system.message as IDataObject).info).toBe(true);
	});

	it('filters by author: by default only human agents start the workflow, the rest is acknowledged', async () => {
		for (const fixture of [messageEndUser, messageBot]) {
			const { response, http, items } = await deliver(clone(fixture));
			expect(items).toEqual([]);
			expect(response).toEqual({ webhookResponse: { received: true } });
			expect(http.statusCode).toBeUndefined();
		}
		const onlyBots = await deliver(clone(messageAgent), { parameters: { authors: ['bot'] } });
		expect(onlyBots.items).toEqual([]);
	});

	it('skips info lines by default, and can include them', async () => {
		const parameters = { authors: ['bot', 'system'] };
		expect((await deliver(clone(messageInfoLine), { parameters })).items).toEqual([]);
		expect((await deliver(clone(messageSystem), { parameters })).items).toEqual([]);
		const included = await deliver(clone(messageInfoLine), { parameters: { ...parameters, options: { includeInfo: true } } });
		expect(included.items[0]).toMatchObject({ author: { role: 'bot' }, message: { info: true, text: 'Transferring you to an agent\n\\agent' } });
	});

	it('drops messages carrying this package\'s marker (echo), unless told not to', async () => {
		const parameters = { authors: ['customer'] };
		const echo = await deliver(clone(messageEcho), { parameters });
		expect(echo.items).toEqual([]);
		expect(echo.response).toEqual({ webhookResponse: { received: true } });
		const kept = await deliver(clone(messageEcho), { parameters: { ...parameters, options: { dropOwnMessages: false } } });
		expect(kept.items[0]).toMatchObject({ author: { role: 'customer' }, message: { text: "It's order #8812, it never arrived" } });
	});

	it('drops a repeated delivery of the same message id, unless told not to', async () => {
		const staticData = published();
		expect((await deliver(clone(messageAgent), { staticData })).items).toHaveLength(1);
		const again = await deliver(clone(messageAgent), { staticData });
		expect(again.items).toEqual([]);
		expect(again.response).toEqual({ webhookResponse: { received: true } });
		const other = clone(messageAgent) as IDataObject;
		(other.payload as IDataObject)._id = '65c7a3d19faf2d04cd7dc399';
		expect((await deliver(other, { staticData })).items).toHaveLength(1);

		const keep = { options: { dropDuplicates: false } };
		const fresh = published();
		expect((await deliver(clone(messageAgent), { staticData: fresh, parameters: keep })).items).toHaveLength(1);
		expect((await deliver(clone(messageAgent), { staticData: fresh, parameters: keep })).items).toHaveLength(1);
	});

	it('acknowledges events that were not chosen', async () => {
		const { items, response } = await deliver(clone(requestCreate), { parameters: { events: ['message.create'] } });
		expect(items).toEqual([]);
		expect(response).toEqual({ webhookResponse: { received: true } });
		// An event none of our subscriptions was made for is no delivery of ours.
		const unknown = await deliver({ hook: { _id: SUBSCRIPTIONS['message.create'].id, event: 'lead.create', id_project: PROJECT }, payload: { lead_id: 'x' } });
		expect([unknown.http.statusCode, unknown.items]).toEqual([401, []]);
	});

	it('emits conversation created and updated events', async () => {
		const created = (await deliver(clone(requestCreate))).items[0];
		expect(created).toMatchObject({
			event: 'conversationCreated',
			platform: 'tiledesk',
			conversationId: REQUEST_ID,
			externalId: '473548616',
			customerId: 'landbot-473548616',
			author: { role: 'system', id: null, name: null },
			message: null,
			requestStatus: 100,
			timestamp: '2024-02-10T16:10:00.140Z',
			participants: [],
			tiledeskEvent: 'request.create',
		});
		const updated = (await deliver(clone(requestUpdate))).items[0];
		expect(updated).toMatchObject({
			event: 'conversationUpdated',
			requestStatus: 200,
			participants: ['65c5f2e19faf2d04cd7da4f0'],
			attributes: { priority_reason: 'vip' },
			timestamp: '2024-02-10T16:12:31.802Z',
		});
	});

	it('emits conversation closed with the transcript, oldest first, authors and flags resolved', async () => {
		const { items } = await deliver(clone(requestClose));
		const [closed] = items;
		expect(closed).toMatchObject({
			event: 'conversationClosed',
			conversationId: REQUEST_ID,
			requestStatus: 1000,
			author: { role: 'agent', id: '65c5f2e19faf2d04cd7da4f0' },
			timestamp: '2024-02-10T16:20:44.310Z',
		});
		const transcript = closed.transcript as IDataObject[];
		expect(transcript.map((entry) => [(entry.author as IDataObject).role, (entry.message as IDataObject).info, entry.own])).toEqual([
			['bot', false, false],
			['bot', false, true],
			['bot', true, false],
			['system', true, false],
			['agent', false, false],
			['customer', false, true],
			['customer', false, false],
			['system', true, false],
		]);
		expect(transcript.map((entry) => entry.timestamp)).toEqual(
			[...transcript.map((entry) => entry.timestamp as string)].sort(),
		);
		expect(transcript[6]).toMatchObject({ message: { type: 'image', url: 'https://files.example.com/receipts/8812.png' } });
	});

	it('reads the external id from the request id when the conversation has no attribute for it', async () => {
		const body = clone(messageAgent) as IDataObject;
		const payload = body.payload as IDataObject;
		const request = payload.request as IDataObject;
		request.attributes = {};
		payload.recipient = `support-group-${PROJECT}-conv_01HW3`;
		payload._id = 'another-id';
		expect((await deliver(body)).items[0].externalId).toBe('conv_01HW3');

		payload.recipient = 'support-group-other-project-1';
		payload._id = 'yet-another-id';
		expect((await deliver(body)).items[0].externalId).toBeNull();
	});
});

describe('Tiledesk Trigger: values of the wrong kind never crash a delivery', () => {
	/** What a sender can put where a time, an id or a name belongs. JSON's 1e999 parses to Infinity. */
	const HOSTILE: Array<[string, unknown]> = [
		['1e308', 1e308],
		['-1', -1],
		['-1e308', -1e308],
		['Infinity (JSON 1e999)', Infinity],
		['NaN', NaN],
		['"1e308"', '1e308'],
		['"-1"', '-1'],
		['"not a date"', 'not a date'],
		['a 1 MB string', 'x'.repeat(1_000_000)],
		['400 digits', '9'.repeat(400)],
		['{}', {}],
		['{"toString": 1}', { toString: 1 }],
		['[]', []],
		['[{"toString": 1}]', [{ toString: 1 }]],
		['true', true],
	];
	const FIXTURES: Record<Event, unknown> = {
		'message.create': messageAgent,
		'request.create': requestCreate,
		'request.update': requestUpdate,
		'request.close': requestClose,
	};
	/** Every time each event reads: its own, and the delivery's. */
	const TIMES: Record<Event, string[]> = {
		'message.create': ['timestamp', 'payload.createdAt'],
		'request.create': ['timestamp', 'payload.createdAt', 'payload.updatedAt'],
		'request.update': ['timestamp', 'payload.updatedAt'],
		'request.close': ['timestamp', 'payload.closed_at', 'payload.updatedAt'],
	};

	/** A copy of the event's fixture with `value` at `path` (dot-separated, array indexes included). */
	function withValue(event: Event, path: string, value: unknown): IDataObject {
		const body = clone(FIXTURES[event]) as IDataObject;
		const keys = path.split('.');
		let at = body as Record<string, unknown>;
		for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
		at[keys[keys.length - 1]] = value;
		return body;
	}

	/** As a user reads an id or a name: text stays, a number becomes its digits, anything else is null. */
	const asId = (value: unknown) =>
		typeof value === 'string' ? value || null : typeof value === 'number' && Number.isFinite(value) ? String(value) : null;

	for (const event of ALL_EVENTS) {
		it(`${event}: a time that is not one is answered 400 naming it, and nothing starts`, async () => {
			for (const field of TIMES[event]) {
				for (const [label, value] of HOSTILE) {
					const { http, items, response } = await deliver(withValue(event, field, value));
					const reason = `${field === 'timestamp' ? 'body.timestamp' : field} is not a time`;
					expect([label, field, http.statusCode, (http.body as IDataObject | undefined)?.reason]).toEqual([label, field, 400, reason]);
					expect(items).toEqual([]);
					expect(response).toEqual({ noWebhookResponse: true });
				}
			}
		});

		it(`${event}: without any time, the event carries the time it arrived`, async () => {
			const body = clone(FIXTURES[event]) as IDataObject;
			body.timestamp = null;
			for (const field of TIMES[event].filter((f) => f.startsWith('payload.'))) {
				delete (body.payload as IDataObject)[field.slice('payload.'.length)];
			}
			const before = Date.now();
			const { items, http } = await deliver(body);
			expect(http.statusCode).toBe(200);
			expect(Date.parse(String(items[0].timestamp))).toBeGreaterThanOrEqual(before - 1);
			expect(Date.parse(String(items[0].timestamp))).toBeLessThanOrEqual(Date.now());
		});
	}

	/** Fields that are optional to the event: the wrong kind reads as none, and the workflow starts. */
	const OPTIONAL: Array<[Event, string, (item: IDataObject) => unknown, (value: unknown) => unknown]> = [
		['message.create', 'payload.senderFullname', (e) => (e.author as IDataObject).name, asId],
		['message.create', 'payload.request.department._id', (e) => (e.department as IDataObject | null)?.id ?? null, asId],
		['message.create', 'payload.request.department.name', (e) => (e.department as IDataObject).name, asId],
		['message.create', 'payload.request.status', (e) => e.requestStatus, (v) => (Number.isSafeInteger(v) ? v : null)],
		['message.create', 'payload.request', (e) => [e.customerId, e.requestStatus, e.department], () => [null, null, null]],
		['message.create', 'payload.text', (e) => typeof (e.message as IDataObject).text, () => 'string'],
		['message.create', 'payload.attributes', (e) => (e.message as IDataObject).info, () => false],
		['message.create', 'payload.metadata', (e) => (e.message as IDataObject).url, () => undefined],
		['request.create', 'payload._id', (e) => e.conversationId, () => REQUEST_ID],
		['request.create', 'payload.status', (e) => e.requestStatus, (v) => (Number.isSafeInteger(v) ? v : null)],
		['request.create', 'payload.department', (e) => e.department, (v) => (asId(v) === null ? null : { id: asId(v), name: null })],
		['request.create', 'payload.department.name', (e) => e.department, (v) => ({ id: '65c5f3599faf2d04cd7da52c', name: asId(v) })],
		['request.update', 'payload.participants', (e) => e.participants, (v) => (Array.isArray(v) ? v : [])],
		['request.update', 'payload.attributes', (e) => e.attributes, (v) => (typeof v === 'object' && v && !Array.isArray(v) ? v : {})],
		['request.update', 'payload.lead', (e) => e.customerId, () => 'landbot-473548616'], // the snapshot's lead
		['request.close', 'payload.closed_by', (e) => (e.author as IDataObject).id, asId],
		['request.close', 'payload.messages', (e) => (e.transcript as unknown[]).length, (v) => (Array.isArray(v) ? v.filter((m) => typeof m === 'object' && !Array.isArray(m)).length : 0)],
		['request.close', 'payload.messages.0.createdAt', (e) => (e.transcript as IDataObject[]).find((t) => t.id === '65c7a2f19faf2d04cd7dc2b0')?.timestamp, () => null],
		['request.close', 'payload.messages.0._id', (e) => (e.transcript as IDataObject[]).length, () => 8],
		['request.close', 'payload.messages.0.sender', (e) => (e.transcript as IDataObject[]).map((t) => (t.author as IDataObject).id).filter((id) => id === null).length, (v) => (asId(v) === null ? 1 : 0)],
		['request.close', 'payload.messages.0.senderFullname', (e) => (e.transcript as IDataObject[]).length, () => 8],
	];

	it('an optional field of the wrong kind reads as none, for every event, and the workflow starts', async () => {
		for (const [event, path, read, expected] of OPTIONAL) {
			for (const [label, value] of HOSTILE) {
				const run = await deliver(withValue(event, path, value), { parameters: { authors: ['agent', 'customer', 'bot', 'system'] } });
				expect([event, path, label, run.http.statusCode, run.items.length]).toEqual([event, path, label, 200, 1]);
				const [item] = run.items;
				expect([event, path, label, read(item)]).toEqual([event, path, label, expected(value)]);
				expect(Number.isNaN(Date.parse(String(item.timestamp)))).toBe(false);
				expect(() => JSON.stringify(item)).not.toThrow();
			}
		}
	});

	it('a message id of the wrong kind is answered 400; a numeric one is an id', async () => {
		for (const [label, value] of HOSTILE) {
			const { http, items } = await deliver(withValue('message.create', 'payload._id', value));
			const isId = asId(value) !== null;
			expect([label, http.statusCode]).toEqual([label, isId ? 200 : 400]);
			expect(items.map((item) => item.messageId)).toEqual(isId ? [asId(value)] : []);
		}
	});
});
