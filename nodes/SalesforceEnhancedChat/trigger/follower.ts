import type { IDataObject, INodeExecutionData, IRun, ITriggerFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import type { AuthorRole, HandoffEvent, HandoffEventName } from '../../shared';
import { isObject } from '../../shared';
import type { EnhancedConversation } from '../conversation';
import type { ConversationEntry } from '../entries';
import { byTranscriptTime, entryEvent, entryOf, isOwnEcho } from '../entries';
import { readEntries } from '../history';
import type { EnhancedChatConfig } from '../transport';
import type { StreamEvent } from './stream';
import { openEventStream } from './stream';

/**
 * What the trigger keeps per followed conversation, in its static data (saved by n8n whenever the
 * trigger starts an execution): enough to reconnect after a restart and not to relay twice.
 */
export interface FollowedState extends EnhancedConversation {
	/** Server time (ms) of the newest entry relayed (or passed over by the filters). */
	lastAt: number;
	/** Identifiers of the entries handled at lastAt: the stream and the list both bring them. */
	seen: string[];
	/** Entries handed to an execution that had not finished when this was saved. */
	inFlight: string[];
	/** The session or the conversation ended: not followed again until a message opens a new session. */
	ended?: boolean;
}

export interface FollowSettings {
	events: Set<HandoffEventName>;
	senders: Set<AuthorRole>;
	/** A stream with no data (not even a ping) for this long is taken for dead. */
	silentMs: number;
	maxReconnectMs: number;
	/** Executions tried per batch before it is given up (as a failed execution naming the conversation). */
	deliveryTries: number;
}

/** After these no agent writes again in this session: the stream is closed. */
function endsSession(entry: ConversationEntry): boolean {
	return entry.entryType === 'CloseConversation' || (entry.entryType === 'SessionStatusChanged' && entry.payload.sessionStatus === 'Ended');
}

export function newState(conversation: EnhancedConversation): FollowedState {
	return { ...conversation, lastAt: 0, seen: [], inFlight: [] };
}

function failed(run: IRun | undefined): boolean {
	return Boolean(run?.data?.resultData?.error) || run?.status === 'error' || run?.status === 'crashed';
}

/**
 * One conversation's event stream, reconnected with its last event id whenever it drops, and the
 * entries it missed read back from the entries list on every (re)connection. Entries are relayed in
 * the conversation's order, one execution at a time: the next batch waits until the execution of
 * the one before has finished, and a failed execution is tried again.
 */
export class ConversationFollower {
	private stopped = false;

	private stream?: { close(): void };

	private pending: ConversationEntry[] = [];

	/** The batch being relayed now: the list and a replaying stream bring its entries again meanwhile. */
	private relaying: ConversationEntry[] = [];

	private draining?: Promise<void>;

	private loop?: Promise<void>;

	private lastEventId: string;

	/** Relayed by the process before a restart, maybe: flagged so send operations can check. */
	private readonly maybeRelayed: Set<string>;

	constructor(
		private readonly context: ITriggerFunctions,
		private readonly config: EnhancedChatConfig,
		private readonly settings: FollowSettings,
		readonly state: FollowedState,
		private readonly onFinished: (state: FollowedState) => void,
	) {
		this.lastEventId = state.lastEventId;
		this.maybeRelayed = new Set(state.inFlight);
	}

	get running(): boolean {
		return !this.stopped;
	}

	start(): void {
		this.loop = this.run();
	}

	/** A newer token for the same conversation (Renew Token, or a Send after a restart). */
	refresh(conversation: EnhancedConversation): void {
		if (conversation.accessToken === this.state.accessToken) return;
		this.state.accessToken = conversation.accessToken;
		this.state.expiresAt = conversation.expiresAt;
		if (conversation.context) this.state.context = conversation.context;
		this.stream?.close();
	}

	async stop(): Promise<void> {
		this.stopped = true;
		this.stream?.close();
		await this.loop;
		await this.draining;
	}

	private expired(): boolean {
		return this.state.expiresAt !== null && Date.parse(this.state.expiresAt) <= Date.now();
	}

	private finish(): void {
		if (this.stopped) return;
		this.stopped = true;
		this.stream?.close();
		this.onFinished(this.state);
	}

	private async run(): Promise<void> {
		let delay = 1_000;
		while (!this.stopped) {
			if (this.expired()) return this.finish();
			try {
				const stream = await openEventStream(this.context, this.config, this.state.accessToken, this.lastEventId, this.settings.silentMs);
				this.stream = stream;
				if (this.stopped) {
					stream.close();
					break;
				}
				// What happened while no stream was open: since the last relayed entry.
				this.take(await readEntries.call(this.context, this.state, { since: this.state.lastAt || undefined }));
				delay = 1_000;
				for await (const event of stream.events) {
					if (event.id) this.lastEventId = event.id;
					const entry = this.entryFrom(event);
					if (entry) this.take([entry]);
				}
			} catch (error) {
				const status = Number((error as IDataObject).httpCode);
				// The token is no longer valid, or the conversation is gone: nothing more will come.
				if ([401, 403, 404].includes(status)) return this.finish();
				this.context.logger.warn(`Salesforce Enhanced Chat: the event stream of conversation ${this.state.id} failed: ${(error as Error).message}`);
			}
			if (this.stopped) break;
			await sleep(delay);
			delay = Math.min(delay * 1.5, this.settings.maxReconnectMs);
		}
	}

	/** A stream event's entry, for this conversation only (a token's stream carries all of its conversations). */
	private entryFrom(event: StreamEvent): ConversationEntry | null {
		if (!event.event.startsWith('CONVERSATION_')) return null;
		let data: unknown;
		try {
			data = JSON.parse(event.data);
		} catch {
			return null;
		}
		if (!isObject(data) || data.conversationId !== this.state.id) return null;
		return entryOf(data.conversationEntry, this.state.id);
	}

	private take(entries: ConversationEntry[]): void {
		const seen = new Set(this.state.seen);
		const queued = new Set([...this.pending, ...this.relaying].map((entry) => entry.identifier));
		for (const entry of entries) {
			if (seen.has(entry.identifier) || queued.has(entry.identifier)) continue;
			// Older than the newest relayed: a replay of one handled before (only those at lastAt are kept by id).
			if (entry.transcriptedAt < this.state.lastAt) continue;
			this.pending.push(entry);
			queued.add(entry.identifier);
		}
		this.pending.sort(byTranscriptTime);
		if (!this.draining && this.pending.length) {
			this.draining = this.drain().finally(() => {
				this.draining = undefined;
				if (this.pending.length && !this.stopped) this.take([]);
			});
		}
	}

	private async drain(): Promise<void> {
		while (this.pending.length && !this.stopped) {
			const batch = this.pending.splice(0);
			this.relaying = batch;
			try {
				await this.relay(batch);
			} finally {
				this.relaying = [];
			}
		}
	}

	private eventOf(entry: ConversationEntry): HandoffEvent | null {
		if (isOwnEcho(entry)) return null;
		const event = entryEvent(entry, this.state.subject || null);
		if (!event || !this.settings.events.has(event.event)) return null;
		if (event.event === 'message' && !this.settings.senders.has(event.author.role)) return null;
		return event;
	}

	private items(events: HandoffEvent[], retry: boolean): INodeExecutionData[] {
		return events.map((event) => {
			const json: IDataObject = { ...event, context: this.state.context ?? {} };
			if (event.message && (retry || this.maybeRelayed.has(event.entryId as string))) {
				json.message = { ...event.message, maybeRelayed: true };
			}
			return { json };
		});
	}

	/** One execution for the batch, tried again when it fails; then the conversation's cursor moves on. */
	private async relay(batch: ConversationEntry[]): Promise<void> {
		const events = batch.map((entry) => this.eventOf(entry)).filter((event): event is HandoffEvent => event !== null);
		if (events.length) {
			this.state.inFlight = events.map((event) => event.entryId as string);
			for (let attempt = 1; ; attempt++) {
				const done = this.context.helpers.createDeferredPromise<IRun>();
				this.context.emit([this.items(events, attempt > 1)], undefined, done);
				const run = await done.promise.catch(() => undefined);
				if (!failed(run)) break;
				if (attempt >= this.settings.deliveryTries || this.stopped) {
					this.context.saveFailedExecution(
						new NodeOperationError(
							this.context.getNode(),
							`Salesforce Enhanced Chat conversation ${this.state.id}: ${events.length} event(s) could not be relayed after ${attempt} executions`,
							{ description: `Entries ${events.map((event) => event.entryId).join(', ')}. They can be read again with Get Entries.` },
						),
					);
					break;
				}
				await sleep(Math.min(2_000 * 2 ** (attempt - 1), 60_000));
			}
		}
		const lastAt = Math.max(this.state.lastAt, ...batch.map((entry) => entry.transcriptedAt));
		const atLast = batch.filter((entry) => entry.transcriptedAt === lastAt).map((entry) => entry.identifier);
		this.state.seen = lastAt === this.state.lastAt ? [...this.state.seen, ...atLast] : atLast;
		this.state.lastAt = lastAt;
		this.state.lastEventId = this.lastEventId;
		this.state.inFlight = [];
		if (batch.some(endsSession)) {
			// Kept small: static data is saved whole at every execution. A new session brings the token back.
			this.state.ended = true;
			this.state.accessToken = '';
			this.finish();
		}
	}
}
