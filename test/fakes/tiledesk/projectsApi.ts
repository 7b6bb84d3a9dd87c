import * as crypto from 'crypto';

import { objectId } from '../http';
import { OBJECT_NOT_FOUND, isObjectId, nowIso, ok, subscriptionChanges } from './common';
import type { Ctx, Reply, SubscriptionRecord, TiledeskProject, TiledeskProjectUser } from './common';
import { TiledeskRequestsApi } from './requestsApi';

/** The routes of a project, its departments, project users and subscriptions (REST hooks). */
export abstract class TiledeskProjectsApi extends TiledeskRequestsApi {
	/**
	 * Routes: projects: tiledesk-server routes/project.js GET /:projectid (mounted at /projects,
	 * before the /:projectid/ routes): agent role, or a subscription's login; 404 unless the project
	 * is active.
	 */
	protected registerProjectRoutes(): void {
		this.add('GET', '/projects/:projectid', { role: 'agent', subscription: true }, (ctx) => {
			const project = this.projects.get(ctx.params.projectid);
			// UNCONFIRMED: upstream answers the whole project document (settings, widget…); these are its basic fields.
			return project ? ok({ ...project, status: 100, id: project._id }) : OBJECT_NOT_FOUND;
		});
	}

	/** Routes: departments (routes/department.js: mounted without authentication upstream). */
	protected registerDepartmentRoutes(): void {
		// tiledesk-server routes/department.js GET /:departmentid/operators → services/departmentService.js
		// getOperators: the department ("default": the project's default one), its group's active agents
		// (all active agents without a group) and those of them available (none outside the project's
		// operating hours). With `nobot` a department bot is ignored. Agent role (or bot, subscription).
		this.add('GET', '/:projectid/departments/:departmentid/operators', { role: 'agent', subscription: true }, (ctx) =>
			this.departmentOperators(ctx.params.projectid, ctx.params.departmentid),
		);
		this.add('GET', '/:projectid/departments', 'public', (ctx) =>
			ok(
				[...this.departments.values()]
					.filter((d) => d.id_project === ctx.params.projectid && d.status === 1)
					.map((d) => this.departmentJson(d)),
			),
		);
	}

	private departmentOperators(projectId: string, departmentId: string): Reply {
		const project = this.projects.get(projectId);
		const department =
			departmentId === 'default'
				? [...this.departments.values()].find((d) => d.id_project === projectId && d.default)
				: isObjectId(departmentId)
					? this.departments.get(departmentId)
					: undefined;
		// UNCONFIRMED: upstream rejects the promise the route awaits without a catch; answered 500 here.
		if (!project || !department) {
			return { status: 500, body: { success: false, msg: `Department not found for projectid: ${projectId}` } };
		}
		const group = department.id_group ? this.groups.get(department.id_group) : undefined;
		const agents = this.projectUsers.filter(
			(pu) =>
				pu.id_project === projectId &&
				pu.roleType === 1 &&
				pu.status === 'active' &&
				(!department.id_group || (!!group && group.enabled && !!pu.id_user && group.members.includes(pu.id_user))),
		);
		// Upstream answers without department and project when the group has no active agent.
		if (agents.length === 0) return ok({ available_agents: [], agents: [], operators: [] });
		const open = this.projectIsOpenNow(project);
		if (typeof open === 'object') return open;
		const available = open ? agents.filter((pu) => pu.user_available) : [];
		// CHOICE: the first available agent is "selected" (upstream picks at random or round robin).
		const operators = department.routing === 'assigned' && available.length ? [{ id_user: available[0].id_user }] : [];
		const plain = (pu: TiledeskProjectUser) => ({ ...pu, __v: 0, id: pu._id });
		return ok({
			available_agents: available.map(plain),
			agents: agents.map(plain),
			operators,
			department: this.departmentJson(department),
			...(group ? { group: [{ ...group, __v: 0 }] } : {}),
			id_project: projectId,
			project: { ...project, status: 100, id: project._id },
		});
	}

