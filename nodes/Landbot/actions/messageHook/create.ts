import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { landbotApi } from '../../transport';
import { channelIdFields, requireHttpUrlParameter, requireNumericId } from '../common';

const properties: INodeProperties[] = [
	...channelIdFields,
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		required: true,
		default: '',
		description: 'Where Landbot POSTs every message of the channel',
	},
	{
		displayName: 'Token',
		name: 'token',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description: 'Sent back as "Authorization: Token …" with each delivery so the receiver can verify it',
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['messageHook'], operation: ['create'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const channelId = requireNumericId.call(this, 'channelId', 'Channel', itemIndex);
	const body: IDataObject = { url: requireHttpUrlParameter.call(this, 'url', 'URL', itemIndex) };
	for (const key of ['token', 'name']) {
		const value = String(this.getNodeParameter(key, itemIndex, ''));
		if (value !== '') body[key] = value;
	}
	const response = await landbotApi.call(this, {
		call: 'create message hook',
		method: 'POST',
		path: `channels/${channelId}/message_hooks/`,
		body,
		itemIndex,
	});
	return (response.hook as IDataObject | undefined) ?? response;
}
