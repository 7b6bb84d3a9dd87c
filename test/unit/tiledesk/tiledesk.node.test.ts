import { createHmac } from 'crypto';
import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { TiledeskApi } from '../../../credentials/TiledeskApi.credentials';
import { requestIdFromExternalId } from '../../../nodes/shared/tiledeskRequestId';
import { Tiledesk } from '../../../nodes/Tiledesk/Tiledesk.node';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';

const API = 'https://api.tiledesk.com';
const PROJECT = '65c5f3599faf2d04cd7da528';
const EMAIL = 'relay@example.com';
const PASSWORD = 'pa:ss wörd';
const BASIC = `Basic ${Buffer.from(`${EMAIL}:${PASSWORD}`, 'utf8').toString('base64')}`;
const SHARED_SECRET = 'project-shared-secret-1f2e3d';
const REQUEST_ID = `support-group-${PROJECT}-473548616`;
const PATH = `/v3/${PROJECT}`;
const MARKER = { n8nHandoff: true, n8nHandoffOrigin: 'n8n-nodes-handoff' };
/** What Send adds to every message: a conversation it opens starts with the trigger's mark, nothing relayed. */
const SENT = { ...MARKER, n8nHandoffRelayed: '' };

const baseCredentials = {
	baseUrl: 'https://api.tiledesk.com/v3',
	projectId: PROJECT,
	authType: 'password',
	email: EMAIL,
	password: PASSWORD,
};
const harness = createHarness({ credentialTypes: [new TiledeskApi()] });
const node = new Tiledesk();

const tiledesk = (authorization = BASIC) => nock(API, { reqheaders: { authorization } });

async function run(
	parameters: IDataObject,
	extra: { continueOnFail?: boolean; credentials?: IDataObject; items?: number } = {},
) {
	const items = Array.from({ length: extra.items ?? 1 }, (_, i) => ({ json: { i } }));
	const [output] = await harness.execute(node, {
		parameters: parameters as never,
		credentials: { tiledeskApi: { ...baseCredentials, ...extra.credentials } as never },
		items,
		continueOnFail: extra.continueOnFail,
	});
	return output;
}

/** Records each body the interceptor saw, in order. */
function capture(bodies: IDataObject[]) {
	return (body: IDataObject) => {
		bodies.push(body);
		return true;
	};
}

const savedMessage = (body: IDataObject, id = 'm1') => ({
	_id: id,
	...body,
	recipient: REQUEST_ID,
	createdAt: '2024-02-10T16:13:38.002Z',
	request: { request_id: REQUEST_ID },
});

function decodeJwt(token: string, secret: string): IDataObject {
	const [header, body, signature] = token.split('.');
	const expected = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
	expect(signature).toBe(expected);
	expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
	return JSON.parse(Buffer.from(body, 'base64url').toString()) as IDataObject;
}

useNock();

describe('Tiledesk API credential', () => {
	const type = new TiledeskApi();

	it('sends HTTP Basic for email + password, UTF-8 encoded', async () => {
		const options = await type.authenticate(baseCredentials, { url: 'x', headers: { Accept: 'application/json' } });
		expect(options.headers).toEqual({ Accept: 'application/json', Authorization: BASIC });
	});

	it('sends "JWT <token>" for a JWT, whether pasted with or without its prefix', async () => {
		for (const pasted of ['JWT eyJhbGciOi.x.y', 'eyJhbGciOi.x.y', '  jwt eyJhbGciOi.x.y ', 'Bearer eyJhbGciOi.x.y']) {
			const options = await type.authenticate({ ...baseCredentials, authType: 'jwt', jwtToken: pasted }, { url: 'x' });
			expect(options.headers).toEqual({ Authorization: 'JWT eyJhbGciOi.x.y' });
		}
	});

	it('keeps an Authorization header the request already carries (end-user sign-in)', async () => {
		const options = await type.authenticate(baseCredentials, { url: 'x', headers: { Authorization: 'JWT custom' } });
		expect(options.headers).toEqual({ Authorization: 'JWT custom' });
	});

	it('tests against the project\'s detail, which checks the login and the membership', async () => {
		nock(API, { reqheaders: { authorization: BASIC } }).get(`/v3/projects/${PROJECT}`).reply(200, { _id: PROJECT, name: 'Support', status: 100 });
		expect(await harness.testCredential('tiledeskApi', { ...baseCredentials, baseUrl: 'https://api.tiledesk.com/v3/' })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});

		nock('https://tiledesk.example.org', { reqheaders: { authorization: 'JWT abc.def.ghi' } })
			.get(`/api/projects/${PROJECT}`)
			.reply(200, { _id: PROJECT });
		const selfHosted = await harness.testCredential('tiledeskApi', {
			baseUrl: 'https://tiledesk.example.org/api',
			projectId: ` ${PROJECT} `,
			authType: 'jwt',
			jwtToken: 'JWT abc.def.ghi',
		});
		expect(selfHosted.status).toBe('OK');

		// n8n tries a 401 twice (the second time as if the credential had expired).
		nock(API).get(`/v3/projects/${PROJECT}`).times(2).reply(401, 'Unauthorized');
		expect((await harness.testCredential('tiledeskApi', baseCredentials)).status).toBe('Error');
		nock(API).get(`/v3/projects/${PROJECT}`).reply(403, { success: false, msg: 'you dont belong to the project.' });
		expect((await harness.testCredential('tiledeskApi', baseCredentials)).status).toBe('Error');
	});
});

