import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { chatwootApi, payloadOf, segment } from '../../transport';
import { idParameter } from '../common';

const properties: INodeProperties[] = [
	{
		displayName: 'Contact ID',
		name: 'contactId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '128',
		description: 'For example customerId of a Chatwoot Trigger event, or contactId of Get or Create',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['contact'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const contactId = idParameter.call(this, 'contactId', 'Contact ID', itemIndex);
	return payloadOf(await chatwootApi.call(this, { call: 'get contact', method: 'GET', path: `contacts/${segment(contactId)}`, itemIndex }));
}
