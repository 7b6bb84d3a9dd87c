/**
 * The Salesforce Enhanced Chat node and trigger in n8n-core's real contexts against the Enhanced
 * Chat simulator (real HTTP and a real event stream): what the agent sees, what the trigger emits.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { SalesforceEnhancedChatApi } from '../../../credentials/SalesforceEnhancedChatApi.credentials';
import { idFromKey } from '../../../nodes/SalesforceEnhancedChat/conversation';
import { SalesforceEnhancedChat } from '../../../nodes/SalesforceEnhancedChat/SalesforceEnhancedChat.node';
import { SalesforceEnhancedChatTrigger } from '../../../nodes/SalesforceEnhancedChat/SalesforceEnhancedChatTrigger.node';
import { SalesforceEnhancedChatSimulator } from '../../fakes';
import { expectHandoffEvent } from '../../helpers/contract';
import { createHarness } from '../../helpers/harness';

const ORG = '00D5e000000AbCd';
const DEPLOYMENT = 'Handoff_Web';
const harness = createHarness({ credentialTypes: [new SalesforceEnhancedChatApi()] });
const node = new SalesforceEnhancedChat();
const trigger = new SalesforceEnhancedChatTrigger();

let sf: SalesforceEnhancedChatSimulator;
let credentials: Record<string, IDataObject>;
/** Where a customer's image lives (as Landbot hosts it): a local server, no internet. */
let media: http.Server;
let mediaUrl: string;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

