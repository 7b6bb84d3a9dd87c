import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { LandbotApi } from '../../../credentials/LandbotApi.credentials';
import { Landbot } from '../../../nodes/Landbot/Landbot.node';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';

const API = 'https://api.landbot.io';
const TOKEN = 'agent-token-794028';
const credentials = { landbotApi: { apiToken: TOKEN, baseUrl: 'https://api.landbot.io/v1', agentId: '' } };
const harness = createHarness({ credentialTypes: [new LandbotApi()] });
const node = new Landbot();

function landbot() {
	return nock(API, { reqheaders: { authorization: `Token ${TOKEN}` } });
}

async function run(parameters: Record<string, unknown>, extra: { continueOnFail?: boolean; items?: number } = {}) {
	const items = Array.from({ length: extra.items ?? 1 }, (_, i) => ({ json: { i } }));
	const [output] = await harness.execute(node, {
		parameters: parameters as never,
		credentials,
		items,
		continueOnFail: extra.continueOnFail,
	});
	return output;
}

useNock();

describe('Landbot node: customer messages', () => {
	it('Send Text POSTs the message as the token agent and returns it', async () => {
		landbot().post('/v1/customers/473548616/send_text/', { message: 'An agent is on the way' }).reply(201, { success: true });
		const out = await run({ resource: 'customer', operation: 'sendText', customerId: '473548616', message: 'An agent is on the way' });
		expect(out).toEqual([
			{ json: { customerId: '473548616', message: 'An agent is on the way', success: true }, pairedItem: { item: 0 } },
		]);
	});

	it('Send Image sends url and caption', async () => {
		landbot()
			.post('/v1/customers/7/send_image/', { url: 'https://cdn.example.com/a.png', caption: 'Your parcel' })
			.reply(201, { success: true });
		const out = await run({
			resource: 'customer',
			operation: 'sendImage',
			customerId: '7',
			url: 'https://cdn.example.com/a.png',
			caption: 'Your parcel',
		});
		expect(out[0].json).toMatchObject({ customerId: '7', url: 'https://cdn.example.com/a.png', caption: 'Your parcel' });
	});

	it('Send Image leaves out an empty caption', async () => {
		landbot().post('/v1/customers/7/send_image/', { url: 'https://cdn.example.com/a.png' }).reply(201, { success: true });
		await run({ resource: 'customer', operation: 'sendImage', customerId: '7', url: 'https://cdn.example.com/a.png' });
	});

	it('Send Location sends latitude and longitude', async () => {
		landbot().post('/v1/customers/7/send_location/', { latitude: 41.3874, longitude: 2.1686 }).reply(201, { success: true });
		const out = await run({ resource: 'customer', operation: 'sendLocation', customerId: '7', latitude: 41.3874, longitude: 2.1686 });
		expect(out[0].json).toMatchObject({ latitude: 41.3874, longitude: 2.1686 });
	});

	it('rejects an empty text, a non-numeric customer id and a non-http image URL before calling Landbot', async () => {
		await expect(run({ resource: 'customer', operation: 'sendText', customerId: '7', message: '  ' })).rejects.toThrow(
			/"Message" is empty/,
		);
		await expect(run({ resource: 'customer', operation: 'sendText', customerId: 'abc', message: 'x' })).rejects.toThrow(
			/"Customer ID" must be a Landbot numeric ID/,
		);
		await expect(
			run({ resource: 'customer', operation: 'sendImage', customerId: '7', url: 'file:///etc/passwd' }),
		).rejects.toThrow(/"Image URL" must be an http\(s\) URL/);
		const error = await run({ resource: 'customer', operation: 'sendText', customerId: '', message: 'x' }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
	});
});

describe('Landbot node: Send Message relays any event message', () => {
	const send = (message: unknown) => run({ resource: 'customer', operation: 'sendMessage', customerId: '7', message });

	it('text as text', async () => {
		landbot().post('/v1/customers/7/send_text/', { message: 'Hello Ada' }).reply(201, { success: true });
		expect((await send({ type: 'text', text: 'Hello Ada' }))[0].json).toMatchObject({ sent: 'send_text' });
	});

	it('an image as an image, its text as caption', async () => {
		landbot()
			.post('/v1/customers/7/send_image/', { url: 'https://cdn.example.com/label.png', caption: 'Your label' })
			.reply(201, { success: true });
		await send({ type: 'image', text: 'Your label', url: 'https://cdn.example.com/label.png' });
	});

	it('an image whose text is only its file name, without caption', async () => {
		landbot().post('/v1/customers/7/send_image/', { url: 'https://cdn.example.com/label.png' }).reply(201, {});
		await send({ type: 'image', text: 'label.png', fileName: 'label.png', url: 'https://cdn.example.com/label.png' });
	});

	it('a location as a location', async () => {
		landbot().post('/v1/customers/7/send_location/', { latitude: 41.38, longitude: 2.17 }).reply(201, {});
		await send({ type: 'location', latitude: 41.38, longitude: 2.17, text: 'Location' });
	});

	it('a file, which Landbot cannot show, as text with its link', async () => {
		landbot()
			.post('/v1/customers/7/send_text/', { message: 'Invoice\nhttps://cdn.example.com/invoice.pdf' })
			.reply(201, {});
		await send({ type: 'file', text: 'Invoice', url: 'https://cdn.example.com/invoice.pdf' });
	});

	it('takes a JSON string, and refuses a message with nothing to send', async () => {
		landbot().post('/v1/customers/7/send_text/', { message: 'hi' }).reply(201, {});
		await send('{"type":"text","text":"hi"}');
		await expect(send({ type: 'other', text: '' })).rejects.toThrow(/neither text nor a link/);
	});
});

describe('Landbot node: assignment', () => {
	it('Assign without an agent assigns to the token owner', async () => {
		landbot().put('/v1/customers/7/assign/').reply(200, { success: true });
		const out = await run({ resource: 'customer', operation: 'assign', customerId: '7' });
		expect(out[0].json).toMatchObject({ customerId: '7', assignedTo: 'credential agent', success: true });
	});

	it('Assign to another agent puts the agent id in the path', async () => {
		landbot().put('/v1/customers/7/assign/31337/').reply(200, { success: true });
		const out = await run({ resource: 'customer', operation: 'assign', customerId: '7', assignTo: 'agent', agentId: '31337' });
		expect(out[0].json).toMatchObject({ assignedTo: '31337' });
	});

	it('a 412 reaches the user with Landbot\'s own text', async () => {
		landbot()
			.put('/v1/customers/7/assign/')
			.reply(412, { errors: { customer: ['Customer is assigned to another agent'] } });
		const error = await run({ resource: 'customer', operation: 'assign', customerId: '7' }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Landbot refused "assign customer" (412): customer: Customer is assigned to another agent');
		expect(error.httpCode).toBe('412');
		expect(error.message).not.toMatch(/Request failed with status code/);
	});

	it('a WhatsApp 24-hour-window refusal reaches the user with Landbot\'s text', async () => {
		landbot()
			.post('/v1/customers/9/send_text/')
			.reply(403, { errors: { message: ['Outside of the 24 hour window: use a template'] } });
		await expect(run({ resource: 'customer', operation: 'sendText', customerId: '9', message: 'hi' })).rejects.toThrow(
			'Landbot refused "send text" (403): message: Outside of the 24 hour window: use a template',
		);
	});

	it('Unassign PUTs unassign', async () => {
		landbot().put('/v1/customers/7/unassign/').reply(200, { success: true });
		const out = await run({ resource: 'customer', operation: 'unassign', customerId: '7' });
		expect(out[0].json).toMatchObject({ customerId: '7', unassigned: true });
	});

	it('Assign to Bot sends launch and the node id', async () => {
		landbot().put('/v1/customers/7/assign_bot/1689372/', { launch: true, node: 'Nkqgn6xkf' }).reply(200, { success: true });
		const out = await run({ resource: 'customer', operation: 'assignToBot', customerId: '7', botId: '1689372', nodeId: 'Nkqgn6xkf' });
		expect(out[0].json).toMatchObject({ botId: '1689372', node: 'Nkqgn6xkf', launch: true });
	});

	it('Assign to Bot without a node resumes at the start and can skip launching', async () => {
		landbot().put('/v1/customers/7/assign_bot/1689372/', { launch: false }).reply(200, { success: true });
		await run({ resource: 'customer', operation: 'assignToBot', customerId: '7', botId: '1689372', launch: false });
	});
});

describe('Landbot node: reading customers', () => {
	it('Get returns the customer object', async () => {
		landbot()
			.get('/v1/customers/7/')
			.reply(200, { success: true, customer: { id: 7, name: 'Ada', agent_id: null, custom_fields: { vip: true } } });
		const out = await run({ resource: 'customer', operation: 'get', customerId: '7' });
		expect(out[0].json).toEqual({ id: 7, name: 'Ada', agent_id: null, custom_fields: { vip: true } });
	});

	it('Get Many with a limit sends filters and stops at the limit', async () => {
		landbot()
			.get('/v1/customers/')
			.query({ channel_id: '2955840', search_by: 'email', search: 'ada@example.com', offset: 0, limit: 2 })
			.reply(200, { success: true, total: 5, customers: [{ id: 1 }, { id: 2 }] });
		const out = await run({
			resource: 'customer',
			operation: 'getMany',
			limit: 2,
			filters: { channel_id: '2955840', search_by: 'email', search: 'ada@example.com' },
		});
		expect(out.map((item) => item.json.id)).toEqual([1, 2]);
		expect(out.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('Get Many with Return All pages by offset until total', async () => {
		const page = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: from + i }));
		landbot().get('/v1/customers/').query({ offset: 0, limit: 100 }).reply(200, { total: 130, customers: page(0, 100) });
		landbot().get('/v1/customers/').query({ offset: 100, limit: 100 }).reply(200, { total: 130, customers: page(100, 30) });
		const out = await run({ resource: 'customer', operation: 'getMany', returnAll: true });
		expect(out).toHaveLength(130);
		expect(out[129].json.id).toBe(129);
	});

	it('Search By without Search is not sent', async () => {
		landbot().get('/v1/customers/').query({ offset: 0, limit: 50 }).reply(200, { total: 0, customers: [] });
		const out = await run({ resource: 'customer', operation: 'getMany', filters: { search_by: 'name' } });
		expect(out).toEqual([]);
	});

	it('Get Transcript sorts Landbot\'s unordered messages oldest first', async () => {
		landbot()
			.get('/v1/customers/7/messages/')
			.reply(200, {
				success: true,
				messages: [
					{ id: 3, message: 'third', message_datetime: '2025-05-22 20:01:05' },
					{ id: 1, message: 'first', message_datetime: '2025-05-22 19:59:59' },
					{ id: 2, message: 'second', message_datetime: '2025-05-22 20:00:00' },
				],
			});
		const out = await run({ resource: 'customer', operation: 'getTranscript', customerId: '7' });
		expect(out.map((item) => item.json.message)).toEqual(['first', 'second', 'third']);
		expect(out[0].json).toMatchObject({ role: 'system', text: 'first', timestamp: '2025-05-22T19:59:59.000Z', id: 1 });
	});

	it('Get Transcript names each author the way helpdesk history operations read it', async () => {
		landbot()
			.get('/v1/customers/7/messages/')
			.reply(200, {
				messages: [
					{ author_type: 'user', message: 'I need a human', message_datetime: '2025-05-22 20:00:02' },
					{ author_type: 'bot', message: 'Hi! How can I help?', message_datetime: '2025-05-22 20:00:01' },
					{ author_type: 'agent', message: 'Hello Ada', message_datetime: '2025-05-22 20:00:03' },
				],
			});
		const out = await run({ resource: 'customer', operation: 'getTranscript', customerId: '7' });
		expect(out.map((item) => [item.json.role, item.json.text])).toEqual([
			['bot', 'Hi! How can I help?'],
			['customer', 'I need a human'],
			['agent', 'Hello Ada'],
		]);
	});

	it('Get Transcript orders same-second messages by id and exposes media URLs for history', async () => {
		landbot()
			.get('/v1/customers/7/messages/')
			.reply(200, {
				messages: [
					{ id: 12, author_type: 'user', type: 'image', message: '', data: { url: 'https://cdn.example.com/p.jpg' }, message_datetime: '2025-05-22 20:00:00' },
					{ id: 11, author_type: 'bot', type: 'text', message: 'Send a photo', message_datetime: '2025-05-22 20:00:00' },
				],
			});
		const out = await run({ resource: 'customer', operation: 'getTranscript', customerId: '7' });
		expect(out.map((item) => item.json.id)).toEqual([11, 12]);
		expect(out[1].json).toMatchObject({ role: 'customer', type: 'image', url: 'https://cdn.example.com/p.jpg' });
	});

	it('Get Transcript can return one item with the whole history', async () => {
		landbot()
			.get('/v1/customers/7/messages/')
			.reply(200, {
				messages: [
					{ message: 'b', message_datetime: '2025-05-22 20:00:01' },
					{ message: 'a', message_datetime: '2025-05-22 20:00:00' },
				],
			});
		const out = await run({ resource: 'customer', operation: 'getTranscript', customerId: '7', output: 'transcript' });
		expect(out).toHaveLength(1);
		expect(out[0].json).toMatchObject({ customerId: '7', count: 2 });
		expect((out[0].json.messages as Array<{ message: string }>).map((m) => m.message)).toEqual(['a', 'b']);
	});
});

describe('Landbot node: customer fields', () => {
	it('Get reads the field', async () => {
		landbot().get('/v1/customers/7/fields/handoff_conversation/').reply(200, { type: 'string', value: 'support-group-x' });
		const out = await run({ resource: 'customerField', operation: 'get', customerId: '7', fieldName: 'handoff_conversation' });
		expect(out[0].json).toEqual({ customerId: '7', field: 'handoff_conversation', type: 'string', value: 'support-group-x' });
	});

	it('Set updates an existing field with PUT and a typed value', async () => {
		landbot().put('/v1/customers/7/fields/order_total/', { type: 'float', value: 12.5 }).reply(200, { success: true });
		const out = await run({
			resource: 'customerField',
			operation: 'set',
			customerId: '7',
			fieldName: 'order_total',
			fieldType: 'float',
			value: '12.5',
		});
		expect(out[0].json).toMatchObject({ field: 'order_total', type: 'float', value: 12.5 });
	});

	it('Set creates the field with POST when the customer does not have it yet', async () => {
		landbot()
			.put('/v1/customers/7/fields/handoff_conversation/', { type: 'string', value: 'support-group-1' })
			.reply(404, { errors: { field: ['Not found'] } });
		landbot()
			.post('/v1/customers/7/fields/handoff_conversation/', { type: 'string', value: 'support-group-1' })
			.reply(201, { success: true });
		await run({
			resource: 'customerField',
			operation: 'set',
			customerId: '7',
			fieldName: 'handoff_conversation',
			value: 'support-group-1',
		});
	});

	it('Set converts booleans, integers and objects, and names the bad parameter', async () => {
		landbot().put('/v1/customers/7/fields/vip/', { type: 'boolean', value: true }).reply(200, {});
		await run({ resource: 'customerField', operation: 'set', customerId: '7', fieldName: 'vip', fieldType: 'boolean', value: 'true' });
		landbot().put('/v1/customers/7/fields/meta/', { type: 'object', value: { a: 1 } }).reply(200, {});
		await run({ resource: 'customerField', operation: 'set', customerId: '7', fieldName: 'meta', fieldType: 'object', value: '{"a":1}' });
		await expect(
			run({ resource: 'customerField', operation: 'set', customerId: '7', fieldName: 'n', fieldType: 'integer', value: '1.5' }),
		).rejects.toThrow(/"Value" is not a whole number for type integer/);
		await expect(
			run({ resource: 'customerField', operation: 'set', customerId: '7', fieldName: 'Bad-Name', value: 'x' }),
		).rejects.toThrow(/"Field Name" must match/);
	});

	it('Delete removes the field', async () => {
		landbot().delete('/v1/customers/7/fields/handoff_conversation/').reply(204);
		const out = await run({ resource: 'customerField', operation: 'delete', customerId: '7', fieldName: 'handoff_conversation' });
		expect(out[0].json).toEqual({ customerId: '7', field: 'handoff_conversation', deleted: true });
	});
});

describe('Landbot node: channels and message hooks', () => {
	it('Channel Get and Get Many', async () => {
		landbot().get('/v1/channels/2955840/').reply(200, { success: true, channel: { id: 2955840, type: 'landbot' } });
		expect((await run({ resource: 'channel', operation: 'get', channelId: '2955840' }))[0].json).toEqual({
			id: 2955840,
			type: 'landbot',
		});
		landbot()
			.get('/v1/channels/')
			.query({ type: 'whatsapp', offset: 0, limit: 50 })
			.reply(200, { total: 1, channels: [{ id: 1, type: 'whatsapp' }] });
		const many = await run({ resource: 'channel', operation: 'getMany', filters: { type: 'whatsapp' } });
		expect(many.map((item) => item.json.id)).toEqual([1]);
	});

	it('Message Hook Create, Get Many and Delete', async () => {
		landbot()
			.post('/v1/channels/2955840/message_hooks/', { url: 'https://relay.example.com/hook', token: 's3cret', name: 'relay' })
			.reply(201, { success: true, hook: { id: 12, url: 'https://relay.example.com/hook', name: 'relay' } });
		const created = await run({
			resource: 'messageHook',
			operation: 'create',
			channelId: '2955840',
			url: 'https://relay.example.com/hook',
			token: 's3cret',
			name: 'relay',
		});
		expect(created[0].json).toEqual({ id: 12, url: 'https://relay.example.com/hook', name: 'relay' });

		landbot().get('/v1/channels/2955840/message_hooks/').reply(200, { hooks: [{ id: 12 }, { id: 13 }] });
		const hooks = await run({ resource: 'messageHook', operation: 'getMany', channelId: '2955840' });
		expect(hooks.map((item) => item.json.id)).toEqual([12, 13]);

		landbot().delete('/v1/channels/2955840/message_hooks/12/').reply(204);
		const deleted = await run({ resource: 'messageHook', operation: 'delete', channelId: '2955840', hookId: '12' });
		expect(deleted[0].json).toEqual({ channelId: '2955840', hookId: '12', deleted: true });
	});

	it('the channel dropdown lists channels with their type', async () => {
		landbot()
			.get('/v1/channels/')
			.query({ offset: 0, limit: 100 })
			.reply(200, { total: 2, channels: [{ id: 2, name: 'WhatsApp line', type: 'whatsapp' }, { id: 1, name: 'Web', type: 'landbot' }] });
		const options = await harness.loadOptions(node, 'getChannels', { parameters: {}, credentials });
		expect(options).toEqual([
			{ name: 'Web (landbot)', value: '1', description: undefined },
			{ name: 'WhatsApp line (whatsapp)', value: '2', description: undefined },
		]);
	});
});

describe('Landbot node: resilience', () => {
	it('retries a 429 (Landbot sends no Retry-After) and succeeds', async () => {
		landbot().post('/v1/customers/7/send_text/').reply(429, { errors: { rate: ['Too many requests'] } });
		landbot().post('/v1/customers/7/send_text/').reply(201, { success: true });
		const out = await run({ resource: 'customer', operation: 'sendText', customerId: '7', message: 'hi' });
		expect(out[0].json.success).toBe(true);
	});

	it('retries a 503 honouring Retry-After', async () => {
		landbot().put('/v1/customers/7/unassign/').reply(503, 'busy', { 'Retry-After': '0' });
		landbot().put('/v1/customers/7/unassign/').reply(200, { success: true });
		await run({ resource: 'customer', operation: 'unassign', customerId: '7' });
	});

	it('does not retry a 404, and continueOnFail turns it into an error item paired with its input', async () => {
		landbot().get('/v1/customers/1/').reply(200, { customer: { id: 1 } });
		landbot().get('/v1/customers/2/').reply(404, { detail: 'Not found.' });
		const [output] = await harness.execute(node, {
			parameters: { resource: 'customer', operation: 'get', customerId: '={{ $json.id }}' },
			credentials,
			items: [{ json: { id: 1 } }, { json: { id: 2 } }],
			continueOnFail: true,
		});
		expect(output[0]).toEqual({ json: { id: 1 }, pairedItem: { item: 0 } });
		expect(output[1].pairedItem).toEqual({ item: 1 });
		expect(output[1].json.error).toBe('Landbot refused "get customer" (404): Not found.');
		// n8n routes items whose keys are only error/message/details to the error output, when used.
		expect(output[1].json).toEqual({
			error: 'Landbot refused "get customer" (404): Not found.',
			details: { httpCode: '404', description: 'GET /v1/customers/2/ answered 404. Landbot said: Not found.' },
		});
	});

	it('a bad token is reported as Landbot\'s 401 text', async () => {
		landbot().get('/v1/customers/7/').reply(401, { detail: 'Invalid token.' });
		await expect(run({ resource: 'customer', operation: 'get', customerId: '7' })).rejects.toThrow(
			'Landbot refused "get customer" (401): Invalid token.',
		);
	});
});

describe('Landbot API credential', () => {
	it('tests the token against the channels list with "Token" auth', async () => {
		landbot().get('/v1/channels/').query({ limit: 1 }).reply(200, { channels: [] });
		expect(await harness.testCredential('landbotApi', credentials.landbotApi)).toMatchObject({ status: 'OK' });
		nock(API).get('/v1/channels/').query({ limit: 1 }).reply(401, { detail: 'Invalid token.' });
		expect(await harness.testCredential('landbotApi', { ...credentials.landbotApi })).toMatchObject({ status: 'Error' });
	});

	it('uses a custom base URL (proxy or simulator)', async () => {
		nock('http://127.0.0.1:4010', { reqheaders: { authorization: `Token ${TOKEN}` } })
			.put('/v1/customers/7/assign/')
			.reply(200, { success: true });
		await harness.execute(node, {
			parameters: { resource: 'customer', operation: 'assign', customerId: '7' },
			credentials: { landbotApi: { ...credentials.landbotApi, baseUrl: 'http://127.0.0.1:4010/v1/' } },
		});
	});
});

describe('Landbot node: resource locators (version 1.1)', () => {
	const rl = (value: string, mode = 'list') => ({ __rl: true, mode, value });
	const at = (typeVersion: number, parameters: IDataObject) =>
		harness.execute(node, { parameters: parameters as never, credentials, items: [{ json: {} }], typeVersion });

	it('the channel is a locator from 1.1 on and a dropdown in version 1; both run the same', async () => {
		for (const [typeVersion, channelId] of [
			[1.1, rl('2955840')],
			[1.1, rl('2955840', 'id')],
			[1, '2955840'],
		] as const) {
			landbot().get('/v1/channels/2955840/').reply(200, { success: true, channel: { id: 2955840, type: 'landbot' } });
			expect((await at(typeVersion, { resource: 'channel', operation: 'get', channelId }))[0][0].json).toEqual({ id: 2955840, type: 'landbot' });
		}
		await expect(at(1.1, { resource: 'channel', operation: 'get', channelId: rl('web', 'id') })).rejects.toThrow('"Channel" must be a Landbot numeric ID, got "web"');
	});

	it('the channel list searches by name or ID', async () => {
		landbot()
			.get('/v1/channels/')
			.query({ offset: 0, limit: 100 })
			.reply(200, { total: 2, channels: [{ id: 2, name: 'WhatsApp line', type: 'whatsapp' }, { id: 1, name: 'Web', type: 'landbot' }] });
		expect(await harness.listSearch(node, 'searchChannels', { parameters: {}, credentials, filter: 'whats' })).toEqual({
			results: [{ name: 'WhatsApp line (whatsapp)', value: '2' }],
		});
	});
});
