import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { BotpressHitlApi } from '../../../credentials/BotpressHitlApi.credentials';
import { BotpressHitl } from '../../../nodes/BotpressHitl/BotpressHitl.node';
import { fromEventMessage } from '../../../nodes/BotpressHitl/actions/conversation/sendMessage';
import { createHarness } from '../../helpers/harness';
import { useNock } from '../../helpers/nock';

const HOST = 'https://webhook.botpress.cloud';
const WEBHOOK_ID = '3f2c1a9e-5b7d-4c3a-8e9f-0a1b2c3d4e5f';
const WEBHOOK_URL = `${HOST}/${WEBHOOK_ID}`;
const SECRET = 'proxy-secret-42';
const harness = createHarness({ credentialTypes: [new BotpressHitlApi()] });
const node = new BotpressHitl();
const CONVERSATION = 'bp-6f1c2a9e0b7d4c3a5e8f9a1b';

async function run(
	parameters: Record<string, unknown>,
	extra: { continueOnFail?: boolean; credential?: IDataObject; items?: IDataObject[] } = {},
) {
	const [output] = await harness.execute(node, {
		parameters: { resource: 'conversation', ...parameters } as never,
		credentials: { botpressHitlApi: extra.credential ?? { webhookUrl: WEBHOOK_URL } } as never,
		items: (extra.items ?? [{}]).map((json) => ({ json })),
		continueOnFail: extra.continueOnFail,
	});
	return output;
}

/** Botpress's webhook answers 200 with an empty body (the integration's handler returns nothing). */
const botpress = (headers: Record<string, string> = {}) => nock(HOST, { reqheaders: { 'content-type': /application\/json/, ...headers } });

const message = (extra: Record<string, unknown>) => ({ operation: 'sendMessage', remoteConversationId: CONVERSATION, remoteUserId: 'agent-42', ...extra });

useNock();

