import { clone, isObject, objectId } from '../http';
import { TiledeskAuthApi } from './authApi';
import { MESSAGE_STATUS, OBJECT_NOT_FOUND, REQUEST_STATUS, fullName, nowIso, ok } from './common';
import type { Ctx, Reply, RequestRecord } from './common';

/** The routes of requests and their messages (`/:projectid/requests/...`). */
export abstract class TiledeskRequestsApi extends TiledeskAuthApi {
	/** Routes: messages (routes/message.js; any project member may post). */
	protected registerMessageRoutes(): void {
		this.add('POST', '/:projectid/requests/:requestid/messages', { role: null }, (ctx) => this.postMessage(ctx));
		this.add('GET', '/:projectid/requests/:requestid/messages', { role: null }, (ctx) => {
			const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
			return ok(r ? clone(this.messagesOf(r)) : []);
		});
	}

	/** Routes: requests (routes/request.js; agent role). */
	protected registerRequestRoutes(): void {
		const agentRole = { role: 'agent' as const };

		this.add('GET', '/:projectid/requests', agentRole, (ctx) => this.listRequestsRoute(ctx));

		this.add(
			'GET',
			'/:projectid/requests/:requestid',
			agentRole,
			this.withRequest(OBJECT_NOT_FOUND, (_ctx, r) => ok(this.requestJson(r))),
		);

		this.add(
			'PUT',
			'/:projectid/requests/:requestid/agent',
			agentRole,
			this.withRequest(OBJECT_NOT_FOUND, (_ctx, r) =>
				this.routeReply(r, () => this.route(r, r.department ?? 'default', true)),
			),
		);

		this.add('PUT', '/:projectid/requests/:requestid/departments', agentRole, (ctx) => {
			const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
			if (!r) return { status: 500, body: { success: false, msg: 'Error changing the department.' } };
			return this.routeReply(r, () => this.route(r, ctx.body?.departmentid, !!ctx.body?.nobot));
		});

		this.add(
			'PUT',
			'/:projectid/requests/:requestid/assign',
			agentRole,
			this.withRequest({ status: 404, body: { success: false, msg: 'Request not found' } }, (ctx, r) => {
				if ([REQUEST_STATUS.ASSIGNED, REQUEST_STATUS.SERVED, REQUEST_STATUS.CLOSED].includes(r.status)) {
					return ok(this.requestJson(r));
				}
				return this.routeReply(r, () => this.route(r, ctx.body?.departmentid, !!ctx.body?.nobot));
			}),
		);

		this.add(
			'POST',
			'/:projectid/requests/:requestid/participants',
			agentRole,
			(ctx) => {
				if (!ctx.body?.member) {
					return { status: 422, body: { errors: [{ msg: 'Invalid value', param: 'member', location: 'body' }] } };
				}
				const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
				if (!r) return { status: 500, body: { success: false, error: 'Error adding participant' } };
				this.addParticipant(r, String(ctx.body.member));
				return ok(this.requestJson(r));
			},
		);

		this.add('PUT', '/:projectid/requests/:requestid/participants', agentRole, (ctx) => {
			const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
			if (!r || !Array.isArray(ctx.body)) return { status: 500, body: { success: false, error: 'Error setting participants' } };
			const participants = ctx.body.map(String);
			if (JSON.stringify(participants) !== JSON.stringify(r.participants)) {
				this.setParticipantsFields(r, participants);
				r.status = participants.length > 0 ? REQUEST_STATUS.ASSIGNED : REQUEST_STATUS.UNASSIGNED;
				r.waiting_time = undefined;
				r.updatedAt = nowIso();
				this.emit(r.id_project, 'request.update', this.requestJson(r));
				this.onParticipantsUpdate(r);
			}
			return ok(this.requestJson(r));
		});

		this.add('DELETE', '/:projectid/requests/:requestid/participants/:participantid', agentRole, (ctx) => {
			const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
			if (!r) {
				return {
					status: 400,
					body: {
						success: false,
						error: `Unable to remove the participant ${ctx.params.participantid} from the request ${ctx.params.requestid}`,
					},
				};
			}
			this.removeParticipant(r, ctx.params.participantid);
			return ok(this.requestJson(r));
		});

		this.add('PUT', '/:projectid/requests/:requestid/close', agentRole, (ctx) => {
			const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
			const privileged = ctx.pu!.role === 'owner' || ctx.pu!.role === 'admin';
			if (!privileged) {
				if (!r) return { status: 404, body: { success: false, error: 'Request not found' } };
				if (!r.participantsAgents.includes(ctx.auth._id)) {
					return { status: 403, body: { success: false, error: 'You must be among the participants to close a conversation.' } };
				}
			}
			if (!r) return { status: 500, body: { success: false, error: 'Error closing request' } };
			this.closeRequest(r, ctx.auth._id, ctx.body?.force === true);
			return ok(this.requestJson(r));
		});

		this.add('PUT', '/:projectid/requests/:requestid/reopen', agentRole, (ctx) => {
			const r = this.findRequest(ctx.params.projectid, ctx.params.requestid);
			if (!r) return { status: 500, body: { success: false, error: 'Error reopening request' } };
			this.reopenRequest(r);
			return ok(this.requestJson(r));
		});

		// routes/request.js: PATCH .../attributes merges the body's keys into request.attributes.
		this.add(
			'PATCH',
			'/:projectid/requests/:requestid/attributes',
			agentRole,
			this.withRequest(OBJECT_NOT_FOUND, (ctx, r) => {
				if (isObject(ctx.body)) r.attributes = { ...r.attributes, ...clone(ctx.body) };
				r.updatedAt = nowIso();
				this.emit(r.id_project, 'request.update', this.requestJson(r));
				return ok(this.requestJson(r));
			}),
		);
	}

