import { randomUUID } from 'crypto';

import type {
	IDataObject,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import {
	acknowledgeOnly,
	deliveryOf,
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
import { triggerProperties } from './trigger/properties';
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
		properties: triggerProperties,
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
				return await relayInOrder(this, deliveryOf(randomUUID(), items, false), botpressDelivery(options));
			}
			case 'closeRemoteTicket': {
				const remoteConversationId = takeTicket(staticData, call.botpressConversationId);
				const wanted = events.includes('conversationClosed');
				if (!wanted) return answer(this, { received: true });
				const items = [{ json: emitted(version, conversationClosedEvent(call, body, remoteConversationId), call) }];
				return await relayInOrder(this, deliveryOf(randomUUID(), items, false), botpressDelivery(options));
			}
		}
	}
}
