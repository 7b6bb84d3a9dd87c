import type { IDataObject } from 'n8n-workflow';

import type { RequestContext } from '../shared';
import type { EnhancedConversation } from './conversation';
import type { ConversationEntry } from './entries';
import { byTranscriptTime, entryOf } from './entries';
import { enhancedChatRequest } from './transport';

/** The most the entries list gives in one page. */
const PAGE = 50;

export const ENTRY_TYPES = ['Message', 'ParticipantChanged', 'RoutingResult', 'SessionStatusChanged'];

export interface EntriesQuery {
	/** ms; entries at or after it. */
	since?: number;
	/** Stop after this many entries. */
	max?: number;
	types?: string[];
	/** Newest first, one page: what a check of "is this message there already" needs. */
	newestPage?: boolean;
	itemIndex?: number;
}

/**
 * The conversation's entries in order, page by page. The list has no cursor: pages are asked by
 * time, and an entry at the edge of two pages comes twice, so entries are kept once by identifier.
 */
export async function readEntries(
	this: RequestContext,
	conversation: EnhancedConversation,
	query: EntriesQuery = {},
): Promise<ConversationEntry[]> {
	const max = query.max ?? Number.POSITIVE_INFINITY;
	const seen = new Set<string>();
	const entries: ConversationEntry[] = [];
	let since = query.since;
	for (;;) {
		const qs: IDataObject = {
			limit: PAGE,
			direction: query.newestPage ? 'FromEnd' : 'FromStart',
			entryTypeFilter: (query.types ?? ENTRY_TYPES).join(','),
		};
		if (since !== undefined) qs.startTimestamp = since;
		const response = await enhancedChatRequest.call(this, {
			call: 'get conversation entries',
			method: 'GET',
			path: `/conversation/${conversation.id}/entries`,
			accessToken: conversation.accessToken,
			qs,
			itemIndex: query.itemIndex,
		});
		const body = (response.body ?? {}) as IDataObject;
		const page = (Array.isArray(body.conversationEntries) ? body.conversationEntries : [])
			.map((raw) => entryOf(raw, conversation.id))
			.filter((entry): entry is ConversationEntry => entry !== null)
			.sort(byTranscriptTime);
		let added = 0;
		for (const entry of page) {
			if (seen.has(entry.identifier)) continue;
			seen.add(entry.identifier);
			entries.push(entry);
			added++;
		}
		const last = page[page.length - 1];
		if (query.newestPage || page.length < PAGE || added === 0 || entries.length >= max || !last) break;
		since = last.transcriptedAt;
	}
	return entries.sort(byTranscriptTime).slice(0, max);
}
