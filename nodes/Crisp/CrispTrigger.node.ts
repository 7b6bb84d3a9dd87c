import type { IDataObject, IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type { CatchUp } from '../shared';
import {
	acknowledgeOnly,
	deliveryOf,
	deliveryOptionFields,
	deliveryOptions,
	idToString,
	relayInOrder,
	RELAY_RESPONSE,
	rejectBadRequest,
	rejectTooDeep,
	rejectUnauthorized,
	secretsMatch,
} from '../shared';
import { isRememberedOwnMessage } from './marker';
import { CRISP_CREDENTIAL } from './transport';
import { crispCatchUp } from './trigger/catchUp';
import type { Delivery } from './trigger/delivery';
import { authorRole, contractEventOf, isNote, isOwnMessage, parseDelivery, toEvent } from './trigger/delivery';
import { checkSignature, URL_SECRET_PARAMETER } from './trigger/signature';

/**
 * UNCONFIRMED: Crisp retries a failed delivery (X-Delivery-Attempt-Limit / -Count) on a schedule it
 * does not document; relayed keys are kept an hour.
 */
const RETRY_HORIZON_MS = 60 * 60 * 1000;

/**
 * Whether the delivery is ours: Plugin Hooks by their signature, Website Hooks (unsigned) by the
 * secret in the URL's query, compared in constant time. Nothing of the body is used before.
 */
async function authenticated(context: IWebhookFunctions): Promise<boolean> {
	const credentials = await context.getCredentials(CRISP_CREDENTIAL);
	const secret = String(credentials.hookSecret ?? '');
	if (secret === '') return false;
	if (context.getNodeParameter('source', 'pluginHooks') === 'websiteHooks') {
		const query = context.getQueryData() as IDataObject;
		return secretsMatch(secret, query[URL_SECRET_PARAMETER]);
	}
	const headers = context.getHeaderData() as Record<string, unknown>;
	const request = context.getRequestObject() as unknown as { rawBody?: Buffer; readRawBody?: () => Promise<void> };
	if (request.rawBody === undefined && typeof request.readRawBody === 'function') await request.readRawBody();
	const raw = Buffer.isBuffer(request.rawBody) ? request.rawBody : undefined;
	return checkSignature(secret, headers, raw, context.getBodyData()) === 'ok';
}

/** Whether a message starts the workflow under the node's filters. */
function wantedMessage(delivery: Delivery, authors: string[], options: IDataObject): boolean {
	const { data } = delivery;
	if (options.dropOwnMessages !== false && (isOwnMessage(data) || isRememberedOwnMessage(delivery.websiteId, idToString(data.fingerprint)))) return false;
	if (isNote(data) && options.includeNotes !== true) return false;
	return authors.includes(authorRole(delivery));
}

async function relay(context: IWebhookFunctions, delivery: Delivery): Promise<IWebhookResponseData> {
	const options = context.getNodeParameter('options', {}) as IDataObject;
	const events = context.getNodeParameter('events', []) as string[];
	const contractEvent = contractEventOf(delivery);
	if (!events.includes(contractEvent)) return acknowledgeOnly();
	let catchUp: CatchUp | undefined;
	if (contractEvent === 'message') {
		const authors = context.getNodeParameter('authors', []) as string[];
		// The same filters for a delivery and for a message read back after an outage.
		const wanted = (message: Delivery) => wantedMessage(message, authors, options);
		// Filters first: a dropped delivery is never remembered as relayed.
		if (!wanted(delivery)) return acknowledgeOnly();
		if (options.catchUp !== false) catchUp = crispCatchUp(delivery, wanted);
	}
	return await relayInOrder(context, deliveryOf(delivery.key, [{ json: toEvent(delivery) }]), deliveryOptions(options, RETRY_HORIZON_MS), catchUp);
}

export class CrispTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Crisp Trigger',
		name: 'crispTrigger',
		icon: { light: 'file:crisp.svg', dark: 'file:crisp.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ $parameter["events"].map((event) => ({"message": "Message", "conversationUpdated": "Conversation Updated", "agentAssigned": "Agent Assigned", "conversationClosed": "Conversation Closed"})[event] || event).join(", ") }}',
		description: 'Starts the workflow when a Crisp conversation gets a message, or is resolved, reopened or routed to an operator.',
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#crisp-trigger',
		defaults: { name: 'Crisp Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'crispApi', required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', ...RELAY_RESPONSE, path: 'webhook' }],
		properties: [
			{
				displayName:
					"Crisp has no API to register web hooks: publishing this workflow registers nothing. Copy the Production URL above and paste it into Crisp yourself — Plugin Hooks: Marketplace → your plugin → Settings → Web Hooks, with the plugin's signing secret in the credential's Web Hooks Secret; Website Hooks: Crisp app → Workspace settings → Advanced configuration → Web Hooks. Subscribe message:send, message:received, session:set_state and session:set_routing.",
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName:
					"Website Hooks are not signed: paste the URL with ?secret=<the credential's Web Hooks Secret> appended; deliveries without it are refused. Anyone who can read the workspace's web hook settings can read that secret.",
				name: 'unsignedNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { source: ['websiteHooks'] } },
			},
			{
				displayName: 'Source',
				name: 'source',
				type: 'options',
				options: [
					{ name: 'Plugin Hooks (Signed)', value: 'pluginHooks', description: 'Every website that installed your Marketplace plugin; each delivery signed (X-Crisp-Signature)' },
					{ name: 'Website Hooks (Unsigned)', value: 'websiteHooks', description: "One website's web hooks; the URL carries a secret instead of a signature" },
				],
				default: 'pluginHooks',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: [
					{ name: 'Agent Assigned', value: 'agentAssigned', description: 'Routed to an operator (session:set_routing)' },
					{ name: 'Conversation Closed', value: 'conversationClosed', description: 'Resolved: the handoff is over (session:set_state resolved)' },
					{ name: 'Conversation Updated', value: 'conversationUpdated', description: 'Set pending or unresolved, or routed to nobody' },
					{ name: 'Message', value: 'message', description: 'A message in a conversation (message:send, message:received), filtered below' },
				],
				default: ['message'],
				required: true,
			},
			{
				displayName: 'Message Authors',
				name: 'authors',
				type: 'multiOptions',
				options: [
					{ name: 'Agent', value: 'agent', description: 'An operator (message:received, from operator)' },
					{ name: 'Bot', value: 'bot', description: 'An automated operator message (automated: true)' },
					{ name: 'Customer', value: 'customer', description: 'The visitor (message:send, from user)' },
					{ name: 'System', value: 'system', description: 'Event messages (type event)' },
				],
				default: ['agent'],
				displayOptions: { show: { events: ['message'] } },
				description: 'Whose messages start the workflow. For the operator → customer relay, Agent alone.',
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
							"Whether to relay messages Crisp gave up on while n8n was down or slow (Crisp tries a hook a few times only): a conversation's first message after a restart brings the ones missed before it, read back from the conversation. Records the last relayed message in the conversation's meta.data.n8n_handoff_relayed (two more Crisp calls per relay; the other data keys are kept). Needs Keep Order Per Conversation.",
					},
					{
						displayName: 'Drop Duplicate Deliveries',
						name: 'dropDuplicates',
						type: 'boolean',
						default: true,
						description: 'Whether to ignore a message or conversation change Crisp delivers again (Crisp retries)',
					},
					...deliveryOptionFields,
					{
						displayName: 'Drop Own Messages',
						name: 'dropOwnMessages',
						type: 'boolean',
						default: true,
						description:
							'Whether to ignore messages the Crisp node of this package wrote (origin urn:n8n-handoff:relay:0, or a fingerprint this n8n process sent), so a relay does not loop',
					},
					{
						displayName: 'Include Private Notes',
						name: 'includeNotes',
						type: 'boolean',
						default: false,
						description: 'Whether to also start on private notes (operators only), which a relay must not show to the customer',
					},
				],
			},
		],
	};

	/**
	 * Crisp has no API to register web hooks: the user pastes the URL (the notice says where).
	 * Publishing only checks that the credential holds the secret every delivery is checked with.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const credentials = await this.getCredentials(CRISP_CREDENTIAL);
				if (String(credentials.hookSecret ?? '') === '') {
					throw new NodeOperationError(this.getNode(), 'The Crisp API credential has no Web Hooks Secret: every delivery would be refused', {
						description: "Plugin Hooks: the plugin's signing secret (Marketplace → plugin → Settings → Web Hooks). Website Hooks: a random secret, also appended to the pasted URL as ?secret=….",
					});
				}
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				// Nothing was registered; the URL pasted into Crisp stays there until removed by hand.
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		// Nothing of the body is used before the delivery is known to be ours.
		if (!(await authenticated(this))) return rejectUnauthorized(this);
		const tooDeep = rejectTooDeep(this);
		if (tooDeep) return tooDeep;
		const parsed = parseDelivery(this.getBodyData());
		if ('error' in parsed) return rejectBadRequest(this, parsed.error);
		if ('ignored' in parsed) return acknowledgeOnly();
		return await relay(this, parsed.value);
	}
}
