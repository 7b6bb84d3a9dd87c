import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { chosenLimit, numberOf, returnAllOrLimit, textOf } from '../../../shared';
import { crispList, segment } from '../../transport';
import { sessionIdField, sessionIdOf, websiteIdField, websiteIdOf } from '../common';

const properties: INodeProperties[] = [
	websiteIdField,
	sessionIdField,
	...returnAllOrLimit,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'After',
				name: 'after',
				type: 'dateTime',
				default: '',
				description: 'Only messages newer than this (timestamp_after)',
			},
			{
				displayName: 'Before',
				name: 'before',
				type: 'dateTime',
				default: '',
				description: 'Only messages older than this (timestamp_before); empty: from the latest, going back',
			},
			{
				displayName: 'Exclude Private Notes',
				name: 'excludeNotes',
				type: 'boolean',
				default: false,
				description: 'Whether to leave out private notes (type note)',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['getMany'] } }, properties);

const timeOf = (message: IDataObject) => numberOf(message.timestamp);

/** One batch of `GET …/conversation/{sid}/messages` (batch size unconfirmed), oldest first. */
export async function historyBatch(this: IExecuteFunctions, websiteId: string, sessionId: string, qs: IDataObject, itemIndex: number, call = 'list messages'): Promise<IDataObject[]> {
	const messages = await crispList.call(this, { call, method: 'GET', path: `conversation/${segment(sessionId)}/messages`, qs, websiteId, itemIndex });
	return messages.filter((message) => Number.isFinite(timeOf(message))).sort((a, b) => timeOf(a) - timeOf(b));
}

/** A bound on the batches read for Return All. */
const MAX_BATCHES = 50;

function msOf(this: IExecuteFunctions, value: unknown, label: string, itemIndex: number): number | undefined {
	const text = textOf(value).trim();
	if (text === '') return undefined;
	const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
	if (!Number.isFinite(ms)) throw new NodeOperationError(this.getNode(), `"${label}" must be a date, got "${text}"`, { itemIndex });
	return ms;
}

/** The conversation's messages, oldest first: going back from Before (or the latest), in batches by the oldest timestamp. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const websiteId = await websiteIdOf.call(this, itemIndex);
	const sessionId = sessionIdOf.call(this, itemIndex);
	const limit = chosenLimit(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const after = msOf.call(this, options.after, 'After', itemIndex);
	let before = msOf.call(this, options.before, 'Before', itemIndex);
	const messages: IDataObject[] = [];
	for (let batch = 0; batch < MAX_BATCHES; batch++) {
		const qs: IDataObject = {};
		if (before !== undefined) qs.timestamp_before = before;
		if (after !== undefined) qs.timestamp_after = after;
		const found = (await historyBatch.call(this, websiteId, sessionId, qs, itemIndex)).filter(
			(message) => (before === undefined || timeOf(message) < before) && (after === undefined || timeOf(message) > after),
		);
		messages.unshift(...found);
		if (found.length === 0 || (limit !== undefined && messages.length >= limit)) break;
		before = timeOf(found[0]);
	}
	const chosen = options.excludeNotes === true ? messages.filter((message) => message.type !== 'note') : messages;
	return limit === undefined ? chosen : chosen.slice(Math.max(0, chosen.length - limit));
}
