import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { textOf, transcriptLine } from '../../../shared';
import { chatwootApi } from '../../transport';
import type { SendAs } from '../common';
import {
	agentLocator,
	idParameter,
	inboxLocator,
	jsonArrayParameter,
	jsonObjectParameter,
	openingAttributes,
	optionalLocatorId,
	postMessage,
	requiredLocatorId,
	SEND_AS_OPTIONS,
	teamLocator,
} from '../common';

const properties: INodeProperties[] = [
	{
		displayName: 'Contact ID',
		name: 'contactId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '128',
		description: 'The contactId of Contact → Get or Create',
	},
	inboxLocator(),
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: [
			{ name: 'Pending (With the Bot)', value: 'pending', description: "The bot's: agents see it under Pending until it is handed to them" },
			{ name: 'Open (With Humans)', value: 'open', description: 'Straight to the agents' },
		],
		default: 'pending',
		description: 'With an agent bot on the inbox, Chatwoot starts every new conversation pending, whatever is asked',
	},
	teamLocator({ description: 'Optional: the team that gets the conversation' }),
	agentLocator({ displayName: 'Assignee', name: 'assigneeId', description: 'Optional: the agent that gets the conversation' }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Bot History',
				name: 'history',
				type: 'json',
				default: '[]',
				description:
					"The conversation so far (e.g. the bot transcript), written first, as one message of lines: a JSON array of lines or of entries with an author role, name, text and URL; this package's trigger events are accepted as they are",
				hint: '["text", …] or [{"role": "customer" | "bot" | "agent" | "system", "name", "text", "url"}, …]; trigger events (author.role, message.text) as they are',
			},
			{
				displayName: 'Bot History As',
				name: 'historyAs',
				type: 'options',
				options: [
					{ name: 'Private Note', value: 'note', description: 'Agents only' },
					{ name: 'Outgoing Message', value: 'agent', description: 'The customer sees it too' },
				],
				default: 'note',
			},
			{
				displayName: 'Custom Attributes',
				name: 'customAttributes',
				type: 'json',
				default: '{}',
				description: 'Conversation custom attributes (JSON object)',
			},
			{
				displayName: 'First Message',
				name: 'firstMessage',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '',
				description: 'A message written after the history, e.g. what the customer asked for',
			},
			{
				displayName: 'First Message As',
				name: 'firstMessageAs',
				type: 'options',
				options: SEND_AS_OPTIONS,
				default: 'agent',
			},
			{
				displayName: 'Source ID',
				name: 'sourceId',
				type: 'string',
				default: '',
				description: "The contact's source_id in the inbox (from Get or Create). Empty: Chatwoot finds or makes it from the contact and the inbox.",
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['create'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const contactId = idParameter.call(this, 'contactId', 'Contact ID', itemIndex);
	const inboxId = requiredLocatorId.call(this, 'inboxId', 'Inbox', itemIndex);
	const status = this.getNodeParameter('status', itemIndex, 'pending') as string;
	const teamId = optionalLocatorId.call(this, 'teamId', 'Team', itemIndex);
	const assigneeId = optionalLocatorId.call(this, 'assigneeId', 'Assignee', itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const custom = jsonObjectParameter.call(this, 'options.customAttributes', 'Custom Attributes', itemIndex);
	const lines = jsonArrayParameter.call(this, 'options.history', 'Bot History', itemIndex).map(transcriptLine).filter((line) => line !== '');
	const firstMessage = textOf(options.firstMessage).trim();
	const historyAs = (options.historyAs === 'agent' ? 'agent' : 'note') as SendAs;
	const firstMessageAs = (textOf(options.firstMessageAs) || 'agent') as SendAs;
	if (!['customer', 'agent', 'note'].includes(firstMessageAs)) {
		throw new NodeOperationError(this.getNode(), `"First Message As" must be customer, agent or note, got "${firstMessageAs}"`, { itemIndex });
	}

	const body: IDataObject = {
		inbox_id: Number(inboxId),
		contact_id: Number(contactId),
		status,
		// Nothing relayed back yet: the Chatwoot Trigger catches up from the conversation's first message.
		custom_attributes: openingAttributes(custom),
	};
	const sourceId = textOf(options.sourceId).trim();
	if (sourceId) body.source_id = sourceId;
	if (teamId) body.team_id = Number(teamId);
	if (assigneeId) body.assignee_id = Number(assigneeId);
	const conversation = await chatwootApi.call(this, { call: 'create conversation', method: 'POST', path: 'conversations', body, itemIndex });
	const conversationId = textOf(conversation.id);
	if (conversationId === '') throw new NodeOperationError(this.getNode(), 'Chatwoot did not return the new conversation\'s ID', { itemIndex });

	const messageIds: string[] = [];
	if (lines.length > 0) {
		const sent = await postMessage.call(this, conversationId, { content: lines.join('\n'), as: historyAs }, itemIndex, 'Bot History As');
		messageIds.push(textOf(sent.id));
	}
	if (firstMessage) {
		const sent = await postMessage.call(this, conversationId, { content: firstMessage, as: firstMessageAs }, itemIndex, 'First Message As');
		messageIds.push(textOf(sent.id));
	}
	return { conversationId, contactId, inboxId, status: conversation.status ?? status, messageIds, conversation };
}
