import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { landbotApi, landbotRequest } from '../../transport';
import { customerIdField, requireNumericId } from '../common';
import { fieldNameField, requireFieldName } from './common';

const properties: INodeProperties[] = [
	customerIdField,
	fieldNameField,
	{
		displayName: 'Type',
		name: 'fieldType',
		type: 'options',
		options: [
			{ name: 'Boolean', value: 'boolean' },
			{ name: 'Date', value: 'date' },
			{ name: 'Date Time', value: 'datetime' },
			{ name: 'Float', value: 'float' },
			{ name: 'Integer', value: 'integer' },
			{ name: 'Object', value: 'object' },
			{ name: 'String', value: 'string' },
		],
		default: 'string',
		description: "The field's Landbot type; the value is converted to it before sending",
	},
	{
		displayName: 'Value',
		name: 'value',
		type: 'string',
		default: '',
		description: 'For Object, a JSON object. For Date, YYYY-MM-DD. For Boolean, true or false.',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customerField'], operation: ['set'] } },
	properties,
);

function typedValue(context: IExecuteFunctions, type: string, raw: unknown, itemIndex: number): unknown {
	const text = typeof raw === 'string' ? raw.trim() : raw;
	const fail = (why: string) =>
		new NodeOperationError(context.getNode(), `"Value" ${why} for type ${type}: ${JSON.stringify(raw)}`, {
			itemIndex,
		});
	switch (type) {
		case 'integer': {
			const value = Number(text);
			if (!Number.isInteger(value) || text === '') throw fail('is not a whole number');
			return value;
		}
		case 'float': {
			const value = Number(text);
			if (!Number.isFinite(value) || text === '') throw fail('is not a number');
			return value;
		}
		case 'boolean':
			if (text === true || text === 'true') return true;
			if (text === false || text === 'false') return false;
			throw fail('is not true or false');
		case 'date':
			if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) throw fail('is not YYYY-MM-DD');
			return text;
		case 'datetime':
			if (typeof text !== 'string' || Number.isNaN(Date.parse(text))) throw fail('is not a date and time');
			return text;
		case 'object': {
			if (typeof raw === 'object' && raw !== null) return raw;
			try {
				const parsed: unknown = JSON.parse(String(raw));
				if (typeof parsed === 'object' && parsed !== null) return parsed;
			} catch {
				// reported below
			}
			throw fail('is not a JSON object');
		}
		default:
			return typeof raw === 'string' ? raw : JSON.stringify(raw);
	}
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const customerId = requireNumericId.call(this, 'customerId', 'Customer ID', itemIndex);
	const field = requireFieldName.call(this, itemIndex);
	const type = this.getNodeParameter('fieldType', itemIndex) as string;
	const value = typedValue(this, type, this.getNodeParameter('value', itemIndex, ''), itemIndex);
	const path = `customers/${customerId}/fields/${field}/`;
	const body: IDataObject = { type, value: value as IDataObject };
	// PUT updates an existing field; a field the customer does not have yet is created with POST.
	const updated = await landbotRequest.call(this, {
		call: 'set customer field',
		method: 'PUT',
		path,
		body,
		itemIndex,
		acceptStatuses: [404],
	});
	const response =
		updated.statusCode === 404
			? await landbotApi.call(this, { call: 'create customer field', method: 'POST', path, body, itemIndex })
			: ((updated.body ?? {}) as IDataObject);
	return { customerId, field, type, value: value as IDataObject, ...response };
}
