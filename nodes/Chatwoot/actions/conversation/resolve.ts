import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { conversationIdField, conversationIdOf, setStatus } from '../common';

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['resolve'] } }, [conversationIdField] as INodeProperties[]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversationId = conversationIdOf.call(this, itemIndex);
	const status = await setStatus.call(this, conversationId, 'resolved', itemIndex);
	return { conversationId, status: status.current_status ?? 'resolved' };
}
