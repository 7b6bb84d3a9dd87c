import { createHash, randomBytes } from 'crypto';

/**
 * Every event this package writes into LiveChat carries a `custom_id` starting with this prefix.
 * LiveChat delivers those events back through `incoming_event` like any other; the LiveChat
 * Trigger recognises them by the prefix and drops them (echo), unless told otherwise.
 */
export const CUSTOM_ID_PREFIX = 'n8n-handoff:';

/** A fresh custom_id: the prefix and 12 random bytes (hex). */
export function ownCustomId(): string {
	return `${CUSTOM_ID_PREFIX}${randomBytes(12).toString('hex')}`;
}

/**
 * The custom_id of the `part`-th event relayed from a trigger event's message (its `sourceKey`): the
 * same on every try, so a repeat can be found in the chat (sendMessage.ts). LiveChat limits nothing
 * we rely on here but uniqueness within the chat.
 */
export function sourceCustomId(sourceKey: string, part: number): string {
	const digest = createHash('sha256').update(sourceKey).digest('hex').slice(0, 24);
	return `${CUSTOM_ID_PREFIX}${digest}${part === 0 ? '' : `-${part}`}`;
}

export function isOwnCustomId(value: unknown): boolean {
	return typeof value === 'string' && value.startsWith(CUSTOM_ID_PREFIX);
}

/**
 * The chat properties this package writes. LiveChat names a property namespace after the Client ID
 * that registered the property (docs/platforms/livechat.md, "Chat properties"): the namespace is the
 * credential's Client ID, and the nodes register these names there before first use.
 */
export const PROPERTY_EXTERNAL_ID = 'external_id';
export const PROPERTY_EXTERNAL_PLATFORM = 'external_platform';
export const PROPERTY_CUSTOMER_EXTERNAL_ID = 'customer_external_id';
/** The chat customer's accounts cookies, sealed (see identity.ts): how any process gets a token for them. */
export const PROPERTY_CUSTOMER_IDENTITY = 'customer_identity';
/**
 * The last agent event the LiveChat Trigger relayed, as "<thread id> <event id>"; '' when nothing
 * was relayed yet (set by Start). Written before LiveChat gets the delivery's 200, read back after
 * an outage to relay what LiveChat gave up on (nodes/shared/catchUp.ts).
 */
export const PROPERTY_RELAYED = 'relayed';

export interface HandoffProperty {
	name: string;
	description: string;
	/** Who may read and write it in a chat (`access.chat` of register_property). */
	access: { agent: string[]; customer?: string[] };
}

export const HANDOFF_PROPERTIES: HandoffProperty[] = [
	{
		name: PROPERTY_EXTERNAL_ID,
		description: 'n8n-nodes-handoff: the conversation ID in the other system',
		access: { agent: ['read', 'write'], customer: ['read'] },
	},
	{
		name: PROPERTY_EXTERNAL_PLATFORM,
		description: 'n8n-nodes-handoff: the other system (landbot, botpress, …)',
		access: { agent: ['read', 'write'], customer: ['read'] },
	},
	{
		name: PROPERTY_CUSTOMER_EXTERNAL_ID,
		description: 'n8n-nodes-handoff: the customer ID in the other system',
		access: { agent: ['read', 'write'], customer: ['read'] },
	},
	{
		// Customers must never read it: the cookies would let anyone holding them act as that customer.
		name: PROPERTY_CUSTOMER_IDENTITY,
		description: 'n8n-nodes-handoff: the customer\'s LiveChat identity, encrypted, so n8n can write as the customer',
		access: { agent: ['read', 'write'] },
	},
	{
		name: PROPERTY_RELAYED,
		description: 'n8n-nodes-handoff: the last agent event relayed by n8n ("<thread id> <event id>"), to catch up after an outage',
		access: { agent: ['read', 'write'] },
	},
];
