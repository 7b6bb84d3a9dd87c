import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { landbotApi } from '../../transport';
import { customerIdField, requireHttpUrlParameter, requireNumericId } from '../common';

const properties: INodeProperties[] = [
	customerIdField,
	{
		displayName: 'Image URL',
		name: 'url',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://example.com/picture.png',
		description: 'Public URL of the image; Landbot shows it in the chat',
	},
	{
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		default: '',
		description: 'Optional text shown with the image',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customer'], operation: ['sendImage'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const customerId = requireNumericId.call(this, 'customerId', 'Customer ID', itemIndex);
	const url = requireHttpUrlParameter.call(this, 'url', 'Image URL', itemIndex);
	const caption = String(this.getNodeParameter('caption', itemIndex, ''));
	const body: IDataObject = { url };
	if (caption !== '') body.caption = caption;
	const response = await landbotApi.call(this, {
		call: 'send image',
		method: 'POST',
		path: `customers/${customerId}/send_image/`,
		body,
		itemIndex,
	});
	return { customerId, ...body, ...response };
}