beforeAll(async () => {
	media = http.createServer((_req, res) => {
		res.writeHead(200, { 'Content-Type': 'image/png' });
		res.end(PNG);
	});
	await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
	mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/media/box.png`;
	sf = await new SalesforceEnhancedChatSimulator({ timeScale: 0.01, orgId: ORG, deploymentName: DEPLOYMENT }).start();
	credentials = {
		salesforceEnhancedChatApi: { scrtUrl: sf.baseUrl.replace(/^http:\/\//, 'http://'), organizationId: ORG, deploymentName: DEPLOYMENT, capabilitiesVersion: '1' },
	};
});
afterEach(() => {
	sf.reset();
	sf.configure({ replayRetention: 100 });
});
afterAll(async () => {
	await sf.stop();
	await new Promise((resolve) => media.close(resolve));
});

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

async function run(parameters: IDataObject, items?: INodeExecutionData[]): Promise<IDataObject[]> {
	const [out] = await harness.execute(node, { parameters: parameters as never, credentials: credentials as never, items });
	return out.map((item) => item.json);
}

async function start(extra: IDataObject = {}): Promise<IDataObject> {
	const [out] = await run({
		resource: 'conversation',
		operation: 'start',
		routingAttributes: '{"CustomerName": "Carla"}',
		context: '{"landbotCustomerId": 42}',
		transcript: 'Customer: I need a human\nBot: Let me find someone',
		...extra,
	});
	return out;
}

const agentTexts = (id: string) => sf.transcript(id).filter((line) => line.role === 'EndUser').map((line) => line.text);

describe('Salesforce Enhanced Chat node', () => {
	it('Start Conversation opens a routed conversation with the pre-chat fields and the transcript first', async () => {
		const out = await start();
		const conversation = out.conversation as IDataObject;
		expect(conversation).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), context: { landbotCustomerId: 42 } });
		expect(String(conversation.accessToken).split('.')).toHaveLength(3);
		const view = sf.conversation(String(conversation.id))!;
		expect(view.routingAttributes).toEqual({ CustomerName: 'Carla' });
		expect(agentTexts(String(conversation.id))).toEqual(['Customer: I need a human\nBot: Let me find someone']);
		expect(out.transcriptSent).toBe(true);
	});

	it('a wrong deployment name is the platform refusing, in its words', async () => {
		const bad = { salesforceEnhancedChatApi: { ...credentials.salesforceEnhancedChatApi, deploymentName: 'Nope' } };
		await expect(
			harness.execute(node, { parameters: { resource: 'conversation', operation: 'start' } as never, credentials: bad as never }),
		).rejects.toThrow(/Salesforce Enhanced Chat refused "get a guest access token" \(4\d\d\)/);
	});

	it("a verified user's retried start finds the conversation made, and a rejected identity token is no guest", async () => {
		const identity = `h.${Buffer.from(JSON.stringify({ sub: 'customer-77' })).toString('base64url')}.s`;
		const verified = { customer: 'verified', customerIdentityToken: identity, transcript: '', options: { conversationId: 'landbot:77:1' } };
		const first = await start(verified);
		const again = await start(verified);
		expect((again.conversation as IDataObject).id).toBe((first.conversation as IDataObject).id);
		expect(String((again.conversation as IDataObject).subject)).toContain('/AUTH/');
		expect(sf.conversations()).toHaveLength(1);
		await expect(start({ ...verified, customerIdentityToken: 'not-a-jwt' })).rejects.toThrow(/did not accept the customer identity token/);
	});

	it('Send Message without a conversation names the parameter', async () => {
		await expect(
			harness.execute(node, {
				parameters: { resource: 'conversation', operation: 'sendMessage', conversation: '{"id": "x"}', messageType: 'text', text: 'hi' } as never,
				credentials: credentials as never,
			}),
		).rejects.toThrow(/"Conversation" must be the conversation object/);
	});

	it("sends a trigger event's message with an id from its source key, and does not send a possible repeat twice", async () => {
		const { conversation } = await start({ transcript: '' });
		const id = String((conversation as IDataObject).id);
		const send = async (message: IDataObject) =>
			(await run({ resource: 'conversation', operation: 'sendMessage', messageType: 'event' }, [{ json: { conversation, message } }]))[0];
		const first = await send({ type: 'text', text: 'Where is my parcel?', sourceKey: 'landbot:9' });
		expect(first).toMatchObject({ sent: true, messageId: idFromKey('landbot:9') });
		const again = await send({ type: 'text', text: 'Where is my parcel?', sourceKey: 'landbot:9', maybeRelayed: true });
		expect(again).toMatchObject({ sent: true, alreadySent: true });
		expect(agentTexts(id)).toEqual(['Where is my parcel?']);
	});

	it('uploads an image of a trigger event as a file, or sends its link when asked to', async () => {
		const { conversation } = await start({ transcript: '' });
		const id = String((conversation as IDataObject).id);
		const message = { type: 'image', text: 'The box', url: mediaUrl, fileName: 'box.png', sourceKey: 'landbot:10' };
		const [uploaded] = await run({ resource: 'conversation', operation: 'sendMessage', messageType: 'event' }, [{ json: { conversation, message } }]);
		expect(uploaded).toMatchObject({ sent: true, file: { name: 'box.png', mimeType: 'image/png', bytes: PNG.length } });
		const [linked] = await run({ resource: 'conversation', operation: 'sendMessage', messageType: 'event', filesAs: 'link' }, [
			{ json: { conversation, message: { ...message, sourceKey: 'landbot:11' } } },
		]);
		expect(linked.sent).toBe(true);
		const lines = sf.transcript(id).filter((line) => line.role === 'EndUser');
		expect(lines.map((line) => [line.text, line.attachments?.map((a) => [a.name, a.mimeType])])).toEqual([
			['The box', [['box.png', 'image/png']]],
			[`The box\n${mediaUrl}`, undefined],
		]);
		const served = await fetch(String(lines[0].attachments![0].url));
		expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG);
	});

	it('after the agent ends the session: reports it, or opens a new session when asked to', async () => {
		const { conversation } = await start({ transcript: '' });
		const id = String((conversation as IDataObject).id);
		sf.agentAccepts(id, { name: 'Alice' });
		sf.agentEndsSession(id);
		const send = async (sessionEnded: string) =>
			(await run({ resource: 'conversation', operation: 'sendMessage', messageType: 'text', text: `hello (${sessionEnded})`, sessionEnded }, [{ json: { conversation } }]))[0];
		expect(await send('report')).toMatchObject({ sent: false, sessionEnded: true });
		await expect(send('fail')).rejects.toThrow(/ended the messaging session \(417\)/);
		expect(await send('newSession')).toMatchObject({ sent: true, newSession: true });
		expect(sf.conversation(id)!.sessions).toBe(2);
		expect(agentTexts(id)).toEqual(['hello (newSession)']);
	});

	it('Get Entries gives the agent side as events, oldest first, without our own messages', async () => {
		const { conversation } = await start({ transcript: 'history' });
		const id = String((conversation as IDataObject).id);
		sf.agentAccepts(id, { name: 'Alice' });
		sf.agentSays(id, 'Hi, I am Alice');
		sf.agentSays(id, 'How can I help?');
		await sf.idle();
		const events = await run({ resource: 'conversation', operation: 'getEntries', options: { types: ['Message', 'ParticipantChanged'] } }, [{ json: { conversation } }]);
		events.forEach(expectHandoffEvent);
		expect(events.map((e) => [e.event, (e.message as IDataObject | null)?.text ?? (e.author as IDataObject).name])).toEqual([
			['agentAssigned', 'Alice'],
			['message', 'Hi, I am Alice'],
			['message', 'How can I help?'],
		]);
	});
});

describe('Salesforce Enhanced Chat Trigger', () => {
	const texts = (emitted: INodeExecutionData[][]) =>
		emitted.flat().filter((item) => item.json.event === 'message').map((item) => (item.json.message as IDataObject).text);

	const open: Array<{ close(): Promise<void> }> = [];
	afterEach(async () => {
		await Promise.all(open.splice(0).map(async (active) => await active.close()));
	});

	async function activate(staticData: IDataObject = {}, finish?: (items: INodeExecutionData[]) => 'success' | 'error') {
		const active = await harness.trigger(trigger, {
			parameters: { events: ['message', 'agentAssigned', 'conversationClosed'], options: { maxReconnectSeconds: 1 } } as never,
			credentials: credentials as never,
			staticData,
			finish,
		});
		open.push(active);
		return active;
	}

	it('relays the agent side of a conversation it started, once and in order, not our own messages', async () => {
		const active = await activate();
		try {
			const { conversation } = await start();
			const id = String((conversation as IDataObject).id);
			await until(() => sf.openStreams() === 1, 'the stream');
			sf.agentAccepts(id, { name: 'Alice' });
			for (let n = 1; n <= 5; n++) sf.agentSays(id, `agent ${n}`);
			await until(() => texts(active.emitted).length === 5, 'five messages');
			const items = active.emitted.flat();
			items.forEach((item) => expectHandoffEvent(item.json));
			expect(items[0].json).toMatchObject({ event: 'agentAssigned', author: { name: 'Alice' }, context: { landbotCustomerId: 42 } });
			expect(texts(active.emitted)).toEqual(['agent 1', 'agent 2', 'agent 3', 'agent 4', 'agent 5']);
			sf.agentEndsSession(id);
			await until(() => active.emitted.flat().some((item) => item.json.event === 'conversationClosed'), 'the end');
			await until(() => sf.openStreams() === 0, 'the stream to close');
		} finally {
			await active.close();
		}
	});

	it('loses nothing when the stream drops while the agent writes, and relays nothing twice', async () => {
		const active = await activate();
		try {
			const { conversation } = await start({ transcript: '' });
			const id = String((conversation as IDataObject).id);
			await until(() => sf.openStreams() === 1, 'the stream');
			sf.agentAccepts(id, { name: 'Alice' });
			for (let n = 1; n <= 10; n++) {
				sf.agentSays(id, `agent ${n}`);
				if (n === 4 || n === 7) sf.dropStreams();
			}
			await until(() => texts(active.emitted).length >= 10, 'ten messages');
			await new Promise((resolve) => setTimeout(resolve, 300));
			expect(texts(active.emitted)).toEqual(Array.from({ length: 10 }, (_, i) => `agent ${i + 1}`));
		} finally {
			await active.close();
		}
	});

	it('reads back from the entries what the stream no longer replays after a drop', async () => {
		sf.configure({ replayRetention: 0 });
		const active = await activate();
		try {
			const { conversation } = await start({ transcript: '' });
			const id = String((conversation as IDataObject).id);
			await until(() => sf.openStreams() === 1, 'the stream');
			sf.agentAccepts(id, { name: 'Alice' });
			sf.dropStreams();
			for (let n = 1; n <= 6; n++) sf.agentSays(id, `agent ${n}`);
			await until(() => texts(active.emitted).length >= 6, 'six messages');
			expect(texts(active.emitted)).toEqual(Array.from({ length: 6 }, (_, i) => `agent ${i + 1}`));
			const reads = sf.getCalls().filter((call) => call.path.endsWith('/entries'));
			expect(reads.length).toBeGreaterThanOrEqual(2);
		} finally {
			sf.configure({ replayRetention: 100 });
			await active.close();
		}
	});

	it('opens a stream again that has gone silent (no data, not even a ping), and relays what came meanwhile', async () => {
		sf.configure({ pingIntervalMs: 600_000 });
		const active = await harness.trigger(trigger, {
			parameters: { events: ['message'], options: { maxReconnectSeconds: 1, silentSeconds: 1 } } as never,
			credentials: credentials as never,
			staticData: {},
		});
		open.push(active);
		try {
			const { conversation } = await start({ transcript: '' });
			const id = String((conversation as IDataObject).id);
			const streams = () => sf.getCalls().filter((call) => call.path === '/eventrouter/v1/sse').length;
			await until(() => streams() >= 2, 'a second stream', 10_000);
			sf.agentAccepts(id, { name: 'Alice' });
			sf.agentSays(id, 'still here?');
			await until(() => texts(active.emitted).length === 1, 'the message');
			expect(texts(active.emitted)).toEqual(['still here?']);
		} finally {
			sf.configure({ pingIntervalMs: 30_000 });
		}
	}, 20_000);

	it('tries a failed execution again, flagged as maybe relayed', async () => {
		let failedOnce = false;
		const active = await activate({}, (items) => {
			if (failedOnce || !items.some((item) => item.json.event === 'message')) return 'success';
			failedOnce = true;
			return 'error';
		});
		try {
			const { conversation } = await start({ transcript: '' });
			await until(() => sf.openStreams() === 1, 'the stream');
			sf.agentAccepts(String((conversation as IDataObject).id), { name: 'Alice' });
			sf.agentSays(String((conversation as IDataObject).id), 'only once, please');
			const messages = () => active.emitted.filter((items) => items.some((item) => item.json.event === 'message'));
			await until(() => messages().length === 2, 'the second try', 15_000);
			expect(messages().map((items) => items.map((item) => (item.json.message as IDataObject).maybeRelayed ?? false))).toEqual([[false], [true]]);
		} finally {
			await active.close();
		}
	}, 20_000);

	it('after a restart, picks the conversation up from its static data and relays what came while it was down', async () => {
		// No replay from the stream: what came while n8n was down is read back from the entries.
		sf.configure({ replayRetention: 0 });
		const staticData: IDataObject = {};
		const first = await activate(staticData);
		const { conversation } = await start({ transcript: '' });
		const id = String((conversation as IDataObject).id);
		await until(() => sf.openStreams() === 1, 'the stream');
		sf.agentAccepts(id, { name: 'Alice' });
		sf.agentSays(id, 'before');
		await until(() => texts(first.emitted).length === 1, 'the first message');
		await first.close();
		await until(() => sf.openStreams() === 0, 'the stream to close');
		sf.agentSays(id, 'while down 1');
		sf.agentSays(id, 'while down 2');
		const second = await activate(staticData);
		await until(() => texts(second.emitted).length === 2, 'the missed messages');
		sf.agentSays(id, 'after');
		await until(() => texts(second.emitted).length === 3, 'the next message');
		expect(texts(second.emitted)).toEqual(['while down 1', 'while down 2', 'after']);
	});
});
