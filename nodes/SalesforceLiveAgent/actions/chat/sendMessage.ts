import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { afterPost, readSession } from '../../session';
import { liveAgentRequest } from '../../transport';
import { messageText, sessionField } from '../common';

const properties: INodeProperties[] = [
	sessionField,
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		description:
			"What the visitor says: a trigger event's message text, or its whole message object (Live Agent carries text only, so images and files go as text with their link)",
		hint: 'From a trigger event: {{ $json.message.text }}, or {{ $json.message }}',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['chat'], operation: ['sendMessage'] } }, properties);

/**
 * POST Chasitor/ChatMessage as the visitor, with the session's next sequence; the session comes
 * back with the sequence after it. Salesforce wants ChatRequestSuccess / ChatEstablished (Get
 * Messages) before the first message.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const session = readSession(this, itemIndex);
	const text = messageText(this.getNodeParameter('text', itemIndex, ''));
	if (text.trim() === '') {
		throw new NodeOperationError(this.getNode(), '"Text" is empty: Live Agent cannot send an empty message', { itemIndex });
	}
	await liveAgentRequest.call(this, {
		call: 'send message',
		method: 'POST',
		path: 'Chasitor/ChatMessage',
		headers: { kind: 'post', session },
		body: { text },
		itemIndex,
	});
	return { session: afterPost(session), sent: true, text, sequence: session.sequence, established: session.established, chatEnded: session.chatEnded };
}
