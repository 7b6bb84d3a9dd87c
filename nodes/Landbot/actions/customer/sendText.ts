import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { landbotApi } from '../../transport';
import { customerIdField, requireNumericId } from '../common';

const properties: INodeProperties[] = [
	customerIdField,
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		description:
			'Text shown to the customer, sent as the credential\'s agent. On WhatsApp only inside the 24-hour window.',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customer'], operation: ['sendText'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const customerId = requireNumericId.call(this, 'customerId', 'Customer ID', itemIndex);
	const message = String(this.getNodeParameter('message', itemIndex, ''));
	if (message.trim() === '') {
		throw new NodeOperationError(this.getNode(), '"Message" is empty: Landbot cannot send an empty text', {
			itemIndex,
		});
	}
	const response = await landbotApi.call(this, {
		call: 'send text',
		method: 'POST',
		path: `customers/${customerId}/send_text/`,
		body: { message },
		itemIndex,
	});
	return { customerId, message, ...response };
}
