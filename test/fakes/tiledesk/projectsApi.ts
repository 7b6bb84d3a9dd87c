import * as crypto from 'crypto';

import { objectId } from '../http';
import { OBJECT_NOT_FOUND, isObjectId, nowIso, ok, subscriptionChanges } from './common';
import type { Ctx, Reply, SubscriptionRecord } from './common';
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
		this.add('GET', '/:projectid/departments', 'public', (ctx) =>
			ok(
				[...this.departments.values()]
					.filter((d) => d.id_project === ctx.params.projectid && d.status === 1)
					.map((d) => this.departmentJson(d)),
			),
		);
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
					.map((pu) => this.projectUserJson(pu)),
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
