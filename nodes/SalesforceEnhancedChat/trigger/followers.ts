import type { IDataObject, ITriggerFunctions } from 'n8n-workflow';

import type { EnhancedConversation } from '../conversation';
import type { EnhancedChatConfig } from '../transport';
import type { FollowedState, FollowSettings } from './follower';
import { ConversationFollower, newState } from './follower';

/** Conversations kept in static data at most; the oldest ended ones go first. */
const MAX_SAVED = 2_000;

/**
 * The conversations one trigger follows: a follower each, and their state in the trigger's static
 * data (`followed`, by conversation ID), so that after a restart the streams are opened again and
 * pick up where the relay stopped.
 */
export class Followers {
	private readonly running = new Map<string, ConversationFollower>();

	constructor(
		private readonly context: ITriggerFunctions,
		private readonly config: EnhancedChatConfig,
		private readonly settings: FollowSettings,
		private readonly saved: IDataObject,
	) {}

	private stateOf(id: string): FollowedState | undefined {
		return this.saved[id] as FollowedState | undefined;
	}

	/** Follows a conversation an action started or wrote to (`active`), or one heard of before. */
	follow(conversation: EnhancedConversation, active: boolean): void {
		let state = this.stateOf(conversation.id);
		if (state?.ended && !active) return;
		if (!state) {
			this.saved[conversation.id] = newState(conversation);
			this.prune();
		} else if (state.accessToken !== conversation.accessToken) {
			state.accessToken = conversation.accessToken;
			state.expiresAt = conversation.expiresAt;
			if (conversation.context) state.context = conversation.context;
		}
		// Read back through static data: n8n notices changes made through it.
		state = this.stateOf(conversation.id)!;
		state.ended = false;
		const current = this.running.get(conversation.id);
		if (current?.running) {
			current.refresh(conversation);
			return;
		}
		this.start(state);
	}

	/** After a restart (or a new activation): every conversation that had not ended. */
	resume(): void {
		this.prune();
		for (const id of Object.keys(this.saved)) {
			const state = this.stateOf(id);
			if (state && !state.ended) this.start(state);
		}
	}

	async stopAll(): Promise<void> {
		const followers = [...this.running.values()];
		this.running.clear();
		await Promise.all(followers.map(async (follower) => await follower.stop()));
	}

	private start(state: FollowedState): void {
		const follower = new ConversationFollower(this.context, this.config, this.settings, state, (finished) => {
			if (this.running.get(finished.id) === follower) this.running.delete(finished.id);
		});
		this.running.set(state.id, follower);
		follower.start();
	}

	/** Drops conversations whose token has expired, and the oldest ended ones beyond MAX_SAVED. */
	private prune(): void {
		const now = Date.now();
		const ids = Object.keys(this.saved);
		for (const id of ids) {
			const state = this.stateOf(id);
			if (!state || (state.expiresAt !== null && Date.parse(state.expiresAt) <= now && !this.running.has(id))) delete this.saved[id];
		}
		const ended = Object.keys(this.saved).filter((id) => this.stateOf(id)?.ended);
		for (const id of ended.slice(0, Math.max(0, Object.keys(this.saved).length - MAX_SAVED))) delete this.saved[id];
	}
}
