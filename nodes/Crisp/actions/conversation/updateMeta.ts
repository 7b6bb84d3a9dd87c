import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { textOf } from '../../../shared';
import { crispApi, segment, updateMetaData } from '../../transport';
import { jsonObjectParameter, sessionIdField, sessionIdOf, websiteIdField, websiteIdOf } from '../common';

const properties: INodeProperties[] = [
	websiteIdField,
	sessionIdField,
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Data',
				name: 'data',
				type: 'json',
				default: '{}',
				description: "Keys to set in meta.data (JSON object), the conversation's other keys kept (external_id included)",
			},
			{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '' },
			{ displayName: 'Nickname', name: 'nickname', type: 'string', default: '' },
			{ displayName: 'Phone', name: 'phone', type: 'string', default: '' },
			{ displayName: 'Segments', name: 'segments', type: 'string', default: '', placeholder: 'handoff, vip', description: 'Comma-separated; replaces the segments' },
			{ displayName: 'Subject', name: 'subject', type: 'string', default: '' },
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['updateMeta'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const websiteId = await websiteIdOf.call(this, itemIndex);
	const sessionId = sessionIdOf.call(this, itemIndex);
	const fields = this.getNodeParameter('fields', itemIndex, {}) as IDataObject;
	const meta: IDataObject = {};
	for (const key of ['nickname', 'email', 'phone', 'subject']) {
		const value = textOf(fields[key]).trim();
		if (value) meta[key] = value;
	}
	if (textOf(fields.segments).trim()) meta.segments = textOf(fields.segments).split(',').map((entry) => entry.trim()).filter(Boolean);
	const data = 'data' in fields ? jsonObjectParameter.call(this, 'fields.data', 'Data', itemIndex) : {};
	if (Object.keys(data).length > 0) {
		// The conversation's other keys are kept whether Crisp merges `data` or replaces it (transport.ts).
		meta.data = await updateMetaData.call(this, { call: 'update conversation meta', websiteId, sessionId, change: () => data, meta, itemIndex });
		return { sessionId, websiteId, meta };
	}
	if (Object.keys(meta).length === 0) throw new NodeOperationError(this.getNode(), '"Fields" is empty: add a field to set', { itemIndex });
	await crispApi.call(this, { call: 'update conversation meta', method: 'PATCH', path: `conversation/${segment(sessionId)}/meta`, websiteId, body: meta, itemIndex });
	return { sessionId, websiteId, meta };
}
