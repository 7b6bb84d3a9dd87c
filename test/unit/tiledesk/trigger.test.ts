import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import { TiledeskApi } from '../../../credentials/TiledeskApi.credentials';
import { TiledeskTrigger } from '../../../nodes/Tiledesk/TiledeskTrigger.node';
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
const PATH = `/v3/${PROJECT}`;
const REQUEST_ID = `support-group-${PROJECT}-473548616`;
const EMAIL = 'admin@example.com';
const PASSWORD = 's3cret';
const BASIC = `Basic ${Buffer.from(`${EMAIL}:${PASSWORD}`).toString('base64')}`;
const HOOK_URL = 'https://n8n.example.com/webhook/6d1f0c2e-5a7b-4c1e-9a55-2f1b8f3f7a10/webhook';
const SECRET_MESSAGES = '8d6d2b4e-1f0a-4c55-9a0e-6f3c2b1d7e90';
const SECRET_CLOSE = '0b7f3e2a-9c4d-4e1f-8a6b-5d2c1e0f9a83';
const credentials = {
	tiledeskApi: { baseUrl: 'https://api.tiledesk.com/v3', projectId: PROJECT, authType: 'password', email: EMAIL, password: PASSWORD },
};
const harness = createHarness({ credentialTypes: [new TiledeskApi()] });
const node = new TiledeskTrigger();
const ALL_EVENTS = ['message.create', 'request.create', 'request.update', 'request.close'];

const tiledesk = () => nock(API, { reqheaders: { authorization: BASIC } });
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function published(): IDataObject {
	return {
		subscriptions: [
			{ id: 'sub-msg', event: 'message.create', target: HOOK_URL, secret: SECRET_MESSAGES },
			{ id: 'sub-close', event: 'request.close', target: HOOK_URL, secret: SECRET_CLOSE },
		],
	};
}

async function deliver(
	body: unknown,
	{
		parameters = {},
		staticData = published(),
		secret = SECRET_MESSAGES,
	}: { parameters?: IDataObject; staticData?: IDataObject; secret?: string | null } = {},
) {
	const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'tiledesk-webhooks' };
	if (secret !== null) headers['x-hook-secret'] = secret;
	const result = await harness.webhook(node, {
		parameters: { events: ALL_EVENTS, ...parameters } as never,
		credentials,
		staticData,
		webhookUrl: HOOK_URL,
		request: { headers, body },
	});
	const items = (result.response.workflowData?.[0] ?? []).map((item) => item.json);
	return { ...result, items, staticData };
}

function hook(method: 'checkExists' | 'create' | 'delete', staticData: IDataObject, events = ['message.create', 'request.close']) {
	return harness.hook(node, method, { parameters: { events } as never, credentials, staticData, webhookUrl: HOOK_URL });
}

useNock();

