import type { IDataObject } from 'n8n-workflow';

/**
 * How the Chatwoot Trigger recognises what this package wrote (its echo): Chatwoot delivers our own
 * messages back as `message_created` like any other, with the contact as sender for an `incoming`
 * one we wrote.
 *
 * 1. A key in the message's `content_attributes`. UNCONFIRMED: whether Chatwoot keeps keys of its
 *    own choosing there (docs/platforms/chatwoot.md). Everything about it is in this file: the key,
 *    what is written, how it is read.
 * 2. The ids of the messages this process created (rememberOwnMessage), kept in memory: they
 *    catch echoes whatever Chatwoot keeps, but only in the process that wrote them.
 */
export const MARKER_ATTRIBUTE = 'n8n_handoff';

/**
 * The trigger event a relayed message came from (`message.sourceKey`), so a repeat of it can be
 * found in the conversation (message/send.ts, `alreadySent`). Same UNCONFIRMED keeping as above.
 */
export const SOURCE_ATTRIBUTE = 'n8n_handoff_source';

/**
 * The conversation custom attribute holding the last message the Chatwoot Trigger relayed (its id);
 * '' when nothing was relayed yet (Conversation → Create opens conversations with it). Read back
 * after an outage (nodes/shared/catchUp.ts). Custom attributes take keys without a definition.
 */
export const RELAYED_ATTRIBUTE = 'handoff_relayed_message';

/** The content_attributes every message this package writes carries; `sourceKey` for a relayed one. */
export function markerAttributes(sourceKey?: string): IDataObject {
	return sourceKey ? { [MARKER_ATTRIBUTE]: true, [SOURCE_ATTRIBUTE]: sourceKey } : { [MARKER_ATTRIBUTE]: true };
}

export function carriesMarker(contentAttributes: unknown): boolean {
	if (typeof contentAttributes !== 'object' || contentAttributes === null) return false;
	const value = (contentAttributes as IDataObject)[MARKER_ATTRIBUTE];
	return value === true || value === 'true';
}

/** The source key a message was relayed from, if it carries one. */
export function sourceKeyOf(contentAttributes: unknown): string | undefined {
	if (typeof contentAttributes !== 'object' || contentAttributes === null) return undefined;
	const value = (contentAttributes as IDataObject)[SOURCE_ATTRIBUTE];
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Message ids are per installation: remembered with the base URL and account they belong to. */
const MAX_REMEMBERED = 10_000;
const ownMessages = new Set<string>();

function rememberedKey(baseUrl: string, accountId: string, messageId: string): string {
	return `${baseUrl} ${accountId} ${messageId}`;
}

/** A message this process created (the oldest are forgotten past 10,000). */
export function rememberOwnMessage(baseUrl: string, accountId: string, messageId: unknown): void {
	if (typeof messageId !== 'number' && (typeof messageId !== 'string' || messageId === '')) return;
	const key = rememberedKey(baseUrl, accountId, String(messageId));
	ownMessages.delete(key);
	ownMessages.add(key);
	if (ownMessages.size > MAX_REMEMBERED) ownMessages.delete(ownMessages.values().next().value as string);
}

export function isRememberedOwnMessage(baseUrl: string, accountId: string, messageId: string | null): boolean {
	return messageId !== null && ownMessages.has(rememberedKey(baseUrl, accountId, messageId));
}
