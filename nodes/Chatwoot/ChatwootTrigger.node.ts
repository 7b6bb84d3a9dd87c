import type {
	IDataObject,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import {
	acknowledgeOnly,
	deliveryOf,
	deliveryOptionFields,
	deliveryOptions,
	idLocator,
	idToString,
	relayInOrder,
	RELAY_RESPONSE,
	rejectBadRequest,
	rejectTooDeep,
	rejectUnauthorized,
	secretsMatch,
} from '../shared';
import { isRememberedOwnMessage } from './marker';
import { getAgentBots } from './methods/loadOptions';
import { listSearch } from './methods/listSearch';
import { chatwootAccount } from './transport';
import { chatwootCatchUp } from './trigger/catchUp';
import type { Delivery } from './trigger/delivery';
import { contractEventOf, isOwnMessage, messageTypeOf, parseDelivery, senderRole, toEvent } from './trigger/delivery';
import type { ChatwootRegistration } from './trigger/registrations';
import { chatwootRegistrations, store, URL_SECRET_PARAMETER } from './trigger/registrations';
import { checkSignature } from './trigger/signature';

/** Account webhooks are tried once, agent bots 3 times within seconds; keys are kept an hour. */
const RETRY_HORIZON_MS = 60 * 60 * 1000;

/**
 * Whether the delivery comes from one of our registrations: its signature (signed mode), or the
 * secret in the URL's query (servers that do not sign), compared in constant time. Only headers,
 * query and the raw bytes are read: nothing of the parsed body.
 */
async function authenticated(context: IWebhookFunctions, registrations: ChatwootRegistration[]): Promise<boolean> {
	const headers = context.getHeaderData() as Record<string, unknown>;
	const request = context.getRequestObject() as unknown as { rawBody?: Buffer; readRawBody?: () => Promise<void> };
	if (request.rawBody === undefined && typeof request.readRawBody === 'function') await request.readRawBody();
	const raw = Buffer.isBuffer(request.rawBody) ? request.rawBody : undefined;
	const query = context.getQueryData() as IDataObject;
	let ok = false;
	for (const registration of registrations) {
		if (registration.mode === 'signed') {
			if (checkSignature(registration.secret, headers, raw) === 'ok') ok = true;
			continue;
		}
		if (!secretsMatch(registration.secret, query[URL_SECRET_PARAMETER])) continue;
		// A server that signs all the same is held to its signature.
		const signed = registration.signingSecret ? checkSignature(registration.signingSecret, headers, raw) : 'missing';
		if (signed !== 'missing' && signed !== 'ok') continue;
		ok = true;
	}
	return ok;
}

/** Whether a message delivery (or one read back) starts the workflow under the node's filters. */
function wantedMessage(body: IDataObject, authors: string[], options: IDataObject, own: (body: IDataObject) => boolean): boolean {
	const messageType = messageTypeOf(body.message_type);
	// Activity lines are not delivered (message_filter_helpers.rb); read back, they are skipped too.
	if (messageType === 'activity') return false;
	if (options.dropOwnMessages !== false && own(body)) return false;
	if (body.private === true && options.includeNotes !== true) return false;
	return authors.includes(senderRole(body.sender, messageType));
}

async function relay(context: IWebhookFunctions, delivery: Delivery): Promise<IWebhookResponseData> {
	const options = context.getNodeParameter('options', {}) as IDataObject;
	const events = context.getNodeParameter('events', []) as string[];
	const contractEvent = contractEventOf(delivery);
	if (contractEvent === null || !events.includes(contractEvent)) return acknowledgeOnly();
	const catchUpOn = contractEvent === 'message' && options.catchUp !== false;
	if (contractEvent === 'message') {
		const { baseUrl, accountId } = await chatwootAccount(context);
		const own = (body: IDataObject) => isOwnMessage(body) || isRememberedOwnMessage(baseUrl, accountId, idToString(body.id));
		const authors = context.getNodeParameter('authors', []) as string[];
		const wanted = (body: IDataObject) => wantedMessage(body, authors, options, own);
		// Filters first: a dropped delivery is never remembered as relayed.
		if (!wanted(delivery.body)) return acknowledgeOnly();
		const event = toEvent(delivery);
		if (!event) return acknowledgeOnly();
		const catchUp = catchUpOn ? chatwootCatchUp(delivery, wanted) : undefined;
		return await relayInOrder(context, deliveryOf(delivery.key, [{ json: event }]), deliveryOptions(options, RETRY_HORIZON_MS), catchUp);
	}
	const event = toEvent(delivery);
	if (!event) return acknowledgeOnly();
	return await relayInOrder(context, deliveryOf(delivery.key, [{ json: event }]), deliveryOptions(options, RETRY_HORIZON_MS));
}

export class ChatwootTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Chatwoot Trigger',
		name: 'chatwootTrigger',
		icon: { light: 'file:chatwoot.svg', dark: 'file:chatwoot.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ $parameter["events"].map((event) => ({"message": "Message", "conversationCreated": "Conversation Created", "conversationUpdated": "Conversation Updated", "agentAssigned": "Agent Assigned", "conversationClosed": "Conversation Closed"})[event] || event).join(", ") }}',
		description:
			'Starts the workflow when a Chatwoot conversation gets a message, or is created, handed over, assigned or resolved.',
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#chatwoot-trigger',
		defaults: { name: 'Chatwoot Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'chatwootApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				...RELAY_RESPONSE,
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName:
					"Publishing this workflow registers its webhook in Chatwoot (the credential's user must be an administrator): an account webhook for the chosen events, or the chosen agent bot's webhook URL; unpublishing removes it (the bot gets its old URL back). Every delivery must carry Chatwoot's signature (Chatwoot v4.11.2 or later; agent bots v4.13.0).",
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName:
					'Older Chatwoot (No Signatures) is on: Chatwoot sends no signature, so the webhook URL registered in Chatwoot carries a random secret (?secret=…) and deliveries without it are refused. Anyone who can read the webhook settings in Chatwoot can read that secret.',
				name: 'unsignedNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { '/options.unsigned': [true] } },
			},
			{
				displayName: 'Source',
				name: 'source',
				type: 'options',
				options: [
					{
						name: 'Account Webhook',
						value: 'accountWebhook',
						description: 'Every inbox of the account. Chatwoot tries each delivery once: Catch Up After Outages brings what n8n missed.',
					},
					{
						name: 'Agent Bot',
						value: 'agentBot',
						description:
							"The inboxes an agent bot is connected to: its messages and its conversations opened or resolved (no Conversation Created, no status changes but those). Chatwoot retries 3 times, then hands a pending conversation to humans.",
					},
				],
				default: 'accountWebhook',
			},
			idLocator({
				displayName: 'Agent Bot',
				name: 'agentBotId',
				searchListMethod: 'searchAgentBots',
				idPlaceholder: '4',
				idPattern: { regex: '^\\d+$', errorMessage: 'A Chatwoot ID is a whole number' },
				required: true,
				displayOptions: { show: { source: ['agentBot'] } },
				description: "The bot whose webhook URL becomes this trigger's while the workflow is published",
			}),
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: [
					{
						name: 'Agent Assigned',
						value: 'agentAssigned',
						description: 'Opened with an agent assigned, or an agent assigned to it',
					},
					{ name: 'Conversation Closed', value: 'conversationClosed', description: 'Resolved: the handoff is over' },
					{ name: 'Conversation Created', value: 'conversationCreated', description: 'Account webhooks only' },
					{
						name: 'Conversation Updated',
						value: 'conversationUpdated',
						description: 'Its status changed: pending → open (handoff: toHumans), open → pending (toBot), snoozed…',
					},
					{ name: 'Message', value: 'message', description: 'A message in a conversation (message_created), filtered below' },
				],
				default: ['message'],
				required: true,
			},
			{
				displayName: 'Message Authors',
				name: 'authors',
				type: 'multiOptions',
				options: [
					{ name: 'Agent', value: 'agent', description: 'A Chatwoot user (sender type user)' },
					{ name: 'Bot', value: 'bot', description: 'An agent bot (sender type agent_bot)' },
					{ name: 'Customer', value: 'customer', description: 'The contact (sender type contact)' },
					{ name: 'System', value: 'system', description: 'No sender: automations, campaigns, templates' },
				],
				default: ['agent'],
				displayOptions: { show: { events: ['message'] } },
				description: 'Whose messages start the workflow. For the agent → customer relay, Agent alone.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Catch Up After Outages',
						name: 'catchUp',
						type: 'boolean',
						default: true,
						description:
							"Whether to relay messages Chatwoot gave up on while n8n was down or slow (an account webhook is tried once): a conversation's first message after a restart brings the ones missed before it, read back from the conversation. Records the last relayed message in the conversation's custom attribute handoff_relayed_message (two more Chatwoot calls per relay). Needs Keep Order Per Conversation.",
					},
					{
						displayName: 'Drop Duplicate Deliveries',
						name: 'dropDuplicates',
						type: 'boolean',
						default: true,
						description: 'Whether to ignore a message or conversation change Chatwoot delivers again (agent bots retry)',
					},
					...deliveryOptionFields,
					{
						displayName: 'Drop Own Messages',
						name: 'dropOwnMessages',
						type: 'boolean',
						default: true,
						description:
							'Whether to ignore messages the Chatwoot node of this package wrote (content_attributes.n8n_handoff, or an ID this n8n process remembers creating), so a relay does not loop',
					},
					{
						displayName: 'Include Private Notes',
						name: 'includeNotes',
						type: 'boolean',
						default: false,
						description: 'Whether to also start on private notes (agents only), which a relay must not show to the customer',
					},
					{
						displayName: 'Older Chatwoot (No Signatures)',
						name: 'unsigned',
						type: 'boolean',
						default: false,
						description:
							'Whether to accept deliveries without a signature, from Chatwoot before v4.11.2 (agent bots: v4.13.0). They must then carry a random secret that publishing puts into the registered URL. Publish again after changing it.',
					},
				],
			},
		],
	};

	methods = { loadOptions: { getAgentBots }, listSearch };

	webhookMethods = { default: chatwootRegistrations };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const registrations = store.held(this.getWorkflowStaticData('node'));
		// Nothing of the body is read before the delivery is known to be ours.
		if (!(await authenticated(this, registrations))) return rejectUnauthorized(this);
		const tooDeep = rejectTooDeep(this);
		if (tooDeep) return tooDeep;
		const parsed = parseDelivery(this.getBodyData());
		if ('error' in parsed) return rejectBadRequest(this, parsed.error);
		if ('ignored' in parsed) return acknowledgeOnly();
		return await relay(this, parsed.value);
	}
}
