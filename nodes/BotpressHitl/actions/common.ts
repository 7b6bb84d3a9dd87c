import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isHttpUrl } from '../../shared';
import { webhookBaseUrl } from '../transport';

export const remoteConversationIdField: INodeProperties = {
	displayName: 'Remote Conversation ID',
	name: 'remoteConversationId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'bp-6f1c2a9e0b7d4c3a5e8f9a1b',
	description:
		'The ID the service answered to /createRemoteConversation: conversationId of a Botpress HITL Trigger event, or the helpdesk ID your workflow answered',
};

export const remoteUserIdField: INodeProperties = {
	displayName: 'Agent ID',
	name: 'remoteUserId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'agent-42',
	description:
		'The agent\'s ID on the helpdesk side (remoteUserId). Botpress creates a user tagged with it the first time and shows the message as theirs.',
};

/** A required string parameter, trimmed; an empty one fails with the item index. */
export function requireString(this: IExecuteFunctions, parameter: string, label: string, itemIndex: number): string {
	const raw = this.getNodeParameter(parameter, itemIndex, '') as unknown;
	const value = (typeof raw === 'number' ? String(raw) : String(raw ?? '')).trim();
	if (value === '') {
		throw new NodeOperationError(this.getNode(), `"${label}" is empty`, {
			itemIndex,
			description: `Set "${label}", e.g. with {{ $json.conversationId }} from a Botpress HITL Trigger event.`,
		});
	}
	return value;
}

/** The credential's webhook URL must be usable before anything is sent. */
export async function requireWebhookUrl(this: IExecuteFunctions, itemIndex: number): Promise<void> {
	const url = await webhookBaseUrl(this);
	if (!isHttpUrl(url)) {
		throw new NodeOperationError(
			this.getNode(),
			`The Botpress HITL credential's Webhook URL must be an http(s) URL, got "${url}"`,
			{ itemIndex, description: 'Copy it from Botpress: Integrations → Human in the Loop API → Webhook URL.' },
		);
	}
}

export { requireHttpUrlParameter } from '../../shared';