describe('Tiledesk Trigger: publishing subscribes, unpublishing unsubscribes', () => {
	it('create subscribes once per event to the webhook URL and keeps each id and secret', async () => {
		tiledesk()
			.post(`${PATH}/subscriptions`, { event: 'message.create', target: HOOK_URL })
			.reply(
				200,
				{ _id: 'sub-msg', event: 'message.create', target: HOOK_URL, id_project: PROJECT, secret: SECRET_MESSAGES },
				{ 'x-hook-secret': SECRET_MESSAGES },
			);
		// The secret is taken from the body when the header is missing.
		tiledesk()
			.post(`${PATH}/subscriptions`, { event: 'request.close', target: HOOK_URL })
			.reply(200, { _id: 'sub-close', event: 'request.close', target: HOOK_URL, secret: SECRET_CLOSE });
		const staticData: IDataObject = {};
		const { result } = await hook('create', staticData);
		expect(result).toBe(true);
		expect(staticData).toEqual(published());
	});

	it('create fails when Tiledesk returns no secret, or a subscription for another URL', async () => {
		tiledesk().post(`${PATH}/subscriptions`).reply(200, { _id: 'sub-x', event: 'message.create', target: HOOK_URL });
		await expect(hook('create', {}, ['message.create'])).rejects.toThrow(/did not return the ID and secret/);

		tiledesk()
			.post(`${PATH}/subscriptions`)
			.reply(200, { _id: 'sub-y', event: 'message.create', target: 'https://other.example.com/hook', secret: 's' });
		await expect(hook('create', {}, ['message.create'])).rejects.toThrow(/for another URL/);
	});

	it('checkExists is true when every chosen event has a subscription for this URL whose secret we hold', async () => {
		tiledesk()
			.get(`${PATH}/subscriptions`)
			.reply(200, [
				{ _id: 'sub-msg', event: 'message.create', target: HOOK_URL },
				{ _id: 'sub-close', event: 'request.close', target: HOOK_URL },
				{ _id: 'sub-other', event: 'message.create', target: 'https://zapier.example.com/hooks/1' },
			]);
		const staticData = published();
		expect((await hook('checkExists', staticData)).result).toBe(true);
		expect(staticData).toEqual(published());
	});

	it('checkExists replaces subscriptions for this URL whose secret we do not hold', async () => {
		tiledesk()
			.get(`${PATH}/subscriptions`)
			.reply(200, [
				{ _id: 'sub-msg', event: 'message.create', target: HOOK_URL },
				{ _id: 'sub-stranger', event: 'request.close', target: HOOK_URL },
				{ _id: 'sub-other', event: 'request.close', target: 'https://zapier.example.com/hooks/1' },
			]);
		tiledesk().delete(`${PATH}/subscriptions/sub-msg`).reply(200, {});
		tiledesk().delete(`${PATH}/subscriptions/sub-stranger`).reply(200, {});
		const staticData: IDataObject = { subscriptions: (published().subscriptions as IDataObject[]).slice(0, 1) };
		expect((await hook('checkExists', staticData)).result).toBe(false);
		expect(staticData).toEqual({});
	});

	it('checkExists is false when nothing is there, and after the chosen events changed', async () => {
		tiledesk().get(`${PATH}/subscriptions`).reply(200, []);
		expect((await hook('checkExists', {})).result).toBe(false);

		tiledesk()
			.get(`${PATH}/subscriptions`)
			.reply(200, [
				{ _id: 'sub-msg', event: 'message.create', target: HOOK_URL },
				{ _id: 'sub-close', event: 'request.close', target: HOOK_URL },
			]);
		tiledesk().delete(`${PATH}/subscriptions/sub-msg`).reply(200, {});
		tiledesk().delete(`${PATH}/subscriptions/sub-close`).reply(200, {});
		expect((await hook('checkExists', published(), ['message.create'])).result).toBe(false);
	});

	it('delete removes every stored subscription (404 included) and forgets the secrets', async () => {
		tiledesk().delete(`${PATH}/subscriptions/sub-msg`).reply(200, { _id: 'sub-msg' });
		tiledesk().delete(`${PATH}/subscriptions/sub-close`).reply(404, { success: false, msg: 'Object not found.' });
		const staticData = { ...published(), recentDeliveries: [] };
		expect((await hook('delete', staticData)).result).toBe(true);
		expect(staticData).toEqual({ recentDeliveries: [] });
	});
});

describe('Tiledesk Trigger: each delivery', () => {
	it('answers 401 without starting the workflow when x-hook-secret is missing or wrong', async () => {
		for (const secret of [null, '', 'wrong-secret', SECRET_MESSAGES.toUpperCase()]) {
			const { response, http } = await deliver(clone(messageAgent), { secret });
			expect(response).toEqual({ noWebhookResponse: true });
			expect(http).toMatchObject({ statusCode: 401, ended: true, body: { error: 'Unauthorized' } });
		}
		const unpublished = await deliver(clone(messageAgent), { staticData: {} });
		expect(unpublished.http.statusCode).toBe(401);
	});

	it('accepts the secret of any of its subscriptions', async () => {
		const { items, http, response } = await deliver(clone(messageAgent), { secret: SECRET_CLOSE });
		// n8n answers once the relay's execution has ended (lastNode), so a crash leaves it to Tiledesk's retry.
		expect(response.noWebhookResponse).toBeUndefined();
		expect(http).toMatchObject({ statusCode: 200, ended: true });
		expect(items).toHaveLength(1);
	});

	it('answers 400 to a body it cannot read', async () => {
		const noSender = clone(messageAgent) as IDataObject;
		delete (noSender.payload as IDataObject).sender;
		const cases: Array<[unknown, RegExp]> = [
			['not json', /JSON object/],
			[{ payload: {} }, /hook.event/],
			[{ hook: { event: 'message.create' }, payload: [] }, /payload must be an object/],
			[noSender, /payload.sender/],
			[{ hook: { event: 'request.close' }, payload: { status: 1000 } }, /request_id/],
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
		const unknown = await deliver({ hook: { event: 'lead.create' }, payload: { lead_id: 'x' } });
		expect(unknown.items).toEqual([]);
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
		const { items } = await deliver(clone(requestClose), { secret: SECRET_CLOSE });
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
