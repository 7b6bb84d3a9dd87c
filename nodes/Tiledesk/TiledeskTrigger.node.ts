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
	relayInOrder,
	RELAY_RESPONSE,
	rejectBadRequest,
	rejectTooDeep,
	rejectUnauthorized,
} from '../shared';
import { tiledeskProject } from './transport';
import type { Delivery } from './trigger/delivery';
import { isInfoLine, isOwnMessage, isTiledeskEvent, parseDelivery, parseEnvelope, senderRole, toEvent } from './trigger/delivery';
import { tiledeskCatchUp } from './trigger/catchUp';
import { senderOf, storedSubscriptions, subscriptionsHolding, tiledeskSubscriptions } from './trigger/subscriptions';

/** Tiledesk retries a delivery twice within ~10 s; ids are kept an hour. */
const TILEDESK_RETRY_HORIZON_MS = 60 * 60 * 1000;

/** Whether the node's filters let a message through (echoes, info lines, authors). */
function wantedMessage(context: IWebhookFunctions, message: IDataObject, options: IDataObject): boolean {
	const request = typeof message.request === 'object' ? (message.request as IDataObject) : undefined;
	const authors = context.getNodeParameter('authors', []) as string[];
	if (options.dropOwnMessages !== false && isOwnMessage(message)) return false;
	if (options.includeInfo !== true && isInfoLine(message)) return false;
	return authors.includes(senderRole(message.sender, request));
}

async function relay(context: IWebhookFunctions, delivery: Delivery, projectId: string): Promise<IWebhookResponseData> {
	const options = context.getNodeParameter('options', {}) as IDataObject;
	const wanted = (message: IDataObject) => wantedMessage(context, message, options);
	if (delivery.event === 'message.create' && !wanted(delivery.payload)) return acknowledgeOnly();
	const items = [{ json: toEvent(delivery, projectId) }];
	const catchUp = delivery.event === 'message.create' && options.catchUp !== false ? tiledeskCatchUp(delivery, projectId, wanted) : undefined;
	return await relayInOrder(context, deliveryOf(delivery.key, items), deliveryOptions(options, TILEDESK_RETRY_HORIZON_MS), catchUp);
}

export class TiledeskTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tiledesk Trigger',
		name: 'tiledeskTrigger',
		icon: { light: 'file:tiledesk.svg', dark: 'file:tiledesk.dark.svg' },
		group: ['trigger'],
		// 1.1 behaves as 1. n8n evaluates an expression (a sandbox per delivery) to parse the body of
		// any version-1 start node; from 1.1 on it does not (bench/README.md).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle:
			'={{ $parameter["events"].map((event) => ({"message.create": "Message", "request.create": "Conversation Created", "request.update": "Conversation Updated", "request.close": "Conversation Closed"})[event] || event).join(", ") }}',
		description:
			'Starts the workflow when a Tiledesk conversation gets a message, or is created, updated or closed.',
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#tiledesk-trigger',
		defaults: { name: 'Tiledesk Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tiledeskApi', required: true }],
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
					'Publishing this workflow subscribes this webhook to the chosen Tiledesk events (the credential\'s user needs the admin role); unpublishing removes the subscriptions. Self-hosted servers deliver only with RESTHOOK_ENABLED=true.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: [
					{
						name: 'Message',
						value: 'message.create',
						description: 'A message in any conversation of the project, filtered below',
					},
					{ name: 'Conversation Created', value: 'request.create' },
					{
						name: 'Conversation Updated',
						value: 'request.update',
						description: 'Status, participants, department or attributes changed',
					},
					{
						name: 'Conversation Closed',
						value: 'request.close',
						description: 'Carries the conversation\'s transcript',
					},
				],
				default: ['message.create'],
				required: true,
			},
			{
				displayName: 'Message Authors',
				name: 'authors',
				type: 'multiOptions',
				options: [
					{ name: 'Bot', value: 'bot', description: 'Sender bot_…' },
					{ name: 'Customer', value: 'customer', description: 'The end user: the conversation\'s requester (lead)' },
					{ name: 'Agent', value: 'agent', description: 'A human agent: anyone else, agents and project members' },
					{ name: 'System', value: 'system', description: 'Sender "system"' },
				],
				default: ['agent'],
				displayOptions: { show: { events: ['message.create'] } },
				description:
					'Whose messages start the workflow. For the agent → end user relay, Human Agent alone.',
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
							"Whether to relay messages Tiledesk gave up delivering while n8n was down (it retries for about 10 s): a conversation's first message after a restart brings the ones missed before it, read back from the conversation. Records the last relayed message in the conversation's attributes (one more Tiledesk call per relay, which Tiledesk announces as a Conversation Updated event). Needs Keep Order Per Conversation.",
					},
					{
						displayName: 'Drop Duplicate Deliveries',
						name: 'dropDuplicates',
						type: 'boolean',
						default: true,
						description: 'Whether to ignore a message or conversation change Tiledesk delivers again',
					},
					...deliveryOptionFields,
					{
						displayName: 'Drop Own Messages',
						name: 'dropOwnMessages',
						type: 'boolean',
						default: true,
						description:
							'Whether to ignore messages the Tiledesk node of this package wrote (they carry attributes.n8nHandoff), so a relay does not loop',
					},
					{
						displayName: 'Include Info Lines',
						name: 'includeInfo',
						type: 'boolean',
						default: false,
						description:
							'Whether to also start on info lines (attributes.subtype info: agent joined, chat closed…), which relays usually skip',
					},
				],
			},
		],
	};

	webhookMethods = { default: tiledeskSubscriptions };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const staticData = this.getWorkflowStaticData('node');
		const holding = subscriptionsHolding(storedSubscriptions(staticData), this.getHeaderData()['x-hook-secret']);
		// Nothing of the body is read before the secret is known to be one of ours.
		if (holding.length === 0) return rejectUnauthorized(this);
		const tooDeep = rejectTooDeep(this);
		if (tooDeep) return tooDeep;

		const envelope = parseEnvelope(this.getBodyData());
		if ('error' in envelope) return rejectBadRequest(this, envelope.error);
		const { projectId } = await tiledeskProject(this);
		// 401 like a wrong secret: who holds the server's shared secret learns nothing from the answer.
		if (!senderOf(envelope.value, holding, projectId)) return rejectUnauthorized(this);

		const { event } = envelope.value;
		const events = this.getNodeParameter('events', []) as string[];
		if (!isTiledeskEvent(event) || !events.includes(event)) return acknowledgeOnly();
		const parsed = parseDelivery(envelope.value, event);
		if ('error' in parsed) return rejectBadRequest(this, parsed.error);
		return await relay(this, parsed.value, projectId);
	}
}