	/**
	 * services/operatingHoursService.js projectIsOpenNow: open unless operating hours are on; then the
	 * project's local weekday (0 = Sunday) must have a range with start < now < end (moment's
	 * isBetween, both ends exclusive). Its errors (no hours, no tzname) fail the routing (500).
	 * CHOICE: the trial/subscription exemption (always open) is not simulated.
	 */
	protected projectIsOpenNow(project: TiledeskProject, at = new Date()): boolean | Reply {
		if (project.activeOperatingHours !== true) return true;
		if (!project.operatingHours) return { status: 500, body: { success: false, msg: { errorCode: 1020, msg: 'Operating hours is empty' } } };
		const hours = JSON.parse(project.operatingHours) as Record<string, unknown>;
		const tzname = typeof hours.tzname === 'string' ? hours.tzname : '';
		if (!tzname) return { status: 500, body: { success: false, msg: { errorCode: 2000, msg: 'Timezone undefined.' } } };
		const parts = Object.fromEntries(
			new Intl.DateTimeFormat('en-US', { timeZone: tzname, hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' })
				.formatToParts(at)
				.map((p) => [p.type, p.value]),
		);
		const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday);
		const now = `${parts.hour}:${parts.minute}:${parts.second}`;
		const ranges = Array.isArray(hours[String(weekday)]) ? (hours[String(weekday)] as Array<{ start: string; end: string }>) : [];
		const padded = (time: string) => (time.length === 5 ? `${time}:00` : time);
		return ranges.some((r) => padded(r.start) < now && now < padded(r.end));
	}

	/** Routes: project users (routes/project_user.js: agent role; default = agent-type members). */
	protected registerProjectUserRoutes(): void {
		const agentRole = { role: 'agent' as const };

		this.add('GET', '/:projectid/project_users', agentRole, (ctx) => {
			const roles = ctx.query.role ? ctx.query.role.split(',') : undefined;
			return ok(
				this.projectUsers
					.filter((pu) => pu.id_project === ctx.params.projectid)
					.filter((pu) => (roles ? roles.includes(pu.role) : pu.roleType === 1))
					.filter((pu) => (ctx.query.status ? pu.status === ctx.query.status : true))
					// routes/project_user.js adds `isBusy` (utils/project_userUtil.js: at the max of assigned chats).
					.map((pu) => ({ ...this.projectUserJson(pu), isBusy: this.busyProjectUsers.has(pu._id) })),
			);
		});

		// tiledesk-server routes/project_user.js GET /me (since 2.10.104): the caller's membership, as a list of one.
		// UNCONFIRMED: a subscription's login passes the role check there and fails on the missing project user
		// (a 500); here it is refused like on any route without the subscription type.
		this.add('GET', '/:projectid/project_users/me', agentRole, (ctx) => ok([this.projectUserJson(ctx.pu!)]));
	}

	/** Routes: subscriptions (routes/subscription.js; admin role). */
	protected registerSubscriptionRoutes(): void {
		const adminRole = { role: 'admin' as const };
		this.add('POST', '/:projectid/subscriptions', adminRole, (ctx) => {
			const event = ctx.body?.event;
			const target = ctx.body?.target;
			if (typeof event !== 'string' || !event || typeof target !== 'string' || !target) {
				return { status: 500, body: { success: false, msg: 'Error saving object.' } };
			}
			const projectId = ctx.params.projectid;
			if (this.subscriptions.some((s) => s.id_project === projectId && s.event === event && s.target === target)) {
				// Upstream: on the duplicate-key error it answers findOne({id_project, event}) — the FIRST
				// subscription for that event, which may belong to another target. Reproduced on purpose.
				// Its secret is read back as it is now (`select("+secret")`): a secret set by PUT shows here.
				const first = this.subscriptions.find((s) => s.id_project === projectId && s.event === event)!;
				// UNCONFIRMED: an upserted subscription has no secret; upstream's setHeader(undefined) would throw.
				const headers: Record<string, string> = first.secret === undefined ? {} : { 'x-hook-secret': first.secret };
				return { status: 200, body: this.subscriptionJson(first, true), headers };
			}
			const now = nowIso();
			const secret = this.options.shareSubscriptionSecret ? this.processSecret : crypto.randomUUID();
			const s: SubscriptionRecord = {
				_id: objectId(),
				event,
				target,
				id_project: projectId,
				secret,
				global: false,
				createdBy: ctx.auth._id,
				createdAt: now,
				updatedAt: now,
			};
			this.subscriptions.push(s);
			this.knownSecrets.add(secret);
			return { status: 200, body: this.subscriptionJson(s, true), headers: { 'x-hook-secret': secret } };
		});

		this.add('GET', '/:projectid/subscriptions', adminRole, (ctx) =>
			ok(this.subscriptions.filter((s) => s.id_project === ctx.params.projectid).map((s) => this.subscriptionJson(s))),
		);

		// tiledesk-server routes/subscription.js looks subscriptions up by id alone, in any project, for
		// GET/PUT/DELETE by id; an id that is no ObjectId is a CastError, answered 500.
		this.add('GET', '/:projectid/subscriptions/:subscriptionid', adminRole, (ctx) => {
			if (!isObjectId(ctx.params.subscriptionid)) return { status: 500, body: { success: false, msg: 'Error getting object.' } };
			const s = this.subscriptions.find((x) => x._id === ctx.params.subscriptionid);
			return s ? ok(this.subscriptionJson(s)) : OBJECT_NOT_FOUND;
		});

		this.add('PUT', '/:projectid/subscriptions/:subscriptionid', adminRole, (ctx) => this.updateSubscription(ctx));

		this.add('DELETE', '/:projectid/subscriptions/:subscriptionid', adminRole, (ctx) => {
			if (!isObjectId(ctx.params.subscriptionid)) return { status: 500, body: { success: false, msg: 'Error deleting object.' } };
			const index = this.subscriptions.findIndex((x) => x._id === ctx.params.subscriptionid);
			if (index < 0) return ok(null);
			const [removed] = this.subscriptions.splice(index, 1);
			return ok(this.subscriptionJson(removed));
		});
	}

	/**
	 * tiledesk-server routes/subscription.js PUT /:subscriptionid: `findByIdAndUpdate(id, req.body,
	 * {new: true, upsert: true})`. Any schema field of the body is set, `secret` and `global`
	 * included; an unknown id creates a subscription with just those fields (mongoose 5 sets no
	 * defaults on upsert, so no secret). The answer is the document as found: without secret and
	 * global (`select: false`, applied by mongoose 5.13 lib/query.js _findAndModify).
	 */
	private updateSubscription(ctx: Ctx): Reply {
		const failed: Reply = { status: 500, body: { success: false, msg: 'Error updating object.' } };
		const id = ctx.params.subscriptionid;
		const changes = subscriptionChanges(ctx.body);
		if (!isObjectId(id) || changes === undefined) return failed;
		const existing = this.subscriptions.find((x) => x._id === id);
		const now = nowIso();
		const updated: SubscriptionRecord = { ...(existing ?? { _id: id, createdAt: now }), ...changes, updatedAt: now };
		// models/subscription.js: unique index {id_project, event, target}; a clash is a MongoError, answered 500.
		const clash = this.subscriptions.some(
			(x) => x._id !== id && x.id_project === updated.id_project && x.event === updated.event && x.target === updated.target,
		);
		if (clash) return failed;
		if (typeof updated.secret === 'string') this.knownSecrets.add(updated.secret);
		if (existing) Object.assign(existing, updated);
		else this.subscriptions.push(updated);
		return ok(this.subscriptionJson(updated));
	}
}
