import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { landbotApi } from '../../transport';
import { customerIdField, requireNumericId } from '../common';

const properties: INodeProperties[] = [customerIdField];

export const description = updateDisplayOptions(
	{ show: { resource: ['customer'], operation: ['get'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const customerId = requireNumericId.call(this, 'customerId', 'Customer ID', itemIndex);
	const response = await landbotApi.call(this, {
		call: 'get customer',
		method: 'GET',
		path: `customers/${customerId}/`,
		itemIndex,
	});
	return (response.customer as IDataObject | undefined) ?? response;
}