describe('Message → Send', () => {
	const sendText = {
		resource: 'message',
		operation: 'send',
		conversationBy: 'externalId',
		externalId: '473548616',
		sendAs: 'endUser',
		senderId: 'landbot-473548616',
		senderName: 'Ada Lovelace',
		messageType: 'text',
		text: 'It never arrived',
	};

	it('posts a text as the end user into the deterministic conversation, marked as ours', async () => {
		const bodies: IDataObject[] = [];
		tiledesk()
			.post(`${PATH}/requests/${REQUEST_ID}/messages`, capture(bodies))
			.reply(200, (_uri, body) => savedMessage(body as IDataObject));
		const out = await run(sendText);
		expect(bodies).toEqual([
			{
				type: 'text',
				text: 'It never arrived',
				sender: 'landbot-473548616',
				senderFullname: 'Ada Lovelace',
				attributes: { ...SENT, n8nHandoffExternalId: '473548616' },
			},
		]);
		expect(out).toHaveLength(1);
		expect(out[0].pairedItem).toEqual({ item: 0 });
		expect(out[0].json).toMatchObject({
			conversationId: REQUEST_ID,
			externalId: '473548616',
			_id: 'm1',
			text: 'It never arrived',
			request: { request_id: REQUEST_ID },
		});
	});

	it('builds the id from an external id with unsafe characters, and URL-encodes a given request id', async () => {
		const requestId = requestIdFromExternalId(PROJECT, 'user@example.com/1');
		expect(requestId).toMatch(/^support-group-65c5f3599faf2d04cd7da528-user_example_com_1-h[0-9a-f]{12}$/);
		tiledesk().post(`${PATH}/requests/${requestId}/messages`).reply(200, { _id: 'm2' });
		const out = await run({ ...sendText, externalId: 'user@example.com/1' });
		expect(out[0].json).toMatchObject({ conversationId: requestId, externalId: 'user@example.com/1' });

		tiledesk().post(`${PATH}/requests/support-group-x%2F..%3Fy/messages`).reply(200, { _id: 'm3' });
		const given = await run({ ...sendText, conversationBy: 'requestId', requestId: 'support-group-x/..?y' });
		expect(given[0].json).toMatchObject({ conversationId: 'support-group-x/..?y', externalId: null });
	});

	it('refuses request ids the chat engine would not carry, and empty fields, before calling Tiledesk', async () => {
		await expect(run({ ...sendText, conversationBy: 'requestId', requestId: 'my-chat-1' })).rejects.toThrow(
			/starts with "support-group"/,
		);
		await expect(run({ ...sendText, externalId: '' })).rejects.toThrow(/"External ID" is empty/);
		await expect(run({ ...sendText, text: '  ' })).rejects.toThrow(/"Text" is empty/);
		await expect(run({ ...sendText, senderId: ' ' })).rejects.toThrow(/"Sender ID" is empty/);
		const error = await run({ ...sendText, messageType: 'image', url: 'file:///etc/passwd' }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/"URL" must be an http\(s\) URL/);
	});

	it('registers an unknown end user with a custom token when Tiledesk refuses the first message, then posts again', async () => {
		const bodies: IDataObject[] = [];
		tiledesk()
			.post(`${PATH}/requests/${REQUEST_ID}/messages`, capture(bodies))
			.reply(403, { success: false, msg: 'Unauthorized. Project_user not found with user id  : landbot-473548616' });
		let token = '';
		nock(API)
			.post('/v3/auth/signinWithCustomToken', { id_project: PROJECT })
			.reply(function () {
				token = String(this.req.headers.authorization);
				return [200, { success: true, token, user: { _id: 'landbot-473548616' } }];
			});
		tiledesk()
			.post(`${PATH}/requests/${REQUEST_ID}/messages`, capture(bodies))
			.reply(200, (_uri, body) => savedMessage(body as IDataObject));

		const out = await run(sendText, { credentials: { sharedSecret: SHARED_SECRET } });
		expect(out[0].json._id).toBe('m1');
		expect(bodies).toHaveLength(2);
		expect(bodies[1]).toEqual(bodies[0]);
		expect(token).toMatch(/^JWT /);
		const claims = decodeJwt(token.slice(4), SHARED_SECRET);
		expect(claims).toMatchObject({
			_id: 'landbot-473548616',
			firstname: 'Ada Lovelace',
			sub: 'userexternal',
			aud: `https://tiledesk.com/projects/${PROJECT}`,
		});
		expect(Number(claims.exp) - Number(claims.iat)).toBe(300);
	});

	it('explains what to do when the end user is unknown and the credential has no shared secret', async () => {
		tiledesk()
			.post(`${PATH}/requests/${REQUEST_ID}/messages`)
			.reply(403, { success: false, msg: 'Unauthorized. Project_user not found with user id  : landbot-473548616' });
		const error = await run(sendText).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/does not know the end user "landbot-473548616"/);
		expect(error.description).toMatch(/shared secret/);
	});

	it('reports any other refusal with Tiledesk\'s own words', async () => {
		tiledesk()
			.post(`${PATH}/requests/${REQUEST_ID}/messages`)
			.reply(403, { success: false, message: 'Error creating message', err: "You don't belong the conversation" });
		const error = await run(sendText).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Tiledesk refused "send message" (403): Error creating message');

		tiledesk()
			.post(`${PATH}/requests/${REQUEST_ID}/messages`)
			.reply(422, { errors: [{ msg: 'text field is required', param: 'text', location: 'body' }] });
		const invalid = await run(sendText).catch((e) => e);
		expect(invalid.message).toBe('Tiledesk refused "send message" (422): text field is required');
	});

	it('sends as a bot (bot_ prefix), as a hidden info line, with custom attributes that cannot remove the marker', async () => {
		const bodies: IDataObject[] = [];
		tiledesk().post(`${PATH}/requests/${REQUEST_ID}/messages`, capture(bodies)).reply(200, { _id: 'm4' });
		await run({
			...sendText,
			sendAs: 'bot',
			botId: 'landbot',
			botName: 'Landbot',
			text: 'Checking your order…',
			options: { hidden: true, language: 'en', attributes: '{"n8nHandoff": false, "orderId": "8812"}' },
		});
		expect(bodies[0]).toEqual({
			type: 'text',
			text: 'Checking your order…',
			sender: 'bot_landbot',
			senderFullname: 'Landbot',
			language: 'en',
			attributes: { orderId: '8812', ...SENT, n8nHandoffExternalId: '473548616', subtype: 'info' },
		});
	});

	it('sends as the credential\'s user without a sender', async () => {
		const bodies: IDataObject[] = [];
		tiledesk().post(`${PATH}/requests/${REQUEST_ID}/messages`, capture(bodies)).reply(200, { _id: 'm5' });
		await run({ ...sendText, sendAs: 'credentialUser', senderName: '', text: 'Hello from support' });
		expect(bodies[0]).toEqual({
			type: 'text',
			text: 'Hello from support',
			attributes: { ...SENT, n8nHandoffExternalId: '473548616' },
		});
	});

	it('uses "JWT <token>" with a JWT credential', async () => {
		tiledesk('JWT eyJ.token.sig').post(`${PATH}/requests/${REQUEST_ID}/messages`).reply(200, { _id: 'm6' });
		await run(sendText, { credentials: { authType: 'jwt', jwtToken: 'eyJ.token.sig', email: '', password: '' } });
	});

	it('sends images and files with their metadata, and never an empty text', async () => {
		const bodies: IDataObject[] = [];
		tiledesk().post(`${PATH}/requests/${REQUEST_ID}/messages`, capture(bodies)).times(2).reply(200, { _id: 'm7' });
		await run({
			...sendText,
			messageType: 'image',
			url: 'https://cdn.example.com/receipts/8812.png',
			caption: 'My receipt',
			options: { width: 640, height: 480, mimeType: 'image/png' },
		});
		await run({ ...sendText, messageType: 'file', url: 'https://cdn.example.com/docs/Invoice%208812.pdf' });
		expect(bodies[0]).toMatchObject({
			type: 'image',
			text: 'My receipt',
			metadata: { src: 'https://cdn.example.com/receipts/8812.png', name: '8812.png', width: 640, height: 480, type: 'image/png' },
		});
		expect(bodies[1]).toMatchObject({
			type: 'file',
			text: 'Invoice 8812.pdf',
			metadata: { src: 'https://cdn.example.com/docs/Invoice%208812.pdf', name: 'Invoice 8812.pdf' },
		});
		expect(bodies[1].metadata).not.toHaveProperty('width');
	});

	it('relays a trigger event\'s message as it is: text, image with caption, file by name, location as text', async () => {
		const bodies: IDataObject[] = [];
		tiledesk().post(`${PATH}/requests/${REQUEST_ID}/messages`, capture(bodies)).times(4).reply(200, { _id: 'm9' });
		const fromEvent = (message: IDataObject) => run({ ...sendText, text: undefined, messageType: 'event', message });
		await fromEvent({ type: 'text', text: 'Where is my parcel?' });
		await fromEvent({ type: 'image', text: 'The box', url: 'https://cdn.example.com/box.jpg', fileName: null });
		await fromEvent({ type: 'file', text: 'Invoice.pdf', url: 'https://cdn.example.com/d/1', fileName: 'Invoice.pdf', mimeType: 'application/pdf' });
		await fromEvent({ type: 'location', text: '', latitude: 41.39, longitude: 2.17, url: 'https://maps.example.com/?q=41.39,2.17' });
		expect(bodies.map(({ type, text, metadata }) => ({ type, text, metadata }))).toEqual([
			{ type: 'text', text: 'Where is my parcel?', metadata: undefined },
			{ type: 'image', text: 'The box', metadata: { src: 'https://cdn.example.com/box.jpg', name: 'box.jpg' } },
			{ type: 'file', text: 'Invoice.pdf', metadata: { src: 'https://cdn.example.com/d/1', name: 'Invoice.pdf', type: 'application/pdf' } },
			{ type: 'text', text: 'Location: 41.39, 2.17', metadata: undefined },
		]);
	});

	it('stores the message\'s source key, and does not send again what a retry after a crash finds already there', async () => {
		const bodies: IDataObject[] = [];
		const fromEvent = (message: IDataObject) => run({ ...sendText, text: undefined, messageType: 'event', message });
		tiledesk().post(`${PATH}/requests/${REQUEST_ID}/messages`, capture(bodies)).reply(200, (_uri, body) => savedMessage(body as IDataObject, 'm1'));
		await fromEvent({ type: 'text', text: 'Where is my parcel?', sourceKey: 'sentry-trace:abc' });
		expect(bodies[0].attributes).toMatchObject({ ...MARKER, n8nHandoffSourceKey: 'sentry-trace:abc' });

		// Flagged maybeRelayed (a retry after a failed relay or a restart): the conversation is read first.
		tiledesk()
			.get(`${PATH}/requests/${REQUEST_ID}/messages`)
			.twice()
			.reply(200, [savedMessage({ text: 'Hi', attributes: { n8nHandoffSourceKey: 'other' } }, 'm0'), savedMessage(bodies[0], 'm1')]);
		const repeat = await fromEvent({ type: 'text', text: 'Where is my parcel?', sourceKey: 'sentry-trace:abc', maybeRelayed: true });
		expect(repeat[0].json).toMatchObject({ alreadySent: true, _id: 'm1', conversationId: REQUEST_ID });
		expect(bodies).toHaveLength(1);

		// Not there: sent.
		tiledesk().post(`${PATH}/requests/${REQUEST_ID}/messages`, capture(bodies)).reply(200, { _id: 'm2' });
		const missing = await fromEvent({ type: 'text', text: 'Anyone?', sourceKey: 'sentry-trace:def', maybeRelayed: true });
		expect(missing[0].json).toMatchObject({ _id: 'm2' });
		expect(missing[0].json).not.toHaveProperty('alreadySent');
		expect(bodies).toHaveLength(2);
		expect(nock.isDone()).toBe(true);
	});

	it('refuses an event message with nothing to send, naming the parameter', async () => {
		const error = await run({ ...sendText, messageType: 'event', message: { type: 'image', text: '', url: 'file:///etc/passwd' } }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('"Message" holds nothing to send (no text, no http(s) URL)');
	});

	it('adds the new-conversation fields (department, participants, subject, priority)', async () => {
		const bodies: IDataObject[] = [];
		tiledesk().post(`${PATH}/requests/${REQUEST_ID}/messages`, capture(bodies)).reply(200, { _id: 'm8' });
		await run({
			...sendText,
			newConversation: {
				departmentId: '65c5f3599faf2d04cd7da52c',
				agentIds: ['65c5f2e19faf2d04cd7da4f0'],
				botIds: '65c5f4a89faf2d04cd7da5b1, bot_other',
				subject: 'Order 8812',
				priority: 'high',
				sourcePage: 'https://shop.example.com/orders',
			},
		});
		expect(bodies[0]).toMatchObject({
			departmentid: '65c5f3599faf2d04cd7da52c',
			participants: ['65c5f2e19faf2d04cd7da4f0', 'bot_65c5f4a89faf2d04cd7da5b1', 'bot_other'],
			subject: 'Order 8812',
			priority: 'high',
			sourcePage: 'https://shop.example.com/orders',
		});
	});

	it('as a bot with a customer set, opens a new conversation as the customer first (hidden line)', async () => {
		const bodies: IDataObject[] = [];
		tiledesk().get(`${PATH}/requests/${REQUEST_ID}`).reply(404, { success: false, msg: 'Object not found.' });
		tiledesk().post(`${PATH}/requests/${REQUEST_ID}/messages`, capture(bodies)).times(2).reply(200, { _id: 'm9' });
		await run({
			...sendText,
			sendAs: 'bot',
			botId: 'bot_landbot',
			botName: 'Landbot',
			text: 'Hi! How can I help?',
			newConversation: { customerId: 'landbot-473548616', customerName: 'Ada Lovelace', subject: 'Order help' },
		});
		expect(bodies).toEqual([
			{
				type: 'text',
				text: 'Order help',
				sender: 'landbot-473548616',
				senderFullname: 'Ada Lovelace',
				subject: 'Order help',
				attributes: { ...SENT, n8nHandoffExternalId: '473548616', subtype: 'info' },
			},
			{
				type: 'text',
				text: 'Hi! How can I help?',
				sender: 'bot_landbot',
				senderFullname: 'Landbot',
				subject: 'Order help',
				attributes: { ...SENT, n8nHandoffExternalId: '473548616' },
			},
		]);
	});

	it('as a bot with a customer set, posts straight into an existing conversation', async () => {
		tiledesk().get(`${PATH}/requests/${REQUEST_ID}`).reply(200, { request_id: REQUEST_ID });
		tiledesk()
			.post(`${PATH}/requests/${REQUEST_ID}/messages`, (body) => body.sender === 'bot_landbot')
			.reply(200, { _id: 'm10' });
		await run({
			...sendText,
			sendAs: 'bot',
			botId: 'landbot',
			newConversation: { customerId: 'landbot-473548616' },
		});
	});

	it('as a bot into a new conversation without a customer, says how to open it', async () => {
		tiledesk()
			.post(`${PATH}/requests/${REQUEST_ID}/messages`)
			.reply(403, { success: false, msg: 'Unauthorized. Project_user not found with user id  : bot_landbot' });
		const error = await run({ ...sendText, sendAs: 'bot', botId: 'landbot' }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/does not exist yet/);
		expect(error.description).toMatch(/Customer ID/);
	});

	it('retries a 503 and honours continueOnFail per item', async () => {
		tiledesk().post(`${PATH}/requests/${REQUEST_ID}/messages`).reply(503, 'Service Unavailable', { 'Retry-After': '0' });
		tiledesk().post(`${PATH}/requests/${REQUEST_ID}/messages`).reply(200, { _id: 'm11' });
		const retried = await run(sendText);
		expect(retried[0].json._id).toBe('m11');

		tiledesk().post(`${PATH}/requests/${REQUEST_ID}/messages`).reply(200, { _id: 'ok' });
		tiledesk().post(`${PATH}/requests/${REQUEST_ID}/messages`).reply(400, { success: false, msg: 'Bad thing' });
		const out = await run(sendText, { continueOnFail: true, items: 2 });
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(out[0].json._id).toBe('ok');
		expect(out[1].json.error).toBe('Tiledesk refused "send message" (400): Bad thing');
	});
});

