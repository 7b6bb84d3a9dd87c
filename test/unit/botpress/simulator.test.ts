/**
 * The Botpress HITL node and trigger against the Botpress simulator (test/fakes/botpress.ts), over
 * real HTTP. The trigger runs behind a small stand-in for n8n's webhook server (TriggerHost): it
 * routes the five paths under one base URL to webhook(), answers 404 for other paths, answers what
 * the node wrote or returned, and, for "ID returned by the workflow", the first item of the
 * workflow's last node (the test plays the workflow).
 */
import * as http from 'http';
import type { IDataObject } from 'n8n-workflow';

import { BotpressHitlApi } from '../../../credentials/BotpressHitlApi.credentials';
import { BotpressHitl } from '../../../nodes/BotpressHitl/BotpressHitl.node';
import { BotpressHitlTrigger } from '../../../nodes/BotpressHitl/BotpressHitlTrigger.node';
import { BotpressHitlError, BotpressSimulator } from '../../fakes/botpress';
import { close, httpRequest, listen, readBody } from '../../fakes/http';
import { createHarness } from '../../helpers/harness';

const harness = createHarness({ credentialTypes: [new BotpressHitlApi()] });
const action = new BotpressHitl();
const trigger = new BotpressHitlTrigger();
const ALL_EVENTS = ['userCreated', 'conversationCreated', 'message', 'conversationClosed'];
const ENDPOINTS = ['ping', 'createRemoteUser', 'createRemoteConversation', 'botSendsMessage', 'closeRemoteTicket'];
/** The harness gives every node this webhook ID. */
const WEBHOOK_ID = 'harness-webhook-id';

interface HostOptions {
	parameters?: IDataObject;
	credentials?: IDataObject;
	/** The workflow of "ID returned by the workflow": the first item of its last node. */
	workflow?: (event: IDataObject) => IDataObject;
	/** Headers a proxy in front of n8n adds. */
	proxyHeaders?: Record<string, string>;
}

