import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { chosenLimit, returnAllOrLimit, textOf } from '../../../shared';
import { chatwootApi, listOf, segment } from '../../transport';
import { checkedId, conversationIdField, conversationIdOf } from '../common';

const properties: INodeProperties[] = [
	conversationIdField,
	...returnAllOrLimit,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'After Message ID',
				name: 'after',
				type: 'string',
				default: '',
				placeholder: '1024',
				description: 'Only messages newer than this one, oldest first (Chatwoot answers up to 100 per call)',
			},
			{
				displayName: 'Before Message ID',
				name: 'before',
				type: 'string',
				default: '',
				placeholder: '1024',
				description: 'Only messages older than this one (Chatwoot answers 20 per call, going back)',
			},
			{
				displayName: 'Exclude Private Notes',
				name: 'excludeNotes',
				type: 'boolean',
				default: false,
				description: 'Whether to leave out private notes (and activity lines: Chatwoot drops both with filter_internal_messages)',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['message'], operation: ['getMany'] } }, properties);

const idOf = (message: IDataObject) => Number(message.id);

/** The conversation's messages, oldest first: newer than After, else going back from Before (or the latest). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const conversationId = conversationIdOf.call(this, itemIndex);
	const limit = chosenLimit(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const after = textOf(options.after).trim();
	const before = textOf(options.before).trim();
	if (after) checkedId.call(this, after, 'After Message ID', itemIndex);
	if (before) checkedId.call(this, before, 'Before Message ID', itemIndex);
	const filter: IDataObject = options.excludeNotes === true ? { filter_internal_messages: true } : {};
	const page = async (qs: IDataObject) =>
		listOf(await chatwootApi.call(this, { call: 'list messages', method: 'GET', path: `conversations/${segment(conversationId)}/messages`, qs: { ...filter, ...qs }, itemIndex }))
			.filter((message) => Number.isFinite(idOf(message)))
			.sort((a, b) => idOf(a) - idOf(b));
	const full = (count: number) => limit !== undefined && count >= limit;

	const messages: IDataObject[] = [];
	if (after) {
		// Forwards from After, up to Before when both are given.
		let cursor = after;
		for (;;) {
			const found = (await page({ after: cursor })).filter((message) => !before || idOf(message) < Number(before));
			messages.push(...found);
			if (found.length === 0 || full(messages.length)) break;
			cursor = String(idOf(found[found.length - 1]));
		}
		return limit === undefined ? messages : messages.slice(0, limit);
	}
	// Backwards from Before (or the latest), each page put in front.
	let cursor = before;
	for (;;) {
		const found = await page(cursor ? { before: cursor } : {});
		messages.unshift(...found);
		if (found.length === 0 || full(messages.length)) break;
		cursor = String(idOf(found[0]));
	}
	return limit === undefined ? messages : messages.slice(messages.length - limit);
}