describe('Message → Send History', () => {
	const history = {
		resource: 'message',
		operation: 'sendHistory',
		conversationBy: 'externalId',
		externalId: '473548616',
		customerId: 'landbot-473548616',
		customerName: 'Ada Lovelace',
		botId: 'landbot',
		botName: 'Landbot',
	};
	const transcript = [
		{ role: 'customer', text: 'Hi', timestamp: 1707581352 },
		{ role: 'bot', text: 'Hello! Order number?', timestamp: '2024-02-10T16:09:13Z', name: 'Order Bot' },
		{
			event: 'message',
			platform: 'landbot',
			author: { role: 'customer', id: '473548616', name: 'Ada' },
			message: { type: 'image', text: 'receipt', url: 'https://cdn.example.com/r.png' },
			timestamp: '2024-02-10T16:09:20.000Z',
		},
		{ role: 'agent', text: 'Taking over', name: 'Previous Agent' },
		{ role: 'system', text: 'Bot gave up' },
	];

	it('posts every message in order, each keeping its author and time, the customer\'s with their id', async () => {
		const bodies: IDataObject[] = [];
		let n = 0;
		tiledesk()
			.post(`${PATH}/requests/${REQUEST_ID}/messages`, capture(bodies))
			.times(5)
			.reply(200, (_uri, body) => savedMessage(body as IDataObject, `h${n++}`));
		const out = await run({ ...history, messages: JSON.stringify(transcript) });
		const base = { ...MARKER, n8nHandoffExternalId: '473548616' };
		expect(bodies).toEqual([
			{
				type: 'text',
				text: 'Hi',
				sender: 'landbot-473548616',
				senderFullname: 'Ada Lovelace',
				attributes: {
					...base,
					originalAuthor: { role: 'customer', id: null, name: null },
					originalTimestamp: '2024-02-10T16:09:12.000Z',
					historyIndex: 0,
					// Becomes the new conversation's attribute: nothing relayed back yet (the trigger's catch-up mark).
					n8nHandoffRelayed: '',
				},
			},
			{
				type: 'text',
				text: 'Hello! Order number?',
				sender: 'bot_landbot',
				senderFullname: 'Order Bot',
				attributes: {
					...base,
					originalAuthor: { role: 'bot', id: null, name: 'Order Bot' },
					originalTimestamp: '2024-02-10T16:09:13.000Z',
					historyIndex: 1,
				},
			},
			{
				type: 'image',
				text: 'receipt',
				metadata: { src: 'https://cdn.example.com/r.png', name: 'receipt' },
				sender: 'landbot-473548616',
				senderFullname: 'Ada Lovelace',
				attributes: {
					...base,
					originalAuthor: { role: 'customer', id: '473548616', name: 'Ada' },
					originalTimestamp: '2024-02-10T16:09:20.000Z',
					historyIndex: 2,
				},
			},
			{
				type: 'text',
				text: 'Taking over',
				senderFullname: 'Previous Agent',
				attributes: {
					...base,
					originalAuthor: { role: 'agent', id: null, name: 'Previous Agent' },
					originalTimestamp: null,
					historyIndex: 3,
				},
			},
			{
				type: 'text',
				text: 'Bot gave up',
				attributes: {
					...base,
					originalAuthor: { role: 'system', id: null, name: null },
					originalTimestamp: null,
					historyIndex: 4,
					subtype: 'info',
				},
			},
		]);
		expect(out).toHaveLength(1);
		expect(out[0].json).toMatchObject({ conversationId: REQUEST_ID, count: 5 });
		expect((out[0].json.messages as IDataObject[]).map((m) => m._id)).toEqual(['h0', 'h1', 'h2', 'h3', 'h4']);
	});

	it('keeps the place of an entry whose time is not one, with originalTimestamp null', async () => {
		const bodies: IDataObject[] = [];
		const times = [1e308, -1, 'not a date', '9'.repeat(400), { toString: 1 }, [], Infinity];
		tiledesk()
			.post(`${PATH}/requests/${REQUEST_ID}/messages`, capture(bodies))
			.times(times.length)
			.reply(200, (_uri, body) => savedMessage(body as IDataObject));
		await run({ ...history, messages: times.map((timestamp, i) => ({ role: 'customer', text: `m${i}`, timestamp })) });
		expect(bodies.map((body) => [body.text, (body.attributes as IDataObject).originalTimestamp])).toEqual(
			times.map((_time, i) => [`m${i}`, null]),
		);
	});

	it('opens a new conversation as the customer when the history starts with the bot', async () => {
		const bodies: IDataObject[] = [];
		tiledesk().get(`${PATH}/requests/${REQUEST_ID}`).reply(404, { success: false, msg: 'Object not found.' });
		tiledesk().post(`${PATH}/requests/${REQUEST_ID}/messages`, capture(bodies)).times(3).reply(200, { _id: 'x' });
		await run({
			...history,
			messages: [
				{ role: 'bot', text: 'Welcome!' },
				{ role: 'user', text: 'I want a human' },
			],
			newConversation: { departmentId: 'dep1' },
		});
		expect(bodies.map((b) => [b.sender, b.text, b.departmentid, (b.attributes as IDataObject).subtype])).toEqual([
			['landbot-473548616', 'Conversation with Ada Lovelace', 'dep1', 'info'],
			['bot_landbot', 'Welcome!', undefined, undefined],
			['landbot-473548616', 'I want a human', undefined, undefined],
		]);
	});

	it('names the first bad entry, and posts nothing for an empty history', async () => {
		await expect(run({ ...history, messages: '[{"role": "robot", "text": "x"}]' })).rejects.toThrow(
			/"Messages": entry 0 has no known role/,
		);
		await expect(run({ ...history, messages: '[{"role": "bot", "text": "ok"}, {"role": "bot"}]' })).rejects.toThrow(
			/entry 1 has neither text nor url/,
		);
		await expect(run({ ...history, messages: '{"role": "bot"}' })).rejects.toThrow(/must be a JSON array/);
		const out = await run({ ...history, messages: '[]' });
		expect(out[0].json).toMatchObject({ count: 0, messages: [] });
	});
});

