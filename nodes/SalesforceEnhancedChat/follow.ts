import type { EnhancedConversation } from './conversation';

/**
 * Which conversations the triggers of this process follow. Salesforce streams events per access
 * token, and the tokens are minted by the action node (Start Conversation), so the actions tell the
 * triggers here. In-process: the trigger runs in the process that runs the actions (regular mode);
 * each trigger also keeps what it follows in its static data, to pick the streams up after a restart.
 */

/** `active`: the conversation has a live session now (an action just used it), so an ended one is followed again. */
type Listener = (conversation: EnhancedConversation, active: boolean) => void;

const listeners = new Map<string, Set<Listener>>();

/** Conversations followed lately, for a trigger that is activated after they started. */
const recent = new Map<string, Map<string, EnhancedConversation>>();

const MAX_RECENT = 1_000;

function expired(conversation: EnhancedConversation, now: number): boolean {
	return conversation.expiresAt !== null && Date.parse(conversation.expiresAt) <= now;
}

/** Tells the triggers of this deployment to follow the conversation (a newer token replaces an older one). */
export function followConversation(deployment: string, conversation: EnhancedConversation): void {
	let known = recent.get(deployment);
	if (!known) recent.set(deployment, (known = new Map()));
	known.delete(conversation.id);
	known.set(conversation.id, conversation);
	const now = Date.now();
	for (const [id, old] of known) {
		if (known.size <= MAX_RECENT && !expired(old, now)) break;
		known.delete(id);
	}
	for (const listener of listeners.get(deployment) ?? []) listener(conversation, true);
}

/** The conversation is closed: nobody needs to follow it any more. */
export function forgetConversation(deployment: string, conversationId: string): void {
	recent.get(deployment)?.delete(conversationId);
}

/** A trigger starts listening; it hears the recent conversations first. Returns how to stop. */
export function onFollow(deployment: string, listener: Listener): () => void {
	let set = listeners.get(deployment);
	if (!set) listeners.set(deployment, (set = new Set()));
	set.add(listener);
	const now = Date.now();
	for (const conversation of recent.get(deployment)?.values() ?? []) {
		if (!expired(conversation, now)) listener(conversation, false);
	}
	return () => {
		set.delete(listener);
	};
}
