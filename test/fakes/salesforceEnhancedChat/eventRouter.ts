import * as http from 'http';

import { bad, fail } from './common';
import type { EnhancedChatApiCall, StreamRecord } from './common';
import { EnhancedChatConversationApi } from './conversationApi';

/**
 * The event stream, `GET /eventrouter/v1/sse` (the sheet, "SSE"): one per subject (end user), with
 * the events of all that subject's conversations, `ping` keep-alives, and Last-Event-Id replay.
 */
export abstract class EnhancedChatEventRouter extends EnhancedChatConversationApi {
	protected openStream(req: http.IncomingMessage, res: http.ServerResponse, call: EnhancedChatApiCall): void {
		const header = (name: string): string | undefined => {
			const value = req.headers[name];
			return Array.isArray(value) ? value[0] : value;
		};
		// CHOICE: the sheet lists the headers; the status for each one missing or wrong is ours.
		if (!/text\/event-stream/i.test(header('accept') ?? '')) {
			this.answer(res, call, bad('Accept: text/event-stream is required'));
			return;
		}
		const orgId = header('x-org-id');
		if (!orgId) {
			this.answer(res, call, bad('X-Org-Id is required'));
			return;
		}
		if (orgId !== this.options.orgId) {
			this.answer(res, call, fail(401, 'X-Org-Id does not match the token'));
			return;
		}
		const token = this.bearer(req.headers);
		if ('status' in token) {
			this.answer(res, call, token);
			return;
		}
		call.status = 200;
		res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
		res.flushHeaders();
		// UNCONFIRMED: an open stream stays open after its token expires or is revoked.
		const stream: StreamRecord = { subject: token.subject, res, openedAt: Date.now(), pingTimer: null, maxTimer: null };
		this.streams.add(stream);
		res.on('close', () => this.forgetStream(stream));
		// CHOICE / UNCONFIRMED: Last-Event-Id replays the retained events after it (the last
		// replayRetention per subject); older ones are gone, so a long outage needs /entries.
		// No Last-Event-Id (or one that is not a number): live events only.
		const last = header('last-event-id');
		if (last !== undefined && /^\d+$/.test(last.trim())) {
			const after = Number(last.trim());
			const record = this.subjects.get(token.subject);
			for (const sse of record?.retained ?? []) if (sse.id > after) this.writeEvent(stream, sse);
		}
		this.schedulePing(stream);
		if (this.options.streamMaxMs > 0) {
			// The sheet [DOC]: servers drop connections; clients must reconnect. Ended cleanly here.
			stream.maxTimer = this.timers.set(() => {
				stream.maxTimer = null;
				res.end();
			}, this.scaled(this.options.streamMaxMs));
		}
	}

	private schedulePing(stream: StreamRecord): void {
		const every = this.scaled(this.options.pingIntervalMs);
		if (!(every > 0)) return;
		stream.pingTimer = this.timers.set(() => {
			stream.pingTimer = null;
			if (!this.streams.has(stream)) return;
			// The sheet (VG): `ping` events with data `0`. CHOICE: without an id (Last-Event-Id stays).
			this.writeEvent(stream, { event: 'ping', data: '0' });
			this.schedulePing(stream);
		}, every);
	}

	protected forgetStream(stream: StreamRecord): void {
		this.timers.clear(stream.pingTimer ?? undefined);
		this.timers.clear(stream.maxTimer ?? undefined);
		stream.pingTimer = null;
		stream.maxTimer = null;
		this.streams.delete(stream);
	}

	/** Open streams, all or one subject's. */
	openStreams(subject?: string): number {
		return [...this.streams].filter((s) => subject === undefined || s.subject === subject).length;
	}

	/** Open streams per subject. */
	openStreamsBySubject(): Record<string, number> {
		const counts: Record<string, number> = {};
		for (const s of this.streams) counts[s.subject] = (counts[s.subject] ?? 0) + 1;
		return counts;
	}

	/** Destroys open streams abruptly (no clean end), all or one subject's. */
	dropStreams(subject?: string): number {
		const victims = [...this.streams].filter((s) => subject === undefined || s.subject === subject);
		for (const stream of victims) {
			this.forgetStream(stream);
			stream.res.destroy();
		}
		return victims.length;
	}
}