describe('Conversation operations', () => {
	const conversation = { resource: 'conversation', conversationBy: 'requestId', requestId: REQUEST_ID };

	it('Get reads the request', async () => {
		tiledesk().get(`${PATH}/requests/${REQUEST_ID}`).reply(200, { request_id: REQUEST_ID, status: 200 });
		const out = await run({ ...conversation, operation: 'get' });
		expect(out[0].json).toEqual({ request_id: REQUEST_ID, status: 200 });

		tiledesk().get(`${PATH}/requests/${REQUEST_ID}`).reply(404, { success: false, msg: 'Object not found.' });
		await expect(run({ ...conversation, operation: 'get' })).rejects.toThrow(
			'Tiledesk refused "get conversation" (404): Object not found.',
		);
	});

	it('Get Many filters by status and pages with page/limit until the limit', async () => {
		const page = (from: number, count: number) =>
			Array.from({ length: count }, (_, i) => ({ request_id: `support-group-${PROJECT}-${from + i}` }));
		tiledesk()
			.get(`${PATH}/requests`)
			.query({ status: '100,200', dept_id: 'dep1', page: 0, limit: 100 })
			.reply(200, { perPage: 100, count: 130, requests: page(0, 100) });
		tiledesk()
			.get(`${PATH}/requests`)
			.query({ status: '100,200', dept_id: 'dep1', page: 1, limit: 100 })
			.reply(200, { perPage: 100, count: 130, requests: page(100, 30) });
		const all = await run({
			...conversation,
			operation: 'getMany',
			returnAll: true,
			filters: { status: [100, 200], dept_id: 'dep1' },
		});
		expect(all).toHaveLength(130);
		expect(all[129].json.request_id).toBe(`support-group-${PROJECT}-129`);

		tiledesk()
			.get(`${PATH}/requests`)
			.query({ page: 0, limit: 5 })
			.reply(200, { perPage: 5, count: 40, requests: page(0, 5) });
		const limited = await run({ ...conversation, operation: 'getMany', returnAll: false, limit: 5 });
		expect(limited).toHaveLength(5);
		expect(limited.map((item) => item.pairedItem)).toEqual(Array(5).fill({ item: 0 }));
	});

	it('Route to Agents posts a hidden \\agent line (after checking the conversation exists)', async () => {
		const bodies: IDataObject[] = [];
		tiledesk().get(`${PATH}/requests/${REQUEST_ID}`).reply(200, { request_id: REQUEST_ID });
		tiledesk().post(`${PATH}/requests/${REQUEST_ID}/messages`, capture(bodies)).reply(200, { _id: 'a1' });
		const out = await run({ ...conversation, operation: 'routeToAgents', note: 'Customer asked for a human' });
		expect(bodies).toEqual([
			{ type: 'text', text: 'Customer asked for a human\n\\agent', attributes: { ...MARKER, subtype: 'info' } },
		]);
		expect(out[0].json).toEqual({ conversationId: REQUEST_ID, method: 'command', message: { _id: 'a1' } });

		tiledesk().get(`${PATH}/requests/${REQUEST_ID}`).reply(404, { success: false, msg: 'Object not found.' });
		await expect(run({ ...conversation, operation: 'routeToAgents' })).rejects.toThrow(/does not exist yet/);
		await expect(run({ ...conversation, operation: 'routeToAgents', note: 'a\\b' })).rejects.toThrow(/backslash/);
	});

	it('Route to Agents can use the agent endpoint instead', async () => {
		tiledesk().put(`${PATH}/requests/${REQUEST_ID}/agent`).reply(200, { request_id: REQUEST_ID, status: 200 });
		const out = await run({ ...conversation, operation: 'routeToAgents', method: 'endpoint' });
		expect(out[0].json).toEqual({ conversationId: REQUEST_ID, method: 'endpoint', request: { request_id: REQUEST_ID, status: 200 } });
	});

	it('Move to Department PUTs departmentid and nobot', async () => {
		tiledesk()
			.put(`${PATH}/requests/${REQUEST_ID}/departments`, { departmentid: 'dep2', nobot: true })
			.reply(200, { request_id: REQUEST_ID, department: 'dep2' });
		await run({ ...conversation, operation: 'moveToDepartment', departmentId: 'dep2' });
		tiledesk().put(`${PATH}/requests/${REQUEST_ID}/departments`, { departmentid: 'dep2', nobot: false }).reply(200, {});
		await run({ ...conversation, operation: 'moveToDepartment', departmentId: 'dep2', nobot: false });
	});

	it('Add and Remove Participant use the agent\'s user id or bot_<id>', async () => {
		tiledesk()
			.post(`${PATH}/requests/${REQUEST_ID}/participants`, { member: '65c5f2e19faf2d04cd7da4f0' })
			.reply(200, { participants: ['65c5f2e19faf2d04cd7da4f0'] });
		await run({ ...conversation, operation: 'addParticipant', agentId: '65c5f2e19faf2d04cd7da4f0' });
		tiledesk().post(`${PATH}/requests/${REQUEST_ID}/participants`, { member: 'bot_b1' }).reply(200, {});
		await run({ ...conversation, operation: 'addParticipant', participantType: 'bot', botId: 'b1' });
		tiledesk().delete(`${PATH}/requests/${REQUEST_ID}/participants/bot_b1`).reply(200, { participants: [] });
		const out = await run({ ...conversation, operation: 'removeParticipant', participantType: 'bot', botId: 'bot_b1' });
		expect(out[0].json).toEqual({ participants: [] });
		await expect(run({ ...conversation, operation: 'removeParticipant', agentId: '' })).rejects.toThrow(/"Agent" is empty/);
	});

	it('Close and Reopen PUT their routes (never DELETE)', async () => {
		tiledesk().put(`${PATH}/requests/${REQUEST_ID}/close`).reply(200, { request_id: REQUEST_ID, status: 1000 });
		expect((await run({ ...conversation, operation: 'close' }))[0].json.status).toBe(1000);
		tiledesk().put(`${PATH}/requests/${REQUEST_ID}/reopen`).reply(200, { request_id: REQUEST_ID, status: 200 });
		expect((await run({ ...conversation, operation: 'reopen' }))[0].json.status).toBe(200);
		tiledesk()
			.put(`${PATH}/requests/${REQUEST_ID}/close`)
			.reply(403, { success: false, error: 'You must be among the participants to close a conversation.' });
		await expect(run({ ...conversation, operation: 'close' })).rejects.toThrow(
			'Tiledesk refused "close conversation" (403): You must be among the participants to close a conversation.',
		);
	});

	it('Update Attributes PATCHes the object to merge', async () => {
		tiledesk()
			.patch(`${PATH}/requests/${REQUEST_ID}/attributes`, { landbotCustomerId: 473548616, vip: true })
			.reply(200, { attributes: { landbotCustomerId: 473548616, vip: true } });
		await run({ ...conversation, operation: 'updateAttributes', attributes: '{"landbotCustomerId": 473548616, "vip": true}' });
		await expect(run({ ...conversation, operation: 'updateAttributes', attributes: '[1]' })).rejects.toThrow(
			/must be a JSON object/,
		);
		await expect(run({ ...conversation, operation: 'updateAttributes', attributes: '{}' })).rejects.toThrow(/empty/);
	});

	it('operates on the deterministic conversation of an external id too', async () => {
		tiledesk().put(`${PATH}/requests/${REQUEST_ID}/close`).reply(200, {});
		await run({ resource: 'conversation', operation: 'close', conversationBy: 'externalId', externalId: '473548616' });
	});
});

