import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { isObject, textOf } from '../../../shared';
import { RELAYED_FIELD } from '../../marker';
import { crispApi, crispRequest, dataOf, segment } from '../../transport';
import { websiteIdField, websiteIdOf } from '../common';

const properties: INodeProperties[] = [
	websiteIdField,
	{
		displayName: 'External ID',
		name: 'externalId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'landbot-473548616',
		description: "The customer's ID in your system, kept in the conversation's meta.data.external_id: the same customer gets the same conversation",
	},
	{ displayName: 'Nickname', name: 'nickname', type: 'string', default: '', description: 'Set on a conversation this operation creates' },
	{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '', description: 'Set on a conversation this operation creates' },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{ displayName: 'Subject', name: 'subject', type: 'string', default: '', description: 'Set on a conversation this operation creates' },
			{
				displayName: 'Segments',
				name: 'segments',
				type: 'string',
				default: '',
				placeholder: 'handoff, vip',
				description: 'Comma-separated; set on a conversation this operation creates',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['getOrCreate'] } }, properties);

/** The meta key the external id lives in. */
export const EXTERNAL_ID_KEY = 'external_id';
/** Pages of the text search read for one external id: its matches are few. */
const MAX_SEARCH_PAGES = 3;

function externalIdIn(meta: unknown): string | undefined {
	const data = isObject(meta) && isObject(meta.data) ? meta.data : {};
	return typeof data[EXTERNAL_ID_KEY] === 'string' ? data[EXTERNAL_ID_KEY] : undefined;
}

/**
 * The search for one external id: a `filter` search on `data.external_id` (docs/platforms/crisp.md:
 * the syntax is UNCONFIRMED, the simulator's a JSON list of `{criterion, operator, query}`); should
 * Crisp refuse that query (400), the text search. Either way only a listed conversation whose meta
 * carries the id counts.
 */
function searchQueries(externalId: string): IDataObject[] {
	return [
		{ search_type: 'filter', search_query: JSON.stringify([{ criterion: `data.${EXTERNAL_ID_KEY}`, operator: 'eq', query: [externalId] }]) },
		{ search_type: 'text', search_query: externalId },
	];
}

async function findByExternalId(this: IExecuteFunctions, websiteId: string, externalId: string, itemIndex: number): Promise<IDataObject | undefined> {
	for (const qs of searchQueries(externalId)) {
		let refused = false;
		for (let page = 1; page <= MAX_SEARCH_PAGES && !refused; page++) {
			const response = await crispRequest.call(this, {
				call: 'search conversations',
				method: 'GET',
				path: `conversations/${page}`,
				qs,
				websiteId,
				itemIndex,
				acceptStatuses: qs.search_type === 'filter' ? [400] : undefined,
			});
			if (response.statusCode === 400) {
				refused = true;
				continue;
			}
			const data = dataOf(response.body);
			const listed = Array.isArray(data) ? (data as unknown[]).filter(isObject) : [];
			for (const conversation of listed) {
				const sessionId = textOf(conversation.session_id);
				if (!sessionId) continue;
				let found = externalIdIn(conversation.meta);
				if (found === undefined) {
					const meta = await crispApi.call(this, { call: 'read conversation meta', method: 'GET', path: `conversation/${segment(sessionId)}/meta`, websiteId, itemIndex });
					found = externalIdIn(meta);
				}
				if (found === externalId) return conversation;
			}
			if (listed.length === 0) return undefined;
		}
		if (!refused) return undefined;
	}
	return undefined;
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const websiteId = await websiteIdOf.call(this, itemIndex);
	const externalId = textOf(this.getNodeParameter('externalId', itemIndex, '')).trim();
	if (externalId === '') throw new NodeOperationError(this.getNode(), '"External ID" is empty', { itemIndex });
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;

	const existing = await findByExternalId.call(this, websiteId, externalId, itemIndex);
	if (existing) {
		return { sessionId: textOf(existing.session_id), websiteId, externalId, created: false, state: existing.state ?? null, conversation: existing };
	}
	const created = await crispApi.call(this, { call: 'create conversation', method: 'POST', path: 'conversation', websiteId, itemIndex });
	const sessionId = textOf(created.session_id);
	if (sessionId === '') throw new NodeOperationError(this.getNode(), "Crisp did not return the new conversation's session_id", { itemIndex });
	// A new conversation has had nothing relayed: the Crisp Trigger's catch-up reads it back from its start.
	const meta: IDataObject = { data: { [EXTERNAL_ID_KEY]: externalId, [RELAYED_FIELD]: '' } };
	const nickname = textOf(this.getNodeParameter('nickname', itemIndex, '')).trim();
	const email = textOf(this.getNodeParameter('email', itemIndex, '')).trim();
	const subject = textOf(options.subject).trim();
	const segments = textOf(options.segments).split(',').map((entry) => entry.trim()).filter(Boolean);
	if (nickname) meta.nickname = nickname;
	if (email) meta.email = email;
	if (subject) meta.subject = subject;
	if (segments.length > 0) meta.segments = segments;
	await crispApi.call(this, { call: 'set conversation meta', method: 'PATCH', path: `conversation/${segment(sessionId)}/meta`, websiteId, body: meta, itemIndex });
	// The state Crisp gives a new conversation is not documented: read it with Get.
	return { sessionId, websiteId, externalId, created: true, state: null, meta };
}
