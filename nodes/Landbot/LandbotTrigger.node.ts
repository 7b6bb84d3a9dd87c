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
	credentialFromAuthorization,
	deliveryOf,
	deliveryOptionFields,
	deliveryOptions,
	rejectBadRequest,
	rejectTooDeep,
	rejectUnauthorized,
	relayInOrder,
	RELAY_RESPONSE,
	secretsMatch,
	versionedId,
} from '../shared';
import { channelDropdown, channelLocator } from './actions/common';
import { listSearch } from './methods/listSearch';
import { getChannels } from './methods/loadOptions';
import { LANDBOT_CREDENTIAL } from './transport';

/** The trigger was at 1.1 already (same behaviour as 1); its channel is a locator from 1.2 on. */
const TRIGGER_LOCATOR_VERSION = 1.2;
import type { LandbotHookMessage } from './trigger/delivery';
import { authorRole, deliveryKey, handoffValue, normalizeMessage, parseDelivery, toEvent } from './trigger/delivery';
import { landbotHooks } from './trigger/hooks';

/** Landbot retries a failed delivery for a couple of minutes (5, 10, 15, 20, 25 s…); ids are kept an hour. */
const LANDBOT_RETRY_HORIZON_MS = 60 * 60 * 1000;

type ConversationFilter = 'any' | 'inHandoff' | 'notInHandoff' | 'assignedToAny' | 'assignedToMe' | 'unassigned';

