import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { isObject, textOf } from '../../shared';
import { crispList, crispWebsiteId } from '../transport';

async function websiteOf(context: ILoadOptionsFunctions): Promise<string> {
	let override = '';
	try {
		override = textOf(context.getCurrentNodeParameter('websiteId'));
	} catch {
		// The trigger has no Website ID parameter: the credential's.
	}
	return await crispWebsiteId(context, override);
}

/** `GET /operators/list` → `[{type, details: {user_id, first_name, last_name, email, role, availability}}]` (details' fields inferred). */
export async function getOperators(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const websiteId = await websiteOf(this);
	const operators = await crispList.call(this, { call: 'list operators', method: 'GET', path: 'operators/list', websiteId });
	return operators
		.map((entry) => (isObject(entry.details) ? entry.details : entry))
		.filter((details: IDataObject) => textOf(details.user_id) !== '')
		.map((details: IDataObject) => {
			const name = [textOf(details.first_name), textOf(details.last_name)].filter(Boolean).join(' ') || textOf(details.email) || textOf(details.user_id);
			return {
				name,
				value: textOf(details.user_id),
				description: [details.role, details.availability, details.email].filter((part) => typeof part === 'string' && part).join(' · ') || undefined,
			};
		})
		.sort((a, b) => a.name.localeCompare(b.name));
}

/** Pages of `GET /inboxes/list/{page}` → `[{inbox_id, name}]`, read until an empty one. */
const MAX_INBOX_PAGES = 10;

export async function getInboxes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const websiteId = await websiteOf(this);
	const inboxes: IDataObject[] = [];
	for (let page = 1; page <= MAX_INBOX_PAGES; page++) {
		const listed = await crispList.call(this, { call: 'list inboxes', method: 'GET', path: `inboxes/list/${page}`, websiteId });
		inboxes.push(...listed);
		if (listed.length === 0) break;
	}
	return inboxes
		.filter((inbox) => textOf(inbox.inbox_id) !== '')
		.map((inbox) => ({ name: textOf(inbox.name) || textOf(inbox.inbox_id), value: textOf(inbox.inbox_id) }))
		.sort((a, b) => a.name.localeCompare(b.name));
}
