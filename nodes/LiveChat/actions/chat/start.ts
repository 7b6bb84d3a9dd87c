import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { locatorId, textOf as text, transcriptLine } from '../../../shared';
import {
	ownCustomId,
	PROPERTY_CUSTOMER_EXTERNAL_ID,
	PROPERTY_EXTERNAL_ID,
	PROPERTY_EXTERNAL_PLATFORM,
	PROPERTY_RELAYED,
} from '../../marker';
import { ensureChatProperties, liveChatApi, liveChatConfig } from '../../transport';
import { groupFields, groupIdValue, jsonArrayParameter, jsonObjectParameter } from '../common';
import { keepIdsOnActiveChat, returningCustomer } from './returningCustomer';

const properties: INodeProperties[] = [
	...groupFields({
		description:
			'The group whose agents get the chat. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	}),
	{
		displayName: 'External ID',
		name: 'externalId',
		type: 'string',
		default: '',
		placeholder: '473548616',
		description:
			'The conversation ID in the other system (a Landbot customer, a Botpress conversation…). Stored in the chat\'s properties: LiveChat Trigger events report it as externalId, and the other operations can find the chat by it.',
	},
	{
		displayName: 'External Platform',
		name: 'externalPlatform',
		type: 'string',
		default: '',
		placeholder: 'landbot',
		description: 'Name of the other system, stored beside the External ID',
	},
	{
		displayName: 'Customer',
		name: 'customerBy',
		type: 'options',
		options: [
			{
				name: 'By External Customer ID',
				value: 'externalId',
				description:
					'The same LiveChat customer every time this customer of the other system asks for a human (found through the chat properties of their last chat); a new one the first time, and when that chat keeps no identity the credential can read (personal access tokens)',
			},
			{
				name: 'By LiveChat Customer ID',
				value: 'customerId',
				description:
					'An existing LiveChat customer (entity ID). With a personal access token, Send Message cannot write as a customer "Start" did not create (LiveChat issues their tokens to their own browser only); agents and bots can.',
			},
			{
				name: 'None',
				value: 'none',
				description: 'A chat without a customer: messages can then be sent as an agent or a bot only',
			},
		],
		default: 'externalId',
	},
	{
		displayName: 'External Customer ID',
		name: 'customerExternalId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'landbot-473548616',
		displayOptions: { show: { customerBy: ['externalId'] } },
		description: 'The customer\'s ID in the other system, stored in the chat\'s properties',
	},
	{
		displayName: 'LiveChat Customer ID',
		name: 'customerId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'bf18d1a8-1afe-4a3e-4cc0-a3148f1143db',
		displayOptions: { show: { customerBy: ['customerId'] } },
	},
	{
		displayName: 'Initial Messages',
		name: 'initialMessages',
		type: 'json',
		default: '[]',
		description:
			"The conversation so far (e.g. the bot transcript), shown to the agent in this order: a JSON array of lines or of entries with an author role, name, text and file URL; trigger events are accepted as they are. Each line is written by the credential's agent, prefixed with the author.",
		hint: '["text", …] or [{"role": "customer" | "bot" | "agent" | "system", "name", "text", "url"}, …]; Landbot/Tiledesk/LiveChat Trigger events (author.role, message.text) as they are',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Allow Queue',
				name: 'allowQueue',
				type: 'boolean',
				default: true,
				description:
					'Whether to queue the chat when no agent of the group is available right now (LiveChat Trigger reports the queue position), instead of failing',
			},
			{
				displayName: 'Chat Properties',
				name: 'chatProperties',
				type: 'json',
				default: '{}',
				description:
					'More chat properties, as {"namespace": {"name": value}}; the properties must exist in LiveChat',
			},
			{
				displayName: 'Continuous',
				name: 'continuous',
				type: 'boolean',
				default: false,
				description: 'Whether to start the chat as continuous (no online group needed)',
			},
			{
				displayName: 'Customer Email',
				name: 'customerEmail',
				type: 'string',
				placeholder: 'name@email.com',
				default: '',
				description: 'Set on a customer this operation creates',
			},
			{
				displayName: 'Customer Name',
				name: 'customerName',
				type: 'string',
				default: '',
				description: 'Set on a customer this operation creates; agents see it',
			},
			{
				displayName: 'Opening Message',
				name: 'openingMessage',
				type: 'string',
				default: '',
				placeholder: 'The customer asked for a human',
				description: 'A first line before the initial messages',
			},
			{
				displayName: 'Route to the Group\'s Agents',
				name: 'routeToGroup',
				type: 'boolean',
				default: true,
				description:
					'Whether to transfer the chat to the group right after starting it, so LiveChat\'s routing gives it to an available agent. Without it the chat stays with the credential\'s agent.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['chat'], operation: ['start'] } }, properties);

/** LiveChat caps a message at 16 KB of UTF-8. */
function capped(line: string): string {
	const bytes = Buffer.from(line, 'utf8');
	if (bytes.length <= 16000) return line;
	return `${bytes.subarray(0, 15990).toString('utf8').replace(/\uFFFD+$/, '')} […]`;
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const config = await liveChatConfig(this);
	const groupId = groupIdValue.call(this, locatorId.call(this, 'groupId', itemIndex), 'Group', itemIndex);
	const externalId = text(this.getNodeParameter('externalId', itemIndex, '')).trim();
	const externalPlatform = text(this.getNodeParameter('externalPlatform', itemIndex, '')).trim();
	const customerBy = this.getNodeParameter('customerBy', itemIndex, 'externalId') as string;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const extraProperties = jsonObjectParameter.call(this, 'options.chatProperties', 'Chat Properties', itemIndex);
	const lines = [
		text(options.openingMessage).trim(),
		...jsonArrayParameter.call(this, 'initialMessages', 'Initial Messages', itemIndex).map(transcriptLine),
	].filter((line) => line !== '');

	let customerExternalId = '';
	let customerId: string | null = null;
	if (customerBy === 'externalId') {
		customerExternalId = text(this.getNodeParameter('customerExternalId', itemIndex, '')).trim();
		if (!customerExternalId) {
			throw new NodeOperationError(this.getNode(), '"External Customer ID" is empty', { itemIndex });
		}
	} else if (customerBy === 'customerId') {
		customerId = text(this.getNodeParameter('customerId', itemIndex, '')).trim();
		if (!customerId) throw new NodeOperationError(this.getNode(), '"LiveChat Customer ID" is empty', { itemIndex });
	}

	const ours: IDataObject = {};
	if (externalId) ours[PROPERTY_EXTERNAL_ID] = externalId;
	if (externalPlatform) ours[PROPERTY_EXTERNAL_PLATFORM] = externalPlatform;
	if (customerExternalId) ours[PROPERTY_CUSTOMER_EXTERNAL_ID] = customerExternalId;
	if (Object.keys(ours).length > 0) {
		// Nothing relayed back yet: the LiveChat Trigger can catch up from the chat's first event.
		ours[PROPERTY_RELAYED] = '';
		await ensureChatProperties.call(this, itemIndex);
	}

	// A returning customer: their last chat (found by their external id) holds their LiveChat identity.
	let previousChat: IDataObject | undefined;
	let customerCreated = false;
	if (customerExternalId) {
		// Set on a customer created here only.
		const profile: IDataObject = {};
		if (text(options.customerName).trim()) profile.name = text(options.customerName).trim();
		if (text(options.customerEmail).trim()) profile.email = text(options.customerEmail).trim();
		({ previousChat, customerId, customerCreated } = await returningCustomer.call(
			this,
			config,
			customerExternalId,
			profile,
			ours,
			itemIndex,
		));
	}

	const summary = {
		groupId,
		customerId,
		customerCreated,
		externalId: externalId || null,
		externalPlatform: externalPlatform || null,
		customerExternalId: customerExternalId || null,
	};

	const lastThread =
		previousChat && typeof previousChat.last_thread_summary === 'object'
			? (previousChat.last_thread_summary as IDataObject)
			: undefined;
	if (previousChat && lastThread?.active === true) {
		// Already with an agent: starting again would only fail or split the conversation.
		await keepIdsOnActiveChat.call(this, config, previousChat, ours, itemIndex);
		return {
			chatId: String(previousChat.id),
			threadId: typeof lastThread.id === 'string' ? lastThread.id : null,
			eventIds: [],
			alreadyActive: true,
			resumed: false,
			routedToGroup: false,
			...summary,
		};
	}

	const chatProperties: IDataObject = { ...extraProperties };
	if (Object.keys(ours).length > 0) {
		const existing = chatProperties[config.clientId];
		chatProperties[config.clientId] = { ...(existing && typeof existing === 'object' ? (existing as IDataObject) : {}), ...ours };
	}
	const chat: IDataObject = { access: { group_ids: [groupId] } };
	if (Object.keys(chatProperties).length > 0) chat.properties = chatProperties;
	if (lines.length > 0) {
		chat.thread = {
			events: lines.map((line) => ({ type: 'message', text: capped(line), visibility: 'all', custom_id: ownCustomId() })),
		};
	}
	const body: IDataObject = { chat };
	if (options.continuous === true) body.continuous = true;

	let chatId: string;
	let answer: IDataObject;
	const resumed = previousChat !== undefined;
	if (previousChat) {
		chatId = String(previousChat.id);
		chat.id = chatId;
		answer = await liveChatApi.call(this, { api: 'agent', action: 'resume_chat', call: 'resume chat', body, itemIndex });
	} else {
		if (customerId) chat.users = [{ id: customerId, type: 'customer' }];
		answer = await liveChatApi.call(this, { api: 'agent', action: 'start_chat', call: 'start chat', body, itemIndex });
		if (typeof answer.chat_id !== 'string') {
			throw new NodeOperationError(this.getNode(), 'LiveChat did not return the new chat\'s ID', { itemIndex });
		}
		chatId = answer.chat_id;
	}

	const routeToGroup = options.routeToGroup !== false;
	if (routeToGroup) {
		await liveChatApi.call(this, {
			api: 'agent',
			action: 'transfer_chat',
			call: 'route chat to group',
			body: {
				id: chatId,
				target: { type: 'group', ids: [groupId] },
				ignore_agents_availability: options.allowQueue !== false,
			},
			itemIndex,
		});
	}

	return {
		chatId,
		threadId: typeof answer.thread_id === 'string' ? answer.thread_id : null,
		eventIds: Array.isArray(answer.event_ids) ? answer.event_ids : [],
		alreadyActive: false,
		resumed,
		routedToGroup: routeToGroup,
		...summary,
	};
}
