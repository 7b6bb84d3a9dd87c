import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { chosenLimit, returnAllOrLimit } from '../../../shared';
import { chatwootApi, listOf, segment } from '../../transport';
import { idParameter } from '../common';

const properties: INodeProperties[] = [
	{
		displayName: 'Contact ID',
		name: 'contactId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '128',
		description: "The contact whose conversations to list, e.g. a Chatwoot Trigger event's customerId",
	},
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: [
			{ name: 'Any', value: 'any' },
			{ name: 'Open', value: 'open' },
			{ name: 'Pending', value: 'pending' },
			{ name: 'Resolved', value: 'resolved' },
			{ name: 'Snoozed', value: 'snoozed' },
		],
		default: 'any',
	},
	...returnAllOrLimit,
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['getMany'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const contactId = idParameter.call(this, 'contactId', 'Contact ID', itemIndex);
	const status = this.getNodeParameter('status', itemIndex, 'any') as string;
	const limit = chosenLimit(this, itemIndex);
	// One list: the route documents no paging (swagger, contacts/conversations).
	const conversations = listOf(await chatwootApi.call(this, { call: 'list the contact\'s conversations', method: 'GET', path: `contacts/${segment(contactId)}/conversations`, itemIndex }));
	const chosen = status === 'any' ? conversations : conversations.filter((conversation) => conversation.status === status);
	return limit === undefined ? chosen : chosen.slice(0, limit);
}
