import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { markerAttributes } from '../../marker';
import { segment, tiledeskApi } from '../../transport';
import { conversationFields, requireChatRequestId, resolveConversation } from '../common';
import { conversationExists, postMessage } from '../message/post';

const properties: INodeProperties[] = [
	...conversationFields,
	{
		displayName: 'Method',
		name: 'method',
		type: 'options',
		options: [
			{
				name: 'Agent Command',
				value: 'command',
				description:
					'Post the line \\agent (hidden as an info line): Tiledesk removes the conversation\'s bot and routes it to an agent, as its own bots do',
			},
			{
				name: 'Agent Endpoint',
				value: 'endpoint',
				description: 'PUT /requests/{ID}/agent: route to an agent of the conversation\'s department, without its bot',
			},
		],
		default: 'command',
	},
	{
		displayName: 'Note',
		name: 'note',
		type: 'string',
		default: '',
		displayOptions: { show: { method: ['command'] } },
		description:
			'Optional text before the command, e.g. why the customer asked for a human. It cannot contain a backslash.',
	},
	{
		displayName: 'Hidden',
		name: 'hidden',
		type: 'boolean',
		default: true,
		displayOptions: { show: { method: ['command'] } },
		description: 'Whether to post the command as an info line (attributes.subtype = info)',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['routeToAgents'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversation = await resolveConversation.call(this, itemIndex);
	const method = this.getNodeParameter('method', itemIndex, 'command') as 'command' | 'endpoint';
	if (method === 'endpoint') {
		const request = await tiledeskApi.call(this, {
			call: 'route to agents',
			method: 'PUT',
			path: `requests/${segment(conversation.requestId)}/agent`,
			itemIndex,
		});
		return { conversationId: conversation.requestId, method, request };
	}

	requireChatRequestId.call(this, conversation, itemIndex);
	const note = String(this.getNodeParameter('note', itemIndex, '')).trim();
	if (note.includes('\\')) {
		// Tiledesk reads the command from the first backslash to the end of the text.
		throw new NodeOperationError(this.getNode(), '"Note" cannot contain a backslash (\\)', { itemIndex });
	}
	// Posted as the credential's user, it would otherwise open the conversation with them as requester.
	if (!(await conversationExists.call(this, conversation.requestId, itemIndex))) {
		throw new NodeOperationError(this.getNode(), `Conversation "${conversation.requestId}" does not exist yet`, {
			itemIndex,
			description: 'Send the end user\'s messages (or the bot history) first, then route it to agents.',
		});
	}
	const attributes: IDataObject = markerAttributes();
	if (this.getNodeParameter('hidden', itemIndex, true) === true) attributes.subtype = 'info';
	const message = await postMessage.call(
		this,
		conversation.requestId,
		{ type: 'text', text: note ? `${note}\n\\agent` : '\\agent', attributes },
		itemIndex,
	);
	return { conversationId: conversation.requestId, method, message };
}
