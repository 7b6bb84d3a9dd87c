import { randomUUID } from 'crypto';

import type {
	IDataObject,
	IHookFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import {
	acknowledgeOnly,
	deliveryOf,
	deliveryOptionFields,
	deliveryOptions,
	rejectBadRequest,
	rejectTooDeep,
	rejectUnauthorized,
	relayInOrder,
	RELAY_RESPONSE,
	secretsMatch,
} from '../shared';
import { BOTPRESS_CREDENTIAL } from './transport';
import type { HandoffEvent } from '../shared';
import type { BotpressCall, IdSource, LegacyBotpressEvent } from './trigger/delivery';
import {
	conversationClosedEvent,
	conversationCreatedEvent,
	endpointFromPath,
	findBotpressConversationId,
	legacyEvent,
	messageEvent,
	parseCall,
	userCreatedEvent,
} from './trigger/delivery';
import { generateConversationId, generateUserId } from './trigger/ids';
import { rememberTicket, takeTicket } from './trigger/tickets';

/**
 * The two "create" endpoints answer either at once (an ID this node generates) or with the first
 * item of the workflow's last node. n8n reads a webhook's response mode from its description, which
 * may be an expression of the node's parameters, as n8n's own Webhook node does.
 */
const CREATE_RESPONSE_MODE = '={{$parameter["idSource"] === "workflow" ? "lastNode" : "onReceived"}}';

const DEFAULT_SECRET_HEADER = 'X-Handoff-Secret';


/** The shared secret a proxy in front of n8n adds, when the optional credential holds one. */
async function sharedSecretAccepted(context: IWebhookFunctions): Promise<boolean> {
	if (!context.getNode().credentials?.[BOTPRESS_CREDENTIAL]) return true;
	const credentials = await context.getCredentials(BOTPRESS_CREDENTIAL);
	const secret = String(credentials.sharedSecret ?? '');
	if (secret === '') return true;
	const header = (String(credentials.headerName ?? '').trim() || DEFAULT_SECRET_HEADER).toLowerCase();
	return secretsMatch(secret, context.getHeaderData()[header]);
}

/** Answers now, with our own body, and lets the workflow (if any) run after. */
function answer(context: IWebhookFunctions, body: IDataObject, items?: INodeExecutionData[]): IWebhookResponseData {
	context.getResponseObject().status(200).json(body).end();
	return items ? { noWebhookResponse: true, workflowData: [items] } : { noWebhookResponse: true };
}

/** Botpress's calls carry no id and no time: ordered as they arrive, nothing to de-duplicate on. */
function botpressDelivery(options: IDataObject) {
	return { ...deliveryOptions(options, 0), dropDuplicates: false };
}

function notFound(context: IWebhookFunctions, path: string): IWebhookResponseData {
	context.getResponseObject().status(404).json({ error: 'Not Found', reason: `no Botpress HITL endpoint at ${path}` }).end();
	return { noWebhookResponse: true };
}

const closedOption = {
	name: 'Conversation Closed',
	value: 'conversationClosed',
	description:
		'/closeRemoteTicket: the bot side ended the handoff. Botpress sends only its own conversation ID; conversationId is known only if that ID was in the ticket\'s title or description (see the README).',
};
const messageOption = {
	name: 'Message',
	value: 'message',
	description: '/botSendsMessage: a message of the user (or of the bot) for the agent',
};
const userOption = { name: 'User Created', value: 'userCreated', description: '/createRemoteUser' };
const eventsDescription = 'Which calls start the workflow. Calls not chosen are still answered (create calls with a generated ID).';

/**
 * Version 2 names the handoff's start `conversationCreated`, as the event it emits; version 1 keeps
 * `conversationStarted`, so saved workflows keep their choice.
 */
const eventsFields: INodeProperties[] = [
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: [
			closedOption,
			{
				name: 'Conversation Started',
				value: 'conversationStarted',
				description: '/createRemoteConversation: a handoff starts, with title, description and history',
			},
			messageOption,
			userOption,
		],
		default: ['conversationStarted', 'message', 'conversationClosed'],
		description: eventsDescription,
		displayOptions: { show: { '@version': [1] } },
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: [
			closedOption,
			{
				name: 'Conversation Created',
				value: 'conversationCreated',
				description: '/createRemoteConversation: a handoff starts, with title, description and the bot history (transcript)',
			},
			messageOption,
			userOption,
		],
		default: ['conversationCreated', 'message', 'conversationClosed'],
		description: eventsDescription,
		displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
	},
];

