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
	isObject,
	rejectBadRequest,
	rejectTooDeep,
	rejectUnauthorized,
} from '../shared';
import { LIVECHAT_CREDENTIAL } from './transport';
import type { LiveChatTriggerEvent } from './trigger/delivery';
import {
	actionOf,
	deliveryKey,
	envelopeOf,
	isMessageEvent,
	isOwnChat,
	isOurDelivery,
	isOwnEvent,
	isTriggerEvent,
	parseDelivery,
	roleOfUserId,
	toEvent,
} from './trigger/delivery';
import { liveChatCatchUp } from './trigger/catchUp';
import { liveChatWebhooks, storedWebhooks } from './trigger/webhooks';

/**
 * LiveChat retries a delivery up to 3 times within about a minute (docs/platforms/livechat.md).
 * Ids are kept 15 minutes: transfers have no id, and identical transfer payloads that close
 * together are taken for retries.
 */
const RETRY_HORIZON_MS = 15 * 60 * 1000;

export class LiveChatTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'LiveChat Trigger',
		name: 'liveChatTrigger',
		icon: { light: 'file:livechat.svg', dark: 'file:livechat.dark.svg' },
		group: ['trigger'],
		// 1.1 behaves as 1. n8n evaluates an expression (a sandbox per delivery) to parse the body of
		// any version-1 start node; from 1.1 on it does not (bench/README.md).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle:
			'={{ $parameter["events"].map((event) => ({"agentMessage": "Message (by an Agent)", "chatDeactivated": "Conversation Closed", "chatTransferred": "Conversation Transferred", "incomingChat": "Conversation Created"})[event] || event).join(", ") }}',
		description:
			'Starts the workflow when a LiveChat agent writes, or a chat comes in, is transferred or is deactivated.',
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#livechat-trigger',
		defaults: { name: 'LiveChat Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'liveChatApi', required: true }],
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
					'Publishing this workflow registers one LiveChat webhook per event for the credential\'s Client ID (each with its own secret), registers the chat properties the LiveChat node writes, and enables the license\'s webhooks; unpublishing unregisters the webhooks. LiveChat sends them only once that app is installed on the license (Developer Console → the app → Private installation → Install app), allows 3 webhooks per event and Client ID, and retries an unanswered delivery 3 times within about a minute: an event n8n cannot relay within that minute (n8n down, the relay failing) is lost.',
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
						name: 'Conversation Closed',
						value: 'chatDeactivated',
						description: 'The chat\'s thread was closed: the handoff is over',
					},
					{
						name: 'Conversation Created',
						value: 'incomingChat',
						description: 'A chat started or resumed, with its first thread',
					},
					{
						name: 'Conversation Transferred',
						value: 'chatTransferred',
						description: 'To another group or agent, or into the queue (with its position)',
					},
					{
						name: 'Message (by an Agent)',
						value: 'agentMessage',
						description: 'A message, file or card an agent or a bot writes (incoming_event, author type agent)',
					},
				],
				default: ['agentMessage', 'chatDeactivated'],
				required: true,
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
							"Whether to relay an agent's messages LiveChat gave up delivering while n8n was down (it retries for about a minute): the first message of a chat after a restart brings the ones missed before it, read back from the chat. Records the last relayed message in a chat property (one more LiveChat call per relay). Needs Keep Order Per Conversation.",
					},
					{
						displayName: 'Drop Duplicate Deliveries',
						name: 'dropDuplicates',
						type: 'boolean',
						default: true,
						description: 'Whether to ignore an event LiveChat delivers again (it retries up to 3 times within about a minute)',
					},
					...deliveryOptionFields,
					{
						displayName: 'Drop Own Messages',
						name: 'dropOwnMessages',
						type: 'boolean',
						default: true,
						description:
							'Whether to ignore messages and chats the LiveChat node of this package wrote (their custom_id starts with n8n-handoff:), so a relay does not loop',
					},
					{
						displayName: 'Include Agents-Only Messages',
						name: 'includeAgentsOnly',
						type: 'boolean',
						default: false,
						description:
							'Whether to also start on internal notes (visibility "agents"), which a relay must not show to the customer',
					},
					{
						displayName: 'Include Other Event Types',
						name: 'includeOtherEvents',
						type: 'boolean',
						default: false,
						description: 'Whether to also start on system messages, forms and custom events, not only on messages, files and cards',
					},
				],
			},
		],
	};

	webhookMethods = { default: liveChatWebhooks };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const staticData = this.getWorkflowStaticData('node');
		const body = this.getBodyData() as unknown;
		// The secret travels in the body: only it, the action and the webhook ID are read before it is checked.
		if (!isOurDelivery(storedWebhooks(staticData), envelopeOf(body))) return rejectUnauthorized(this);
		const tooDeep = rejectTooDeep(this);
		if (tooDeep) return tooDeep;
		if (!isObject(body)) return rejectBadRequest(this, 'body must be a JSON object');

		const parsed = parseDelivery(body);
		if ('error' in parsed) return rejectBadRequest(this, parsed.error);
		const { delivery } = parsed;

		const chosen = (this.getNodeParameter('events', []) as string[]).filter(isTriggerEvent);
		const triggerEvent = chosen.find((event) => actionOf(event) === delivery.action) as LiveChatTriggerEvent | undefined;
		if (!triggerEvent) return acknowledgeOnly();

		const options = this.getNodeParameter('options', {}) as IDataObject;
		const dropOwn = options.dropOwnMessages !== false;
		const wanted = (event: IDataObject) => startsOn(event, options);
		if (triggerEvent === 'agentMessage' && !wanted(delivery.payload.event as IDataObject)) return acknowledgeOnly();
		if (triggerEvent === 'incomingChat' && dropOwn && isOwnChat(delivery.payload.chat as IDataObject)) {
			return acknowledgeOnly();
		}

		const credentials = await this.getCredentials(LIVECHAT_CREDENTIAL);
		const clientId = String(credentials.clientId ?? '').trim();
		const items = [{ json: toEvent(delivery, clientId) }];
		const catchUp = triggerEvent === 'agentMessage' && options.catchUp !== false ? liveChatCatchUp(delivery, clientId, wanted) : undefined;
		return await relayInOrder(this, deliveryOf(deliveryKey(delivery), items), deliveryOptions(options, RETRY_HORIZON_MS), catchUp);
	}
}

/** Whether an agent's event starts the workflow under these options (a delivery's or one read back). */
function startsOn(event: IDataObject, options: IDataObject): boolean {
	if (options.dropOwnMessages !== false && isOwnEvent(event)) return false;
	// Registered with author_type agent; a hand-made webhook (or a read-back thread) brings customers' events too.
	if (roleOfUserId(event.author_id) === 'customer') return false;
	if (options.includeAgentsOnly !== true && event.visibility === 'agents') return false;
	return options.includeOtherEvents === true || isMessageEvent(event);
}