describe('Botpress HITL node: Message from Agent', () => {
	it('POSTs a text to /message-from-agent as Botpress expects and returns what it sent', async () => {
		botpress()
			.post(`/${WEBHOOK_ID}/message-from-agent`, {
				remoteConversationId: CONVERSATION,
				remoteUserId: 'agent-42',
				messageType: 'text',
				payload: { text: 'Hi, I am Sam from support' },
			})
			.reply(200);
		const out = await run(message({ messageType: 'text', text: 'Hi, I am Sam from support' }));
		expect(out).toEqual([
			{
				json: {
					remoteConversationId: CONVERSATION,
					remoteUserId: 'agent-42',
					messageType: 'text',
					payload: { text: 'Hi, I am Sam from support' },
					sent: [{ messageType: 'text', payload: { text: 'Hi, I am Sam from support' } }],
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	it.each([
		['image', { url: 'https://x.io/a.png' }, { imageUrl: 'https://x.io/a.png' }],
		['audio', { url: 'https://x.io/a.mp3' }, { audioUrl: 'https://x.io/a.mp3' }],
		['video', { url: 'https://x.io/a.mp4' }, { videoUrl: 'https://x.io/a.mp4' }],
		['file', { url: 'https://x.io/invoice.pdf', title: 'Invoice' }, { fileUrl: 'https://x.io/invoice.pdf', title: 'Invoice' }],
		['file', { url: 'https://x.io/invoice.pdf' }, { fileUrl: 'https://x.io/invoice.pdf' }],
	])('sends %s with its Botpress payload', async (messageType, parameters, payload) => {
		botpress()
			.post(`/${WEBHOOK_ID}/message-from-agent`, { remoteConversationId: CONVERSATION, remoteUserId: 'agent-42', messageType, payload })
			.reply(200);
		const [item] = await run(message({ messageType, ...parameters }));
		expect(item.json).toMatchObject({ messageType, payload });
	});

	it('sends the shared secret header when the credential has one, under the name it gives', async () => {
		botpress({ 'x-handoff-secret': SECRET }).post(`/${WEBHOOK_ID}/message-from-agent`).reply(200);
		await run(message({ messageType: 'text', text: 'a' }), { credential: { webhookUrl: WEBHOOK_URL, sharedSecret: SECRET } });
		botpress({ 'x-proxy-token': SECRET }).post(`/${WEBHOOK_ID}/agent-assigned`).reply(200);
		await run(
			{ operation: 'agentAssigned', remoteConversationId: CONVERSATION, remoteUserId: 'agent-42' },
			{ credential: { webhookUrl: `${WEBHOOK_URL}/`, sharedSecret: SECRET, headerName: 'X-Proxy-Token' } },
		);
	});

	it('sends no secret header without a secret', async () => {
		let headers: Record<string, unknown> = {};
		botpress()
			.post(`/${WEBHOOK_ID}/stop-hitl`)
			.reply(function () {
				headers = this.req.headers;
				return [200];
			});
		await run({ operation: 'stopHitl', remoteConversationId: CONVERSATION }, { credential: { webhookUrl: WEBHOOK_URL, headerName: 'X-Handoff-Secret' } });
		expect(Object.keys(headers)).not.toContain('x-handoff-secret');
	});

	it('relays a package event message as richly as Botpress shows it', async () => {
		const sent: IDataObject[] = [];
		botpress()
			.post(`/${WEBHOOK_ID}/message-from-agent`, (body) => sent.push(body) > 0)
			.times(3)
			.reply(200);
		const [item] = await run(message({ messageType: 'event' }), {
			items: [{ message: { type: 'image', text: 'Your receipt', url: 'https://x.io/r.png' } }],
		});
		// The default "Message" parameter reads $json.message; the caption follows the image.
		expect(sent.map((body) => [body.messageType, body.payload])).toEqual([
			['image', { imageUrl: 'https://x.io/r.png' }],
			['text', { text: 'Your receipt' }],
		]);
		expect(item.json.sent).toHaveLength(2);
		const [text] = await run(message({ messageType: 'event', message: '{"type":"text","text":"Hello"}' }));
		expect(text.json.payload).toEqual({ text: 'Hello' });
	});

	it.each([
		['a text', { type: 'text', text: 'Hi' }, [['text', { text: 'Hi' }]]],
		['an image without caption', { type: 'image', text: 'https://x.io/a.png', url: 'https://x.io/a.png' }, [['image', { imageUrl: 'https://x.io/a.png' }]]],
		['an image whose text is only its file name', { type: 'image', text: 'label.png', fileName: 'label.png', url: 'https://x.io/label.png' }, [['image', { imageUrl: 'https://x.io/label.png' }]]],
		['a file with a name', { type: 'file', text: 'invoice.pdf', url: 'https://x.io/i.pdf', name: 'invoice.pdf' }, [['file', { fileUrl: 'https://x.io/i.pdf', title: 'invoice.pdf' }]]],
		['a file with a caption', { type: 'file', text: 'See attached', url: 'https://x.io/i.pdf' }, [['file', { fileUrl: 'https://x.io/i.pdf', title: 'See attached' }]]],
		['Botpress audio', { type: 'file', text: 'https://x.io/a.mp3', url: 'https://x.io/a.mp3', botpressType: 'audio' }, [['audio', { audioUrl: 'https://x.io/a.mp3' }]]],
		['a video by MIME type', { type: 'file', text: 'clip', url: 'https://x.io/v', mimeType: 'video/mp4' }, [['video', { videoUrl: 'https://x.io/v' }], ['text', { text: 'clip' }]]],
		['a location', { type: 'location', text: 'Eiffel Tower', latitude: 48.8584, longitude: 2.2945 }, [['text', { text: 'Eiffel Tower\nLocation: 48.8584, 2.2945' }]]],
		['a bare location', { type: 'location', text: 'Location: 1, 2', latitude: 1, longitude: 2 }, [['text', { text: 'Location: 1, 2' }]]],
		['a card with a link', { type: 'other', text: 'Our plans', url: 'https://x.io/plans.png' }, [['text', { text: 'Our plans\nhttps://x.io/plans.png' }]]],
		['an empty message', { type: 'other', text: '' }, []],
	])('turns %s into Botpress messages', (_, event, expected) => {
		expect(fromEventMessage(event as IDataObject).map((m) => [m.messageType, m.payload])).toEqual(expected);
	});

	it('fails with the item index on bad parameters, before any call', async () => {
		const empty = await run(message({ messageType: 'text', text: '   ' })).catch((e) => e);
		expect(empty).toBeInstanceOf(NodeOperationError);
		expect(empty.message).toContain('The message is empty');
		expect(empty.context.itemIndex).toBe(0);
		await expect(run(message({ messageType: 'image', url: 'not-a-url' }))).rejects.toThrow('"URL" must be an http(s) URL, got "not-a-url"');
		await expect(run(message({ messageType: 'text', text: 'a', remoteConversationId: ' ' }))).rejects.toThrow('"Remote Conversation ID" is empty');
		await expect(run(message({ messageType: 'text', text: 'a', remoteUserId: '' }))).rejects.toThrow('"Agent ID" is empty');
		await expect(run(message({ messageType: 'event', message: '[1]' }))).rejects.toThrow('"Message" must be an object');
		const error = await run(message({ messageType: 'text', text: 'a' }), { credential: { webhookUrl: 'webhook.botpress.cloud/x' } }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toContain('Webhook URL must be an http(s) URL');
	});
});

describe('Botpress HITL node: Agent Assigned and Stop HITL', () => {
	it('Agent Assigned POSTs /agent-assigned with both IDs', async () => {
		botpress().post(`/${WEBHOOK_ID}/agent-assigned`, { remoteConversationId: CONVERSATION, remoteUserId: 'agent-42' }).reply(200);
		const [item] = await run({ operation: 'agentAssigned', remoteConversationId: CONVERSATION, remoteUserId: 'agent-42' });
		expect(item.json).toEqual({ remoteConversationId: CONVERSATION, remoteUserId: 'agent-42', assigned: true });
	});

	it('Stop HITL POSTs /stop-hitl with the conversation ID only', async () => {
		botpress().post(`/${WEBHOOK_ID}/stop-hitl`, { remoteConversationId: CONVERSATION }).reply(200);
		const [item] = await run({ operation: 'stopHitl', remoteConversationId: CONVERSATION });
		expect(item.json).toEqual({ remoteConversationId: CONVERSATION, stopped: true });
	});

	it('runs once per item, each paired with its input', async () => {
		botpress().post(`/${WEBHOOK_ID}/stop-hitl`, { remoteConversationId: 'bp-a' }).reply(200);
		botpress().post(`/${WEBHOOK_ID}/stop-hitl`, { remoteConversationId: 'bp-b' }).reply(200);
		const out = await run({ operation: 'stopHitl', remoteConversationId: '={{ $json.id }}' }, { items: [{ id: 'bp-a' }, { id: 'bp-b' }] });
		expect(out.map((item) => [item.json.remoteConversationId, item.pairedItem])).toEqual([
			['bp-a', { item: 0 }],
			['bp-b', { item: 1 }],
		]);
	});
});

describe('Botpress HITL node: failures', () => {
	it('names Botpress, the call and Botpress\'s own words; does not retry a 4xx', async () => {
		botpress()
			.post(`/${WEBHOOK_ID}/stop-hitl`)
			.reply(400, { id: 'err_1', code: 400, type: 'InvalidPayload', message: 'remoteConversationId is required' });
		const error = await run({ operation: 'stopHitl', remoteConversationId: CONVERSATION }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Botpress refused "stop HITL" (400): remoteConversationId is required');
	});

	it('retries a 5xx and succeeds', async () => {
		botpress().post(`/${WEBHOOK_ID}/agent-assigned`).reply(503, { message: 'Service Unavailable' });
		botpress().post(`/${WEBHOOK_ID}/agent-assigned`).reply(200);
		const [item] = await run({ operation: 'agentAssigned', remoteConversationId: CONVERSATION, remoteUserId: 'a' });
		expect(item.json.assigned).toBe(true);
	});

	it('with Continue On Fail, a failing item becomes an error item and the others go on', async () => {
		botpress().post(`/${WEBHOOK_ID}/stop-hitl`, { remoteConversationId: 'bp-a' }).reply(404, { message: 'Webhook not found' });
		botpress().post(`/${WEBHOOK_ID}/stop-hitl`, { remoteConversationId: 'bp-b' }).reply(200);
		const out = await run(
			{ operation: 'stopHitl', remoteConversationId: '={{ $json.id }}' },
			{ continueOnFail: true, items: [{ id: 'bp-a' }, { id: 'bp-b' }] },
		);
		expect(out[0]).toMatchObject({
			json: { error: 'Botpress refused "stop HITL" (404): Webhook not found', details: { httpCode: '404' } },
			pairedItem: { item: 0 },
		});
		expect(out[1]).toEqual({ json: { remoteConversationId: 'bp-b', stopped: true }, pairedItem: { item: 1 } });
	});
});

describe('Botpress HITL credential', () => {
	it('tests with a body-less GET on the webhook URL, which touches no conversation', async () => {
		let seen: { body?: string; headers?: Record<string, unknown> } = {};
		nock(HOST)
			.get(`/${WEBHOOK_ID}`)
			.reply(function (_uri, body) {
				seen = { body: String(body ?? ''), headers: this.req.headers };
				return [200];
			});
		expect(await harness.testCredential('botpressHitlApi', { webhookUrl: ` ${WEBHOOK_URL}/ `, sharedSecret: SECRET })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(seen.body).toBe('');
		expect(seen.headers?.['x-handoff-secret']).toBe(SECRET);
	});

	it('reports an unknown webhook ID', async () => {
		nock(HOST).get('/not-installed').reply(404, { message: 'Webhook not found' });
		expect((await harness.testCredential('botpressHitlApi', { webhookUrl: `${HOST}/not-installed` })).status).toBe('Error');
	});
});
