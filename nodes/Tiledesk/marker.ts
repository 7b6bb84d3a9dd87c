import type { IDataObject } from 'n8n-workflow';

/**
 * The attribute every message written by this package carries (`attributes.n8nHandoff = true`).
 * Tiledesk delivers those messages back through `message.create` like any other; the Tiledesk
 * Trigger recognises them by this attribute and drops them (echo), unless told otherwise.
 */
export const HANDOFF_MARKER = 'n8nHandoff';

/** Who wrote it, the same for every workflow and n8n instance. */
export const HANDOFF_ORIGIN_ATTRIBUTE = 'n8nHandoffOrigin';
export const HANDOFF_ORIGIN = 'n8n-nodes-handoff';

/**
 * The exact external id a conversation was built from. Tiledesk copies the first message's
 * attributes to the conversation, so the trigger can report it even when the request id had to be
 * sanitised.
 */
export const EXTERNAL_ID_ATTRIBUTE = 'n8nHandoffExternalId';

/**
 * The conversation attribute holding the last message the Tiledesk Trigger relayed (its `_id`);
 * '' when nothing was relayed yet (Send History opens conversations with it, as the first message's
 * attributes become the conversation's). Read back after an outage (nodes/shared/catchUp.ts).
 */
export const RELAYED_ATTRIBUTE = 'n8nHandoffRelayed';

/**
 * The source message a relayed message came from (the trigger event's `message.sourceKey`), so a
 * repeat of it can be found in the conversation (post.ts, `alreadySent`).
 */
export const SOURCE_ATTRIBUTE = 'n8nHandoffSourceKey';

export function markerAttributes(): IDataObject {
	return { [HANDOFF_MARKER]: true, [HANDOFF_ORIGIN_ATTRIBUTE]: HANDOFF_ORIGIN };
}

export function carriesMarker(attributes: unknown): boolean {
	if (typeof attributes !== 'object' || attributes === null) return false;
	const value = (attributes as IDataObject)[HANDOFF_MARKER];
	return value === true || value === 'true';
}
