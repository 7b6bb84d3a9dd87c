import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { landbotApi } from '../../transport';
import { customerIdField, requireNumericId } from '../common';
import { fieldNameField, requireFieldName } from './common';

const properties: INodeProperties[] = [customerIdField, fieldNameField];

export const description = updateDisplayOptions(
	{ show: { resource: ['customerField'], operation: ['get'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const customerId = requireNumericId.call(this, 'customerId', 'Customer ID', itemIndex);
	const field = requireFieldName.call(this, itemIndex);
	const response = await landbotApi.call(this, {
		call: 'get customer field',
		method: 'GET',
		path: `customers/${customerId}/fields/${field}/`,
		itemIndex,
	});
	return { customerId, field, ...((response.field as IDataObject | undefined) ?? response) };
}