/** Version 1 emits the event shape from before the vocabulary was typed (see legacyEvent). */
function emitted(version: number, event: HandoffEvent, call: BotpressCall): HandoffEvent | LegacyBotpressEvent {
	return version >= 2 ? event : legacyEvent(event, call);
}

function validTiledeskProjectId(value: string): boolean {
	return value === '' || /^[A-Za-z0-9]+$/.test(value);
}

export class BotpressHitlTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Botpress HITL Trigger',
		name: 'botpressHitlTrigger',
		icon: { light: 'file:botpress.svg', dark: 'file:botpress.dark.svg' },
		group: ['trigger'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle:
			'={{ $parameter["events"].map((event) => ({"conversationClosed": "Conversation Closed", "conversationCreated": "Conversation Created", "conversationStarted": "Conversation Started", "message": "Message", "userCreated": "User Created"})[event] || event).join(", ") }}',
		description:
			'Starts the workflow when Botpress hands a conversation to a human with its history, the user writes during the handoff, or the bot side ends it.',
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#botpress-hitl-trigger',
		defaults: { name: 'Botpress HITL Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'botpressHitlApi', required: false }],
		webhooks: [
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'ping' },
			{ name: 'default', httpMethod: 'POST', responseMode: CREATE_RESPONSE_MODE, path: 'createRemoteUser' },
			{ name: 'default', httpMethod: 'POST', responseMode: CREATE_RESPONSE_MODE, path: 'createRemoteConversation' },
			{ name: 'default', httpMethod: 'POST', ...RELAY_RESPONSE, path: 'botSendsMessage' },
			{ name: 'default', httpMethod: 'POST', ...RELAY_RESPONSE, path: 'closeRemoteTicket' },
		],
		properties: [
			{
				displayName:
					'In Botpress (Integrations → Human in the Loop API), set <b>endpointBaseUrl</b> to this node\'s Production URL without its last segment: the URLs above end in /ping, /createRemoteUser, /createRemoteConversation, /botSendsMessage and /closeRemoteTicket, and the base is https://&lt;your n8n&gt;/webhook/&lt;this node\'s webhook ID&gt;. Publish the workflow first: saving the integration calls /ping, which this node answers without running the workflow. Other paths under the base get n8n\'s 404.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Answer Create Calls With',
				name: 'idSource',
				type: 'options',
				options: [
					{
						name: 'IDs Generated by This Node',
						value: 'generated',
						description:
							'Answer /createRemoteUser and /createRemoteConversation at once with a fresh ID (see Options for Tiledesk request IDs); the workflow runs after',
					},
					{
						name: 'ID Returned by the Workflow',
						value: 'workflow',
						description: "Wait for the workflow and answer with its last node's first item (the notice below says what it holds)",
					},
				],
				default: 'generated',
				// The answer's key is Botpress's own lowercase field: in a hint, which n8n's casing rules leave alone.
				hint: 'With "ID Returned by the Workflow", the last node\'s first item must be {"id": "…"} with a string, e.g. an Edit Fields node setting id to {{ String($json.conversationId) }}',
			},
			{
				displayName:
					'End the workflow with a node whose first item holds the new ID as a <b>string</b> (Botpress rejects numbers; the hint above shows the shape). The event\'s conversationId is a generated suggestion you may answer unchanged. Botpress waits for the answer, so keep the workflow short. Only /createRemoteUser and /createRemoteConversation wait; the other endpoints are answered at once.',
				name: 'workflowNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { idSource: ['workflow'] } },
			},
			...eventsFields,
			{
				displayName: 'Message Authors',
				name: 'messageAuthors',
				type: 'multiOptions',
				options: [
					{ name: 'Bot', value: 'bot', description: 'Messages the bot writes on the HITL channel (remoteUserId "BOT")' },
					{ name: 'Customer', value: 'customer', description: 'What the Botpress user writes' },
				],
				default: ['customer', 'bot'],
				displayOptions: { show: { events: ['message'] } },
			},
			{
				displayName:
					'Close mapping: /closeRemoteTicket carries only Botpress\'s conversation ID, which no earlier call told. This node remembers Botpress conversation ID → remote conversation ID (in the workflow\'s static data, at most 1000 open tickets, 30 days) only when the create call\'s title or description contains a Botpress conversation ID (conv_…). Otherwise the event has no conversationId (null; \'\' in version 1) and mapped = false, with botpressConversationId.',
				name: 'closeNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { events: ['conversationClosed'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					...deliveryOptionFields,
					{
						displayName: 'Tiledesk Project ID',
						name: 'tiledeskProjectId',
						type: 'string',
						default: '',
						placeholder: '65c5f3599faf2d04cd7da528',
						description:
							'Generate conversation IDs that are Tiledesk request IDs of this project (support-group-{project}-bp-…), so Tiledesk events carry the ID Botpress knows. Empty: bp- followed by 24 hex digits.',
					},
				],
			},
		],
	};

	/**
	 * Botpress has no API to register the endpoints: the user pastes the base URL in the
	 * integration. Publishing only checks the options, so a bad one fails there and not on a call.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const options = this.getNodeParameter('options', {}) as IDataObject;
				const project = String(options.tiledeskProjectId ?? '').trim();
				if (!validTiledeskProjectId(project)) {
					throw new NodeOperationError(this.getNode(), `The Tiledesk project ID "${project}" is not valid`, {
						description: 'It is the code after /project/ in the URL of any Tiledesk dashboard page (letters and digits).',
					});
				}
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				// Open tickets stay remembered: publishing again must still close them.
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		if (!(await sharedSecretAccepted(this))) return rejectUnauthorized(this);
		const tooDeep = rejectTooDeep(this);
		if (tooDeep) return tooDeep;

		const request = this.getRequestObject();
		const endpoint = endpointFromPath(request.path);
		if (!endpoint) return notFound(this, String(request.path ?? ''));

		const body = this.getBodyData();
		const parsed = parseCall(endpoint, body);
		if ('error' in parsed) return rejectBadRequest(this, parsed.error);
		const { call } = parsed;
		if (call.endpoint === 'ping') return acknowledgeOnly();

		const events = this.getNodeParameter('events', []) as string[];
		const idSource = this.getNodeParameter('idSource', 'generated') as IdSource;
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const staticData = this.getWorkflowStaticData('node');
		const version = this.getNode().typeVersion;

		switch (call.endpoint) {
			case 'createRemoteUser': {
				const id = generateUserId();
				const wanted = events.includes('userCreated');
				const items = [{ json: emitted(version, userCreatedEvent(call, body, id, wanted ? idSource : 'generated'), call) }];
				if (wanted && idSource === 'workflow') return { workflowData: [items] };
				return answer(this, { id }, wanted ? items : undefined);
			}
			case 'createRemoteConversation': {
				let id: string;
				try {
					id = generateConversationId(String(options.tiledeskProjectId ?? ''));
				} catch (error) {
					throw new NodeOperationError(this.getNode(), (error as Error).message);
				}
				const wanted = events.includes(version >= 2 ? 'conversationCreated' : 'conversationStarted');
				const source: IdSource = wanted ? idSource : 'generated';
				const botpressConversationId = findBotpressConversationId(call.title, call.description);
				const event = conversationCreatedEvent(call, body, id, source, botpressConversationId);
				const items = [{ json: emitted(version, event, call) }];
				if (source === 'workflow') return { workflowData: [items] };
				if (botpressConversationId) rememberTicket(staticData, botpressConversationId, id);
				return answer(this, { id }, wanted ? items : undefined);
			}
			case 'botSendsMessage': {
				const authors = this.getNodeParameter('messageAuthors', ['customer', 'bot']) as string[];
				const event = messageEvent(call, body);
				if (!(events.includes('message') && authors.includes(event.author.role))) return answer(this, { received: true });
				const items = [{ json: emitted(version, event, call) }];
				return await relayInOrder(this, deliveryOf(randomUUID(), items), botpressDelivery(options));
			}
			case 'closeRemoteTicket': {
				const remoteConversationId = takeTicket(staticData, call.botpressConversationId);
				const wanted = events.includes('conversationClosed');
				if (!wanted) return answer(this, { received: true });
				const items = [{ json: emitted(version, conversationClosedEvent(call, body, remoteConversationId), call) }];
				return await relayInOrder(this, deliveryOf(randomUUID(), items), botpressDelivery(options));
			}
		}
	}
}