class TriggerHost {
	readonly events: IDataObject[] = [];
	/** The node's static data, kept across calls as n8n keeps it for a published workflow. */
	readonly staticData: IDataObject = {};
	private server = http.createServer((req, res) => {
		void this.handle(req, res).catch((error) => {
			res.writeHead(500, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ message: String(error?.message ?? error) }));
		});
	});
	private port = 0;

	constructor(private readonly options: HostOptions = {}) {}

	async start(): Promise<this> {
		this.port = await listen(this.server, 0, '127.0.0.1');
		return this;
	}

	/** What the user pastes into Botpress's endpointBaseUrl. */
	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}/webhook/${WEBHOOK_ID}`;
	}

	ofType(event: string): IDataObject[] {
		return this.events.filter((item) => item.event === event);
	}

	async stop(): Promise<void> {
		await close(this.server);
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const raw = await readBody(req);
		const path = req.url ?? '/';
		const send = (status: number, body: unknown) => {
			res.writeHead(status, { 'Content-Type': 'application/json' });
			res.end(body === undefined ? '' : JSON.stringify(body));
		};
		const endpoint = path.split('/').pop() ?? '';
		if (req.method !== 'POST' || !path.startsWith(`/webhook/${WEBHOOK_ID}/`) || !ENDPOINTS.includes(endpoint)) {
			send(404, { code: 404, message: `The requested webhook "${req.method} ${path}" is not registered.` });
			return;
		}
		const headers: Record<string, string> = { ...(this.options.proxyHeaders ?? {}) };
		for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[key] = value;
		const { response, http: written } = await harness.webhook(trigger, {
			parameters: (this.options.parameters ?? {}) as never,
			credentials: this.options.credentials ? ({ botpressHitlApi: this.options.credentials } as never) : undefined,
			staticData: this.staticData,
			request: { path, headers, body: raw ? JSON.parse(raw) : {} },
		});
		const items = (response.workflowData?.[0] ?? []).map((item) => item.json);
		this.events.push(...items);
		if (written.ended) {
			send(written.statusCode ?? 200, written.body);
			return;
		}
		if (response.workflowData === undefined) {
			send(200, response.webhookResponse ?? { message: 'Webhook call received' });
			return;
		}
		const waits = this.options.parameters?.idSource === 'workflow' && endpoint.startsWith('create');
		if (waits && this.options.workflow) {
			send(200, this.options.workflow(items[0]));
			return;
		}
		send(200, { message: 'Workflow was started' });
	}
}

describe('Botpress HITL nodes against the simulator', () => {
	let sim: BotpressSimulator;
	let host: TriggerHost;
	let credentials: { botpressHitlApi: IDataObject };

	const run = async (parameters: IDataObject, items: IDataObject[] = [{}]) =>
		(
			await harness.execute(action, {
				parameters: { resource: 'conversation', ...parameters } as never,
				credentials: credentials as never,
				items: items.map((json) => ({ json })),
			})
		)[0].map((item) => item.json);

	async function setUp(simulator: BotpressSimulator, options: HostOptions = { parameters: { events: ALL_EVENTS } }) {
		sim = await simulator.start();
		host = await new TriggerHost(options).start();
		credentials = { botpressHitlApi: { webhookUrl: sim.webhookUrl } };
	}

	afterEach(async () => {
		await sim.stop();
		await host.stop();
	});

	it('plays a handoff from saving the integration to the agent giving the user back to the bot', async () => {
		await setUp(new BotpressSimulator());
		// Saving the integration pings the one base URL; the workflow does not run.
		await sim.configure(host.baseUrl);
		expect(host.events).toEqual([]);

		const { id: conversationId } = sim.startConversation({ name: 'Ada Lovelace', email: 'ada@example.com' });
		await sim.userSays(conversationId, 'Hi, my order #1042 never arrived');
		await sim.botSays(conversationId, 'Sorry to hear that! Let me check.');
		await sim.userSays(conversationId, 'I want to talk to a human');
		const ids = await sim.startHitl(conversationId, { title: 'Order #1042' });

		// Both IDs answered are strings the simulator accepted, and the events carry them.
		expect(ids.remoteUserId).toMatch(/^bpu-[0-9a-f]{16}$/);
		expect(ids.remoteConversationId).toMatch(/^bp-[0-9a-f]{24}$/);
		const [userCreated] = host.ofType('userCreated');
		expect(userCreated).toMatchObject({ customerId: ids.remoteUserId, author: { name: 'Ada Lovelace' }, user: { email: 'ada@example.com' } });
		const [started] = host.ofType('conversationCreated');
		expect(started).toMatchObject({ conversationId: ids.remoteConversationId, title: 'Order #1042' });
		const transcript = started.transcript as Array<{ author: IDataObject; message: IDataObject }>;
		expect(transcript.map((entry) => [entry.author.role, entry.message.text])).toEqual([
			['customer', 'Hi, my order #1042 never arrived'],
			['bot', 'Sorry to hear that! Let me check.'],
			['customer', 'I want to talk to a human'],
		]);

		// The user's messages reach the workflow during the handoff, in order.
		await sim.userSays(conversationId, 'Hello?');
		await sim.userSays(conversationId, { imageUrl: 'https://files.example.com/receipt.png' });
		const messages = host.ofType('message');
		expect(messages.map((event) => [event.conversationId, (event.author as IDataObject).role, (event.message as IDataObject).type, (event.message as IDataObject).text])).toEqual([
			[ids.remoteConversationId, 'customer', 'text', 'Hello?'],
			[ids.remoteConversationId, 'customer', 'image', 'https://files.example.com/receipt.png'],
		]);

		// The agent side, through the action node.
		const conversation = ids.remoteConversationId;
		await run({ operation: 'agentAssigned', remoteConversationId: conversation, remoteUserId: 'agent-7' });
		await run({ operation: 'sendMessage', remoteConversationId: conversation, remoteUserId: 'agent-7', messageType: 'text', text: 'Hi Ada, Sam here.' });
		await run(
			{ operation: 'sendMessage', remoteConversationId: '={{ $json.conversationId }}', remoteUserId: 'agent-7', messageType: 'event' },
			[{ conversationId: conversation, message: { type: 'file', text: 'Your return label', url: 'https://files.example.com/label.pdf', name: 'label.pdf' } }],
		);
		expect(sim.getConversation(conversationId)).toMatchObject({ hitl: 'active', assigned: true, assignedAgentId: 'agent-7' });
		await run({ operation: 'stopHitl', remoteConversationId: conversation });

		expect(sim.transcript(conversationId)).toEqual([
			'user: Hi, my order #1042 never arrived',
			'bot: Sorry to hear that! Let me check.',
			'user: I want to talk to a human',
			'bot: I have escalated this conversation to a human agent. They should be with you shortly.',
			'user: Hello?',
			'user: [image] https://files.example.com/receipt.png',
			'bot: A human agent has joined the conversation.',
			'agent: Hi Ada, Sam here.',
			'agent: [file] label.pdf https://files.example.com/label.pdf',
			// The caption follows the file, so nothing the agent wrote is lost.
			'agent: Your return label',
			'bot: The human agent closed the conversation. I will continue assisting you.',
		]);
		expect(sim.getConversation(conversationId)).toMatchObject({ hitl: 'stopped', endedBy: 'agent' });
		expect(sim.getServiceCalls().filter((call) => call.error)).toEqual([]);
		expect(sim.getWebhookCalls().map((call) => [call.path, call.status, call.outcome])).toEqual([
			['/agent-assigned', 200, 'assigned'],
			['/message-from-agent', 200, 'shown'],
			['/message-from-agent', 200, 'shown'],
			['/message-from-agent', 200, 'shown'],
			['/stop-hitl', 200, 'stopped'],
		]);
		expect(sim.getOrphans()).toEqual([]);
	});

	it('maps the close to the ticket when the ID Botpress closes with was in the description; unmapped otherwise', async () => {
		// A bot that calls stopHitl itself with the user's conversation ID, and puts it in the description.
		await setUp(new BotpressSimulator({ closeWith: 'userConversation' }));
		await sim.configure(host.baseUrl);
		const { id } = sim.startConversation({ name: 'Ada' });
		const { remoteConversationId } = await sim.startHitl(id, { description: `Botpress conversation ${id}` });
		await sim.closeHitl(id);
		expect(host.ofType('conversationClosed')).toEqual([
			expect.objectContaining({ conversationId: remoteConversationId, botpressConversationId: id, mapped: true }),
		]);
		expect(sim.getServiceCalls().slice(-1)[0]).toMatchObject({ path: 'closeRemoteTicket', status: 200 });
	});

	it('the HITL plugin closes with its own HITL-channel conversation, which no call told: the close is unmapped', async () => {
		await setUp(new BotpressSimulator());
		await sim.configure(host.baseUrl);
		const { id } = sim.startConversation({ name: 'Ada' });
		const { hitlConversationId } = await sim.startHitl(id, { description: `Botpress conversation ${id}` });
		await sim.closeHitl(id);
		expect(host.ofType('conversationClosed')).toEqual([
			expect.objectContaining({ conversationId: null, botpressConversationId: hitlConversationId, mapped: false }),
		]);
		// The user's own conversation ID was remembered from the description, and stays until it ages out.
		expect(host.staticData.tickets).toHaveLength(1);
	});

	it('"ID returned by the workflow": Botpress gets the IDs the workflow\'s last node returns', async () => {
		let tickets = 0;
		await setUp(new BotpressSimulator(), {
			parameters: { idSource: 'workflow', events: ALL_EVENTS },
			workflow: (event) =>
				event.event === 'userCreated' ? { id: `helpdesk-user-${String(event.remoteUserId).slice(4, 8)}` } : { id: `TICKET-${++tickets}` },
		});
		await sim.configure(host.baseUrl);
		const { id } = sim.startConversation({ name: 'Ada' });
		const ids = await sim.startHitl(id);
		expect(ids.remoteConversationId).toBe('TICKET-1');
		expect(ids.remoteUserId).toMatch(/^helpdesk-user-[0-9a-f]{4}$/);
		await sim.userSays(id, 'hello');
		expect(host.ofType('message')[0]).toMatchObject({ conversationId: 'TICKET-1', customerId: ids.remoteUserId });
		await run({ operation: 'sendMessage', remoteConversationId: 'TICKET-1', remoteUserId: 'agent-1', messageType: 'text', text: 'Hi!' });
		expect(sim.transcript(id).slice(-1)[0]).toBe('agent: Hi!');
	});

	it('a workflow that answers a number breaks the handoff, as Botpress validates IDs as strings', async () => {
		await setUp(new BotpressSimulator(), {
			parameters: { idSource: 'workflow', events: ALL_EVENTS },
			workflow: () => ({ id: 1042 }),
		});
		await sim.configure(host.baseUrl);
		const { id } = sim.startConversation({ name: 'Ada' });
		await expect(sim.startHitl(id)).rejects.toThrow(BotpressHitlError);
		expect(sim.getConversation(id)?.hitl).toBe('none');
	});

	it('with a shared secret, only calls through the proxy that adds it get in; the node sends it to Botpress', async () => {
		const secret = 'proxy-secret-42';
		await setUp(new BotpressSimulator(), {
			parameters: { events: ALL_EVENTS },
			credentials: { webhookUrl: 'unused', sharedSecret: secret },
		});
		// Botpress alone (no proxy) cannot even save the integration.
		await expect(sim.configure(host.baseUrl)).rejects.toThrow('Request failed with status code 401');
		await host.stop();
		host = await new TriggerHost({
			parameters: { events: ALL_EVENTS },
			credentials: { webhookUrl: 'unused', sharedSecret: secret },
			proxyHeaders: { 'x-handoff-secret': secret },
		}).start();
		await sim.configure(host.baseUrl);
		const { id } = sim.startConversation({ name: 'Ada' });
		const { remoteConversationId } = await sim.startHitl(id);

		credentials = { botpressHitlApi: { webhookUrl: sim.webhookUrl, sharedSecret: secret } };
		await run({ operation: 'stopHitl', remoteConversationId });
		expect(sim.getWebhookCalls()[0].headers['x-handoff-secret']).toBe(secret);
		expect(sim.getConversation(id)?.hitl).toBe('stopped');
	});

	it('n8n answers 404 under the base URL for paths that are not endpoints; the credential test passes', async () => {
		await setUp(new BotpressSimulator());
		expect((await httpRequest(`${host.baseUrl}/createTicket`, { method: 'POST', body: {} })).status).toBe(404);
		expect(await harness.testCredential('botpressHitlApi', { webhookUrl: sim.webhookUrl })).toMatchObject({ status: 'OK' });
		expect((await harness.testCredential('botpressHitlApi', { webhookUrl: `${sim.baseUrl}/wrong-id` })).status).toBe('Error');
		// The test touched no conversation.
		expect(sim.getWebhookCalls().map((call) => call.outcome)).toEqual(['ignored: empty body']);
	});
});