export class LandbotTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Landbot Trigger',
		name: 'landbotTrigger',
		icon: { light: 'file:landbot.svg', dark: 'file:landbot.dark.svg' },
		group: ['trigger'],
		// 1.1 behaves as 1. n8n evaluates an expression (a sandbox per delivery) to parse the body of
		// any version-1 start node; from 1.1 on it does not (bench/README.md). 1.2: the channel is a
		// resource locator (1 and 1.1 keep their dropdown).
		version: [1, 1.1, 1.2],
		defaultVersion: 1.2,
		subtitle:
			'={{ (($parameter["channelId"] && $parameter["channelId"].value !== undefined ? $parameter["channelId"].value : $parameter["channelId"]) ? "Channel " + ($parameter["channelId"].value !== undefined ? $parameter["channelId"].value : $parameter["channelId"]) + ": " : "") + $parameter["events"].map((event) => ({"message": "Message", "handoffInterrupted": "Handoff Interrupted"})[event] || event).join(", ") }}',
		description:
			"Starts the workflow when a message is written in a Landbot channel, or when Landbot's idle unassignment interrupts a handoff.",
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#landbot-trigger',
		defaults: { name: 'Landbot Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'landbotApi', required: true }],
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
					'Publishing this workflow registers a MessageHook on the channel; unpublishing removes it. Each delivery must carry the hook\'s secret token.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			...versionedId(
				{
					...channelDropdown,
					description:
						'Web or WhatsApp channel whose messages start the workflow. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
				{ ...channelLocator, description: 'Web or WhatsApp channel whose messages start the workflow' },
				TRIGGER_LOCATOR_VERSION,
			),
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: [
					{
						name: 'Message',
						value: 'message',
						description: 'A message in the conversation, filtered below',
					},
					{
						name: 'Handoff Interrupted',
						value: 'handoffInterrupted',
						description:
							'A message reveals that a conversation in a handoff (handoff field set) has no agent any more: Landbot unassigned it after inactivity. Use it to re-assign.',
					},
				],
				default: ['message'],
				required: true,
			},
			{
				displayName: 'Message Authors',
				name: 'senders',
				type: 'multiOptions',
				options: [
					{ name: 'Agent', value: 'agent' },
					{ name: 'Bot', value: 'bot' },
					{ name: 'Customer', value: 'customer' },
					{ name: 'System', value: 'system' },
				],
				default: ['customer'],
				displayOptions: { show: { events: ['message'] } },
				description:
					'Whose messages fire the workflow. Messages this package sends appear as the credential\'s agent, so leaving Agent out avoids echo loops.',
			},
			{
				displayName: 'Conversations',
				name: 'conversations',
				type: 'options',
				options: [
					{ name: 'Any', value: 'any' },
					{
						name: 'Assigned to Any Agent',
						value: 'assignedToAny',
					},
					{
						name: "Assigned to the Credential's Agent",
						value: 'assignedToMe',
						description: 'Needs the Agent ID in the credential',
					},
					{
						name: 'In a Handoff',
						value: 'inHandoff',
						description:
							'The handoff field is set, whether or not an agent is assigned right now: nothing the customer says during a re-assignment is lost',
					},
					{ name: 'Not in a Handoff', value: 'notInHandoff' },
					{ name: 'Unassigned', value: 'unassigned' },
				],
				default: 'any',
				displayOptions: { show: { events: ['message'] } },
			},
			{
				displayName: 'Message Types',
				name: 'messageTypes',
				type: 'multiOptions',
				options: [
					{ name: 'File', value: 'file' },
					{ name: 'Image', value: 'image' },
					{ name: 'Location', value: 'location' },
					{ name: 'Other (Buttons, Templates…)', value: 'other' },
					{ name: 'Text', value: 'text' },
				],
				default: ['text', 'image', 'file', 'location', 'other'],
				displayOptions: { show: { events: ['message'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Drop Duplicate Deliveries',
						name: 'dropDuplicates',
						type: 'boolean',
						default: true,
						description:
							'Whether to ignore a message Landbot delivers again (it retries when an answer is slow, failed or lost)',
					},
					...deliveryOptionFields,
					{
						displayName: 'Handoff Field',
						name: 'handoffField',
						type: 'string',
						default: 'handoff_conversation',
						description:
							'Customer field that holds the helpdesk conversation ID while a handoff is in progress. Exposed as handoffConversationId.',
					},
				],
			},
		],
	};

	methods = { loadOptions: { getChannels }, listSearch: { searchChannels: listSearch.searchChannels } };

	webhookMethods = { default: landbotHooks };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const staticData = this.getWorkflowStaticData('node');
		const token = credentialFromAuthorization(this.getHeaderData().authorization, 'Token');
		if (!secretsMatch(staticData.hookToken, token)) return rejectUnauthorized(this);
		const tooDeep = rejectTooDeep(this);
		if (tooDeep) return tooDeep;

		const parsed = parseDelivery(this.getBodyData());
		if ('error' in parsed) return rejectBadRequest(this, parsed.error);

		const events = this.getNodeParameter('events', ['message']) as string[];
		const senders = this.getNodeParameter('senders', ['customer']) as string[];
		const conversations = this.getNodeParameter('conversations', 'any') as ConversationFilter;
		const messageTypes = this.getNodeParameter('messageTypes', []) as string[];
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const handoffField = String(options.handoffField || 'handoff_conversation');
		const myAgentId =
			conversations === 'assignedToMe'
				? String((await this.getCredentials(LANDBOT_CREDENTIAL)).agentId ?? '').trim()
				: '';

		const matchesConversation = (message: LandbotHookMessage): boolean => {
			const agentId = message.customer.agent_id;
			const assigned = agentId !== null && agentId !== undefined && agentId !== '';
			switch (conversations) {
				case 'inHandoff':
					return handoffValue(message, handoffField) !== null;
				case 'notInHandoff':
					return handoffValue(message, handoffField) === null;
				case 'assignedToAny':
					return assigned;
				case 'assignedToMe':
					return assigned && myAgentId !== '' && String(agentId) === myAgentId;
				case 'unassigned':
					return !assigned;
				default:
					return true;
			}
		};

		const items = [];
		for (const message of parsed.messages) {
			const agentId = message.customer.agent_id;
			const interrupted =
				handoffValue(message, handoffField) !== null &&
				(agentId === null || agentId === undefined || agentId === '');
			if (events.includes('handoffInterrupted') && interrupted) {
				items.push({ json: toEvent('handoffInterrupted', message, handoffField) });
			}
			if (
				events.includes('message') &&
				senders.includes(authorRole(message)) &&
				matchesConversation(message) &&
				(messageTypes.length === 0 || messageTypes.includes(normalizeMessage(message).type))
			) {
				items.push({ json: toEvent('message', message, handoffField) });
			}
		}

		if (items.length === 0) return acknowledgeOnly();
		const key = deliveryKey(this.getHeaderData()['sentry-trace'], parsed.messages);
		return await relayInOrder(this, deliveryOf(key, items), deliveryOptions(options, LANDBOT_RETRY_HORIZON_MS));
	}
}