	private routeReply(r: RequestRecord, fn: () => void): Reply {
		try {
			fn();
		} catch {
			return { status: 500, body: { success: false, msg: 'Error changing the department.' } };
		}
		return ok(this.requestJson(r));
	}

	/** routes/message.js POST: creates the request on the first message. */
	private postMessage(ctx: Ctx): Reply {
		const { projectid, requestid } = ctx.params;
		const body = isObject(ctx.body) ? ctx.body : {};
		// Sheet: the chat engine rejects ids that don't start with `support-group`
		// (channels/chat21/chat21WebHook.js: 400 with this text).
		if (!requestid.startsWith('support-group')) {
			return {
				status: 400,
				body: { success: false, msg: 'recipient not starts with support-group. Not a support message' },
			};
		}
		const sender: string | undefined = typeof body.sender === 'string' && body.sender !== '' ? body.sender : undefined;
		let fullname: string | undefined = body.senderFullname || fullName(ctx.auth);
		let email: string | undefined = body.email || ctx.auth.email;
		const status = typeof body.status === 'number' ? body.status : MESSAGE_STATUS.SENDING;
		const existing = this.findRequest(projectid, requestid);

		if (existing) {
			const message = this.addMessage(existing, {
				sender: sender ?? ctx.auth._id,
				senderFullname: fullname,
				text: body.text,
				type: body.type,
				attributes: body.attributes,
				metadata: body.metadata,
				status,
				createdBy: ctx.auth._id,
				language: body.language,
				channel: body.channel,
			});
			if (sender && existing.participants.includes(sender)) this.updateWaitingTime(existing);
			return ok({ ...clone(message), request: this.requestJson(existing) });
		}

		if (!body.text && (!body.type || body.type === 'text')) return { status: 422, body: { errors: ['text field is required'] } };
		let requester = ctx.pu!;
		if (sender) {
			// routes/message.js: on the first message an explicit sender must be an active project
			// user (by user id or by the uuid of an anonymous/custom-token user), else 403.
			const pu = this.projectUsers.find(
				(p) => p.id_project === projectid && p.status === 'active' && (p.id_user === sender || p.uuid_user === sender),
			);
			if (!pu) {
				return { status: 403, body: { success: false, msg: `Unauthorized. Project_user not found with user id  : ${sender}` } };
			}
			requester = pu;
			if (pu.id_user) {
				const u = this.users.get(pu.id_user);
				fullname = fullName(u);
				email = u?.email;
			} else if (pu.uuid_user) {
				const lead = this.leads.find((l) => l.id_project === projectid && l.lead_id === pu.uuid_user);
				if (lead) {
					fullname = lead.fullname;
					email = lead.email;
				}
			}
		}
		const department = this.findDepartment(projectid, body.departmentid || 'default');
		if (!department) return { status: 500, body: { success: false, msg: 'Error creating request' } };

		const lead = this.leadFor(projectid, sender ?? ctx.auth._id, fullname, email, body.attributes);
		const participants: string[] = Array.isArray(body.participants) ? body.participants.map(String) : [];
		const now = nowIso();
		const r: RequestRecord = {
			_id: objectId(),
			request_id: requestid,
			id_project: projectid,
			requester: requester._id,
			lead: lead._id,
			first_text: body.text,
			subject: body.subject,
			status: REQUEST_STATUS.UNASSIGNED,
			preflight: false,
			hasBot: false,
			participants: [],
			participantsAgents: [],
			participantsBots: [],
			sourcePage: body.sourcePage,
			language: body.language,
			userAgent: body.userAgent,
			channel: isObject(body.channel) && typeof body.channel.name === 'string' ? { name: body.channel.name } : { name: 'chat21' },
			channelOutbound: { name: 'chat21' },
			attributes: isObject(body.attributes) ? clone(body.attributes) : {},
			priority: typeof body.priority === 'string' ? body.priority : 'medium',
			followers: Array.isArray(body.followers) ? body.followers.map(String) : [],
			tags: [],
			notes: [],
			location: body.location,
			createdBy: ctx.auth._id,
			createdAt: now,
			updatedAt: now,
			snapshotAgents: this.agentIds(projectid),
			seq: ++this.requestSeq,
		};
		// services/requestService.js create(): TEMP (50) skips assignment; otherwise the given
		// participants, else the department's operator (bot, or an available agent). With explicit
		// participants the request gets no department.
		if (body.request_status === REQUEST_STATUS.TEMP) {
			r.status = REQUEST_STATUS.TEMP;
			r.participants = participants;
			if (participants.length === 0) r.department = department._id;
		} else {
			if (participants.length === 0) {
				const operator = this.selectOperator(projectid, department, false);
				if (operator) participants.push(operator);
				r.department = department._id;
			}
			if (participants.length > 0) {
				r.status = REQUEST_STATUS.ASSIGNED;
				r.participants = participants;
				// Upstream classifies only the first participant as agent or bot.
				const first = participants[0];
				if (first.startsWith('bot_')) {
					r.hasBot = true;
					r.participantsBots = [first.slice(4)];
				} else {
					r.participantsAgents = [first];
				}
				r.assigned_at = now;
			}
		}
		this.requests.set(this.key(projectid, requestid), r);
		this.emit(projectid, 'request.create', this.requestJson(r));
		const message = this.addMessage(r, {
			sender: sender ?? ctx.auth._id,
			senderFullname: fullname,
			text: body.text,
			type: body.type,
			attributes: body.attributes,
			metadata: body.metadata,
			status,
			createdBy: ctx.auth._id,
			language: body.language,
			channel: body.channel,
		});
		return ok({ ...clone(message), request: this.requestJson(r) });
	}

