import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { chosenLimit, returnAllOrLimit } from '../../../shared';
import { landbotList } from '../../transport';

const properties: INodeProperties[] = [
	...returnAllOrLimit,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Active',
				name: 'active',
				type: 'boolean',
				default: true,
				description: 'Whether to list only active channels',
			},
			{
				displayName: 'Type',
				name: 'type',
				type: 'options',
				options: [
					{ name: 'API Chat', value: 'apichat' },
					{ name: 'Facebook', value: 'facebook' },
					{ name: 'Web (Landbot)', value: 'landbot' },
					{ name: 'WhatsApp', value: 'whatsapp' },
				],
				default: 'landbot',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['channel'], operation: ['getMany'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const limit = chosenLimit(this, itemIndex);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	return await landbotList.call(
		this,
		{ call: 'get many channels', method: 'GET', path: 'channels/', qs: filters, itemIndex },
		'channels',
		limit,
	);
}
