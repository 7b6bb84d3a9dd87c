import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { isObject } from './objects';

/**
 * What lets a send operation tell a repeat at the destination (event.ts, `message.sourceKey` and
 * `message.maybeRelayed`): a crash between the destination's write and the platform's answer makes
 * the platform deliver the message again, and this process no longer remembers it.
 */

function messageOf(item: INodeExecutionData): IDataObject | undefined {
	const message = item.json.message;
	return isObject(message) ? message : undefined;
}

/** Each message item gets the delivery's key; several messages in one delivery, the key and their place. */
export function stampSourceKeys(key: string, items: INodeExecutionData[]): INodeExecutionData[] {
	const messages = items.map(messageOf);
	const count = messages.filter(Boolean).length;
	let index = 0;
	for (const message of messages) {
		if (!message) continue;
		message.sourceKey = count === 1 ? key : `${key}#${index}`;
		index++;
	}
	return items;
}

/** These items' messages may have been relayed before (see event.ts). */
export function flagMaybeRelayed(items: INodeExecutionData[]): INodeExecutionData[] {
	for (const item of items) {
		const message = messageOf(item);
		if (message) message.maybeRelayed = true;
	}
	return items;
}

/** Where a trigger event's message came from, and whether it may have been relayed before (event.ts). */
export interface MessageSource {
	key: string;
	maybeRelayed: boolean;
}

/** A trigger event's message's source, for a send operation to store and check; undefined without a key. */
export function messageSource(message: IDataObject): MessageSource | undefined {
	if (typeof message.sourceKey !== 'string' || message.sourceKey === '') return undefined;
	return { key: message.sourceKey, maybeRelayed: message.maybeRelayed === true };
}
