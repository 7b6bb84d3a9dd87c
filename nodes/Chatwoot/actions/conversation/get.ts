import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { chatwootApi, segment } from '../../transport';
import { conversationIdField, conversationIdOf } from '../common';

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['get'] } }, [conversationIdField] as INodeProperties[]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversationId = conversationIdOf.call(this, itemIndex);
	return await chatwootApi.call(this, { call: 'get conversation', method: 'GET', path: `conversations/${segment(conversationId)}`, itemIndex });
}
