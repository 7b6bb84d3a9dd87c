import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { landbotApi } from '../../transport';
import { customerIdField, requireNumericId } from '../common';

const properties: INodeProperties[] = [
	customerIdField,
	{
		displayName: 'Latitude',
		name: 'latitude',
		type: 'number',
		typeOptions: { minValue: -90, maxValue: 90, numberPrecision: 6 },
		required: true,
		default: 0,
	},
	{
		displayName: 'Longitude',
		name: 'longitude',
		type: 'number',
		typeOptions: { minValue: -180, maxValue: 180, numberPrecision: 6 },
		required: true,
		default: 0,
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customer'], operation: ['sendLocation'] } },
	properties,
);

function coordinate(
	context: IExecuteFunctions,
	name: string,
	label: string,
	limit: number,
	itemIndex: number,
): number {
	const value = Number(context.getNodeParameter(name, itemIndex));
	if (!Number.isFinite(value) || Math.abs(value) > limit) {
		throw new NodeOperationError(context.getNode(), `"${label}" must be a number between -${limit} and ${limit}`, {
			itemIndex,
		});
	}
	return value;
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const customerId = requireNumericId.call(this, 'customerId', 'Customer ID', itemIndex);
	const latitude = coordinate(this, 'latitude', 'Latitude', 90, itemIndex);
	const longitude = coordinate(this, 'longitude', 'Longitude', 180, itemIndex);
	const response = await landbotApi.call(this, {
		call: 'send location',
		method: 'POST',
		path: `customers/${customerId}/send_location/`,
		body: { latitude, longitude },
		itemIndex,
	});
	return { customerId, latitude, longitude, ...response };
}
