import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { REQUEST_ID_PREFIX, requestIdFromExternalId, versionedId } from '../../shared';
import { tiledeskProject } from '../transport';

export const conversationFields: INodeProperties[] = [
	{
		displayName: 'Conversation',
		name: 'conversationBy',
		type: 'options',
		options: [
			{
				name: 'Built From External ID',
				value: 'externalId',
				description:
					'The conversation that belongs to another system\'s ID (a Landbot customer, a Botpress conversation…); no mapping table needed',
			},
			{
				name: 'Request ID',
				value: 'requestId',
				description: 'A Tiledesk request ID, e.g. conversationId of a Tiledesk Trigger event',
			},
		],
		default: 'externalId',
	},
	{
		displayName: 'External ID',
		name: 'externalId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '473548616',
		displayOptions: { show: { conversationBy: ['externalId'] } },
		description:
			'The request ID is support-group-{projectId}-{External ID}. An ID with characters other than A-Z, a-z, 0-9, "_" and "-", or longer than 96 characters, has them replaced by "_", is cut to 96 characters and gets "-h" plus 12 hex digits of its SHA-256, so different IDs never share a conversation.',
	},
	{
		displayName: 'Request ID',
		name: 'requestId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'support-group-65c5f3599faf2d04cd7da528-473548616',
		displayOptions: { show: { conversationBy: ['requestId'] } },
	},
];

export interface Conversation {
	requestId: string;
	/** Set when the request id was built from an external id. */
	externalId: string | null;
}

export async function resolveConversation(this: IExecuteFunctions, itemIndex: number): Promise<Conversation> {
	const by = this.getNodeParameter('conversationBy', itemIndex, 'externalId') as string;
	if (by === 'requestId') {
		const requestId = String(this.getNodeParameter('requestId', itemIndex, '') ?? '').trim();
		if (requestId === '') {
			throw new NodeOperationError(this.getNode(), '"Request ID" is empty', {
				itemIndex,
				description: 'Set it, e.g. with {{ $json.conversationId }} from a Tiledesk Trigger.',
			});
		}
		return { requestId, externalId: null };
	}
	const raw = this.getNodeParameter('externalId', itemIndex, '') as unknown;
	const externalId = typeof raw === 'number' ? String(raw) : String(raw ?? '');
	if (externalId === '') {
		throw new NodeOperationError(this.getNode(), '"External ID" is empty', {
			itemIndex,
			description: 'Set it to the other system\'s conversation or customer ID, e.g. {{ $json.conversationId }}.',
		});
	}
	const { projectId } = await tiledeskProject(this);
	try {
		return { requestId: requestIdFromExternalId(projectId, externalId), externalId };
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex });
	}
}

/** Tiledesk's chat engine only carries conversations whose id starts with "support-group". */
export function requireChatRequestId(this: IExecuteFunctions, conversation: Conversation, itemIndex: number): void {
	if (!conversation.requestId.startsWith(REQUEST_ID_PREFIX)) {
		throw new NodeOperationError(
			this.getNode(),
			`Tiledesk only delivers messages of conversations whose request ID starts with "${REQUEST_ID_PREFIX}", got "${conversation.requestId}"`,
			{ itemIndex },
		);
	}
}

/** The department to route to: a dropdown in version 1, a resource locator from 1.1 on. */
export const departmentFields: INodeProperties[] = versionedId(
	{
		displayName: 'Department Name or ID',
		name: 'departmentId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getDepartments' },
		required: true,
		default: '',
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
	},
	{ displayName: 'Department', searchListMethod: 'searchDepartments', idPlaceholder: '65c5f4a89faf2d04cd7da5b1', idPattern: { regex: '^[0-9a-fA-F]{24}$', errorMessage: 'A Tiledesk ID has 24 hexadecimal characters' } },
);

/** `bot_<id>`: Tiledesk tells bots from people by this prefix of the sender and participant id. */
export function botParticipantId(id: string): string {
	const trimmed = id.trim();
	return trimmed.startsWith('bot_') ? trimmed : `bot_${trimmed}`;
}

export { jsonArrayParameter, jsonObjectParameter, requireHttpUrl } from '../../shared';
