import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { jsonObjectParameter, textOf, transcriptLine } from '../../../shared';
import { conversationOf, idFromKey, isConversationId, newId } from '../../conversation';
import { enhancedChatConfig, enhancedChatRequest, requestAccessToken } from '../../transport';
import { follow } from '../common';

const properties: INodeProperties[] = [
	{
		displayName: 'Customer',
		name: 'customer',
		type: 'options',
		options: [
			{ name: 'Guest', value: 'guest', description: 'A new anonymous end user for every conversation' },
			{
				name: 'Verified User',
				value: 'verified',
				description: "Your customer, identified by a JWT your app signs (Salesforce's User Verification)",
			},
		],
		default: 'guest',
	},
	{
		displayName: 'Customer Identity Token',
		name: 'customerIdentityToken',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		displayOptions: { show: { customer: ['verified'] } },
		description: 'The JWT your app signs for this customer, as the deployment\'s User Verification expects',
	},
	{
		displayName: 'Routing Attributes',
		name: 'routingAttributes',
		type: 'json',
		default: '{}',
		description:
			'Pre-chat fields for routing and for the agent, as {"Channel variable name": value}: the channel\'s Custom Parameters mapped to the deployment\'s pre-chat fields',
	},
	{
		displayName: 'Context',
		name: 'context',
		type: 'json',
		default: '{}',
		description:
			'What the relay needs when the agent answers, e.g. {"landbotCustomerId": 123}: the Salesforce Enhanced Chat Trigger puts it on every event of this conversation (as "context")',
	},
	{
		displayName: 'Transcript',
		name: 'transcript',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description:
			'What the customer and the bot said before the handoff, for the agent: text, or a list of messages (one line each). Empty: none.',
		hint: 'From Landbot\'s Get Transcript (Output: One Item with All Messages): {{ $json.messages }}',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Conversation ID',
				name: 'conversationId',
				type: 'string',
				default: '',
				description:
					'A lowercase UUID v4 for the new conversation; empty picks a new one. Any other text is turned into a UUID (the same text, the same UUID).',
			},
			{
				displayName: 'Send Transcript As',
				name: 'transcriptAs',
				type: 'options',
				options: [
					{ name: 'First Message', value: 'message', description: 'The agent reads it at the top of the chat' },
					{ name: 'Routing Attribute', value: 'attribute', description: 'In the pre-chat field named below' },
					{ name: 'Both', value: 'both' },
				],
				default: 'message',
			},
			{
				displayName: 'Transcript Routing Attribute',
				name: 'transcriptAttribute',
				type: 'string',
				default: 'BotTranscript',
				description: 'The channel variable (pre-chat field) that gets the transcript',
			},
			{
				displayName: 'Language',
				name: 'language',
				type: 'string',
				default: '',
				placeholder: 'en_US',
				description: 'The customer\'s language, sent with the first message',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['start'] } }, properties);

/** Text as it is; a list of messages (Get Transcript's `messages`, trigger events) as one line each. */
function transcriptText(value: unknown): string {
	if (Array.isArray(value)) return value.map(transcriptLine).filter((line) => line !== '').join('\n');
	if (value && typeof value === 'object') return transcriptLine(value);
	return textOf(value).trim();
}

function conversationIdOption(value: string): string {
	const id = value.trim();
	if (id === '') return newId();
	return isConversationId(id.toLowerCase()) ? id.toLowerCase() : idFromKey(id);
}

/**
 * A new access token, then the conversation (which opens a messaging session and starts routing
 * to an agent), then the transcript as the customer's first message. The triggers of this process
 * follow the conversation from here on.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const config = await enhancedChatConfig(this);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const routingAttributes = jsonObjectParameter.call(this, 'routingAttributes', 'Routing Attributes', itemIndex);
	const transcript = transcriptText(this.getNodeParameter('transcript', itemIndex, ''));
	const transcriptAs = textOf(options.transcriptAs) || 'message';
	if (transcript && transcriptAs !== 'message') {
		const field = textOf(options.transcriptAttribute).trim() || 'BotTranscript';
		routingAttributes[field] = transcript;
	}
	const verified = this.getNodeParameter('customer', itemIndex, 'guest') === 'verified';
	const customerIdentityToken = verified ? textOf(this.getNodeParameter('customerIdentityToken', itemIndex, '')).trim() : '';
	if (verified && !customerIdentityToken) {
		throw new NodeOperationError(this.getNode(), '"Customer Identity Token" is empty', { itemIndex });
	}

	const token = await requestAccessToken.call(this, { customerIdentityToken, itemIndex });
	const context = jsonObjectParameter.call(this, 'context', 'Context', itemIndex);
	const conversation = conversationOf(conversationIdOption(textOf(options.conversationId)), token, context);
	await enhancedChatRequest.call(this, {
		call: 'create conversation',
		method: 'POST',
		path: '/conversation',
		accessToken: conversation.accessToken,
		body: {
			conversationId: conversation.id,
			esDeveloperName: config.deploymentName,
			...(Object.keys(routingAttributes).length ? { routingAttributes } : {}),
		},
		// A retry of a create whose answer was lost finds it made (same end user, same id).
		acceptStatuses: [409],
		itemIndex,
	});
	await follow(this, conversation);

	let transcriptSent = false;
	if (transcript && transcriptAs !== 'attribute') {
		await enhancedChatRequest.call(this, {
			call: 'send the transcript',
			method: 'POST',
			path: `/conversation/${conversation.id}/message`,
			accessToken: conversation.accessToken,
			body: {
				message: {
					id: idFromKey(`${conversation.id}:transcript`),
					messageType: 'StaticContentMessage',
					staticContent: { formatType: 'Text', text: transcript },
				},
				esDeveloperName: config.deploymentName,
				...(textOf(options.language).trim() ? { language: textOf(options.language).trim() } : {}),
			},
			itemIndex,
		});
		transcriptSent = true;
	}
	return { conversation, conversationId: conversation.id, routingAttributes, transcriptSent };
}