	/** routes/request.js GET /: `{perPage, count, requests}`; page is 0-based, limit ≤ 100 (default 40). */
	private listRequestsRoute(ctx: Ctx): Reply {
		const q = ctx.query;
		let limit = q.limit ? parseInt(q.limit, 10) : 40;
		if (Number.isNaN(limit) || limit > 100) limit = 40;
		const page = q.page ? Number(q.page) || 0 : 0;
		let list = [...this.requests.values()].filter((r) => r.id_project === ctx.params.projectid && !r.preflight);
		// Default: open conversations only (status < 1000, not TEMP 50 nor ABANDONED 150).
		if (!q.status) list = list.filter((r) => r.status < 1000 && r.status !== 50 && r.status !== 150);
		else if (q.status !== 'all') {
			const statuses = q.status.split(',').map(Number).filter((n) => !Number.isNaN(n));
			if (statuses.length > 0) list = list.filter((r) => statuses.includes(r.status));
		}
		const role = ctx.pu!.role;
		if (role !== 'owner' && role !== 'admin') {
			list = list.filter((r) => r.participants.includes(ctx.auth._id) || r.snapshotAgents.includes(ctx.auth._id));
		}
		if (q.dept_id) list = list.filter((r) => r.department === q.dept_id);
		if (q.participant) list = list.filter((r) => r.participants.includes(q.participant));
		if (q.lead) list = list.filter((r) => r.lead === q.lead);
		if (q.hasbot !== undefined) list = list.filter((r) => String(r.hasBot) === q.hasbot);
		if (q.snap_lead_lead_id) {
			list = list.filter((r) => this.leads.find((l) => l._id === r.lead)?.lead_id === q.snap_lead_lead_id);
		}
		const sortField = q.sort || 'createdAt';
		const direction = q.direction === '1' || q.direction === 'asc' ? 1 : -1;
		list.sort((a, b) => {
			const av = String((a as unknown as Record<string, unknown>)[sortField] ?? '');
			const bv = String((b as unknown as Record<string, unknown>)[sortField] ?? '');
			return (av < bv ? -1 : av > bv ? 1 : a.seq - b.seq) * direction;
		});
		const requests = list.slice(page * limit, page * limit + limit).map((r) => this.requestJson(r));
		return ok({ perPage: limit, count: list.length, requests });
	}
}