describe('dropdowns', () => {
	it('loads departments and agents', async () => {
		tiledesk()
			.get(`${PATH}/departments`)
			.reply(200, [
				{ _id: 'dep2', name: 'Sales', default: false },
				{ _id: 'dep1', name: 'Default Department', default: true },
			]);
		expect(await harness.loadOptions(node, 'getDepartments', { parameters: {}, credentials: { tiledeskApi: baseCredentials } })).toEqual([
			{ name: 'Default Department (default)', value: 'dep1', description: undefined },
			{ name: 'Sales', value: 'dep2', description: undefined },
		]);

		tiledesk()
			.get(`${PATH}/project_users`)
			.reply(200, [
				{ _id: 'pu1', role: 'agent', user_available: false, id_user: { _id: 'u1', firstname: 'Maria', lastname: 'Rossi', email: 'maria@example.com' } },
				{ _id: 'pu2', role: 'owner', user_available: true, id_user: { _id: 'u2', email: 'boss@example.com' } },
				{ _id: 'pu3', role: 'user', uuid_user: 'landbot-1' },
			]);
		expect(await harness.loadOptions(node, 'getAgents', { parameters: {}, credentials: { tiledeskApi: baseCredentials } })).toEqual([
			{ name: 'boss@example.com', value: 'u2', description: 'owner · boss@example.com' },
			{ name: 'Maria Rossi', value: 'u1', description: 'agent · maria@example.com · unavailable' },
		]);
	});
});

describe('node description', () => {
	it('is usable as a tool and has its resources', () => {
		expect(node.description.usableAsTool).toBe(true);
		const resource = node.description.properties.find((p) => p.name === 'resource');
		expect(resource?.options?.map((o) => (o as { value: string }).value)).toEqual(['agent', 'conversation', 'message']);
	});
});

describe('Tiledesk node: resource locators (version 1.1)', () => {
	const credentials = { tiledeskApi: baseCredentials as never };
	const conversation = { resource: 'conversation', conversationBy: 'requestId', requestId: REQUEST_ID };
	const rl = (value: string, mode = 'list') => ({ __rl: true, mode, value });
	const at = (typeVersion: number, parameters: IDataObject) =>
		harness.execute(node, { parameters: parameters as never, credentials, items: [{ json: {} }], typeVersion });

	it('department and agent are locators from 1.1 on and dropdowns in version 1; both run the same', async () => {
		for (const [typeVersion, departmentId, agentId] of [
			[1.1, rl('65c5f4a89faf2d04cd7da5b1'), rl('65c5f2e19faf2d04cd7da4f0', 'id')],
			[1, '65c5f4a89faf2d04cd7da5b1', '65c5f2e19faf2d04cd7da4f0'],
		] as const) {
			tiledesk().put(`${PATH}/requests/${REQUEST_ID}/departments`, { departmentid: '65c5f4a89faf2d04cd7da5b1', nobot: true }).reply(200, {});
			await at(typeVersion, { ...conversation, operation: 'moveToDepartment', departmentId });
			tiledesk().post(`${PATH}/requests/${REQUEST_ID}/participants`, { member: '65c5f2e19faf2d04cd7da4f0' }).reply(200, {});
			await at(typeVersion, { ...conversation, operation: 'addParticipant', agentId });
		}
		await expect(at(1.1, { ...conversation, operation: 'moveToDepartment', departmentId: rl('') })).rejects.toThrow(/"Department" is empty/);
	});

	it('the department list searches by name', async () => {
		tiledesk()
			.get(`${PATH}/departments`)
			.reply(200, [
				{ _id: 'd1', name: 'Sales', default: true },
				{ _id: 'd2', name: 'Billing' },
			]);
		expect(await harness.listSearch(node, 'searchDepartments', { parameters: {}, credentials, filter: 'bill' })).toEqual({
			results: [{ name: 'Billing', value: 'd2' }],
		});
	});
});
